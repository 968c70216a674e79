// The Dashboard's only stylesheet (30-partner-apps.md §9.1: built in, ≤ 8 KiB). Colours keep a
// contrast of at least 4.5:1 on their backgrounds; focus is always visible.
#include "dashboard/pages.hpp"

namespace polysim::dashboard {

namespace {
constexpr std::string_view kCss = R"css(*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
a{color:#0b4fa3}a:hover{color:#07366f}
:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.skip-link{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip-link:focus{left:1rem}
.site-header{display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap;gap:1rem;padding:.75rem 1.5rem;background:#102a43;color:#fff}
.site-header .brand{margin:0;font-weight:700}.site-header .tenant{font-weight:400}
.site-header .who{margin-right:.5rem}
.signout{margin:0}.link-button{background:none;border:1px solid #fff;color:#fff;padding:.25rem .75rem;border-radius:4px;cursor:pointer;font:inherit}
nav ul{list-style:none;margin:0;padding:0 1.5rem;display:flex;flex-wrap:wrap;gap:.25rem;background:#e8eef5;border-bottom:1px solid #c5d0dc}
nav a{display:block;padding:.6rem .9rem;text-decoration:none;color:#102a43}
nav a[aria-current=page]{font-weight:700;border-bottom:3px solid #0b4fa3}
main{padding:1.5rem;max-width:80rem}
h1{font-size:1.75rem;margin:.5rem 0 1rem}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.95rem}
caption{text-align:left;font-weight:700;padding:.5rem 0}
th,td{border-bottom:1px solid #c5d0dc;padding:.5rem;text-align:left;vertical-align:top}
thead th{background:#f1f4f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;word-break:break-all}
.details{white-space:pre-wrap}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.85rem;font-weight:700;border:1px solid currentColor}
.badge-live,.badge-active{color:#0f5a2a;background:#e3f4e8}
.badge-testing{color:#7a4100;background:#fff1dc}
.badge-revoked,.badge-disabled,.badge-expired{color:#8a1c1c;background:#fde8e8}
.badge-deactivated{color:#4a4a4a;background:#eee}
.stack{display:flex;flex-direction:column;gap:.4rem;max-width:36rem}
label{font-weight:600}.hint{font-weight:400;color:#4a4a4a}
input,textarea,select{font:inherit;padding:.45rem .55rem;border:1px solid #5c6b7a;border-radius:4px;max-width:100%}
input[aria-invalid=true],textarea[aria-invalid=true],fieldset[aria-invalid=true]{border:2px solid #b00020}
fieldset{border:1px solid #c5d0dc;border-radius:4px;padding:.5rem 1rem}
.check{display:flex;align-items:center;gap:.4rem;margin:.2rem 0}.check label{font-weight:400}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:4px;border:2px solid #0b4fa3;background:#0b4fa3;color:#fff;cursor:pointer;text-decoration:none}
button.secondary{background:#fff;color:#0b4fa3}
button.danger{background:#b00020;border-color:#b00020}
.button:hover,button:hover{filter:brightness(1.1)}
.actions{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
td.actions form{display:inline}
.filters{display:flex;gap:1rem;align-items:flex-end;flex-wrap:wrap}
.filters div{display:flex;flex-direction:column}
.notice{border-left:5px solid #0f5a2a;background:#e3f4e8;padding:.5rem 1rem;margin-bottom:1rem}
.error-summary{border:3px solid #b00020;padding:.5rem 1rem;margin-bottom:1rem}
.error-summary h2{margin:.25rem 0;color:#b00020}
.field-error{color:#b00020;font-weight:600;margin:0}
.secret{border:3px solid #7a4100;background:#fff8ec;padding:.5rem 1rem}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.5rem}
.facts dt{font-weight:700}.facts dd{margin:0}
.meter{display:flex;align-items:center;gap:.75rem;margin:.4rem 0}
progress{width:14rem;height:1rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
)css";
}  // namespace

std::string_view stylesheet() { return kCss; }

}  // namespace polysim::dashboard
