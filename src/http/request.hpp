// The request façade handlers see: plain strings, no Beast types. Views point into the
// connection's parser storage and are valid until the handler's response is written.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/task.hpp"

namespace polysim::http {

enum class Method { Get, Head, Post, Put, Patch, Delete, Options, Other };

std::string_view method_name(Method m);
bool iequals(std::string_view a, std::string_view b);

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

class Request {
 public:
  Method method = Method::Other;
  std::string_view method_text;
  std::string_view target;  // as sent: path + optional query
  std::string_view path;    // target without the query
  std::string_view query;   // without the '?'
  std::vector<HeaderField> headers;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  std::string peer_ip;      // textual address of the TCP peer
  std::string request_id;   // set by the server before any handler runs
  std::int64_t received_at_mono_ms = 0;

  // First value of a header (case-insensitive name), if present.
  std::optional<std::string_view> header(std::string_view name) const;
  std::size_t header_count(std::string_view name) const;
  bool has_body() const { return chunked || (content_length && *content_length > 0); }
};

enum class BodyStatus { Ok, TooLarge, Failed };

// Reads the request body on demand, so a surface can answer 401/429/413 before any byte of
// the body is read (limits are decided from Content-Length first).
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  virtual Task<BodyStatus> read(std::size_t limit, std::string& out) = 0;
};

}  // namespace polysim::http
