// TOTP MFA against the real binary (20-trader-api.md §6; testable properties 7 and 8). Codes are
// computed here from the enrolment secret, as an authenticator app would.
#include <regex>

#include "auth/totp.hpp"
#include "core/encoding.hpp"
#include "integration/trader_helpers.hpp"
#include "support/partner_fixture.hpp"

namespace polysim::testing::trader_it {
namespace {

// The server's clock runs ahead of ours by what the test advanced it.
std::int64_t server_offset_s = 0;

std::int64_t current_step() {
  return auth::totp_step(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
      server_offset_s);
}

// Moves the server to a later TOTP step, as waiting half a minute would.
void next_step(const ServerProcess& server) {
  advance_clock(server, 30s);
  server_offset_s += 30;
}

struct Authenticator {
  std::vector<std::uint8_t> secret;
  std::string code_at(std::int64_t step) const { return auth::hotp_code(secret, static_cast<std::uint64_t>(step)); }
};

// Setup + confirm on the session; returns the authenticator and the backup codes.
std::pair<Authenticator, std::vector<std::string>> enrol(const ServerProcess& server, const Session& s) {
  auto setup = send(server, "POST", "/api/v1/auth/mfa/setup", std::nullopt, bearer(s.access_token));
  EXPECT_EQ(setup.status, 200) << setup.summary();
  auto body = setup.json().as_object();
  Authenticator app{*auth::parse_totp_secret_base32(std::string(body.at("secret").as_string()))};
  EXPECT_EQ(std::string(body.at("otpauthUri").as_string()).rfind("otpauth://totp/polysim:", 0), 0u);
  auto confirmed = send(server, "POST", "/api/v1/auth/mfa/confirm",
                        json_text({{"code", app.code_at(current_step())}}), bearer(s.access_token));
  EXPECT_EQ(confirmed.status, 200) << confirmed.summary();
  std::vector<std::string> codes;
  const auto confirmed_body = confirmed.json();
  for (const auto& c : confirmed_body.at("backupCodes").as_array()) codes.emplace_back(c.as_string());
  return {app, codes};
}

boost::json::array amr_of(const std::string& access_token) {
  const auto dot1 = access_token.find('.'), dot2 = access_token.rfind('.');
  auto payload = base64url_decode(access_token.substr(dot1 + 1, dot2 - dot1 - 1));
  return boost::json::parse(std::string(payload->begin(), payload->end())).at("amr").as_array();
}

std::string challenge_token(const HttpResponse& r) {
  EXPECT_EQ(r.status, 200) << r.summary();
  auto o = r.json().as_object();
  EXPECT_TRUE(o.at("mfaRequired").as_bool()) << r.summary();
  EXPECT_FALSE(o.contains("accessToken"));
  EXPECT_EQ(o.at("expiresIn").as_int64(), 300);
  EXPECT_EQ(boost::json::serialize(o.at("methods")), R"(["totp","backup_code"])");
  return std::string(o.at("mfaToken").as_string());
}

HttpResponse verify(const ServerProcess& server, const std::string& token, std::string_view field, std::string_view code) {
  return post(server, "/api/v1/auth/mfa/verify", {{"mfaToken", token}, {field, code}});
}

TEST(TraderMfa, EnrolThenEveryCodeWorksOnce) {
  ServerProcess server(server_args({"--cache-ttl", "0ms"}));
  server_offset_s = 0;
  const auto email = unique_email("mfa");
  auto first = sign_up(server, email);
  auto other = session_of(login(server, email, kPassword));
  ASSERT_EQ(send(server, "GET", "/api/v1/auth/mfa", std::nullopt, bearer(first.access_token)).body,
            R"({"enabled":false,"enabledAt":null,"backupCodesRemaining":0})");

  // A wrong code does not enable anything.
  auto setup = send(server, "POST", "/api/v1/auth/mfa/setup", std::nullopt, bearer(first.access_token));
  ASSERT_EQ(setup.status, 200);
  expect_error(send(server, "POST", "/api/v1/auth/mfa/confirm", json_text({{"code", "000000"}}), bearer(first.access_token)),
               403, "invalid_code");
  auto [app, backup_codes] = enrol(server, first);
  ASSERT_EQ(backup_codes.size(), 10u);
  const std::regex shape("^[a-z2-7]{5}-[a-z2-7]{5}$");
  for (const auto& c : backup_codes) EXPECT_TRUE(std::regex_match(c, shape)) << c;
  auto status = send(server, "GET", "/api/v1/auth/mfa", std::nullopt, bearer(first.access_token)).json().as_object();
  EXPECT_TRUE(status.at("enabled").as_bool());
  EXPECT_EQ(status.at("backupCodesRemaining").as_int64(), 10);
  EXPECT_TRUE(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(first.access_token))
                  .json().at("mfaEnabled").as_bool());
  // Enabling MFA ended the other session; a second setup is refused.
  expect_error(send(server, "GET", "/api/v1/auth/me", std::nullopt, bearer(other.access_token)), 401, "unauthorized");
  expect_error(send(server, "POST", "/api/v1/auth/mfa/setup", std::nullopt, bearer(first.access_token)), 409,
               "mfa_already_enabled");

  // Login now yields a challenge; the confirm code's step is spent; the next step's code works.
  auto challenge = challenge_token(login(server, email, kPassword));
  const auto now_step = current_step();
  expect_error(verify(server, challenge, "code", app.code_at(now_step + 2)), 401, "mfa_invalid_code");
  expect_error(verify(server, challenge, "code", app.code_at(now_step - 2)), 401, "mfa_invalid_code");
  auto done = verify(server, challenge, "code", app.code_at(now_step + 1));
  ASSERT_EQ(done.status, 200) << done.summary();
  EXPECT_EQ(boost::json::serialize(amr_of(session_of(done).access_token)), R"(["pwd","otp"])");
  expect_error(verify(server, challenge, "code", app.code_at(now_step + 1)), 401, "mfa_challenge_invalid");
  // The same code on a fresh challenge: already used within its step.
  expect_error(verify(server, challenge_token(login(server, email, kPassword)), "code", app.code_at(now_step + 1)), 401,
               "mfa_invalid_code");

  // A backup code works once, in any case and with or without the dash.
  std::string spelled = backup_codes[0];
  for (auto& ch : spelled) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto with_backup = verify(server, challenge_token(login(server, email, kPassword)), "backupCode", spelled);
  ASSERT_EQ(with_backup.status, 200) << with_backup.summary();
  EXPECT_EQ(boost::json::serialize(amr_of(session_of(with_backup).access_token)), R"(["pwd","backup"])");
  expect_error(verify(server, challenge_token(login(server, email, kPassword)), "backupCode", backup_codes[0]), 401,
               "mfa_invalid_code");

  // Regeneration voids the old codes.
  const auto me = session_of(with_backup);
  next_step(server);
  next_step(server);
  auto regenerated = send(server, "POST", "/api/v1/auth/mfa/backup-codes/regenerate",
                          json_text({{"code", app.code_at(current_step())}}), bearer(me.access_token));
  ASSERT_EQ(regenerated.status, 200) << regenerated.summary();
  const std::string fresh_code(regenerated.json().at("backupCodes").at(0).as_string());
  expect_error(verify(server, challenge_token(login(server, email, kPassword)), "backupCode", backup_codes[1]), 401,
               "mfa_invalid_code");

  // Disable needs the password and a code.
  auto disable = [&](std::string_view password, std::string_view code) {
    return send(server, "POST", "/api/v1/auth/mfa/disable", json_text({{"password", password}, {"code", code}}),
                bearer(me.access_token));
  };
  expect_error(disable("not the password at all", fresh_code), 403, "invalid_password");
  auto off = disable(kPassword, fresh_code);
  ASSERT_EQ(off.status, 200) << off.summary();
  EXPECT_EQ(off.body, R"({"enabled":false})");
  auto plain = login(server, email, kPassword);
  ASSERT_EQ(plain.status, 200);
  EXPECT_TRUE(plain.json().as_object().contains("accessToken"));
  EXPECT_TRUE(wait_for_mail(server, email, "security_notice"));
}

TEST(TraderMfa, FiveWrongCodesKillTheChallengeAndLockTheLane) {
  ServerProcess server(server_args());
  server_offset_s = 0;
  const auto email = unique_email("brute");
  auto s = sign_up(server, email);
  auto [app, codes] = enrol(server, s);
  auto challenge = challenge_token(login(server, email, kPassword));
  for (int i = 0; i < 5; ++i) expect_error(verify(server, challenge, "code", "000000"), 401, "mfa_invalid_code");
  // The right code no longer helps: the challenge is dead and the lane is locked.
  expect_error(verify(server, challenge, "code", app.code_at(current_step() + 1)), 401, "mfa_challenge_invalid");
  expect_error(login(server, email, kPassword), 429, "too_many_failed_attempts");
}

TEST(TraderMfa, VerifyTierIsTenPerFifteenMinutes) {
  ServerProcess server(server_args());
  for (int i = 0; i < 10; ++i)
    expect_error(post(server, "/api/v1/auth/mfa/verify", {{"mfaToken", "mfa_unknown"}, {"code", "123456"}}), 401,
                 "mfa_challenge_invalid");
  auto limited = post(server, "/api/v1/auth/mfa/verify", {{"mfaToken", "mfa_unknown"}, {"code", "123456"}});
  expect_error(limited, 429, "rate_limited");
  EXPECT_EQ(limited.json().at("message").as_string(), "Too many requests. Limit is 10 requests per 15 minutes.");
}

TEST(TraderMfa, LoginLinkOfAnMfaUserYieldsAChallenge) {
  ServerProcess server(server_args());
  server_offset_s = 0;
  auto tenant = make_tenant(server, "mfalinks");
  const auto email = unique_email("linkmfa");
  auto user = partner_post(server.api_port(), tenant.key, "/v1/partner/users",
                           json_text({{"external_id", "u1"}, {"email", email}}));
  ASSERT_EQ(user.status, 201);
  const std::string issue = "/v1/partner/users/" + std::to_string(user.json().at("user_id").as_int64()) + "/login-link";
  ASSERT_EQ(partner_post(server.api_port(), tenant.key, issue).status, 202);
  auto first_link = wait_for_mail(server, email, "login_link");
  ASSERT_TRUE(first_link);
  auto signed_in = post(server, "/api/v1/auth/link", {{"token", token_in(*first_link)}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.summary();
  auto [app, codes] = enrol(server, session_of(signed_in));

  ASSERT_EQ(partner_post(server.api_port(), tenant.key, issue).status, 202);
  auto second_link = wait_for_mail(server, email, "login_link", 2);
  ASSERT_TRUE(second_link);
  auto challenged = post(server, "/api/v1/auth/link", {{"token", token_in(*second_link)}});
  auto token = challenge_token(challenged);
  // The link is spent by the challenge; the challenge finishes the sign-in.
  expect_error(post(server, "/api/v1/auth/link", {{"token", token_in(*second_link)}}), 400, "invalid_or_expired_token");
  auto done = verify(server, token, "code", app.code_at(current_step() + 1));
  ASSERT_EQ(done.status, 200) << done.summary();
  EXPECT_EQ(boost::json::serialize(amr_of(session_of(done).access_token)), R"(["link","otp"])");
}

}  // namespace
}  // namespace polysim::testing::trader_it
