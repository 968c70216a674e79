// Book levels as JSON, `[["0.55","300"],…]`: what the admin push and the replay feed read and
// what the books table stores. Prices and sizes are decimal strings (numbers are accepted on
// input and read from their exact text).
#pragma once
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/json_input.hpp"
#include "engine/book.hpp"

namespace polysim::engine {

// `side` absent → no levels; otherwise an array of [price, size] pairs or a message naming `name`.
std::variant<std::vector<BookLevel>, std::string> levels_from_json(const JsonValue* side, std::string_view name);
std::string levels_to_json(const std::vector<BookLevel>& side);
// Reads back what levels_to_json wrote; nullopt when the text is not such an array.
std::optional<std::vector<BookLevel>> levels_from_text(std::string_view text);

}  // namespace polysim::engine
