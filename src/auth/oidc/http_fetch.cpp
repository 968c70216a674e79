#include "auth/oidc/http_fetch.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <optional>

namespace polysim::auth::oidc {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Target {
  bool tls = false;
  std::string host;       // for DNS and TLS: no brackets
  std::string host_header;
  std::string port;
  std::string target;
};

Target parse_target(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) throw OutboundError("not an absolute URL");
  Target t;
  if (parsed->scheme() == "https") t.tls = true;
  else if (parsed->scheme() != "http") throw OutboundError("unsupported scheme");
  t.host = parsed->host_address();
  if (t.host.empty()) throw OutboundError("URL names no host");
  t.port = parsed->has_port() ? std::string(parsed->port()) : (t.tls ? "443" : "80");
  t.host_header = std::string(parsed->encoded_host_and_port());
  t.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  if (parsed->has_query()) t.target += "?" + std::string(parsed->encoded_query());
  return t;
}

// Runs one asynchronous step on the private io_context until it completes or the deadline
// passes; on timeout the socket is closed so the step ends, and the call throws.
class Runner {
 public:
  explicit Runner(tcp::socket& socket) : socket_(socket) {}

  template <class Start>
  boost::system::error_code step(Clock::time_point deadline, const char* what, Start start) {
    std::optional<boost::system::error_code> result;
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    ioc().restart();
    ioc().run_until(deadline);
    if (!result) {
      boost::system::error_code ignored;
      socket_.close(ignored);
      ioc().restart();
      ioc().run();
      throw OutboundError(std::string(what) + " timed out");
    }
    return *result;
  }

 private:
  asio::io_context& ioc() { return static_cast<asio::io_context&>(socket_.get_executor().context()); }
  tcp::socket& socket_;
};

template <class Stream>
OutboundResponse exchange(Stream& stream, Runner& run, const Target& t, const OutboundRequest& request,
                          const OutboundLimits& limits) {
  const auto deadline = Clock::now() + limits.io_timeout;
  bhttp::request<bhttp::string_body> req;
  req.method(bhttp::string_to_verb(request.method));
  if (req.method() == bhttp::verb::unknown) throw OutboundError("unsupported method");
  req.target(t.target);
  req.version(11);
  req.set(bhttp::field::host, t.host_header);
  req.set(bhttp::field::user_agent, "polysim");
  req.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : request.headers) req.set(name, value);
  if (!request.body.empty() || req.method() == bhttp::verb::post) {
    req.body() = request.body;
    req.prepare_payload();
  }
  if (auto ec = run.step(deadline, "sending the request",
                         [&](auto handler) { bhttp::async_write(stream, req, std::move(handler)); }))
    throw OutboundError("sending the request failed: " + ec.message());

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(32 * 1024);
  parser.body_limit(limits.max_body);
  auto ec = run.step(deadline, "reading the response",
                     [&](auto handler) { bhttp::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec == bhttp::error::body_limit) throw OutboundError("response body too large");
  if (ec) throw OutboundError("reading the response failed: " + ec.message());
  const auto& res = parser.get();
  OutboundResponse out;
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[bhttp::field::content_type]);
  out.body = res.body();
  return out;
}

}  // namespace

OutboundResponse http_fetch(const OutboundRequest& request, const OutboundLimits& limits) {
  const auto t = parse_target(request.url);
  asio::io_context ioc;
  tcp::socket socket(ioc);
  Runner run(socket);
  const auto connect_deadline = Clock::now() + limits.connect_timeout;

  tcp::resolver resolver(ioc);
  tcp::resolver::results_type endpoints;
  std::optional<boost::system::error_code> resolved;
  resolver.async_resolve(t.host, t.port, [&](boost::system::error_code ec, tcp::resolver::results_type r) {
    resolved = ec;
    endpoints = std::move(r);
  });
  ioc.run_until(connect_deadline);
  if (!resolved) {
    resolver.cancel();
    ioc.restart();
    ioc.run();
    throw OutboundError("resolving the host timed out");
  }
  if (*resolved) throw OutboundError("resolving the host failed: " + resolved->message());

  if (auto ec = run.step(connect_deadline, "connecting",
                         [&](auto handler) { asio::async_connect(socket, endpoints, std::move(handler)); }))
    throw OutboundError("connecting failed: " + ec.message());

  if (!t.tls) return exchange(socket, run, t, request, limits);

  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<tcp::socket&> stream(socket, tls);
  stream.set_verify_callback(asio::ssl::host_name_verification(t.host));
  // SNI: virtual hosts pick their certificate by it.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str()))
    throw OutboundError("setting the TLS server name failed");
  if (auto ec = run.step(connect_deadline, "the TLS handshake", [&](auto handler) {
        stream.async_handshake(asio::ssl::stream_base::client, std::move(handler));
      }))
    throw OutboundError("the TLS handshake failed: " + ec.message());
  return exchange(stream, run, t, request, limits);
}

}  // namespace polysim::auth::oidc
