#include "http/router.hpp"

namespace polysim::http {

// "/a/b/c" → {"a","b","c"}. An empty segment ("//", trailing "/") makes the path unroutable,
// reported as an empty result; the root "/" is also empty.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    const auto next = path.find('/', pos);
    const auto end = next == std::string_view::npos ? path.size() : next;
    if (end == pos) return {};
    out.push_back(path.substr(pos, end - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

}  // namespace polysim::http
