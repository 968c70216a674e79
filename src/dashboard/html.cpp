#include "dashboard/html.hpp"

#include "core/html_escape.hpp"
#include "core/time_format.hpp"
#include "engine/account_view.hpp"

namespace polysim::dashboard {

std::string escape(std::string_view text) { return html_escape(text); }

std::string utc_time(std::int64_t unix_micros) {
  if (unix_micros <= 0) return "—";
  auto text = format_rfc3339_millis(unix_micros);  // 2025-03-01T14:05:09.123Z
  if (text.size() < 19) return escape(text);
  text[10] = ' ';
  return text.substr(0, 19) + " UTC";
}

std::string money(std::int64_t micros) { return engine::usd(micros); }

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

namespace {

struct NavItem {
  Section section;
  const char* href;
  const char* label;
};

constexpr NavItem kNav[] = {
    {Section::Apps, "/dashboard/apps", "Apps"},
    {Section::ApiKeys, "/dashboard/api-keys", "API keys"},
    {Section::Users, "/dashboard/users", "Users"},
    {Section::Accounts, "/dashboard/accounts", "Accounts"},
    {Section::Audit, "/dashboard/audit", "Audit log"},
};

const FieldError* find_error(const std::vector<FieldError>& errors, std::string_view field_id) {
  for (const auto& e : errors)
    if (e.field_id == field_id) return &e;
  return nullptr;
}

}  // namespace

std::string error_attrs(const std::vector<FieldError>& errors, std::string_view field_id) {
  if (!find_error(errors, field_id)) return {};
  return " aria-invalid=\"true\" aria-describedby=\"" + escape(field_id) + "-error\"";
}

std::string error_text(const std::vector<FieldError>& errors, std::string_view field_id) {
  const auto* e = find_error(errors, field_id);
  if (!e) return {};
  return "<p class=\"field-error\" id=\"" + escape(field_id) + "-error\">" + escape(e->message) + "</p>";
}

std::string csrf_field(std::string_view token) {
  return "<input type=\"hidden\" name=\"_csrf\" value=\"" + escape(token) + "\">";
}

std::string badge(std::string_view text, std::string_view kind) {
  return "<span class=\"badge badge-" + escape(kind) + "\">" + escape(text) + "</span>";
}

std::string render_page(const Frame& frame, std::string_view main_html) {
  std::string out;
  out.reserve(main_html.size() + 2048);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape(frame.title) + " · polysim Dashboard</title>\n";
  out += "<link rel=\"stylesheet\" href=\"/dashboard/static/app.css\">\n</head>\n<body>\n";
  out += "<a class=\"skip-link\" href=\"#main\">Skip to main content</a>\n";
  out += "<header class=\"site-header\"><p class=\"brand\">polysim Dashboard";
  if (!frame.tenant_name.empty()) out += " <span class=\"tenant\">· " + escape(frame.tenant_name) + "</span>";
  out += "</p>";
  if (!frame.staff_email.empty()) {
    out += "<form class=\"signout\" method=\"post\" action=\"/dashboard/logout\">" + csrf_field(frame.csrf);
    out += "<span class=\"who\">" + escape(frame.staff_email) + "</span> ";
    out += "<button type=\"submit\" class=\"link-button\">Sign out</button></form>";
  }
  out += "</header>\n";
  if (!frame.staff_email.empty()) {
    out += "<nav aria-label=\"Main\"><ul>";
    for (const auto& item : kNav) {
      out += "<li><a href=\"";
      out += item.href;
      out += "\"";
      if (item.section == frame.section) out += " aria-current=\"page\"";
      out += ">";
      out += item.label;
      out += "</a></li>";
    }
    out += "</ul></nav>\n";
  }
  out += "<main id=\"main\" tabindex=\"-1\">\n";
  if (!frame.notice.empty())
    out += "<div class=\"notice\" role=\"status\"><p>" + escape(frame.notice) + "</p></div>\n";
  if (!frame.errors.empty()) {
    out += "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\">";
    out += "<h2 id=\"error-summary-title\">There is a problem</h2><ul>";
    for (const auto& e : frame.errors) {
      if (e.field_id.empty()) out += "<li>" + escape(e.message) + "</li>";
      else out += "<li><a href=\"#" + escape(e.field_id) + "\">" + escape(e.message) + "</a></li>";
    }
    out += "</ul></div>\n";
  }
  out += main_html;
  out += "\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace polysim::dashboard
