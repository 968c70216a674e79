// Query strings decoded into a map. Our own splitter rather than Boost.URL's parse_query,
// which reads past the end of views that are not NUL-terminated (Boost 1.81).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace polysim::http {

// Decoded query parameters; a parameter given twice (or undecodable) is kept as an error marker.
struct QueryParams {
  std::map<std::string, std::string> values;
  std::optional<std::string> duplicated;
};
QueryParams parse_query(std::string_view raw);

// Percent-decoding of one component; nullopt for a broken escape. Queries keep '+' as a plus
// sign (RFC 3339 offsets such as since=…+01:00 arrive unencoded); HTML form bodies
// (application/x-www-form-urlencoded) mean a space by it.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space = false);

}  // namespace polysim::http
