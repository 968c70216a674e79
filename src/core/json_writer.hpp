// Streaming JSON output straight into a caller-owned std::string. Response bodies are built
// on hot paths, so there is no DOM and no allocation beyond the growth of the output string.
// The UTF-8 helpers live here because JSON output is their main user; JSON input and origin
// host handling share them so that every surface agrees on what well-formed UTF-8 is.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace polysim {

struct Utf8Char {
  char32_t code_point = 0;
  // Bytes consumed. For an ill-formed sequence this is its maximal subpart (at least 1), so
  // replacing each ill-formed piece with U+FFFD follows the Unicode recommended practice.
  std::size_t length = 0;
  bool valid = false;
};

// Decodes the character starting at text[pos] (pos < text.size()). Rejects overlong forms,
// UTF-16 surrogates and code points above U+10FFFF.
Utf8Char decode_utf8_char(std::string_view text, std::size_t pos) noexcept;
bool is_valid_utf8(std::string_view text) noexcept;

// True for text matching the RFC 8259 number grammar (no leading zeros, no '+', no NaN).
bool is_json_number_text(std::string_view text) noexcept;

// The body of a JSON string literal for `text`, without the surrounding quotes. Quote,
// backslash and control characters are escaped; ill-formed UTF-8 becomes U+FFFD so the
// result is always valid JSON.
std::string json_escape(std::string_view text);
void append_json_escaped(std::string& out, std::string_view text);

// Misuse (a key outside an object, a value where a key is due, unbalanced ends, nesting
// deeper than max_depth, a second top-level value) throws std::logic_error: it is a
// programming error that would otherwise produce invalid JSON silently.
class JsonWriter {
 public:
  static constexpr std::size_t max_depth = 64;

  explicit JsonWriter(std::string& out) noexcept : out_(out) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);

  void string(std::string_view text);
  void number(std::int64_t value);
  // `text` must be a JSON number (e.g. a money amount already formatted); checked, and
  // std::invalid_argument is thrown otherwise, because a bad token would corrupt the output.
  void raw_number(std::string_view text);
  void boolean(bool value);
  void null();
  // `json` must be one complete, already serialized JSON value; it is not re-validated.
  void raw_json(std::string_view json);

  std::size_t depth() const noexcept { return depth_; }
  // True once exactly one top-level value has been written completely.
  bool complete() const noexcept { return root_written_ && depth_ == 0; }

 private:
  enum class Frame : std::uint8_t { ArrayFirst, ArrayNext, ObjectKeyFirst, ObjectKeyNext, ObjectValue };

  void before_value();
  void open(Frame frame, char bracket);

  std::string& out_;
  std::array<Frame, max_depth> frames_{};
  std::size_t depth_ = 0;
  bool root_written_ = false;
};

}  // namespace polysim
