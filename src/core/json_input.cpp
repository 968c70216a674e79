#include "core/json_input.hpp"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <limits>
#include <stdexcept>

#include "core/decimal.hpp"
#include "core/json_writer.hpp"

namespace polysim {

JsonValue JsonValue::boolean(bool value) { return JsonValue(std::in_place_type<bool>, value); }

JsonValue JsonValue::number(std::string raw_text) {
  if (!is_json_number_text(raw_text)) throw std::invalid_argument("JsonValue: not a JSON number");
  return JsonValue(std::in_place_type<NumberText>, NumberText{std::move(raw_text)});
}

JsonValue JsonValue::string(std::string text) { return JsonValue(std::in_place_type<std::string>, std::move(text)); }

JsonValue JsonValue::array(Elements elements) { return JsonValue(std::in_place_type<Elements>, std::move(elements)); }

JsonValue JsonValue::object(Members members) { return JsonValue(std::in_place_type<Members>, std::move(members)); }

JsonKind JsonValue::kind() const noexcept {
  switch (storage_.index()) {
    case 1:
      return JsonKind::Bool;
    case 2:
      return JsonKind::Number;
    case 3:
      return JsonKind::String;
    case 4:
      return JsonKind::Array;
    case 5:
      return JsonKind::Object;
    default:
      return JsonKind::Null;
  }
}

bool JsonValue::as_bool() const {
  if (const auto* value = std::get_if<bool>(&storage_)) return *value;
  throw std::logic_error("JsonValue is not a bool");
}

const std::string& JsonValue::as_string() const {
  if (const auto* value = std::get_if<std::string>(&storage_)) return *value;
  throw std::logic_error("JsonValue is not a string");
}

const std::string& JsonValue::number_text() const {
  if (const auto* value = std::get_if<NumberText>(&storage_)) return value->text;
  throw std::logic_error("JsonValue is not a number");
}

const JsonValue::Elements& JsonValue::elements() const {
  if (const auto* value = std::get_if<Elements>(&storage_)) return *value;
  throw std::logic_error("JsonValue is not an array");
}

const JsonValue::Members& JsonValue::items() const {
  if (const auto* value = std::get_if<Members>(&storage_)) return *value;
  throw std::logic_error("JsonValue is not an object");
}

const JsonValue* JsonValue::find(std::string_view key) const noexcept {
  const auto* members = std::get_if<Members>(&storage_);
  if (members == nullptr) return nullptr;
  for (const auto& [name, value] : *members) {
    if (name == key) return &value;
  }
  return nullptr;
}

namespace {

namespace bj = boost::json;

constexpr std::string_view kInvalidJson = "invalid JSON";

// Quoted back to the client, so it is bounded and free of control characters.
std::string printable_key(std::string_view key) {
  constexpr std::size_t kMaxShownBytes = 40;
  std::string shown;
  std::size_t pos = 0;
  while (pos < key.size()) {
    const Utf8Char decoded = decode_utf8_char(key, pos);
    if (shown.size() + decoded.length > kMaxShownBytes) {
      shown += "...";
      break;
    }
    if (decoded.code_point < 0x20 || decoded.code_point == 0x7F) {
      shown.push_back('?');
    } else {
      shown.append(key.substr(pos, decoded.length));
    }
    pos += decoded.length;
  }
  return shown;
}

const std::string* find_duplicate_key(const JsonValue::Members& members) {
  // Pairwise comparison is cheapest for the usual handful of keys; sorting bounds the work
  // for a hostile body with many thousands of keys.
  constexpr std::size_t kPairwiseLimit = 16;
  if (members.size() <= kPairwiseLimit) {
    for (std::size_t i = 0; i < members.size(); ++i) {
      for (std::size_t j = i + 1; j < members.size(); ++j) {
        if (members[i].first == members[j].first) return &members[i].first;
      }
    }
    return nullptr;
  }
  std::vector<const std::string*> keys;
  keys.reserve(members.size());
  for (const auto& member : members) keys.push_back(&member.first);
  std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  const auto duplicate =
      std::adjacent_find(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return *a == *b; });
  return duplicate == keys.end() ? nullptr : *duplicate;
}

class DomBuilder {
 public:
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }

  bool on_array_begin(bj::error_code&) {
    frames_.push_back(Frame{false, {}, {}});
    return true;
  }

  bool on_array_end(std::size_t, bj::error_code& ec) {
    JsonValue array = JsonValue::array(std::move(frames_.back().elements));
    frames_.pop_back();
    return deliver(std::move(array), ec);
  }

  bool on_object_begin(bj::error_code&) {
    frames_.push_back(Frame{true, {}, {}});
    return true;
  }

  bool on_object_end(std::size_t, bj::error_code& ec) {
    if (const std::string* duplicate = find_duplicate_key(frames_.back().members)) {
      return fail("duplicate key '" + printable_key(*duplicate) + "'", ec);
    }
    JsonValue object = JsonValue::object(std::move(frames_.back().members));
    frames_.pop_back();
    return deliver(std::move(object), ec);
  }

  bool on_string_part(bj::string_view part, std::size_t, bj::error_code&) {
    text_.append(part.data(), part.size());
    return true;
  }

  bool on_string(bj::string_view part, std::size_t, bj::error_code& ec) {
    text_.append(part.data(), part.size());
    JsonValue value = JsonValue::string(std::move(text_));
    text_.clear();
    return deliver(std::move(value), ec);
  }

  bool on_key_part(bj::string_view part, std::size_t, bj::error_code&) {
    text_.append(part.data(), part.size());
    return true;
  }

  bool on_key(bj::string_view part, std::size_t, bj::error_code&) {
    text_.append(part.data(), part.size());
    // The value slot is filled by deliver(); reserving it now keeps the key's position.
    frames_.back().members.emplace_back(std::move(text_), JsonValue());
    text_.clear();
    return true;
  }

  bool on_number_part(bj::string_view part, bj::error_code& ec) { return append_number(part, ec); }
  bool on_int64(std::int64_t, bj::string_view part, bj::error_code& ec) { return finish_number(part, ec); }
  bool on_uint64(std::uint64_t, bj::string_view part, bj::error_code& ec) { return finish_number(part, ec); }
  bool on_double(double, bj::string_view part, bj::error_code& ec) { return finish_number(part, ec); }

  bool on_bool(bool value, bj::error_code& ec) { return deliver(JsonValue::boolean(value), ec); }
  bool on_null(bj::error_code& ec) { return deliver(JsonValue(), ec); }

  // Comments are disabled in the parse options, so these never run.
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }

  JsonValue take_root() { return std::move(root_); }
  const std::string& error_message() const { return error_message_; }

 private:
  struct Frame {
    bool is_object;
    JsonValue::Elements elements;
    JsonValue::Members members;
  };

  bool fail(std::string message, bj::error_code& ec) {
    error_message_ = std::move(message);
    ec = bj::error::syntax;
    return false;
  }

  bool append_number(bj::string_view part, bj::error_code& ec) {
    if (number_.size() + part.size() > json_max_number_length) return fail("number too long", ec);
    number_.append(part.data(), part.size());
    return true;
  }

  bool finish_number(bj::string_view part, bj::error_code& ec) {
    if (!append_number(part, ec)) return false;
    JsonValue value = JsonValue::number(std::move(number_));
    number_.clear();
    return deliver(std::move(value), ec);
  }

  bool deliver(JsonValue value, bj::error_code&) {
    if (frames_.empty()) {
      root_ = std::move(value);
    } else if (frames_.back().is_object) {
      frames_.back().members.back().second = std::move(value);
    } else {
      frames_.back().elements.push_back(std::move(value));
    }
    return true;
  }

  std::vector<Frame> frames_;
  std::string text_;
  std::string number_;
  JsonValue root_;
  std::string error_message_;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<unsigned> unicode_escape_at(std::string_view text, std::size_t pos) {
  if (pos + 6 > text.size() || text[pos] != '\\' || text[pos + 1] != 'u') return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = pos + 2; i < pos + 6; ++i) {
    const int digit = hex_value(text[i]);
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<unsigned>(digit);
  }
  return value;
}

// Boost reports a high surrogate escape followed by anything but "\u" as a plain syntax
// error; this finds such cases so every lone surrogate gets the same message. Runs only on
// the error path.
bool has_lone_surrogate_escape(std::string_view text) {
  bool in_string = false;
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (!in_string) {
      in_string = c == '"';
      continue;
    }
    if (c == '"') {
      in_string = false;
      continue;
    }
    if (c != '\\') continue;
    const std::optional<unsigned> unit = unicode_escape_at(text, pos);
    if (!unit) {
      ++pos;  // a two-character escape such as \\ or \"
      continue;
    }
    if (*unit >= 0xDC00 && *unit <= 0xDFFF) return true;
    if (*unit >= 0xD800 && *unit <= 0xDBFF) {
      const std::optional<unsigned> low = unicode_escape_at(text, pos + 6);
      if (!low || *low < 0xDC00 || *low > 0xDFFF) return true;
      pos += 6;
    }
    pos += 5;
  }
  return false;
}

std::string message_for(const bj::error_code& ec, std::string_view text) {
  if (ec == bj::error::too_deep) return "nesting too deep";
  if (ec == bj::error::illegal_leading_surrogate || ec == bj::error::illegal_trailing_surrogate) {
    return "invalid UTF-8";
  }
  if (ec == bj::error::exponent_overflow) return "number out of range";
  if (has_lone_surrogate_escape(text)) return "invalid UTF-8";
  return std::string(kInvalidJson);
}

void append_compact(std::string& out, const JsonValue& value) {
  switch (value.kind()) {
    case JsonKind::Null:
      out += "null";
      return;
    case JsonKind::Bool:
      out += value.as_bool() ? "true" : "false";
      return;
    case JsonKind::Number:
      out += value.number_text();
      return;
    case JsonKind::String:
      out.push_back('"');
      append_json_escaped(out, value.as_string());
      out.push_back('"');
      return;
    case JsonKind::Array: {
      out.push_back('[');
      bool first = true;
      for (const JsonValue& element : value.elements()) {
        if (!first) out.push_back(',');
        first = false;
        append_compact(out, element);
      }
      out.push_back(']');
      return;
    }
    case JsonKind::Object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [name, member] : value.items()) {
        if (!first) out.push_back(',');
        first = false;
        out.push_back('"');
        append_json_escaped(out, name);
        out += "\":";
        append_compact(out, member);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

JsonParseResult parse_json(std::string_view text, std::size_t max_depth) {
  // Checked up front over the whole text so every kind of ill-formed byte gets the same
  // answer, whether it sits in a string or between tokens.
  if (!is_valid_utf8(text)) return JsonParseError{"invalid UTF-8"};
  if (text.empty()) return JsonParseError{std::string(kInvalidJson)};

  bj::parse_options options;
  options.max_depth = max_depth;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  options.allow_invalid_utf8 = false;

  bj::basic_parser<DomBuilder> parser(options);
  bj::error_code ec;
  const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    const std::string& handler_message = parser.handler().error_message();
    if (!handler_message.empty()) return JsonParseError{handler_message};
    return JsonParseError{message_for(ec, text)};
  }
  if (consumed != text.size()) return JsonParseError{std::string(kInvalidJson)};
  return parser.handler().take_root();
}

std::optional<std::int64_t> json_integer(const JsonValue& value) noexcept {
  if (!value.is_number()) return std::nullopt;
  const std::string& text = value.number_text();
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;

  // Accumulating as a negative number reaches INT64_MIN without overflowing.
  std::int64_t accumulated = 0;
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (accumulated < (kMin + digit) / 10) return std::nullopt;
    accumulated = accumulated * 10 - digit;
  }
  if (negative) return accumulated;
  if (accumulated == kMin) return std::nullopt;
  return -accumulated;
}

std::string serialize_compact(const JsonValue& value) {
  std::string out;
  append_compact(out, value);
  return out;
}

int depth(const JsonValue& value) noexcept {
  int deepest_child = 0;
  if (value.is_array()) {
    for (const JsonValue& element : value.elements()) deepest_child = std::max(deepest_child, depth(element));
  } else if (value.is_object()) {
    for (const auto& member : value.items()) deepest_child = std::max(deepest_child, depth(member.second));
  } else {
    return 0;
  }
  return deepest_child + 1;
}

}  // namespace polysim

namespace polysim {

std::optional<std::int64_t> json_decimal(const JsonValue& value, int max_decimals) {
  if (value.is_string()) return parse_decimal(value.as_string(), max_decimals);
  if (value.is_number()) return parse_decimal(value.number_text(), max_decimals);
  return std::nullopt;
}

}  // namespace polysim
