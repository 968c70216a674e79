#include "apps/app_pages.hpp"

#include "core/html_escape.hpp"

namespace polysim::apps {

namespace {

std::string escaped(std::string_view text) { return html_escape(text); }

http::Response page(int status, std::string_view title, const std::string& main) {
  http::Response r;
  r.status = status;
  r.body = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
           escaped(title) +
           "</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;"
           "color:#1a1a1a}button{font:inherit;padding:.5rem 1.25rem;border:0;border-radius:.375rem;background:#1d4ed8;"
           "color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}</style>"
           "</head><body><main>" +
           main + "</main></body></html>\n";
  r.set_header("Content-Type", "text/html; charset=utf-8");
  r.set_header("Cache-Control", "no-store");
  r.set_header("Referrer-Policy", "no-referrer");
  r.set_header("X-Content-Type-Options", "nosniff");
  r.set_header("Content-Security-Policy",
               "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'");
  return r;
}

}  // namespace

http::Response magic_confirm_page(std::string_view app_name, std::string_view email, std::string_view action_path) {
  const std::string title = "Sign in to " + std::string(app_name);
  std::string main = "<h1>" + escaped(title) + "</h1><p>Sign in to " + escaped(app_name) + " as <strong>" +
                     escaped(email) + "</strong>?</p><form method=\"post\" action=\"" + escaped(action_path) +
                     "\"><button type=\"submit\">Continue</button></form>";
  return page(200, title, main);
}

http::Response message_page(int status, std::string_view title, std::string_view message) {
  return page(status, title, "<h1>" + escaped(title) + "</h1><p>" + escaped(message) + "</p>");
}

}  // namespace polysim::apps
