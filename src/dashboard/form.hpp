// What a Dashboard request carries besides its path: form fields
// (application/x-www-form-urlencoded, the only body the Dashboard accepts), query parameters and
// cookies, decoded without any HTTP type so pages can be tested as plain functions.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polysim::dashboard {

// Fields in order; a name may repeat (checkbox groups). `valid` is false when some pair could
// not be decoded; such a form is refused as a whole.
struct FormFields {
  std::vector<std::pair<std::string, std::string>> items;
  bool valid = true;

  std::optional<std::string> get(std::string_view name) const;  // first value
  std::string value(std::string_view name) const { return get(name).value_or(""); }
  std::vector<std::string> all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
};

// application/x-www-form-urlencoded: '+' is a space, %XX a byte. Query strings are parsed the
// same way, since browsers submit GET forms in this encoding.
FormFields parse_form(std::string_view body);

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace polysim::dashboard
