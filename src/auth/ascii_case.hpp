// ASCII-only case folding. Credentials and identifiers are compared byte-wise after folding
// A-Z, never with locale-dependent rules that could make two parts of the server disagree.
#pragma once
#include <string>
#include <string_view>

namespace polysim::auth {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string ascii_lowercase(std::string_view text);
std::string ascii_uppercase(std::string_view text);

}  // namespace polysim::auth
