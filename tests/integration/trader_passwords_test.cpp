// Password reset and change, partner login links, and that no secret is stored in plaintext
// (20-trader-api.md §5.6–§5.9; testable properties 6 and 7).
#include <regex>
#include <thread>

#include "integration/trader_helpers.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "support/partner_fixture.hpp"
#include "support/smtp_sink.hpp"

namespace polysim::testing::trader_it {
namespace {

const std::string kNewPassword = "a brand new passphrase 2026";

// The token inside an SMTP message body (the mail carries the link on its own line).
std::string token_in_smtp(const ReceivedMail& mail, std::string_view tag) {
  std::smatch m;
  const std::regex pattern(std::string(tag) + "[a-z2-7]{52}");
  return std::regex_search(mail.body, m, pattern) ? m.str() : std::string();
}

TEST(TraderPasswordReset, EndToEndThroughTheSmtpSink) {
  SmtpSink sink;
  ServerProcess server(server_args({"--smtp-url", "smtp://127.0.0.1:" + std::to_string(sink.port())}));
  const auto email = unique_email("reset");
  auto r = post(server, "/api/v1/auth/register", {{"email", email}, {"password", kPassword}});
  ASSERT_EQ(r.status, 202);
  ASSERT_TRUE(sink.wait_for(1, 10s));
  const auto verify_token = token_in_smtp(sink.messages().at(0), "ev_");
  ASSERT_FALSE(verify_token.empty()) << sink.messages().at(0).body;
  auto verified = post(server, "/api/v1/auth/verify-email", {{"token", verify_token}});
  ASSERT_EQ(verified.status, 200) << verified.summary();
  const auto old_session = session_of(verified);

  auto forgot = post(server, "/api/v1/auth/forgot-password", {{"email", email}});
  ASSERT_EQ(forgot.status, 202);
  // Within a minute of the verification mail the throttle holds the reset mail back; a minute
  // later (server clock) it goes out.
  advance_clock(server, 61s);
  ASSERT_EQ(post(server, "/api/v1/auth/forgot-password", {{"email", email}}).status, 202);
  ASSERT_TRUE(sink.wait_for(2, 10s));
  const auto messages = sink.messages();
  const auto& reset_mail = messages.at(1);
  EXPECT_EQ(reset_mail.headers.count("X-Polysim-Mail-Kind") ? reset_mail.headers.at("X-Polysim-Mail-Kind") : "",
            "password_reset");
  const auto reset_token = token_in_smtp(reset_mail, "rp_");
  ASSERT_FALSE(reset_token.empty());

  // A weak password keeps the token usable.
  expect_error(post(server, "/api/v1/auth/reset-password", {{"token", reset_token}, {"newPassword", "short"}}), 400,
               "weak_password");
  auto reset = post(server, "/api/v1/auth/reset-password", {{"token", reset_token}, {"newPassword", kNewPassword}});
  ASSERT_EQ(reset.status, 200) << reset.summary();
  EXPECT_EQ(reset.body, R"({"status":"password_reset"})");
  expect_error(post(server, "/api/v1/auth/reset-password", {{"token", reset_token}, {"newPassword", kNewPassword}}),
               400, "invalid_or_expired_token");

  // Every session ended; the new password works, the old one does not.
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", old_session.refresh_token}}), 401,
               "refresh_token_invalid");
  expect_error(login(server, email, kPassword), 401, "invalid_credentials");
  EXPECT_EQ(login(server, email, kNewPassword).status, 200);
  ASSERT_TRUE(sink.wait_for(3, 10s));  // the security notice
}

TEST(TraderPasswordReset, ForgotAnswersAlikeForUnknownAddresses) {
  ServerProcess server(server_args());
  const auto email = unique_email();
  sign_up(server, email);
  advance_clock(server, 61s);
  auto known = post(server, "/api/v1/auth/forgot-password", {{"email", email}});
  auto unknown = post(server, "/api/v1/auth/forgot-password", {{"email", unique_email("nobody")}});
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(known.status, unknown.status);
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_EQ(known.body,
            R"({"status":"accepted","message":"If an account exists for this address, a reset link has been sent."})");
  EXPECT_TRUE(wait_for_mail(server, email, "password_reset"));
}

TEST(TraderPasswordReset, EndsDeviceTokensButKeepsApiKeys) {
  ServerProcess server(server_args({"--cache-ttl", "0ms"}));
  const auto email = unique_email("resetdev");
  auto s = sign_up(server, email);
  auto desktop = post(server, "/api/v1/auth/desktop-login",
                      {{"email", email}, {"password", kPassword}, {"deviceName", "Box"}, {"platform", "linux"},
                       {"appVersion", "1.0"}});
  ASSERT_EQ(desktop.status, 200) << desktop.summary();
  const std::string device_token(desktop.json().at("deviceToken").as_string());
  auto key = send(server, "POST", "/api/v1/api-keys",
                  json_text({{"name", "bot"}, {"scopes", boost::json::array{"trading:read"}}}), bearer(s.access_token));
  ASSERT_EQ(key.status, 201);
  const std::string api_key(key.json().at("key").as_string());
  advance_clock(server, 61s);
  ASSERT_EQ(post(server, "/api/v1/auth/forgot-password", {{"email", email}}).status, 202);
  auto mail = wait_for_mail(server, email, "password_reset");
  ASSERT_TRUE(mail);
  ASSERT_EQ(post(server, "/api/v1/auth/reset-password", {{"token", token_in(*mail)}, {"newPassword", kNewPassword}}).status,
            200);
  EXPECT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(device_token)).status, 401);
  EXPECT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(api_key)).status, 200);
}

TEST(TraderOutbox, MailSurvivesARestartWhileTheSmtpServerIsDown) {
  SmtpSink sink;
  sink.set_failure_mode(SmtpSinkFailure::TemporaryFailure);
  ServerProcess server(server_args({"--smtp-url", "smtp://127.0.0.1:" + std::to_string(sink.port())}));
  const auto email = unique_email("durable");
  ASSERT_EQ(post(server, "/api/v1/auth/register", {{"email", email}, {"password", kPassword}}).status, 202);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (sink.connections() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  ASSERT_GE(sink.connections(), 1u) << "the sender never tried";
  EXPECT_TRUE(sink.messages().empty());
  server.restart();
  sink.set_failure_mode(SmtpSinkFailure::None);
  advance_clock(server, 61s);  // past the first retry's backoff
  ASSERT_TRUE(sink.wait_for(1, 10s));
  EXPECT_EQ(sink.messages().at(0).rcpt_to.at(0), email);
}

TEST(TraderErrors, StateConflictsAnswerTheirCodes) {
  ServerProcess server(server_args());
  auto s = sign_up(server, unique_email("states"));
  expect_error(send(server, "POST", "/api/v1/auth/mfa/disable", json_text({{"password", kPassword}, {"code", "123456"}}),
                    bearer(s.access_token)),
               409, "mfa_not_enabled");
  expect_error(send(server, "POST", "/api/v1/auth/mfa/confirm", json_text({{"code", "123456"}}), bearer(s.access_token)),
               409, "mfa_not_enabled");
  expect_error(send(server, "POST", "/api/v1/auth/mfa/backup-codes/regenerate", json_text({{"code", "123456"}}),
                    bearer(s.access_token)),
               409, "mfa_not_enabled");

  // A partner-created user who only ever used a link has no password to change.
  auto tenant = make_tenant(server, "nopass");
  const auto email = unique_email("linkonly");
  auto user = partner_post(server.api_port(), tenant.key, "/v1/partner/users",
                           json_text({{"external_id", "x"}, {"email", email}}));
  ASSERT_EQ(user.status, 201);
  ASSERT_EQ(partner_post(server.api_port(), tenant.key,
                         "/v1/partner/users/" + std::to_string(user.json().at("user_id").as_int64()) + "/login-link")
                .status,
            202);
  auto link = wait_for_mail(server, email, "login_link");
  ASSERT_TRUE(link);
  auto linked = session_of(post(server, "/api/v1/auth/link", {{"token", token_in(*link)}}));
  expect_error(send(server, "PUT", "/api/v1/auth/password",
                    json_text({{"currentPassword", "anything at all"}, {"newPassword", kNewPassword}}),
                    bearer(linked.access_token)),
               409, "password_not_set");
}

TEST(TraderErrors, RegistrationWithoutARetailTenantIsRefused) {
  ServerProcess server(server_args({"--retail-tenant", "no-such-tenant"}));
  expect_error(post(server, "/api/v1/auth/register", {{"email", unique_email()}, {"password", kPassword}}), 403,
               "registration_disabled");
}

TEST(TraderPasswordChange, KeepsOnlyTheCallersSession) {
  ServerProcess server(server_args({"--cache-ttl", "0ms"}));
  const auto email = unique_email();
  auto first = sign_up(server, email);
  auto second = session_of(login(server, email, kPassword));

  auto put = [&](const Session& s, boost::json::object body) {
    return send(server, "PUT", "/api/v1/auth/password", json_text(body), bearer(s.access_token));
  };
  auto wrong = put(first, {{"currentPassword", "not my password at all"}, {"newPassword", kNewPassword}});
  expect_error(wrong, 403, "invalid_password");
  expect_rate_limit_headers(wrong, 3, 3600);
  expect_error(put(first, {{"currentPassword", kPassword}, {"newPassword", kPassword}}), 400, "password_reused");

  auto changed = put(first, {{"currentPassword", kPassword}, {"newPassword", kNewPassword}, {"revokeDevices", true}});
  ASSERT_EQ(changed.status, 200) << changed.summary();
  EXPECT_EQ(changed.body, R"({"status":"password_changed","sessionsRevoked":1,"devicesRevoked":0})");
  EXPECT_EQ(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(first.access_token)).status, 200);
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(second.access_token)), 401, "unauthorized");
  // The tier allows three an hour; the fourth is refused until the hour has passed.
  expect_error(put(first, {{"currentPassword", kNewPassword}, {"newPassword", kPassword}}), 429, "rate_limited");
  advance_clock(server, std::chrono::hours(1) + 1s);
  expect_error(post(server, "/api/v1/auth/refresh", {{"refreshToken", second.refresh_token}}), 401,
               "refresh_token_invalid");
  EXPECT_EQ(post(server, "/api/v1/auth/refresh", {{"refreshToken", first.refresh_token}}).status, 200);
  expect_error(send(server, "PUT", "/api/v1/auth/password", json_text({{"currentPassword", "x"}, {"newPassword", "y"}})),
               401, "unauthorized");
}

TEST(TraderLoginLink, PreviewNeverConsumesAndRedeemSignsInOnce) {
  ServerProcess server(server_args());
  auto tenant = make_tenant(server, "linkco", {"--redirect-origin", "https://portal.acme.test"});
  const auto email = unique_email("linked");
  auto user = partner_post(server.api_port(), tenant.key, "/v1/partner/users",
                           json_text({{"external_id", "ext-1"}, {"email", email}}));
  ASSERT_EQ(user.status, 201) << user.summary();
  const auto user_id = user.json().at("user_id").as_int64();
  const std::string issue_path = "/v1/partner/users/" + std::to_string(user_id) + "/login-link";
  ASSERT_EQ(partner_post(server.api_port(), tenant.key, issue_path,
                         json_text({{"redirect_url", "https://portal.acme.test/markets"}}))
                .status,
            202);
  auto mail = wait_for_mail(server, email, "login_link");
  ASSERT_TRUE(mail);
  const auto token = token_in(*mail);
  ASSERT_EQ(token.substr(0, 3), "ll_");

  for (int i = 0; i < 2; ++i) {
    auto preview = send(server, "GET", "/api/v1/auth/link?token=" + token);
    ASSERT_EQ(preview.status, 200) << preview.summary();
    auto p = preview.json().as_object();
    EXPECT_TRUE(p.at("valid").as_bool());
    EXPECT_EQ(p.at("tenantId").as_string(), tenant.tenant_id);
    EXPECT_EQ(p.at("redirectUrl").as_string(), "https://portal.acme.test/markets");
    EXPECT_EQ(std::string(p.at("emailHint").as_string()).substr(0, 1), email.substr(0, 1));
    EXPECT_EQ(std::string(p.at("emailHint").as_string()).find(email.substr(0, email.find('@'))), std::string::npos);
  }
  auto redeemed = post(server, "/api/v1/auth/link", {{"token", token}});
  ASSERT_EQ(redeemed.status, 200) << redeemed.summary();
  EXPECT_EQ(redeemed.json().at("redirectUrl").as_string(), "https://portal.acme.test/markets");
  EXPECT_TRUE(redeemed.json().at("user").at("emailVerified").as_bool());
  EXPECT_EQ(redeemed.json().at("user").at("userId").as_int64(), user_id);
  expect_error(post(server, "/api/v1/auth/link", {{"token", token}}), 400, "invalid_or_expired_token");
  expect_error(send(server, "GET", "/api/v1/auth/link?token=" + token), 400, "invalid_or_expired_token");

  // A link older than ten minutes is dead, as is one from another kind of token.
  ASSERT_EQ(partner_post(server.api_port(), tenant.key, issue_path).status, 202);
  auto second = wait_for_mail(server, email, "login_link", 2);
  ASSERT_TRUE(second);
  advance_clock(server, 10min + 1s);
  expect_error(post(server, "/api/v1/auth/link", {{"token", token_in(*second)}}), 400, "invalid_or_expired_token");
  expect_error(post(server, "/api/v1/auth/link", {{"token", "rt_" + token.substr(3)}}), 400,
               "invalid_or_expired_token");
}

TEST(TraderSecrets, TheDatabaseHoldsOnlyHashes) {
  ServerProcess server(server_args());
  const auto email = unique_email();
  auto s = sign_up(server, email);
  advance_clock(server, 61s);
  ASSERT_EQ(post(server, "/api/v1/auth/forgot-password", {{"email", email}}).status, 202);
  auto reset_mail = wait_for_mail(server, email, "password_reset");
  ASSERT_TRUE(reset_mail);
  const auto verification = wait_for_mail(server, email, "email_verification");
  // Long-lived credentials and MFA material too.
  auto desktop = post(server, "/api/v1/auth/desktop-login",
                      {{"email", email}, {"password", kPassword}, {"deviceName", "Box"}, {"platform", "linux"},
                       {"appVersion", "1.0"}});
  ASSERT_EQ(desktop.status, 200) << desktop.summary();
  auto key = send(server, "POST", "/api/v1/api-keys",
                  json_text({{"name", "bot"}, {"scopes", boost::json::array{"trading:read"}}}), bearer(s.access_token));
  ASSERT_EQ(key.status, 201);
  auto setup = send(server, "POST", "/api/v1/auth/mfa/setup", std::nullopt, bearer(s.access_token));
  ASSERT_EQ(setup.status, 200);
  std::vector<std::string> secrets = {std::string(kPassword), s.refresh_token, s.access_token, token_in(*reset_mail),
                                      token_in(*verification), std::string(desktop.json().at("deviceToken").as_string()),
                                      std::string(key.json().at("key").as_string()),
                                      std::string(setup.json().at("secret").as_string())};
  std::string lower_secret = secrets.back();
  for (auto& ch : lower_secret) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  secrets.push_back(lower_secret);
  server.stop();
  store::sqlite::SqliteConnection db(server.data_dir() + "/polysim.db", "normal", true);
  auto tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
  std::size_t cells = 0;
  while (tables.step()) {
    const auto table = tables.text(0);
    auto rows = db.prepare("SELECT * FROM \"" + table + "\"");
    while (rows.step()) {
      for (int col = 0; col < rows.column_count(); ++col) {
        if (rows.is_null(col)) continue;
        const auto cell = rows.blob(col);
        ++cells;
        for (const auto& secret : secrets)
          EXPECT_EQ(cell.find(secret), std::string::npos) << "table " << table << " holds a secret in plaintext";
      }
    }
  }
  EXPECT_GT(cells, 20u);
}

}  // namespace
}  // namespace polysim::testing::trader_it
