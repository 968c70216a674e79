#include "support/test_oidc_provider.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <stdexcept>

#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "core/origin.hpp"
#include "core/uuid.hpp"
#include "http/query_params.hpp"

namespace polysim::testing {

namespace {

std::string get(const http::QueryParams& q, const char* name) {
  auto it = q.values.find(name);
  return it == q.values.end() ? std::string() : it->second;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_error(const char* error) { return std::string(R"({"error":")") + error + "\"}"; }

std::string percent_decode(const std::string& s) {
  auto q = http::parse_query("v=" + s);
  return get(q, "v");
}

}  // namespace

TestOidcProvider::TestOidcProvider(std::string client_id, std::string client_secret)
    : client_id_(std::move(client_id)), client_secret_(std::move(client_secret)), signer_(JwsSigner::rs256("test-key-1")) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("TestOidcProvider: pipe failed");
  wake_read_fd_ = pipe_fds[0];
  wake_write_fd_ = pipe_fds[1];
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool ok = listen_fd_ >= 0 && ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::listen(listen_fd_, 16) == 0 &&
                  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  if (!ok) throw std::runtime_error("TestOidcProvider cannot listen on 127.0.0.1");
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TestOidcProvider::~TestOidcProvider() {
  stopping_ = true;
  const char byte = 1;
  [[maybe_unused]] auto n = ::write(wake_write_fd_, &byte, 1);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_read_fd_);
  ::close(wake_write_fd_);
}

void TestOidcProvider::set_switches(const TestOidcSwitches& switches) {
  std::lock_guard lock(mutex_);
  switches_ = switches;
}

int TestOidcProvider::requests(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find(path);
  return it == requests_.end() ? 0 : it->second;
}

std::string TestOidcProvider::last_token_error() const {
  std::lock_guard lock(mutex_);
  return last_token_error_;
}

void TestOidcProvider::serve() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_fd_, POLLIN, 0}};
    if (::poll(fds, 2, 1'000) <= 0) continue;
    if (fds[1].revents) return;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    handle(client);
    ::close(client);
  }
}

// One request per connection (Connection: close), bounded by a 5 s deadline.
void TestOidcProvider::handle(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::string data;
  std::size_t header_end = std::string::npos;
  std::size_t content_length = 0;
  char buffer[4096];
  while (true) {
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return;
    data.append(buffer, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string lower = data.substr(0, header_end);
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto cl = lower.find("\r\ncontent-length:");
        if (cl != std::string::npos) content_length = std::stoul(lower.substr(cl + 17));
      }
    }
  }
  const auto line_end = data.find("\r\n");
  const auto request_line = data.substr(0, line_end);
  const auto sp1 = request_line.find(' ');
  const auto sp2 = request_line.find(' ', sp1 + 1);
  const auto method = request_line.substr(0, sp1);
  const auto target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string authorization;
  {
    const auto headers = data.substr(line_end + 2, header_end - line_end - 2);
    std::size_t pos = 0;
    while (pos < headers.size()) {
      auto end = headers.find("\r\n", pos);
      if (end == std::string::npos) end = headers.size();
      const auto line = headers.substr(pos, end - pos);
      const auto colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "authorization") {
        authorization = line.substr(colon + 1);
        while (!authorization.empty() && authorization.front() == ' ') authorization.erase(0, 1);
      }
      pos = end + 2;
    }
  }
  const auto answer = route(method, target, authorization, data.substr(header_end + 4, content_length));
  std::string reason = answer.status == 200 ? "OK" : answer.status == 302 ? "Found" : "Error";
  std::string out = "HTTP/1.1 " + std::to_string(answer.status) + " " + reason + "\r\n";
  out += "Content-Type: " + answer.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(answer.body.size()) + "\r\n";
  out += "Cache-Control: no-store\r\nConnection: close\r\n";
  if (!answer.location.empty()) out += "Location: " + answer.location + "\r\n";
  out += "\r\n" + answer.body;
  std::size_t sent = 0;
  while (sent < out.size()) {
    const auto n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

TestOidcProvider::Answer TestOidcProvider::route(const std::string& method, const std::string& target,
                                                 const std::string& authorization, const std::string& body) {
  const auto q = target.find('?');
  const auto path = target.substr(0, q);
  const auto query = q == std::string::npos ? std::string() : target.substr(q + 1);
  {
    std::lock_guard lock(mutex_);
    ++requests_[path];
  }
  if (method == "GET" && path == "/.well-known/openid-configuration") {
    TestOidcSwitches s;
    {
      std::lock_guard lock(mutex_);
      s = switches_;
    }
    boost::json::object doc{{"issuer", issuer()},
                            {"authorization_endpoint", issuer() + "/authorize"},
                            {"token_endpoint", issuer() + "/token"},
                            {"jwks_uri", issuer() + "/jwks"},
                            {"response_types_supported", boost::json::array{"code"}},
                            {"subject_types_supported", boost::json::array{"public"}},
                            {"id_token_signing_alg_values_supported", boost::json::array{"RS256"}},
                            {"code_challenge_methods_supported", boost::json::array{"S256"}}};
    if (s.secret_post_only) doc["token_endpoint_auth_methods_supported"] = boost::json::array{"client_secret_post"};
    else doc["token_endpoint_auth_methods_supported"] = boost::json::array{"client_secret_basic", "client_secret_post"};
    return {200, "application/json", boost::json::serialize(doc), ""};
  }
  if (method == "GET" && path == "/jwks") return {200, "application/json", R"({"keys":[)" + signer_.public_jwk() + "]}", ""};
  if (method == "GET" && path == "/authorize") return authorize(query);
  if (method == "POST" && path == "/token") return token(authorization, body);
  return {404, "application/json", json_error("not_found"), ""};
}

TestOidcProvider::Answer TestOidcProvider::authorize(const std::string& query) {
  const auto q = http::parse_query(query);
  const auto redirect_uri = get(q, "redirect_uri");
  if (get(q, "response_type") != "code" || get(q, "client_id") != client_id_ || redirect_uri.empty() ||
      get(q, "code_challenge_method") != "S256" || get(q, "code_challenge").empty() || get(q, "state").empty() ||
      get(q, "nonce").empty() || get(q, "scope").find("openid") == std::string::npos)
    return {400, "text/plain", "bad authorization request", ""};
  const auto decision = get(q, "decision");
  if (decision.empty()) {
    // The form a person would see: the same query plus their email and a decision.
    std::string form = "<!doctype html><title>Test IdP</title><form method=get action=/authorize>";
    for (const auto& [name, value] : q.values)
      form += "<input type=hidden name=\"" + html_escape(name) + "\" value=\"" + html_escape(value) + "\">";
    form += "<label>Email <input name=email value=\"" + html_escape(get(q, "login_hint")) + "\"></label>";
    form += "<button name=decision value=approve>Approve</button><button name=decision value=deny>Deny</button>";
    form += "</form>";
    return {200, "text/html; charset=utf-8", form, ""};
  }
  if (decision == "deny")
    return {302, "text/plain", "",
            append_query_param(append_query_param(redirect_uri, "error", "access_denied"), "state", get(q, "state"))};
  Grant grant;
  grant.redirect_uri = redirect_uri;
  grant.code_challenge = get(q, "code_challenge");
  {
    std::lock_guard lock(mutex_);
    if (switches_.tamper_challenge) grant.code_challenge = base64url_encode(sha256("not the verifier"));
  }
  grant.nonce = get(q, "nonce");
  grant.email = get(q, "email").empty() ? get(q, "login_hint") : get(q, "email");
  grant.sub = get(q, "sub").empty() ? "sub-" + grant.email : get(q, "sub");
  const auto code = "c-" + Uuid::v4().to_string();
  {
    std::lock_guard lock(mutex_);
    grants_[code] = grant;
  }
  return {302, "text/plain", "",
          append_query_param(append_query_param(redirect_uri, "code", code), "state", get(q, "state"))};
}

TestOidcProvider::Answer TestOidcProvider::token(const std::string& authorization, const std::string& body) {
  std::lock_guard lock(mutex_);
  auto refuse = [&](int status, const char* error, std::string why) {
    last_token_error_ = std::move(why);
    return Answer{status, "application/json", json_error(error), ""};
  };
  last_token_error_.clear();
  const auto form = http::parse_query(body);
  std::string id, secret;
  if (authorization.rfind("Basic ", 0) == 0) {
    // Standard base64 → bytes, via base64url's alphabet.
    std::string b = authorization.substr(6);
    for (auto& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!b.empty() && b.back() == '=') b.pop_back();
    auto decoded = base64url_decode(b);
    if (!decoded) return refuse(401, "invalid_client", "bad basic credentials");
    const std::string pair(decoded->begin(), decoded->end());
    const auto colon = pair.find(':');
    id = percent_decode(pair.substr(0, colon));
    secret = colon == std::string::npos ? "" : percent_decode(pair.substr(colon + 1));
    if (switches_.secret_post_only) return refuse(401, "invalid_client", "basic auth used where only post is listed");
  } else {
    id = get(form, "client_id");
    secret = get(form, "client_secret");
  }
  if (id != client_id_ || secret != client_secret_) return refuse(401, "invalid_client", "wrong client credentials");
  if (get(form, "grant_type") != "authorization_code") return refuse(400, "unsupported_grant_type", "grant type");
  auto it = grants_.find(get(form, "code"));
  if (it == grants_.end() || it->second.used) return refuse(400, "invalid_grant", "unknown or used code");
  auto& grant = it->second;
  grant.used = true;
  if (get(form, "redirect_uri") != grant.redirect_uri) return refuse(400, "invalid_grant", "redirect_uri differs");
  const auto verifier = get(form, "code_verifier");
  if (verifier.size() < 43 || base64url_encode(sha256(verifier)) != grant.code_challenge)
    return refuse(400, "invalid_grant", "PKCE verifier does not match");

  const auto& s = switches_;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  boost::json::object claims{{"iss", s.wrong_issuer ? issuer() + "/other" : issuer()},
                             {"sub", grant.sub},
                             {"iat", s.expired ? now - 3600 : now},
                             {"exp", s.expired ? now - 600 : now + 600},
                             {"nonce", s.wrong_nonce ? grant.nonce + "x" : grant.nonce},
                             {"email", grant.email}};
  if (s.wrong_aud) claims["aud"] = "someone-else";
  else if (s.extra_audience) {
    claims["aud"] = boost::json::array{client_id_, "other-client"};
    claims["azp"] = client_id_;
  } else claims["aud"] = client_id_;
  if (!s.omit_email_verified) claims["email_verified"] = !s.email_unverified;
  boost::json::object out{{"access_token", "at-" + Uuid::v4().to_string()},
                          {"token_type", "Bearer"},
                          {"expires_in", 300},
                          {"id_token", signer_.sign(boost::json::serialize(claims))}};
  return {200, "application/json", boost::json::serialize(out), ""};
}

}  // namespace polysim::testing
