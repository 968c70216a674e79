// Dashboard apps (30-partner-apps.md §9.2, §9.3, §6; §10 items 2, 6, 8, 10; §11 properties 6 and
// 10): creation with inline errors, Go Live behind its confirmation, refusal of forms that fail
// the CSRF or Origin checks, and another tenant's ids answering 404.
#include <gtest/gtest.h>

#include "integration/dashboard_helpers.hpp"

namespace polysim::testing {
namespace {

using namespace dashboard_it;

constexpr std::string_view kRefused = "This form could not be verified. Reload the page and try again.";

TEST(DashboardApps, CreateAppShowsErrorsThenTestingCounts) {
  ServerProcess server({"--feed", "none"});
  const auto tenant = new_tenant(server, "dash-apps");
  Browser b(server.api_port());
  b.login(tenant.staff_email);

  const auto empty = b.post("/dashboard/apps", {{"_csrf", b.csrf()}, {"name", "   "}, {"redirectOrigins", ""}});
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(empty.body.find("Enter a name."), std::string::npos);
  EXPECT_NE(empty.body.find("aria-describedby=\"name-error\""), std::string::npos);
  EXPECT_NE(b.get("/dashboard/apps").body.find("No apps yet."), std::string::npos);

  const auto created = b.post("/dashboard/apps", {{"_csrf", b.csrf()}, {"name", "Shop <One>"}, {"redirectOrigins", "https://shop.example.com"}});
  ASSERT_EQ(created.status, 303) << created.summary(600);
  const auto detail = b.follow(created);
  ASSERT_EQ(detail.status, 200);
  EXPECT_NE(detail.body.find("App created."), std::string::npos);
  EXPECT_NE(detail.body.find("Shop &lt;One&gt;"), std::string::npos) << "names are escaped";
  EXPECT_EQ(detail.body.find("Shop <One>"), std::string::npos);
  EXPECT_NE(detail.body.find(">Testing<"), std::string::npos);
  EXPECT_NE(detail.body.find("0 / 20 users"), std::string::npos);
  EXPECT_NE(detail.body.find("0 / 100 trades"), std::string::npos);
  EXPECT_NE(detail.body.find("<progress"), std::string::npos);
  EXPECT_EQ(b.get(created.header("Location").value()).body.find("App created."), std::string::npos)
      << "the notice shows once";

  const auto list = b.get("/dashboard/apps");
  EXPECT_NE(list.body.find("<td>0 / 20</td>"), std::string::npos);
  EXPECT_NE(list.body.find("<td>0 / 100</td>"), std::string::npos);
  EXPECT_EQ(occurrences(b.get("/dashboard/audit?action=app.create").body, ">app.create<"), 1u);
}

TEST(DashboardApps, GoLiveNeedsTheCheckboxAndHappensOnce) {
  ServerProcess server({"--feed", "none"});
  const auto tenant = new_tenant(server, "dash-golive");
  Browser b(server.api_port());
  b.login(tenant.staff_email);
  const auto app = create_app(b, "Live candidate");
  const auto path = "/dashboard/apps/" + app;

  const auto confirm = b.get(path + "/go-live");
  ASSERT_EQ(confirm.status, 200);
  EXPECT_NE(confirm.body.find("I accept the partner agreement on behalf of " + tenant.name), std::string::npos);
  EXPECT_NE(confirm.body.find("Sign and go live"), std::string::npos);

  const auto unticked = b.post(path + "/go-live", {{"_csrf", b.csrf()}});
  EXPECT_EQ(unticked.status, 400);
  EXPECT_NE(unticked.body.find("Tick the box to confirm you accept the partner agreement."), std::string::npos);
  EXPECT_NE(b.get(path).body.find(">Testing<"), std::string::npos);

  const auto signed_up = b.post(path + "/go-live", {{"_csrf", b.csrf()}, {"accept", "yes"}});
  ASSERT_EQ(signed_up.status, 303);
  const auto live = b.follow(signed_up);
  EXPECT_NE(live.body.find("Live candidate is live."), std::string::npos);
  EXPECT_NE(live.body.find(">Live<"), std::string::npos);
  EXPECT_NE(live.body.find("by " + tenant.staff_email), std::string::npos);
  EXPECT_EQ(live.body.find("/go-live\""), std::string::npos) << "no Go Live button once live";
  EXPECT_EQ(live.body.find(" / 20"), std::string::npos) << "no denominators once live";

  const auto again = b.follow(b.post(path + "/go-live", {{"_csrf", b.csrf()}, {"accept", "yes"}}));
  EXPECT_NE(again.body.find("This app is already live."), std::string::npos);
  EXPECT_NE(b.get(path + "/go-live").body.find("This app is already live."), std::string::npos);
  EXPECT_EQ(occurrences(b.get("/dashboard/audit?action=app.go_live").body, ">app.go_live<"), 1u);
}

TEST(DashboardApps, FormsFailingTheCsrfOrOriginChecksChangeNothing) {
  ServerProcess server({"--feed", "none"});
  const auto tenant = new_tenant(server, "dash-csrf");
  Browser b(server.api_port());
  b.login(tenant.staff_email);
  Browser other(server.api_port());
  other.login(tenant.staff_email);
  ASSERT_NE(b.csrf(), other.csrf());
  const auto app = create_app(b, "Guarded");
  const auto target = "/dashboard/apps/" + app + "/go-live";

  const std::vector<HttpResponse> refusals = {
      b.post(target, {{"accept", "yes"}}),
      b.post(target, {{"_csrf", other.csrf()}, {"accept", "yes"}}),
      b.post(target, {{"_csrf", b.csrf()}, {"accept", "yes"}}, {{"Origin", "https://evil.example"}}),
      b.post(target, {{"_csrf", b.csrf()}, {"accept", "yes"}}, {{"Sec-Fetch-Site", "cross-site"}}),
      b.post("/dashboard/apps", {{"name", "Sneaky"}}),
  };
  for (const auto& r : refusals) {
    EXPECT_EQ(r.status, 403) << r.summary(400);
    EXPECT_NE(r.body.find(std::string(kRefused)), std::string::npos);
  }
  const auto page = b.get("/dashboard/apps/" + app);
  EXPECT_NE(page.body.find(">Testing<"), std::string::npos);
  EXPECT_EQ(b.get("/dashboard/apps").body.find("Sneaky"), std::string::npos);
  EXPECT_EQ(occurrences(b.get("/dashboard/audit?action=app.go_live").body, ">app.go_live<"), 0u);
}

TEST(DashboardApps, AnotherTenantsIdsAreNotFound) {
  ServerProcess server({"--feed", "none"});
  const auto a = new_tenant(server, "dash-iso-a");
  const auto b_tenant = new_tenant(server, "dash-iso-b");
  Browser alice(server.api_port());
  alice.login(a.staff_email);
  const auto app = create_app(alice, "Alice app");
  const auto key_page = alice.post("/dashboard/api-keys", {{"_csrf", alice.csrf()}, {"name", "alice key"},
                                                           {"scopes", "accounts:read"}, {"expiry", "none"}});
  ASSERT_EQ(key_page.status, 200);
  const auto key_list = alice.get("/dashboard/api-keys").body;
  const auto at = key_list.find("/dashboard/api-keys/");
  ASSERT_NE(at, std::string::npos);
  const auto key_id = key_list.substr(at + 20, 36);

  Browser bob(server.api_port());
  bob.login(b_tenant.staff_email);
  EXPECT_EQ(bob.get("/dashboard/apps/" + app).status, 404);
  EXPECT_EQ(bob.get("/dashboard/apps/" + app + "/go-live").status, 404);
  EXPECT_EQ(bob.post("/dashboard/apps/" + app + "/go-live", {{"_csrf", bob.csrf()}, {"accept", "yes"}}).status, 404);
  EXPECT_EQ(bob.post("/dashboard/apps/" + app, {{"_csrf", bob.csrf()}, {"name", "Stolen"}}).status, 404);
  EXPECT_EQ(bob.post("/dashboard/api-keys/" + key_id + "/revoke", {{"_csrf", bob.csrf()}}).status, 404);
  EXPECT_EQ(bob.get("/dashboard/api-keys/" + key_id + "/revoke").status, 404);
  EXPECT_EQ(bob.get("/dashboard/apps").body.find("Alice app"), std::string::npos);
  EXPECT_EQ(bob.get("/dashboard/api-keys").body.find("alice key"), std::string::npos);
  EXPECT_EQ(bob.get("/dashboard/audit").body.find(app), std::string::npos);

  const auto still = alice.get("/dashboard/apps/" + app).body;
  EXPECT_NE(still.find(">Testing<"), std::string::npos);
  EXPECT_NE(still.find("Alice app"), std::string::npos);
}

}  // namespace
}  // namespace polysim::testing
