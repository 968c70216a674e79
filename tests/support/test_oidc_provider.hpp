// A local OpenID Connect provider for tests (30-partner-apps.md §10): loopback HTTP on an
// ephemeral port, served by a background thread of the test process, one connection at a
// time. It offers discovery, a JWKS with an RS256 key made at start-up, /authorize (an HTML
// form with email, Approve and Deny; or, given `decision=approve|deny`, the redirect back to
// redirect_uri with code&state or error&state), and /token, which checks the client secret,
// the code, the redirect_uri and the PKCE verifier. Switches make the next id_tokens wrong in
// the ways a relying party must refuse.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "support/jws_signer.hpp"

namespace polysim::testing {

struct TestOidcSwitches {
  bool wrong_nonce = false;
  bool wrong_aud = false;
  bool expired = false;
  bool email_unverified = false;  // email_verified: false
  bool omit_email_verified = false;
  bool wrong_issuer = false;
  bool extra_audience = false;  // aud: [client_id, "other"] with azp = client_id
  bool secret_post_only = false;  // discovery lists only client_secret_post
  bool tamper_challenge = false;  // remember another code_challenge, so any verifier fails PKCE
};

class TestOidcProvider {
 public:
  TestOidcProvider(std::string client_id, std::string client_secret);
  ~TestOidcProvider();
  TestOidcProvider(const TestOidcProvider&) = delete;
  TestOidcProvider& operator=(const TestOidcProvider&) = delete;

  std::uint16_t port() const { return port_; }
  std::string issuer() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_switches(const TestOidcSwitches& switches);
  // Requests answered per path, e.g. "/token".
  int requests(const std::string& path) const;
  // Why the last /token request was refused (empty when it was not).
  std::string last_token_error() const;

 private:
  struct Grant {
    std::string redirect_uri;
    std::string code_challenge;
    std::string nonce;
    std::string email;
    std::string sub;
    bool used = false;
  };
  struct Answer {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::string location;
  };
  void serve();
  void handle(int fd);
  Answer route(const std::string& method, const std::string& target, const std::string& authorization,
               const std::string& body);
  Answer authorize(const std::string& query);
  Answer token(const std::string& authorization, const std::string& body);

  std::string client_id_;
  std::string client_secret_;
  JwsSigner signer_;
  int listen_fd_ = -1;
  int wake_read_fd_ = -1;
  int wake_write_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  TestOidcSwitches switches_;
  std::map<std::string, Grant> grants_;
  std::map<std::string, int> requests_;
  std::string last_token_error_;
  std::thread thread_;
};

}  // namespace polysim::testing
