// Dashboard sign-in (30-partner-apps.md §9.1, §10 item 1, §11 property 10): generic refusals,
// cookie attributes, the CSRF double-submit of the login form, the lock after five failures,
// sign-out and the redirect to login with `next`.
#include <gtest/gtest.h>

#include "integration/dashboard_helpers.hpp"
#include "integration/trader_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace dashboard_it;

std::string session_cookie_line(const HttpResponse& r) {
  for (const auto& line : r.header_values("Set-Cookie"))
    if (line.starts_with("polysim_dash=")) return line;
  return {};
}

TEST(DashboardLogin, WrongPasswordThenRightOneThenLogout) {
  ServerProcess server({"--feed", "none"});
  const auto tenant = new_tenant(server, "dash-login");
  Browser b(server.api_port());

  const auto unauthenticated = b.get("/dashboard/apps");
  EXPECT_EQ(unauthenticated.status, 303);
  EXPECT_EQ(unauthenticated.header("Location").value_or(""), "/dashboard/login?next=%2Fdashboard%2Fapps");

  const auto page = b.get("/dashboard/login");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Security-Policy").value_or(""),
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'");
  EXPECT_EQ(page.header("X-Content-Type-Options").value_or(""), "nosniff");
  EXPECT_EQ(page.header("Referrer-Policy").value_or(""), "same-origin");
  EXPECT_EQ(page.header("Cache-Control").value_or(""), "no-store");
  EXPECT_NE(page.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  const auto csrf = csrf_in(page.body);
  ASSERT_FALSE(csrf.empty());

  for (const auto& email : {tenant.staff_email, std::string("nobody@example.com")}) {
    const auto wrong = b.post("/dashboard/login", {{"_csrf", csrf}, {"email", email}, {"password", "not the password"}});
    EXPECT_EQ(wrong.status, 401) << wrong.summary(600);
    EXPECT_NE(wrong.body.find("Email or password is incorrect."), std::string::npos);
    EXPECT_TRUE(session_cookie_line(wrong).empty());
    EXPECT_FALSE(b.cookie("polysim_dash"));
  }

  const auto right = b.post("/dashboard/login", {{"_csrf", csrf},
                                                 {"email", tenant.staff_email},
                                                 {"password", std::string(kPassword)},
                                                 {"next", "/dashboard/audit"}});
  ASSERT_EQ(right.status, 303) << right.summary(600);
  EXPECT_EQ(right.header("Location").value_or(""), "/dashboard/audit");
  const auto cookie = session_cookie_line(right);
  EXPECT_NE(cookie.find("; Path=/dashboard"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "http public_base_url: no Secure";

  const auto apps = b.get("/dashboard/apps");
  ASSERT_EQ(apps.status, 200);
  EXPECT_NE(apps.body.find("aria-current=\"page\">Apps<"), std::string::npos);
  const auto audit = b.get("/dashboard/audit");
  EXPECT_EQ(occurrences(audit.body, ">staff.login<"), 1u) << audit.body;
  EXPECT_EQ(occurrences(audit.body, ">staff.login_failed<"), 1u) << "an unknown email belongs to no tenant";

  const auto session_csrf = csrf_in(apps.body);
  const auto out = b.post("/dashboard/logout", {{"_csrf", session_csrf}});
  ASSERT_EQ(out.status, 303);
  EXPECT_FALSE(b.cookie("polysim_dash"));
  EXPECT_EQ(b.get("/dashboard/apps").header("Location").value_or(""), "/dashboard/login?next=%2Fdashboard%2Fapps");

  b.login(tenant.staff_email);
  EXPECT_EQ(occurrences(b.get("/dashboard/audit?action=staff.logout").body, ">staff.logout<"), 1u);
}

TEST(DashboardLogin, LoginWithoutTheCsrfCookieIsRefused) {
  ServerProcess server({"--feed", "none"});
  const auto tenant = new_tenant(server, "dash-login-csrf");
  const auto r = http_request(server.api_port(), "POST", "/dashboard/login",
                              {{"Content-Type", "application/x-www-form-urlencoded"}},
                              form_encode({{"_csrf", "forged"}, {"email", tenant.staff_email}, {"password", std::string(kPassword)}}));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("This form could not be verified. Reload the page and try again."), std::string::npos);
  EXPECT_TRUE(session_cookie_line(r).empty());
}

TEST(DashboardLogin, FiveFailuresLockTheEmailForFifteenMinutes) {
  ServerProcess server({"--feed", "none", "--testing-fault-injection", "true"});
  const auto tenant = new_tenant(server, "dash-lock");
  Browser b(server.api_port());
  const auto csrf = csrf_in(b.get("/dashboard/login").body);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(b.post("/dashboard/login", {{"_csrf", csrf}, {"email", tenant.staff_email}, {"password", "wrong one"}}).status,
              401);
  const auto fifth = b.post("/dashboard/login", {{"_csrf", csrf}, {"email", tenant.staff_email}, {"password", "wrong"}});
  EXPECT_NE(fifth.body.find("Too many failed attempts. Try again in 15 minutes."), std::string::npos) << fifth.body;
  const auto locked = b.post("/dashboard/login",
                             {{"_csrf", csrf}, {"email", tenant.staff_email}, {"password", std::string(kPassword)}});
  EXPECT_NE(locked.body.find("Too many failed attempts. Try again in"), std::string::npos);
  EXPECT_FALSE(b.cookie("polysim_dash"));

  trader_it::advance_clock(server, std::chrono::minutes(16));
  const auto after = b.post("/dashboard/login",
                            {{"_csrf", csrf}, {"email", tenant.staff_email}, {"password", std::string(kPassword)}});
  EXPECT_EQ(after.status, 303) << after.summary(600);
  EXPECT_TRUE(b.cookie("polysim_dash"));
}

TEST(DashboardLogin, CookiesAreSecureUnderAnHttpsPublicUrl) {
  ServerProcess server({"--feed", "none", "--public-base-url", "https://dash.polysim.test"});
  const auto tenant = new_tenant(server, "dash-https");
  Browser b(server.api_port());
  const auto page = b.get("/dashboard/login");
  EXPECT_NE(page.header("Set-Cookie").value_or("").find("; Secure"), std::string::npos);
  // The page's own origin is the public one; the loopback http origin is foreign here.
  const std::vector<std::pair<std::string, std::string>> fields{
      {"_csrf", csrf_in(page.body)}, {"email", tenant.staff_email}, {"password", std::string(kPassword)}};
  EXPECT_EQ(b.post("/dashboard/login", fields).status, 403);
  const auto r = b.post("/dashboard/login", fields, {{"Origin", "https://dash.polysim.test"}});
  ASSERT_EQ(r.status, 303) << r.summary(600);
  EXPECT_NE(session_cookie_line(r).find("; Secure"), std::string::npos);
}

}  // namespace
}  // namespace polysim::testing
