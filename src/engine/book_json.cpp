#include "engine/book_json.hpp"

#include "core/decimal.hpp"

namespace polysim::engine {

std::variant<std::vector<BookLevel>, std::string> levels_from_json(const JsonValue* side, std::string_view name) {
  std::vector<BookLevel> out;
  if (!side) return out;
  const std::string label(name);
  if (!side->is_array()) return label + " must be an array of [price, size] pairs";
  for (const auto& level : side->elements()) {
    if (!level.is_array() || level.elements().size() != 2) return label + " must hold [price, size] pairs";
    auto price = json_decimal(level.elements()[0], 6);
    auto size = json_decimal(level.elements()[1], 6);
    if (!price || !size) return label + " prices and sizes must be decimal strings";
    out.push_back(BookLevel{*price, *size});
  }
  return out;
}

std::string levels_to_json(const std::vector<BookLevel>& side) {
  std::string out = "[";
  for (std::size_t i = 0; i < side.size(); ++i) {
    if (i) out += ',';
    out += "[\"" + format_decimal(side[i].price, 0) + "\",\"" + format_decimal(side[i].size, 0) + "\"]";
  }
  return out + "]";
}

std::optional<std::vector<BookLevel>> levels_from_text(std::string_view text) {
  auto parsed = parse_json(text);
  if (!std::holds_alternative<JsonValue>(parsed)) return std::nullopt;
  auto levels = levels_from_json(&std::get<JsonValue>(parsed), "levels");
  if (!std::holds_alternative<std::vector<BookLevel>>(levels)) return std::nullopt;
  return std::get<std::vector<BookLevel>>(std::move(levels));
}

}  // namespace polysim::engine
