#include "http/server.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstdio>
#include <list>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

namespace polysim::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

Method to_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return Method::Get;
    case bhttp::verb::head: return Method::Head;
    case bhttp::verb::post: return Method::Post;
    case bhttp::verb::put: return Method::Put;
    case bhttp::verb::patch: return Method::Patch;
    case bhttp::verb::delete_: return Method::Delete;
    case bhttp::verb::options: return Method::Options;
    default: return Method::Other;
  }
}

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Request ids only need to be unique enough to correlate logs; a per-thread PRNG seeded from
// the OS avoids a syscall per request.
std::string new_request_id(std::mt19937_64& rng) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(32, '0');
  auto a = rng(), b = rng();
  for (int i = 0; i < 16; ++i) {
    out[i] = hex[(a >> (i * 4)) & 0xF];
    out[16 + i] = hex[(b >> (i * 4)) & 0xF];
  }
  return out;
}

void serialize_response(const Response& res, std::string_view request_id, bool head_only, bool keep_alive, bool http10,
                        std::string& out) {
  out.clear();
  out.reserve(128 + res.head.size() + res.body.size());
  out += http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
  out += "\r\n";
  out += res.head;
  out += "X-Request-Id: ";
  out += request_id;
  out += "\r\nContent-Length: ";
  out += std::to_string(res.body.size());
  out += "\r\n";
  if (!keep_alive) out += "Connection: close\r\n";
  else if (http10) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  if (!head_only) out += res.body;
}

}  // namespace

using SteadyTime = std::chrono::steady_clock::time_point;

// Timeouts are deadlines checked by one sweeper per event loop rather than a timer per I/O
// operation: re-arming a timer on every read and write costs system calls on the hot path.
struct Connection {
  tcp::socket* socket = nullptr;
  bool idle = true;
  SteadyTime deadline = SteadyTime::max();
  bool timed_out = false;
  void expires_after(std::chrono::milliseconds d) {
    deadline = std::chrono::steady_clock::now() + d;
    timed_out = false;
  }
  // While a handler runs no socket operation is pending, so there is nothing to time out.
  void no_deadline() { deadline = SteadyTime::max(); }
};

struct Worker {
  asio::io_context ioc{1};
  std::unique_ptr<asio::steady_timer> sweeper;
  std::mt19937_64 rng{std::random_device{}()};
  // Connections of this worker; touched only on this worker's thread.
  std::unordered_set<Connection*> connections;
};

struct Listener {
  std::string name;
  RequestHandler* handler;
  std::unique_ptr<tcp::acceptor> acceptor;
};

struct HttpServer::Impl {
  ServerLimits limits;
  RequestObserver& observer;
  std::vector<std::unique_ptr<Worker>> workers;
  std::list<Listener> listeners;
  std::atomic<std::size_t> open{0};
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> next_worker{0};

  Impl(ServerLimits l, int threads, RequestObserver& o) : limits(l), observer(o) {
    if (threads < 1) threads = 1;
    for (int i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>());
  }

  Task<void> accept_loop(Listener& l);
  Task<void> serve(Listener& l, Worker& w, tcp::socket socket);
  Task<void> watch_drain();
  void close_idle_connections();
};

namespace {

// The connection's view of one request body, handed to handlers.
class ParserBodyReader final : public BodyReader {
 public:
  ParserBodyReader(tcp::socket& socket, Connection& conn, beast::flat_buffer& buffer,
                   bhttp::request_parser<bhttp::string_body>& parser, const ServerLimits& limits, bool expect_continue)
      : socket_(socket),
        conn_(conn),
        buffer_(buffer),
        parser_(parser),
        limits_(limits),
        expect_continue_(expect_continue) {}

  Task<BodyStatus> read(std::size_t limit, std::string& out) override {
    if (consumed_) co_return BodyStatus::Failed;
    limit = std::min(limit, limits_.max_body_bytes);
    if (auto len = parser_.content_length(); len && *len > limit) co_return BodyStatus::TooLarge;
    consumed_ = true;
    if (!parser_.is_done()) {
      if (expect_continue_) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        conn_.expires_after(limits_.write_timeout);
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()), use_tuple);
        if (ec) co_return BodyStatus::Failed;
      }
      parser_.body_limit(limit);
      conn_.expires_after(limits_.body_timeout);
      auto [ec, n] = co_await bhttp::async_read(socket_, buffer_, parser_, use_tuple);
      if (ec == bhttp::error::body_limit) {
        failed_ = true;
        co_return BodyStatus::TooLarge;
      }
      if (ec) {
        failed_ = true;
        co_return BodyStatus::Failed;
      }
    }
    out = std::move(parser_.get().body());
    co_return BodyStatus::Ok;
  }

  bool consumed() const { return consumed_; }
  bool failed() const { return failed_; }

 private:
  tcp::socket& socket_;
  Connection& conn_;
  beast::flat_buffer& buffer_;
  bhttp::request_parser<bhttp::string_body>& parser_;
  const ServerLimits& limits_;
  bool expect_continue_;
  bool consumed_ = false;
  bool failed_ = false;
};

// When the header limit trips we cannot know from Beast whether the request line or the
// fields were too long; look for the end of the request line in what was received.
int classify_header_overflow(const beast::flat_buffer& buffer, std::size_t max_target) {
  auto data = buffer.data();
  std::string_view received(static_cast<const char*>(data.data()), data.size());
  auto eol = received.find("\r\n");
  if (eol == std::string_view::npos || eol > max_target + 32) return 414;
  return 431;
}

// The path of a request that failed before a handler ran, so the error can use the envelope of
// the surface that owns it. Once Beast has parsed the request line the parser knows the target;
// before that, look at the start of what was received (a prefix is enough to pick a surface).
std::string_view path_hint(const beast::flat_buffer& buffer, const bhttp::request_parser<bhttp::string_body>& parser) {
  if (auto target = parser.get().target(); !target.empty()) return target.substr(0, target.find('?'));
  auto data = buffer.data();
  std::string_view received(static_cast<const char*>(data.data()), std::min<std::size_t>(data.size(), 256));
  auto sp = received.find(' ');
  if (sp == std::string_view::npos) return {};
  auto rest = received.substr(sp + 1);
  return rest.substr(0, rest.find_first_of(" ?\r"));
}

}  // namespace

Task<void> HttpServer::Impl::serve(Listener& l, Worker& w, tcp::socket socket) {
  struct OpenGuard {
    std::atomic<std::size_t>& open;
    ~OpenGuard() { open.fetch_sub(1, std::memory_order_relaxed); }
  } guard{open};

  Connection conn;
  conn.socket = &socket;
  w.connections.insert(&conn);
  struct Unregister {
    Worker& w;
    Connection* c;
    ~Unregister() { w.connections.erase(c); }
  } unregister{w, &conn};

  std::string peer;
  {
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) {
      auto addr = ep.address();
      if (addr.is_v6() && addr.to_v6().is_v4_mapped())
        addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
      peer = addr.to_string();
    }
    socket.set_option(tcp::no_delay(true), ec);
  }

  beast::flat_buffer buffer;
  std::string own_out;

  auto send = [&](const Response& res, std::string_view request_id, bool head_only, bool keep_alive,
                  bool http10) -> Task<bool> {
    serialize_response(res, request_id, head_only, keep_alive, http10, own_out);
    conn.expires_after(limits.write_timeout);
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(own_out), use_tuple);
    if (own_out.capacity() > 64 * 1024) std::string().swap(own_out);
    co_return !ec;
  };

  // After an early answer with the body still unread and too big to skip, read and discard a
  // bounded amount so the client sees our response rather than a connection reset.
  auto discard_then_close = [&]() -> Task<void> {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    std::size_t discarded = 0;
    char scratch[16 * 1024];
    conn.expires_after(std::chrono::seconds(2));
    while (discarded < 1024 * 1024) {
      auto [rec, n] = co_await socket.async_read_some(asio::buffer(scratch), use_tuple);
      if (rec) break;
      discarded += n;
    }
    socket.close(ec);
  };

  for (;;) {
    conn.idle = true;
    if (draining.load(std::memory_order_relaxed)) break;
    if (buffer.size() == 0) {
      conn.expires_after(limits.idle_timeout);
      auto [ec, n] = co_await socket.async_read_some(buffer.prepare(4096), use_tuple);
      if (ec) break;
      buffer.commit(n);
    }
    conn.idle = false;

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_target_bytes + limits.max_header_bytes + 64));
    // No body limit while reading headers: Beast would reject a large Content-Length before the
    // surface could answer 401 or 413 in its own envelope. The body reader sets the limit.
    parser.body_limit(boost::none);
    conn.expires_after(limits.header_timeout);
    auto [hec, hn] = co_await bhttp::async_read_header(socket, buffer, parser, use_tuple);
    const auto started = std::chrono::steady_clock::now();
    if (hec) {
      int status = 0;
      if (hec == bhttp::error::header_limit) status = classify_header_overflow(buffer, limits.max_target_bytes);
      else if (conn.timed_out || hec == asio::error::eof || hec == bhttp::error::end_of_stream ||
               hec == asio::error::connection_reset || hec == asio::error::operation_aborted)
        break;  // slow or vanished client: nothing useful to answer
      else status = 400;
      Request bad;
      bad.peer_ip = peer;
      bad.request_id = new_request_id(w.rng);
      Response res = l.handler->protocol_error(status, path_hint(buffer, parser));
      co_await send(res, bad.request_id, false, false, false);
      observer.on_response(l.name, bad, res,
                           std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
      co_await discard_then_close();
      co_return;
    }

    conn.no_deadline();
    auto& msg = parser.get();
    Request req;
    req.method = to_method(msg.method());
    req.method_text = msg.method_string();
    req.target = msg.target();
    if (auto q = req.target.find('?'); q != std::string_view::npos) {
      req.path = req.target.substr(0, q);
      req.query = req.target.substr(q + 1);
    } else {
      req.path = req.target;
    }
    std::size_t header_bytes = 0;
    for (const auto& f : msg) {
      req.headers.push_back({f.name_string(), f.value()});
      header_bytes += f.name_string().size() + f.value().size() + 4;
    }
    if (auto len = parser.content_length()) req.content_length = *len;
    req.chunked = parser.chunked();
    req.peer_ip = peer;
    auto client_id = req.header("X-Request-Id");
    req.request_id = client_id && sane_request_id(*client_id) ? std::string(*client_id) : new_request_id(w.rng);
    const bool http10 = msg.version() == 10;
    bool keep_alive = msg.keep_alive() && !draining.load(std::memory_order_relaxed);
    const bool head_only = req.method == Method::Head;
    const auto expect = req.header("Expect");
    const bool expect_continue = expect && iequals(*expect, "100-continue");

    Response res;
    ParserBodyReader body(socket, conn, buffer, parser, limits, expect_continue);
    // A Transfer-Encoding that does not end in chunked leaves the body length unknowable; taking
    // it as "no body" would let the body be read as a second request (RFC 9112 §6.1).
    const bool unframed_body = req.header("Transfer-Encoding").has_value() && !parser.chunked();
    if (unframed_body) {
      res = l.handler->protocol_error(400, req.path.substr(0, 64));
      res.close_connection = true;
    } else if (req.target.size() > limits.max_target_bytes) {
      res = l.handler->protocol_error(414, req.path.substr(0, 64));
    } else if (header_bytes > limits.max_header_bytes) {
      res = l.handler->protocol_error(431, req.path.substr(0, 64));
    } else {
      try {
        res = co_await l.handler->handle(req, body);
      } catch (const std::exception&) {
        res = l.handler->protocol_error(500, req.path);
      }
    }

    bool discard_and_close = false;
    if (res.close_connection || body.failed() || draining.load(std::memory_order_relaxed)) keep_alive = false;
    // A body read that stopped early (too large, malformed) leaves input the client may still
    // be sending: drain it after answering so the client sees the answer, not a reset.
    if (body.failed() && !parser.is_done()) discard_and_close = true;
    if (keep_alive && !body.consumed() && !parser.is_done()) {
      // Unread body: skip it in place when small and sized, otherwise close after answering.
      auto len = parser.content_length();
      if (!len || *len > limits.drain_discard_bytes) {
        keep_alive = false;
        discard_and_close = true;
      } else {
        std::string ignored;
        ParserBodyReader skip(socket, conn, buffer, parser, limits, false);
        if (co_await skip.read(limits.drain_discard_bytes, ignored) != BodyStatus::Ok) keep_alive = false;
      }
    } else if (!keep_alive && !body.consumed() && !parser.is_done()) {
      discard_and_close = true;
    } else if (unframed_body) {
      discard_and_close = true;
    }

    const bool sent = co_await send(res, req.request_id, head_only, keep_alive, http10);
    observer.on_response(l.name, req, res,
                         std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
    if (!sent) co_return;
    if (discard_and_close) {
      co_await discard_then_close();
      co_return;
    }
    if (!keep_alive) {
      boost::system::error_code ec;
      socket.shutdown(tcp::socket::shutdown_send, ec);
      socket.close(ec);
      co_return;
    }
  }
  boost::system::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

// Closes the connections of one loop whose current phase ran past its deadline.
Task<void> sweep_deadlines(Worker& w) {
  for (;;) {
    w.sweeper->expires_after(std::chrono::milliseconds(100));
    auto [ec] = co_await w.sweeper->async_wait(use_tuple);
    if (ec) co_return;
    const auto now = std::chrono::steady_clock::now();
    for (auto* c : w.connections) {
      if (c->deadline <= now && !c->timed_out) {
        // Closing (not just cancelling) also ends a connection whose completion was already
        // queued when the deadline passed: its next operation fails at once.
        c->timed_out = true;
        boost::system::error_code ignored;
        c->socket->close(ignored);
      }
    }
  }
}

Task<void> HttpServer::Impl::accept_loop(Listener& l) {
  for (;;) {
    auto& w = *workers[next_worker.fetch_add(1, std::memory_order_relaxed) % workers.size()];
    auto [ec, socket] = co_await l.acceptor->async_accept(w.ioc, use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || draining.load()) co_return;
      // Out of descriptors and similar: back off briefly instead of spinning.
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await t.async_wait(use_tuple);
      continue;
    }
    if (draining.load()) co_return;
    if (open.fetch_add(1, std::memory_order_relaxed) >= limits.max_connections) {
      open.fetch_sub(1, std::memory_order_relaxed);
      observer.on_connection_rejected(l.name);
      Response res = l.handler->protocol_error(503, {});
      auto shared_out = std::make_shared<std::string>();
      serialize_response(res, "-", false, false, false, *shared_out);
      auto s = std::make_shared<tcp::socket>(std::move(socket));
      asio::async_write(*s, asio::buffer(*shared_out), [s, shared_out](boost::system::error_code, std::size_t) {
        boost::system::error_code ignored;
        s->shutdown(tcp::socket::shutdown_both, ignored);
        s->close(ignored);
      });
      continue;
    }
    asio::co_spawn(w.ioc, serve(l, w, std::move(socket)), asio::detached);
  }
}

void HttpServer::Impl::close_idle_connections() {
  for (auto& w : workers) {
    asio::post(w->ioc, [worker = w.get()] {
      for (auto* c : worker->connections)
        if (c->idle) {
          boost::system::error_code ignored;
          c->socket->cancel(ignored);
        }
    });
  }
}

Task<void> HttpServer::Impl::watch_drain() {
  const auto deadline = std::chrono::steady_clock::now() + limits.drain_timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    close_idle_connections();
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(use_tuple);
  }
  for (auto& w : workers) {
    asio::post(w->ioc, [worker = w.get()] {
      if (worker->sweeper) worker->sweeper->cancel();
    });
    w->ioc.stop();
  }
}

HttpServer::HttpServer(ServerLimits limits, int io_threads, RequestObserver& observer)
    : impl_(std::make_unique<Impl>(limits, io_threads, observer)) {}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::listen(std::string name, const std::string& host, std::uint16_t port,
                                 RequestHandler& handler) {
  auto& ioc = impl_->workers.front()->ioc;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + host + "'");
  tcp::endpoint endpoint(address, port);
  auto acceptor = std::make_unique<tcp::acceptor>(ioc);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  const auto bound = acceptor->local_endpoint().port();
  impl_->listeners.push_back(Listener{std::move(name), &handler, std::move(acceptor)});
  return bound;
}

void HttpServer::run() {
  auto& first = impl_->workers.front()->ioc;
  for (auto& l : impl_->listeners) asio::co_spawn(first, impl_->accept_loop(l), asio::detached);
  for (auto& w : impl_->workers) {
    w->sweeper = std::make_unique<asio::steady_timer>(w->ioc);
    asio::co_spawn(w->ioc, sweep_deadlines(*w), asio::detached);
  }
  asio::signal_set signals(first, SIGTERM, SIGINT);
  signals.async_wait([this](boost::system::error_code ec, int) {
    if (!ec) begin_drain();
  });
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl_->workers.size(); ++i) {
    threads.emplace_back([w = impl_->workers[i].get()] {
      auto guard = asio::make_work_guard(w->ioc);
      w->ioc.run();
    });
  }
  {
    auto guard = asio::make_work_guard(first);
    first.run();
  }
  for (auto& t : threads) t.join();
}

void HttpServer::begin_drain() {
  if (impl_->draining.exchange(true)) return;
  auto& first = impl_->workers.front()->ioc;
  asio::post(first, [this] {
    for (auto& l : impl_->listeners) {
      boost::system::error_code ec;
      l.acceptor->close(ec);
    }
    asio::co_spawn(impl_->workers.front()->ioc, impl_->watch_drain(), asio::detached);
  });
}

std::size_t HttpServer::open_connections() const { return impl_->open.load(); }
bool HttpServer::draining() const { return impl_->draining.load(); }

}  // namespace polysim::http
