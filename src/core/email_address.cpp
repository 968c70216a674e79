#include "core/email_address.hpp"

namespace polysim {

namespace {

bool is_ascii_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_local_part_char(char c) {
  if (c < 0x21 || c > 0x7E) return false;
  switch (c) {
    case '"':
    case '(':
    case ')':
    case ',':
    case ':':
    case ';':
    case '<':
    case '>':
    case '[':
    case '\\':
    case ']':
    case '@':
      return false;
    default:
      return true;
  }
}

bool is_domain_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (const char c : label) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!allowed) return false;
  }
  return true;
}

bool is_domain(std::string_view domain) {
  std::size_t label_count = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = domain.find('.', start);
    const std::string_view label = domain.substr(start, dot == std::string_view::npos ? domain.npos : dot - start);
    if (!is_domain_label(label)) return false;
    ++label_count;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return label_count >= 2;
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view raw) {
  while (!raw.empty() && is_ascii_whitespace(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_ascii_whitespace(raw.back())) raw.remove_suffix(1);
  if (raw.size() < 3 || raw.size() > 254) return std::nullopt;

  std::string email(raw);
  for (char& c : email) {
    if (static_cast<unsigned char>(c) >= 0x80) return std::nullopt;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }

  const std::size_t at = email.find('@');
  if (at == std::string::npos || email.find('@', at + 1) != std::string::npos) return std::nullopt;
  const std::string_view local_part = std::string_view(email).substr(0, at);
  const std::string_view domain = std::string_view(email).substr(at + 1);

  if (local_part.empty() || local_part.size() > 64) return std::nullopt;
  for (const char c : local_part) {
    if (!is_local_part_char(c)) return std::nullopt;
  }
  if (!is_domain(domain)) return std::nullopt;
  return email;
}

}  // namespace polysim
