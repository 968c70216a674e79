// Strict parsing of JSON request bodies into a small DOM of our own. boost::json::value is
// not used because it turns numbers into doubles, and money must be read from the exact
// digits the client sent; it also silently keeps one of two duplicate keys, which would let
// two layers of the server disagree about what a request says.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace polysim {

enum class JsonKind { Null, Bool, Number, String, Array, Object };

class JsonValue {
 public:
  using Elements = std::vector<JsonValue>;
  // Kept in document order; parsed objects never hold a key twice.
  using Members = std::vector<std::pair<std::string, JsonValue>>;

  JsonValue() noexcept = default;  // null

  static JsonValue boolean(bool value);
  // Throws std::invalid_argument unless `raw_text` is a JSON number token.
  static JsonValue number(std::string raw_text);
  static JsonValue string(std::string text);
  static JsonValue array(Elements elements = {});
  static JsonValue object(Members members = {});

  JsonKind kind() const noexcept;
  bool is_null() const noexcept { return kind() == JsonKind::Null; }
  bool is_bool() const noexcept { return kind() == JsonKind::Bool; }
  bool is_number() const noexcept { return kind() == JsonKind::Number; }
  bool is_string() const noexcept { return kind() == JsonKind::String; }
  bool is_array() const noexcept { return kind() == JsonKind::Array; }
  bool is_object() const noexcept { return kind() == JsonKind::Object; }

  // Accessors for the wrong kind throw std::logic_error; check kind() first.
  bool as_bool() const;
  const std::string& as_string() const;
  // The number token exactly as written, e.g. "10000.00" or "1e400".
  const std::string& number_text() const;
  const Elements& elements() const;
  const Members& items() const;

  // nullptr when this is not an object or has no such key. Linear: request objects are small.
  const JsonValue* find(std::string_view key) const noexcept;

 private:
  struct NumberText {
    std::string text;
  };
  using Storage = std::variant<std::monostate, bool, NumberText, std::string, Elements, Members>;

  // Builds the alternative in place; going through a Storage temporary trips GCC's
  // maybe-uninitialized false positive under the sanitizer build.
  template <class Alternative, class Argument>
  JsonValue(std::in_place_type_t<Alternative> alternative, Argument&& argument)
      : storage_(alternative, std::forward<Argument>(argument)) {}

  Storage storage_;
};

struct JsonParseError {
  // Short and safe to show to clients.
  std::string message;
};

using JsonParseResult = std::variant<JsonValue, JsonParseError>;

inline constexpr std::size_t json_default_max_depth = 64;
// Longer number tokens are refused rather than kept: no legitimate field needs them and the
// text would otherwise be carried through every layer.
inline constexpr std::size_t json_max_number_length = 1000;

// Rejects: anything not RFC 8259 JSON (comments, trailing commas, NaN, trailing data after
// the value), ill-formed UTF-8 anywhere in the text, escaped lone surrogates ("\ud800"),
// duplicate keys in any object, more than `max_depth` nested arrays/objects and number
// tokens longer than json_max_number_length. Keep max_depth small: destroying and
// serializing a JsonValue recurse once per level.
JsonParseResult parse_json(std::string_view text, std::size_t max_depth = json_default_max_depth);

// The value of an integer Number token that fits int64. Anything with a fraction or exponent
// is refused even when its value is integral ("1.0", "1e3"), so each field has one spelling.
// "-0" is accepted as 0.
std::optional<std::int64_t> json_integer(const JsonValue& value) noexcept;

// A decimal given as a JSON string or number token, parsed from its exact text into units of
// 10^-max_decimals (parse_decimal's rules).
std::optional<std::int64_t> json_decimal(const JsonValue& value, int max_decimals);

// No whitespace; numbers as their raw text; object members in stored order.
std::string serialize_compact(const JsonValue& value);

// Levels of array/object nesting: 0 for a scalar, 1 for "[]" or "{}", 2 for "[[]]".
int depth(const JsonValue& value) noexcept;

}  // namespace polysim
