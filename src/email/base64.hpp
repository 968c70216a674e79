// Standard base64 (RFC 4648 section 4, '+' '/' and '=' padding): what SMTP AUTH and MIME expect,
// unlike the URL-safe unpadded form in core/encoding.hpp.
#pragma once
#include <string>
#include <string_view>

namespace polysim::email {

std::string base64_encode(std::string_view bytes);

}  // namespace polysim::email
