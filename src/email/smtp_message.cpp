#include "email/smtp_message.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "email/base64.hpp"

namespace polysim::email {

namespace {

// RFC 5321 section 4.5.3.1.6: 1000 octets per line including CRLF.
constexpr std::size_t kMaxLineOctets = 998;
// "=?UTF-8?B?" + 60 base64 characters + "?=" is 72, within RFC 2047's 75 per encoded-word;
// 60 base64 characters carry 45 bytes.
constexpr std::size_t kEncodedWordBytes = 45;
// Plain subjects up to this length stay readable on the wire; longer ones are encoded so they
// get folded and no header line can pass the SMTP line limit.
constexpr std::size_t kMaxPlainSubject = 200;
constexpr std::string_view kFromDisplayName = "polysim";

bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

bool is_printable_ascii(char c) { return c >= 0x20 && c <= 0x7e; }

void require_no_line_break(std::string_view field, std::string_view value) {
  if (has_line_break(value))
    throw std::runtime_error("mail " + std::string(field) + " contains a line break; refusing (header injection)");
}

// CRLF everywhere: a lone LF or CR becomes CRLF, as SMTP forbids bare line-break characters.
std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string body_text(const store::OutboxMessage& m) {
  std::string body = to_crlf(m.text);
  // Callers usually write the link into the text too; repeating it would only confuse readers.
  if (m.link && !m.link->empty() && body.find(*m.link) == std::string::npos) {
    if (!body.empty()) {
      if (!body.ends_with("\r\n")) body += "\r\n";
      body += "\r\n";
    }
    body += to_crlf(*m.link);
  }
  if (!body.empty() && !body.ends_with("\r\n")) body += "\r\n";
  return body;
}

bool has_overlong_line(std::string_view crlf_text) {
  std::size_t start = 0;
  while (start < crlf_text.size()) {
    auto end = crlf_text.find("\r\n", start);
    if (end == std::string_view::npos) end = crlf_text.size();
    if (end - start > kMaxLineOctets) return true;
    start = end + 2;
  }
  return false;
}

std::string base64_lines(std::string_view bytes) {
  const std::string encoded = base64_encode(bytes);
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    out.append(encoded, i, 76);
    out += "\r\n";
  }
  return out;
}

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

}  // namespace

void check_envelope_address(std::string_view address) {
  const bool plain = !address.empty() && address.size() <= 254 &&
                     std::all_of(address.begin(), address.end(),
                                 [](char c) { return c > 0x20 && c < 0x7f && c != '<' && c != '>'; });
  if (!plain || address.find('@') == std::string_view::npos)
    throw std::invalid_argument("not a plain email address (printable ASCII, no spaces or angle brackets)");
}

void check_message_is_safe_to_send(const store::OutboxMessage& m) {
  require_no_line_break("recipient", m.recipient);
  require_no_line_break("subject", m.subject);
  require_no_line_break("kind", m.kind);
  require_no_line_break("id", m.id);
  try {
    check_envelope_address(m.recipient);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("mail recipient is ") + e.what());
  }
  const bool id_is_atom = !m.id.empty() && std::all_of(m.id.begin(), m.id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
  if (!id_is_atom) throw std::runtime_error("mail id cannot form a Message-ID");
  if (!std::all_of(m.kind.begin(), m.kind.end(), is_printable_ascii))
    throw std::runtime_error("mail kind is not printable ASCII");
}

std::string format_rfc5322_date(std::int64_t unix_micros) {
  using namespace std::chrono;
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_seconds at = floor<seconds>(sys_time<microseconds>(microseconds(unix_micros)));
  const sys_days day = floor<days>(at);
  const year_month_day date(day);
  const hh_mm_ss time(at - day);
  char out[64];
  std::snprintf(out, sizeof out, "%s, %02u %s %04d %02d:%02d:%02d +0000", kWeekdays[weekday(day).c_encoding()],
                static_cast<unsigned>(date.day()), kMonths[static_cast<unsigned>(date.month()) - 1],
                static_cast<int>(date.year()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return out;
}

std::string encode_header_text(std::string_view text) {
  // "=?" in plain text would be read back as the start of an encoded-word, so it is encoded too.
  const bool plain = text.size() <= kMaxPlainSubject && std::all_of(text.begin(), text.end(), is_printable_ascii) &&
                     text.find("=?") == std::string_view::npos;
  if (plain) return std::string(text);
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), start + kEncodedWordBytes);
    // Back off to a character boundary; give up on that only for text that is not UTF-8 at all.
    std::size_t boundary = end;
    while (boundary > start && boundary < text.size() && is_utf8_continuation(text[boundary])) --boundary;
    if (boundary > start) end = boundary;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string dot_stuff(std::string_view crlf_text) {
  std::string out;
  out.reserve(crlf_text.size() + 8);
  bool line_start = true;
  for (std::size_t i = 0; i < crlf_text.size(); ++i) {
    if (line_start && crlf_text[i] == '.') out += '.';
    out += crlf_text[i];
    line_start = crlf_text[i] == '\n' && i > 0 && crlf_text[i - 1] == '\r';
  }
  return out;
}

std::string compose_message(const store::OutboxMessage& m, std::string_view from_address, bool eight_bit_allowed) {
  check_message_is_safe_to_send(m);
  const std::string body = body_text(m);
  const bool non_ascii =
      std::any_of(body.begin(), body.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  // 8bit text may hold neither NUL nor lines past the SMTP limit; base64 carries anything.
  const bool use_base64 = has_overlong_line(body) || body.find('\0') != std::string::npos ||
                          (non_ascii && !eight_bit_allowed);

  std::string out;
  out += "Date: " + format_rfc5322_date(m.created_at) + "\r\n";
  out += "From: " + std::string(kFromDisplayName) + " <" + std::string(from_address) + ">\r\n";
  out += "To: " + m.recipient + "\r\n";
  out += "Subject: " + encode_header_text(m.subject) + "\r\n";
  out += "Message-ID: <" + m.id + "@polysim>\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += std::string("Content-Transfer-Encoding: ") + (use_base64 ? "base64" : "8bit") + "\r\n";
  out += "X-Polysim-Mail-Kind: " + m.kind + "\r\n";
  out += "\r\n";
  out += use_base64 ? base64_lines(body) : body;
  return out;
}

}  // namespace polysim::email
