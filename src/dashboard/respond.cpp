#include "dashboard/respond.hpp"

#include "dashboard/html.hpp"

namespace polysim::dashboard {

void add_page_headers(http::Response& r) {
  r.set_header("Content-Security-Policy",
               "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'");
  r.set_header("X-Content-Type-Options", "nosniff");
  r.set_header("Referrer-Policy", "same-origin");
  r.set_header("Cache-Control", "no-store");
}

http::Response html_response(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.set_header("Content-Type", "text/html; charset=utf-8");
  add_page_headers(r);
  return r;
}

http::Response see_other(std::string_view location) {
  http::Response r;
  r.status = 303;
  r.set_header("Location", location);
  add_page_headers(r);
  return r;
}

std::string cookie_header(std::string_view name, std::string_view value, bool secure, std::optional<int> max_age) {
  std::string out(name);
  out += '=';
  out += value;
  out += "; Path=/dashboard; HttpOnly; SameSite=Lax";
  if (secure) out += "; Secure";
  if (max_age) out += "; Max-Age=" + std::to_string(*max_age);
  return out;
}

http::Response simple_page(int status, std::string_view title, std::string_view message) {
  Frame frame;
  frame.title = std::string(title);
  std::string main = "<h1>" + escape(title) + "</h1>\n<p>" + escape(message) + "</p>\n";
  main += "<p><a href=\"/dashboard/apps\">Back to the Dashboard</a></p>";
  return html_response(status, render_page(frame, main));
}

http::Response csrf_refused() { return simple_page(403, "Form not accepted", kCsrfRefusal); }

http::Response not_found() { return simple_page(404, "Not found", "There is no such page in your tenant."); }

http::Response too_many_requests(int retry_after_s) {
  auto r = simple_page(429, "Too many requests",
                       "Too many requests. Retry after " + std::to_string(retry_after_s) + "s.");
  r.set_header("Retry-After", std::to_string(retry_after_s));
  return r;
}

}  // namespace polysim::dashboard
