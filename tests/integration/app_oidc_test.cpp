// OpenID Connect sign-in through an app (30-partner-apps.md §4.5) against the real binary and
// the local test provider `testidp`: the authorization URL, the callback's redirect with an
// exchange code, single-use flows, the id_token checks of §11 item 7, the provider's refusal,
// and the testing-mode user cap.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>

#include "core/uuid.hpp"
#include "http/query_params.hpp"
#include "support/http_client.hpp"
#include "support/partner_fixture.hpp"
#include "support/server_process.hpp"
#include "support/test_oidc_provider.hpp"
#include "trader_helpers.hpp"

namespace polysim::testing {
namespace {

using trader_it::unique_email;

constexpr std::string_view kOrigin = "https://app.partner.test";
constexpr const char* kClientId = "polysim-test";
constexpr const char* kSecret = "test-client-secret";
constexpr const char* kUserCapQuery =
    "error=testing_user_limit_reached&message=This%20app%20has%20reached%20its%20testing%20limit%20of%2020%20users."
    "%20Sign%20the%20partner%20agreement%20to%20enable%20live%20mode%20and%20continue%20adding%20users.";

// A polysim.toml naming `testidp`, removed with the fixture.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() / ("polysim-oidc-" + Uuid::v4().to_string() + ".toml")) {
    std::ofstream(path_) << text;
  }
  ~ConfigFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string testidp_toml(const TestOidcProvider& idp, bool with_secret = true) {
  std::string out = "[[auth.oidc]]\nname = \"testidp\"\nissuer = \"" + idp.issuer() + "\"\nclient_id = \"" +
                    kClientId + "\"\n";
  if (with_secret) out += std::string("client_secret = \"") + kSecret + "\"\n";
  return out;
}

std::vector<std::string> oidc_server_args(const ConfigFile& config) {
  return trader_it::server_args({"--config", config.path(), "--ratelimit-app-ip", "100000/60s", "--ratelimit-app-app",
                                 "100000/60s", "--ratelimit-app-auth-start-ip", "100000/60s",
                                 "--ratelimit-app-auth-start-email", "100000/60s", "--ratelimit-app-auth-verify-ip",
                                 "100000/60s"});
}

std::string create_app(ServerProcess& server, const std::string& tenant_name) {
  make_tenant(server, tenant_name);
  auto result = server.run_cli({"app", "create", "--tenant", tenant_name, "--name", "OIDC App", "--redirect-origin",
                                std::string(kOrigin), "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return std::string(boost::json::parse(result.out).at("id").as_string());
}

HttpResponse app_post(const ServerProcess& server, const std::string& app_id, std::string_view target,
                      const boost::json::object& body) {
  return trader_it::post(server, target, body, {{"x-app-id", app_id}});
}

http::QueryParams query_of(const std::string& url) {
  const auto q = url.find('?');
  return http::parse_query(q == std::string::npos ? std::string_view() : std::string_view(url).substr(q + 1));
}

std::string param(const http::QueryParams& q, const char* name) {
  auto it = q.values.find(name);
  return it == q.values.end() ? std::string("<absent>") : it->second;
}

// The path and query of an absolute URL on one of the loopback servers.
std::string target_of(const std::string& url, std::string_view path) {
  const auto at = url.find(path);
  EXPECT_NE(at, std::string::npos) << url;
  return at == std::string::npos ? std::string() : url.substr(at);
}

std::string start_url(const ServerProcess& server, const std::string& app_id, std::optional<std::string> state = {},
                      std::optional<std::string> email = {}) {
  boost::json::object body{{"provider", "testidp"}, {"redirectUrl", std::string(kOrigin) + "/cb"}};
  if (state) body["state"] = *state;
  if (email) body["email"] = *email;
  auto r = app_post(server, app_id, "/auth/start", body);
  EXPECT_EQ(r.status, 200) << r.summary();
  if (r.status != 200) return {};
  auto o = r.json().as_object();
  EXPECT_EQ(o.at("type").as_string(), "redirect");
  return std::string(o.at("url").as_string());
}

// The person at the provider approves (or denies); returns the callback target on polysim.
std::string at_provider(const TestOidcProvider& idp, const std::string& authorize_url, const std::string& email,
                        const char* decision = "approve") {
  auto target = target_of(authorize_url, "/authorize") + "&decision=" + decision + "&email=" + email;
  auto r = http_request(idp.port(), "GET", target);
  EXPECT_EQ(r.status, 302) << r.summary();
  return target_of(r.header("Location").value_or(""), "/auth/oauth/callback");
}

HttpResponse callback(const ServerProcess& server, const std::string& target) {
  return http_request(server.api_port(), "GET", target);
}

// start → provider → callback; the final answer of polysim.
HttpResponse sign_in_flow(const ServerProcess& server, const TestOidcProvider& idp, const std::string& app_id,
                          const std::string& email, std::optional<std::string> state = {},
                          const char* decision = "approve") {
  const auto url = start_url(server, app_id, state);
  return callback(server, at_provider(idp, url, email, decision));
}

void expect_redirect_error(const HttpResponse& r, const std::string& query) {
  EXPECT_EQ(r.status, 302) << r.summary();
  EXPECT_EQ(r.header("Location").value_or(""), std::string(kOrigin) + "/cb?" + query);
}

void expect_flow_gone(const HttpResponse& r) {
  EXPECT_EQ(r.status, 400) << r.summary();
  EXPECT_FALSE(r.header("Location"));
  EXPECT_NE(r.body.find("expired or was already used"), std::string::npos) << r.body;
  EXPECT_EQ(r.header("Cache-Control").value_or(""), "no-store");
}

TEST(AppOidc, StartValidatesAndReturnsTheAuthorizationUrl) {
  TestOidcProvider idp(kClientId, kSecret);
  ConfigFile config(testidp_toml(idp));
  ServerProcess server(oidc_server_args(config));
  const auto app = create_app(server, "oidc-start");

  auto unknown = app_post(server, app, "/auth/start", {{"provider", "github"}, {"redirectUrl", std::string(kOrigin)}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, R"({"statusCode":400,"message":"Unsupported provider: github."})");
  auto no_redirect = app_post(server, app, "/auth/start", {{"provider", "testidp"}});
  EXPECT_EQ(no_redirect.body, R"({"statusCode":400,"message":"redirectUrl is required."})");
  auto foreign = app_post(server, app, "/auth/start", {{"provider", "testidp"}, {"redirectUrl", "https://evil.test/cb"}});
  EXPECT_EQ(foreign.body, R"({"statusCode":400,"message":"redirectUrl is not allowed for this app."})");
  auto long_state = app_post(server, app, "/auth/start",
                             {{"provider", "testidp"}, {"redirectUrl", std::string(kOrigin)}, {"state", std::string(513, 's')}});
  EXPECT_EQ(long_state.status, 400) << long_state.summary();
  auto bad_email = app_post(server, app, "/auth/start",
                            {{"provider", "testidp"}, {"redirectUrl", std::string(kOrigin)}, {"email", "nope"}});
  EXPECT_EQ(bad_email.body, R"({"statusCode":400,"message":"email must be a valid email address."})");

  const auto url = start_url(server, app, std::string("app-state"), std::string("Hint@Example.com"));
  EXPECT_EQ(url.rfind(idp.issuer() + "/authorize?response_type=code&client_id=polysim-test&redirect_uri=", 0), 0u) << url;
  const auto q = query_of(url);
  EXPECT_EQ(param(q, "redirect_uri"), "http://127.0.0.1:8080/auth/oauth/callback");
  EXPECT_EQ(param(q, "scope"), "openid email profile");
  EXPECT_EQ(param(q, "state").size(), 43u);
  EXPECT_EQ(param(q, "nonce").size(), 43u);
  EXPECT_EQ(param(q, "code_challenge").size(), 43u);
  EXPECT_EQ(param(q, "code_challenge_method"), "S256");
  EXPECT_EQ(param(q, "login_hint"), "hint@example.com");
  EXPECT_EQ(url.find("app-state"), std::string::npos) << "the app's state stays on the server";
  EXPECT_NE(param(query_of(start_url(server, app)), "state"), param(q, "state"));
  // The provider's form, as a browser would show it.
  auto form = http_request(idp.port(), "GET", target_of(url, "/authorize"));
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("Approve"), std::string::npos);
}

TEST(AppOidc, ApprovedSignInRedirectsWithACodeThatExchangesForTokensOnce) {
  TestOidcProvider idp(kClientId, kSecret);
  ConfigFile config(testidp_toml(idp));
  ServerProcess server(oidc_server_args(config));
  const auto app = create_app(server, "oidc-success");
  const auto email = unique_email("oidc");

  const auto url = start_url(server, app, std::string("s p&ce"));
  const auto cb = at_provider(idp, url, email);
  auto done = callback(server, cb);
  ASSERT_EQ(done.status, 302) << done.summary();
  const auto location = done.header("Location").value_or("");
  EXPECT_EQ(location.rfind(std::string(kOrigin) + "/cb?code=xc_", 0), 0u) << location;
  EXPECT_NE(location.find("&state=s%20p%26ce"), std::string::npos) << location;
  EXPECT_EQ(done.header("Cache-Control").value_or(""), "no-store");
  const auto code = param(query_of(location), "code");

  auto exchanged = app_post(server, app, "/auth/token/exchange", {{"code", code}});
  ASSERT_EQ(exchanged.status, 200) << exchanged.summary();
  const std::string access(exchanged.json().at("accessToken").as_string());
  auto me = trader_it::send(server, "GET", "/users/me", std::nullopt,
                            {{"x-app-id", app}, {"Authorization", "Bearer " + access}});
  ASSERT_EQ(me.status, 200) << me.summary();
  EXPECT_EQ(std::string(me.json().at("email").as_string()), email) << me.body;
  EXPECT_EQ(boost::json::parse(server.run_cli({"app", "show", app, "--json"}).out).at("userCount").as_int64(), 1);

  // The flow was used: a replayed callback, a made-up state and no state get the page.
  expect_flow_gone(callback(server, cb));
  expect_flow_gone(callback(server, "/auth/oauth/callback?code=abc&state=" + std::string(43, 'A')));
  expect_flow_gone(callback(server, "/auth/oauth/callback?code=abc"));
  EXPECT_EQ(idp.requests("/token"), 1);

  // The same person again: same user (by provider subject), still one user.
  auto again = sign_in_flow(server, idp, app, email);
  ASSERT_EQ(again.status, 302) << again.summary();
  EXPECT_NE(again.header("Location").value_or("").find("code=xc_"), std::string::npos);
  EXPECT_EQ(boost::json::parse(server.run_cli({"app", "show", app, "--json"}).out).at("userCount").as_int64(), 1);
}

TEST(AppOidc, ProviderRefusalAndBadIdTokensRedirectWithTheirErrors) {
  TestOidcProvider idp(kClientId, kSecret);
  ConfigFile config(testidp_toml(idp));
  ServerProcess server(oidc_server_args(config));
  const auto app = create_app(server, "oidc-errors");
  const std::string failed = "error=sign_in_failed&message=Sign-in%20failed.%20Please%20try%20again.";
  const std::string unverified =
      "error=email_not_verified&message=Your%20account%20at%20the%20provider%20has%20no%20verified%20email%20address.";

  expect_redirect_error(sign_in_flow(server, idp, app, unique_email("deny"), std::string("st"), "deny"),
                        "error=access_denied&message=Sign-in%20was%20cancelled.&state=st");

  auto with = [&](auto set) {
    TestOidcSwitches s;
    set(s);
    idp.set_switches(s);
    return sign_in_flow(server, idp, app, unique_email("bad"));
  };
  expect_redirect_error(with([](TestOidcSwitches& s) { s.wrong_nonce = true; }), failed);
  expect_redirect_error(with([](TestOidcSwitches& s) { s.wrong_aud = true; }), failed);
  expect_redirect_error(with([](TestOidcSwitches& s) { s.expired = true; }), failed);
  expect_redirect_error(with([](TestOidcSwitches& s) { s.wrong_issuer = true; }), failed);
  expect_redirect_error(with([](TestOidcSwitches& s) { s.tamper_challenge = true; }), failed);
  EXPECT_EQ(idp.last_token_error(), "PKCE verifier does not match");
  expect_redirect_error(with([](TestOidcSwitches& s) { s.email_unverified = true; }), unverified);
  expect_redirect_error(with([](TestOidcSwitches& s) { s.omit_email_verified = true; }), unverified);
  // Several audiences are fine when azp names this client.
  auto multi = with([](TestOidcSwitches& s) { s.extra_audience = true; });
  EXPECT_NE(multi.header("Location").value_or("").find("code=xc_"), std::string::npos) << multi.summary();
  EXPECT_EQ(boost::json::parse(server.run_cli({"app", "show", app, "--json"}).out).at("userCount").as_int64(), 1)
      << "no refused sign-in created a user";
  // Details reach the log only.
  EXPECT_NE(server.log_tail(40'000).find("id_token nonce does not match"), std::string::npos);
  EXPECT_EQ(server.log_tail(40'000).find(kSecret), std::string::npos);
}

TEST(AppOidc, UserCapRedirectsNewUsersAndExistingUsersStillGetACode) {
  TestOidcProvider idp(kClientId, kSecret);
  ConfigFile config(testidp_toml(idp));
  ServerProcess server(oidc_server_args(config));
  const auto app = create_app(server, "oidc-cap");
  std::vector<std::string> emails;
  for (int i = 0; i < 20; ++i) {
    emails.push_back(unique_email("cap" + std::to_string(i)));
    auto r = sign_in_flow(server, idp, app, emails.back());
    ASSERT_NE(r.header("Location").value_or("").find("code=xc_"), std::string::npos) << r.summary();
  }
  EXPECT_EQ(boost::json::parse(server.run_cli({"app", "show", app, "--json"}).out).at("userCount").as_int64(), 20);
  expect_redirect_error(sign_in_flow(server, idp, app, unique_email("21st"), std::string("x")),
                        std::string(kUserCapQuery) + "&state=x");
  auto existing = sign_in_flow(server, idp, app, emails[7]);
  EXPECT_NE(existing.header("Location").value_or("").find("code=xc_"), std::string::npos) << existing.summary();
  EXPECT_EQ(boost::json::parse(server.run_cli({"app", "show", app, "--json"}).out).at("userCount").as_int64(), 20);
}

TEST(AppOidc, SecretFromTheEnvironmentAndAPostOnlyProvider) {
  TestOidcProvider idp(kClientId, kSecret);
  TestOidcSwitches s;
  s.secret_post_only = true;
  idp.set_switches(s);
  ConfigFile config(testidp_toml(idp, false));
  ServerProcess server(oidc_server_args(config), std::nullopt,
                       {{"POLYSIM_AUTH_OIDC_TESTIDP_CLIENT_SECRET", kSecret}});
  const auto app = create_app(server, "oidc-env");
  auto r = sign_in_flow(server, idp, app, unique_email("env"));
  EXPECT_NE(r.header("Location").value_or("").find("code=xc_"), std::string::npos)
      << r.summary() << idp.last_token_error();
}

TEST(AppOidc, AnUnreachableProviderIsLoggedAndRefusedNotFatal) {
  std::uint16_t dead_port = 0;
  {
    TestOidcProvider gone(kClientId, kSecret);
    dead_port = gone.port();
  }
  ConfigFile config(std::string("[[auth.oidc]]\nname = \"deadidp\"\nissuer = \"http://127.0.0.1:") +
                    std::to_string(dead_port) + "\"\nclient_id = \"x\"\nclient_secret = \"y\"\n");
  ServerProcess server(oidc_server_args(config));
  const auto app = create_app(server, "oidc-dead");
  auto r = app_post(server, app, "/auth/start", {{"provider", "deadidp"}, {"redirectUrl", std::string(kOrigin)}});
  EXPECT_EQ(r.status, 503) << r.summary();
  EXPECT_NE(server.log_tail(100'000).find("oidc provider deadidp is unavailable"), std::string::npos) << server.log_tail();
}

TEST(AppOidc, ABadProviderEntryStopsTheServerWithAClearMessage) {
  ConfigFile config("[[auth.oidc]]\nname = \"Bad Name\"\nissuer = \"https://idp.example\"\nclient_id = \"x\"\n");
  ServerProcess server;
  auto r = server.run_cli({"migrate", "--config", config.path()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("name must match [a-z0-9_-]{1,32}"), std::string::npos) << r.out << r.err;
}

TEST(AppOidc, ASecretOnlyInTheServersEnvironmentLeavesTheCliWorkingAndServeInsists) {
  ConfigFile config("[[auth.oidc]]\nname = \"corp\"\nissuer = \"https://idp.example\"\nclient_id = \"x\"\n");
  ServerProcess server;
  auto migrate = server.run_cli({"migrate", "--config", config.path()});
  EXPECT_EQ(migrate.exit_code, 0) << migrate.out << migrate.err;
  auto serve = server.run_cli({"serve", "--config", config.path(), "--listen", "127.0.0.1:0", "--admin-listen",
                               "127.0.0.1:0"},
                              {}, std::chrono::seconds(10));
  EXPECT_EQ(serve.exit_code, 2);
  EXPECT_NE((serve.out + serve.err).find("client_secret is required (or set POLYSIM_AUTH_OIDC_CORP_CLIENT_SECRET)"),
            std::string::npos)
      << serve.out << serve.err;
}

}  // namespace
}  // namespace polysim::testing
