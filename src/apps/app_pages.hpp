// The few HTML pages of the App API's browser routes (30-partner-apps.md §4.4, §4.5): the
// magic-link confirmation and the error pages. Script-free, framed by nobody.
#pragma once
#include <string>
#include <string_view>

#include "http/response.hpp"

namespace polysim::apps {

http::Response magic_confirm_page(std::string_view app_name, std::string_view email, std::string_view action_path);
http::Response message_page(int status, std::string_view title, std::string_view message);

}  // namespace polysim::apps
