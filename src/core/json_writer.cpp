#include "core/json_writer.hpp"

#include <charconv>
#include <stdexcept>

namespace polysim {

Utf8Char decode_utf8_char(std::string_view text, std::size_t pos) noexcept {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return {lead, 1, true};

  std::size_t continuation_count = 0;
  char32_t code_point = 0;
  // The accepted range of the second byte is what excludes overlong forms, surrogates and
  // values above U+10FFFF (Unicode Table 3-7); later bytes are always 0x80..0xBF.
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation_count = 1;
    code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation_count = 2;
    code_point = lead & 0x0Fu;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuation_count = 3;
    code_point = lead & 0x07u;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return {0, 1, false};
  }

  std::size_t length = 1;
  for (std::size_t i = 0; i < continuation_count; ++i) {
    if (pos + length >= text.size()) return {0, length, false};
    const auto byte = static_cast<unsigned char>(text[pos + length]);
    const unsigned char min = i == 0 ? second_min : 0x80;
    const unsigned char max = i == 0 ? second_max : 0xBF;
    if (byte < min || byte > max) return {0, length, false};
    code_point = (code_point << 6) | (byte & 0x3Fu);
    ++length;
  }
  return {code_point, length, true};
}

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const Utf8Char decoded = decode_utf8_char(text, pos);
    if (!decoded.valid) return false;
    pos += decoded.length;
  }
  return true;
}

bool is_json_number_text(std::string_view text) noexcept {
  std::size_t pos = 0;
  const auto is_digit = [&](std::size_t at) { return at < text.size() && text[at] >= '0' && text[at] <= '9'; };
  const auto skip_digits = [&] {
    const std::size_t start = pos;
    while (is_digit(pos)) ++pos;
    return pos > start;
  };

  if (pos < text.size() && text[pos] == '-') ++pos;
  if (!is_digit(pos)) return false;
  if (text[pos] == '0') {
    ++pos;
  } else {
    skip_digits();
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (!skip_digits()) return false;
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
    if (!skip_digits()) return false;
  }
  return pos == text.size();
}

namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

bool needs_attention(unsigned char c) noexcept { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80; }

void append_control_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0x0F]};
  out.append(escape, sizeof escape);
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  std::size_t pos = 0;
  std::size_t run_start = 0;
  while (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (!needs_attention(c)) {
      ++pos;
      continue;
    }
    if (c >= 0x80) {
      const Utf8Char decoded = decode_utf8_char(text, pos);
      if (decoded.valid) {
        pos += decoded.length;
        continue;
      }
      out.append(text.data() + run_start, pos - run_start);
      out += kReplacementCharacter;
      pos += decoded.length;
      run_start = pos;
      continue;
    }
    out.append(text.data() + run_start, pos - run_start);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      append_control_escape(out, c);
    }
    ++pos;
    run_start = pos;
  }
  out.append(text.data() + run_start, text.size() - run_start);
}

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_escaped(out, text);
  return out;
}

void JsonWriter::before_value() {
  if (depth_ == 0) {
    if (root_written_) throw std::logic_error("JsonWriter: more than one top-level value");
    root_written_ = true;
    return;
  }
  Frame& frame = frames_[depth_ - 1];
  switch (frame) {
    case Frame::ArrayFirst:
      frame = Frame::ArrayNext;
      return;
    case Frame::ArrayNext:
      out_.push_back(',');
      return;
    case Frame::ObjectValue:
      frame = Frame::ObjectKeyNext;
      return;
    case Frame::ObjectKeyFirst:
    case Frame::ObjectKeyNext:
      throw std::logic_error("JsonWriter: object value without a key");
  }
}

void JsonWriter::open(Frame frame, char bracket) {
  if (depth_ == max_depth) throw std::logic_error("JsonWriter: nesting too deep");
  before_value();
  frames_[depth_++] = frame;
  out_.push_back(bracket);
}

void JsonWriter::begin_object() { open(Frame::ObjectKeyFirst, '{'); }
void JsonWriter::begin_array() { open(Frame::ArrayFirst, '['); }

void JsonWriter::end_object() {
  if (depth_ == 0) throw std::logic_error("JsonWriter: end_object without begin_object");
  const Frame frame = frames_[depth_ - 1];
  if (frame == Frame::ObjectValue) throw std::logic_error("JsonWriter: key without a value");
  if (frame != Frame::ObjectKeyFirst && frame != Frame::ObjectKeyNext) {
    throw std::logic_error("JsonWriter: end_object inside an array");
  }
  --depth_;
  out_.push_back('}');
}

void JsonWriter::end_array() {
  if (depth_ == 0) throw std::logic_error("JsonWriter: end_array without begin_array");
  const Frame frame = frames_[depth_ - 1];
  if (frame != Frame::ArrayFirst && frame != Frame::ArrayNext) {
    throw std::logic_error("JsonWriter: end_array inside an object");
  }
  --depth_;
  out_.push_back(']');
}

void JsonWriter::key(std::string_view name) {
  if (depth_ == 0) throw std::logic_error("JsonWriter: key outside an object");
  Frame& frame = frames_[depth_ - 1];
  switch (frame) {
    case Frame::ObjectKeyFirst:
      break;
    case Frame::ObjectKeyNext:
      out_.push_back(',');
      break;
    case Frame::ObjectValue:
      throw std::logic_error("JsonWriter: two keys in a row");
    case Frame::ArrayFirst:
    case Frame::ArrayNext:
      throw std::logic_error("JsonWriter: key inside an array");
  }
  frame = Frame::ObjectValue;
  out_.push_back('"');
  append_json_escaped(out_, name);
  out_ += "\":";
}

void JsonWriter::string(std::string_view text) {
  before_value();
  out_.push_back('"');
  append_json_escaped(out_, text);
  out_.push_back('"');
}

void JsonWriter::number(std::int64_t value) {
  before_value();
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out_.append(buffer, result.ptr);
}

void JsonWriter::raw_number(std::string_view text) {
  if (!is_json_number_text(text)) throw std::invalid_argument("JsonWriter: not a JSON number");
  before_value();
  out_ += text;
}

void JsonWriter::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

void JsonWriter::raw_json(std::string_view json) {
  before_value();
  out_ += json;
}

}  // namespace polysim
