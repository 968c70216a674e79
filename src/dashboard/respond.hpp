// Responses of the Dashboard: every page carries the headers of 30-partner-apps.md §9.1 (CSP
// without scripts, nosniff, same-origin referrer, no-store), POSTs answer 303 to a GET, and the
// refusals every page can meet (403 form check, 404, 429) have one rendering each.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "http/response.hpp"

namespace polysim::dashboard {

inline constexpr std::string_view kSessionCookie = "polysim_dash";
inline constexpr std::string_view kLoginCsrfCookie = "polysim_dash_csrf";
inline constexpr std::string_view kCsrfRefusal = "This form could not be verified. Reload the page and try again.";

void add_page_headers(http::Response& r);
http::Response html_response(int status, std::string body);
http::Response see_other(std::string_view location);

// Path=/dashboard; HttpOnly; SameSite=Lax, and Secure when the public URL is https.
// `max_age` 0 deletes the cookie; nullopt makes it last for the browser session.
std::string cookie_header(std::string_view name, std::string_view value, bool secure,
                          std::optional<int> max_age = std::nullopt);

// Pages for signed-out visitors or failures outside any page's own form.
http::Response simple_page(int status, std::string_view title, std::string_view message);
http::Response csrf_refused();
http::Response not_found();
http::Response too_many_requests(int retry_after_s);

}  // namespace polysim::dashboard
