#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace polysim::http {

// A response under construction. Header lines are appended to one preformatted block: a
// response carries a dozen headers, and one string beats a dozen pairs of them on the hot path.
struct Response {
  int status = 200;
  std::string head;  // "Name: value\r\n" lines, in order
  std::string body;
  bool close_connection = false;
  // For the access log and metrics only; never sent.
  std::string_view log_route;  // must point at storage that outlives the request (route table, literal)
  std::string log_tenant;
  std::string log_path;  // when set, logged instead of the request path (a path carrying a secret)

  // Characters that could split a header (CR, LF, NUL) are dropped from name and value.
  void set_header(std::string_view name, std::string_view value);
  // First value of a header by exact name; for tests and diagnostics.
  std::optional<std::string_view> header(std::string_view name) const;
};

// A JSON body with the headers every API answer carries: its type, and no caching (answers may
// hold secrets shown once).
Response json_response(int status, std::string body);

}  // namespace polysim::http
