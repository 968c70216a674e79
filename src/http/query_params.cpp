#include "http/query_params.hpp"

namespace polysim::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(plus_is_space && in[i] == '+' ? ' ' : in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

QueryParams parse_query(std::string_view raw) {
  QueryParams out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    auto amp = raw.find('&', pos);
    if (amp == std::string_view::npos) amp = raw.size();
    const auto pair = raw.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::optional<std::string>("") : percent_decode(pair.substr(eq + 1));
    if (!key || !value) {
      if (!out.duplicated) out.duplicated = "query";
      continue;
    }
    if (!out.values.emplace(std::move(*key), std::move(*value)).second && !out.duplicated) out.duplicated = key.value_or("");
  }
  return out;
}


}  // namespace polysim::http
