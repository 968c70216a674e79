// Strict reading of trader request bodies (20-trader-api.md §1): a JSON object whose fields are
// all known, each of the expected type. Failures are AuthFailure validation errors naming the
// field, so every endpoint reports them alike.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_input.hpp"

namespace polysim::trader {

class BodyFields {
 public:
  // Throws validation_error for an unknown field; `body` may be null (no body sent).
  BodyFields(const JsonValue* body, std::initializer_list<std::string_view> allowed);

  std::string required_string(std::string_view name, std::size_t max_bytes = 1024) const;
  std::optional<std::string> optional_string(std::string_view name, std::size_t max_bytes = 1024) const;
  std::optional<bool> optional_bool(std::string_view name) const;
  // An array of strings (at most 16, each at most 64 bytes).
  std::optional<std::vector<std::string>> optional_string_list(std::string_view name) const;

 private:
  const JsonValue* field(std::string_view name) const;
  const JsonValue* body_;
};

}  // namespace polysim::trader
