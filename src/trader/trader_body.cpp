#include "trader/trader_body.hpp"

#include "auth/auth_failure.hpp"

namespace polysim::trader {

using auth::validation_failure;

BodyFields::BodyFields(const JsonValue* body, std::initializer_list<std::string_view> allowed) : body_(body) {
  if (!body_) return;
  for (const auto& [key, value] : body_->items()) {
    bool known = false;
    for (auto name : allowed) known |= name == key;
    if (!known) throw validation_failure(key, "unknown field");
  }
}

const JsonValue* BodyFields::field(std::string_view name) const {
  if (!body_) return nullptr;
  const auto* v = body_->find(name);
  return v && !v->is_null() ? v : nullptr;
}

std::string BodyFields::required_string(std::string_view name, std::size_t max_bytes) const {
  auto v = optional_string(name, max_bytes);
  if (!v) throw validation_failure(std::string(name), "is required");
  return *v;
}

std::optional<std::string> BodyFields::optional_string(std::string_view name, std::size_t max_bytes) const {
  const auto* v = field(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw validation_failure(std::string(name), "must be a string");
  if (v->as_string().size() > max_bytes) throw validation_failure(std::string(name), "is too long");
  return v->as_string();
}

std::optional<bool> BodyFields::optional_bool(std::string_view name) const {
  const auto* v = field(name);
  if (!v) return std::nullopt;
  if (!v->is_bool()) throw validation_failure(std::string(name), "must be true or false");
  return v->as_bool();
}

std::optional<std::vector<std::string>> BodyFields::optional_string_list(std::string_view name) const {
  const auto* v = field(name);
  if (!v) return std::nullopt;
  if (!v->is_array() || v->elements().size() > 16)
    throw validation_failure(std::string(name), "must be an array of at most 16 strings");
  std::vector<std::string> out;
  for (const auto& item : v->elements()) {
    if (!item.is_string() || item.as_string().size() > 64)
      throw validation_failure(std::string(name), "must be an array of short strings");
    out.push_back(item.as_string());
  }
  return out;
}

}  // namespace polysim::trader
