// HTTP/1.1 server on Boost.Beast with C++20 coroutines. Owns the event-loop threads, the
// listeners, connection limits, per-phase timeouts and graceful drain. Beast and the rest of
// Asio stay in server.cpp: handlers only see Request, BodyReader and Response.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "http/response.hpp"

namespace boost::asio {
class io_context;
}

namespace polysim::http {

struct ServerLimits {
  std::size_t max_target_bytes = 8 * 1024;    // request line / URL → 414
  std::size_t max_header_bytes = 16 * 1024;   // all header fields → 431
  std::size_t max_body_bytes = 1024 * 1024;   // no surface may ask for more than this
  std::size_t drain_discard_bytes = 64 * 1024;  // unread body we still read to keep the connection
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds drain_timeout{10'000};
  std::size_t max_connections = 10'000;
};

// One per listener: the surfaces' entry point.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual Task<Response> handle(Request& request, BodyReader& body) = 0;
  // A response for failures found before a handler can run (malformed request, 414, 431, 503
  // over the connection cap, 500 from an escaped exception), in the envelope of the surface
  // that owns `path` (empty when unknown).
  virtual Response protocol_error(int status, std::string_view path) = 0;
};

// Called once per answered request, on the IO thread that served it (access log, metrics).
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void on_response(std::string_view listener, const Request& request, const Response& response,
                           std::chrono::microseconds latency) = 0;
  virtual void on_connection_rejected(std::string_view listener) = 0;
};

class HttpServer {
 public:
  HttpServer(ServerLimits limits, int io_threads, RequestObserver& observer);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds now (so the caller learns the real port when asked for port 0) and accepts once
  // run() starts. Throws std::runtime_error when the address cannot be bound.
  std::uint16_t listen(std::string name, const std::string& host, std::uint16_t port, RequestHandler& handler);

  // Runs the event loops on io_threads threads (the caller's included) until the drain ends.
  // SIGTERM and SIGINT start the drain.
  void run();

  // Thread-safe. Stops accepting, closes idle connections, lets in-flight requests finish
  // (bounded by drain_timeout), then stops the loops so run() returns.
  void begin_drain();

  std::size_t open_connections() const;
  bool draining() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace polysim::http
