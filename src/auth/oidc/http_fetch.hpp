// The server's one outbound HTTP client, for OpenID provider discovery, JWKS and token
// requests. Blocking (call it on the blocking pool), one request per connection, a deadline on
// connecting and one on the exchange, and a cap on the response body. https verifies the peer
// against the system's CA store and its host name; http is for loopback only (the test
// provider), which the issuer rule of the config already enforces.
#pragma once
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace polysim::auth::oidc {

struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct OutboundResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

struct OutboundLimits {
  std::chrono::milliseconds connect_timeout{5'000};  // resolve, connect and TLS handshake
  std::chrono::milliseconds io_timeout{10'000};      // write the request, read the response
  std::size_t max_body = 1024 * 1024;
};

// A failure to get any HTTP answer: bad URL, DNS, refused, TLS, timeout, too large.
struct OutboundError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

OutboundResponse http_fetch(const OutboundRequest& request, const OutboundLimits& limits = {});

}  // namespace polysim::auth::oidc
