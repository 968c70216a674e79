#include "dashboard/form.hpp"

#include "http/query_params.hpp"

namespace polysim::dashboard {

namespace {

std::optional<std::string> form_decode(std::string_view in) { return http::percent_decode(in, true); }

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> FormFields::get(std::string_view name) const {
  for (const auto& [k, v] : items)
    if (k == name) return v;
  return std::nullopt;
}

std::vector<std::string> FormFields::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : items)
    if (k == name) out.push_back(v);
  return out;
}

FormFields parse_form(std::string_view body) {
  FormFields out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    const auto pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = form_decode(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::optional<std::string>("") : form_decode(pair.substr(eq + 1));
    if (!key || !value) {
      out.valid = false;
      continue;
    }
    out.items.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= header.size()) {
    auto semi = header.find(';', pos);
    if (semi == std::string_view::npos) semi = header.size();
    const auto item = trim_spaces(header.substr(pos, semi - pos));
    pos = semi + 1;
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim_spaces(item.substr(0, eq)) == name) {
      auto value = trim_spaces(item.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

}  // namespace polysim::dashboard
