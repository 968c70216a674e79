// The single email-address rule shared by sign-up, login, invitations and partner APIs, so
// an address accepted on one surface is never refused (or spelled differently) on another.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace polysim {

// Trims ASCII whitespace at both ends and ASCII-lowercases, then accepts only:
//   - 3 to 254 characters, ASCII only, exactly one '@';
//   - a local part of 1 to 64 printable ASCII characters other than  " ( ) , : ; < > [ \ ]
//   - a domain of at least two dot-separated labels, each 1 to 63 of [a-z0-9-], not starting
//     or ending with '-'.
// Returns the normalized address, or nullopt when it is not acceptable.
std::optional<std::string> normalize_email(std::string_view raw);

}  // namespace polysim
