// Passwords of 12 or more characters that appear near the top of breached-password lists.
// Shorter ones are refused by the length rule anyway, so they are not listed.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace polysim::auth {

// Compares ignoring ASCII case.
bool is_common_password(std::string_view password);

// Every listed password, lowercase, sorted and distinct; built on first use.
const std::vector<std::string>& common_passwords();

}  // namespace polysim::auth
