// The desktop journal and the rest of desktop sync's change log through the real binary
// (20-trader-api.md §11): journal pushes (create, update, re-send, conflict, delete), the journal
// in the snapshot and in changes, invalid entries and request errors, signals and signal targets
// in changes, and the 410 of a cursor from before what retention pruned.
#include <map>

#include "integration/trader_helpers.hpp"

namespace polysim::testing::trader_it {
namespace {

constexpr std::string_view kMarket = "journal-market";

struct Desktop {
  Session user;
  std::string device;
  std::string account;
};

Desktop desktop_user(const ServerProcess& server) {
  const auto email = unique_email("journal");
  Desktop d;
  d.user = sign_up(server, email);
  auto login = post(server, "/api/v1/auth/desktop-login",
                    {{"email", email}, {"password", kPassword}, {"deviceName", "Desk"}, {"platform", "macos"},
                     {"appVersion", "1"}});
  EXPECT_EQ(login.status, 200) << login.summary();
  d.device = std::string(login.json().at("deviceToken").as_string());
  auto accounts = send(server, "GET", "/api/v1/accounts", std::nullopt, bearer(d.user.access_token));
  d.account = std::string(accounts.json().at("data").at(0).at("accountId").as_string());
  return d;
}

HttpResponse push(const ServerProcess& server, const std::string& device, const boost::json::array& entries) {
  return post(server, "/api/v1/desktop/sync/journal", {{"entries", entries}}, bearer(device));
}

HttpResponse get(const ServerProcess& server, const std::string& target, const std::string& token) {
  return send(server, "GET", target, std::nullopt, bearer(token));
}

std::int64_t snapshot_version(const ServerProcess& server, const std::string& device) {
  auto r = get(server, "/api/v1/desktop/sync/snapshot", device);
  EXPECT_EQ(r.status, 200) << r.summary();
  return r.json().at("version").as_int64();
}

// The changes after `since`, by (entity, id).
std::map<std::pair<std::string, std::string>, boost::json::object> changes_after(const ServerProcess& server,
                                                                                 const std::string& device,
                                                                                 std::int64_t since) {
  auto r = get(server, "/api/v1/desktop/sync/changes?since=" + std::to_string(since), device);
  EXPECT_EQ(r.status, 200) << r.summary();
  std::map<std::pair<std::string, std::string>, boost::json::object> out;
  if (r.status != 200) return out;
  const auto body = r.json();
  for (const auto& c : body.at("changes").as_array())
    out[{std::string(c.at("entity").as_string()), std::string(c.at("id").as_string())}] = c.as_object();
  return out;
}

boost::json::object note(std::string_view local_id, std::int64_t base, std::string_view title) {
  return {{"localId", local_id}, {"baseVersion", base}, {"kind", "note"},       {"marketId", kMarket},
          {"title", title},      {"body", "Snow models flipped."}, {"tags", boost::json::array{"weather"}}, {"deleted", false}};
}

TEST(TraderJournal, CreateUpdateResendConflictAndDelete) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, std::string(kMarket));
  const auto d = desktop_user(server);
  const auto market_id =
      std::string(get(server, "/api/v1/markets/" + std::string(kMarket), d.user.access_token).json().at("marketId").as_string());
  const auto v0 = snapshot_version(server, d.device);

  const boost::json::array created_batch{note("c4a1f0e2", v0, "Why I bought")};
  auto created = push(server, d.device, created_batch);
  ASSERT_EQ(created.status, 200) << created.summary();
  expect_rate_limit_headers(created, 60, 60);  // the desktop-sync tier
  const auto c = created.json().as_object();
  const auto v1 = c.at("version").as_int64();
  EXPECT_GT(v1, v0);
  ASSERT_EQ(c.at("results").as_array().size(), 1u);
  const auto& r1 = c.at("results").at(0);
  EXPECT_EQ(r1.at("localId").as_string(), "c4a1f0e2");
  EXPECT_EQ(r1.at("status").as_string(), "created");
  EXPECT_EQ(r1.at("version").as_int64(), v1);
  EXPECT_TRUE(r1.at("server").is_null());
  EXPECT_TRUE(r1.at("error").is_null());
  const std::string id(r1.at("id").as_string());

  // The same batch again writes nothing.
  auto again = push(server, d.device, created_batch);
  ASSERT_EQ(again.status, 200) << again.summary();
  EXPECT_EQ(again.json().at("version").as_int64(), v1);
  EXPECT_EQ(again.json().at("results").at(0).at("status").as_string(), "unchanged");
  EXPECT_EQ(again.json().at("results").at(0).at("id").as_string(), id);
  EXPECT_EQ(again.json().at("results").at(0).at("version").as_int64(), v1);

  // An edit based on what the server holds updates the same entry.
  auto updated = push(server, d.device, {note("c4a1f0e2", v1, "Why I bought more")});
  ASSERT_EQ(updated.status, 200) << updated.summary();
  const auto u = updated.json();
  const auto& r2 = u.at("results").at(0);
  EXPECT_EQ(r2.at("status").as_string(), "updated");
  EXPECT_EQ(r2.at("id").as_string(), id);
  const auto v2 = r2.at("version").as_int64();
  EXPECT_GT(v2, v1);
  EXPECT_EQ(u.at("version").as_int64(), v2);

  // The first batch once more: the server copy changed after its baseVersion.
  auto conflict = push(server, d.device, created_batch);
  ASSERT_EQ(conflict.status, 200) << conflict.summary();
  EXPECT_EQ(conflict.json().at("version").as_int64(), v2);  // nothing written
  const auto refused = conflict.json();
  const auto& r3 = refused.at("results").at(0);
  EXPECT_EQ(r3.at("status").as_string(), "conflict");
  EXPECT_EQ(r3.at("version").as_int64(), v2);
  const auto& server_copy = r3.at("server").as_object();
  EXPECT_EQ(server_copy.at("id").as_string(), id);
  EXPECT_EQ(server_copy.at("localId").as_string(), "c4a1f0e2");
  EXPECT_EQ(server_copy.at("title").as_string(), "Why I bought more");
  EXPECT_EQ(server_copy.at("version").as_int64(), v2);
  EXPECT_EQ(server_copy.at("marketId").as_string(), market_id);  // the slug was resolved
  EXPECT_TRUE(server_copy.at("deletedAt").is_null());

  // Changes carry the entry once, at its latest state.
  auto before_delete = changes_after(server, d.device, v0);
  ASSERT_TRUE(before_delete.count({"journal", id})) << "no journal change";
  const auto& upsert = before_delete[{"journal", id}];
  EXPECT_EQ(upsert.at("op").as_string(), "upsert");
  EXPECT_EQ(upsert.at("version").as_int64(), v2);
  EXPECT_EQ(upsert.at("data").at("title").as_string(), "Why I bought more");
  EXPECT_EQ(boost::json::serialize(upsert.at("data").at("tags")), R"(["weather"])");

  auto snapshot = get(server, "/api/v1/desktop/sync/snapshot", d.device);
  ASSERT_EQ(snapshot.json().at("journal").as_array().size(), 1u);
  EXPECT_EQ(snapshot.json().at("journal").at(0).at("id").as_string(), id);

  // A delete, and its re-send.
  const boost::json::array delete_batch{{{"localId", "c4a1f0e2"}, {"baseVersion", v2}, {"deleted", true}}};
  auto deleted = push(server, d.device, delete_batch);
  ASSERT_EQ(deleted.status, 200) << deleted.summary();
  EXPECT_EQ(deleted.json().at("results").at(0).at("status").as_string(), "deleted");
  const auto v3 = deleted.json().at("results").at(0).at("version").as_int64();
  EXPECT_GT(v3, v2);
  EXPECT_EQ(push(server, d.device, delete_batch).json().at("results").at(0).at("status").as_string(), "unchanged");

  for (auto since : {v0, v2}) {
    auto after = changes_after(server, d.device, since);
    ASSERT_TRUE(after.count({"journal", id})) << since;
    const auto& gone = after[{"journal", id}];
    EXPECT_EQ(gone.at("op").as_string(), "delete");
    EXPECT_EQ(gone.at("version").as_int64(), v3);
    EXPECT_TRUE(gone.at("data").is_null());
  }
  EXPECT_TRUE(get(server, "/api/v1/desktop/sync/snapshot", d.device).json().at("journal").as_array().empty());
  EXPECT_EQ(snapshot_version(server, d.device), v3);
}

TEST(TraderJournal, SnapshotHoldsTheJournalWithItsReferences) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, std::string(kMarket));
  const auto d = desktop_user(server);
  auto order = post(server, "/api/v1/orders",
                    {{"accountId", d.account}, {"marketId", kMarket}, {"outcome", "YES"}, {"side", "buy"},
                     {"orderType", "market"}, {"size", "10"}},
                    bearer(d.user.access_token));
  ASSERT_EQ(order.status, 201) << order.summary();
  const std::string order_id(order.json().at("orderId").as_string());

  auto pushed = push(server, d.device,
                     {{{"localId", "plan-1"}, {"kind", "plan"}, {"accountId", d.account}, {"orderId", order_id},
                       {"title", "Exit at 0.70"}},
                      {{"localId", "review-1"}, {"kind", "review"}, {"body", "Too early."}}});
  ASSERT_EQ(pushed.status, 200) << pushed.summary();
  const auto pushed_body = pushed.json();
  for (const auto& r : pushed_body.at("results").as_array()) EXPECT_EQ(r.at("status").as_string(), "created");

  auto snapshot = get(server, "/api/v1/desktop/sync/snapshot", d.device);
  ASSERT_EQ(snapshot.status, 200) << snapshot.summary();
  EXPECT_EQ(snapshot.json().at("version").as_int64(), pushed.json().at("version").as_int64());
  const auto snapshot_body = snapshot.json();
  const auto& journal = snapshot_body.at("journal").as_array();
  ASSERT_EQ(journal.size(), 2u);
  std::map<std::string, boost::json::object> by_local;
  for (const auto& e : journal) by_local[std::string(e.at("localId").as_string())] = e.as_object();
  const auto& plan = by_local["plan-1"];
  EXPECT_EQ(plan.at("kind").as_string(), "plan");
  EXPECT_EQ(plan.at("accountId").as_string(), d.account);
  EXPECT_EQ(plan.at("orderId").as_string(), order_id);
  EXPECT_TRUE(plan.at("marketId").is_null());
  EXPECT_EQ(plan.at("title").as_string(), "Exit at 0.70");
  EXPECT_TRUE(plan.at("body").is_null());
  EXPECT_TRUE(plan.at("tags").as_array().empty());
  EXPECT_FALSE(plan.at("deleted").as_bool());
  EXPECT_EQ(plan.at("createdAt"), plan.at("updatedAt"));
  EXPECT_TRUE(plan.at("deletedAt").is_null());
  EXPECT_EQ(by_local["review-1"].at("body").as_string(), "Too early.");

  // Another user sees none of it.
  const auto other = desktop_user(server);
  EXPECT_TRUE(get(server, "/api/v1/desktop/sync/snapshot", other.device).json().at("journal").as_array().empty());
  EXPECT_TRUE(changes_after(server, other.device, 0).empty());
}

TEST(TraderJournal, InvalidEntriesAndRequestErrors) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, std::string(kMarket));
  const auto d = desktop_user(server);
  const auto other = desktop_user(server);
  auto foreign_order = post(server, "/api/v1/orders",
                            {{"accountId", other.account}, {"marketId", kMarket}, {"outcome", "YES"}, {"side", "buy"},
                             {"orderType", "limit"}, {"size", "10"}, {"limitPrice", "0.40"}},
                            bearer(other.user.access_token));
  ASSERT_EQ(foreign_order.status, 201) << foreign_order.summary();
  const auto v0 = snapshot_version(server, d.device);

  auto r = push(server, d.device,
                {{{"localId", "a"}, {"kind", "note"}, {"accountId", other.account}},
                 {{"localId", "b"}, {"kind", "note"}, {"orderId", foreign_order.json().at("orderId")}},
                 {{"localId", "c"}, {"kind", "note"}, {"marketId", "no-such-market"}},
                 {{"localId", "d"}, {"kind", "idea"}},
                 {{"localId", "e"}, {"kind", "note"}, {"title", std::string(201, 't')}},
                 "not an entry",
                 {{"localId", "f"}, {"kind", "note"}, {"accountId", d.account}}});
  ASSERT_EQ(r.status, 200) << r.summary();
  const auto body = r.json();
  const auto& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 7u);
  const char* errors[] = {"accountId names none of your accounts", "orderId names none of your orders",
                          "marketId names no market", "kind must be note, plan or review",
                          "title must be 0 to 200 characters", "an entry must be an object"};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(results[i].at("status").as_string(), "invalid") << i;
    EXPECT_EQ(results[i].at("error").as_string(), errors[i]) << i;
    EXPECT_TRUE(results[i].at("id").is_null()) << i;
    EXPECT_TRUE(results[i].at("version").is_null()) << i;
  }
  EXPECT_EQ(results[0].at("localId").as_string(), "a");
  EXPECT_TRUE(results[5].at("localId").is_null());
  // Entries apply one by one: the valid one went in.
  EXPECT_EQ(results[6].at("status").as_string(), "created");
  const auto v1 = r.json().at("version").as_int64();
  EXPECT_GT(v1, v0);
  EXPECT_EQ(changes_after(server, d.device, v0).size(), 1u);

  // Problems of the request as a whole are 400s, and write nothing.
  auto raw = [&](const std::string& body) {
    return send(server, "POST", "/api/v1/desktop/sync/journal", body, bearer(d.device));
  };
  expect_error(raw("{\"entries\":["), 400, "invalid_json");
  expect_error(raw("[]"), 400, "invalid_json");
  expect_error(raw(R"({"entries":"x"})"), 400, "validation_error");
  expect_error(raw(R"({"entries":[],"device":"x"})"), 400, "validation_error");
  expect_error(raw("{}"), 400, "validation_error");
  boost::json::array many;
  for (int i = 0; i < 501; ++i) many.push_back(boost::json::object{{"localId", "m" + std::to_string(i)}, {"kind", "note"}});
  auto too_many = push(server, d.device, many);
  expect_error(too_many, 400, "validation_error");
  EXPECT_EQ(too_many.json().at("details").at(0).at("field").as_string(), "entries");
  EXPECT_EQ(snapshot_version(server, d.device), v1);

  // Up to 1 MiB: far beyond the 64 KiB of other bodies.
  boost::json::array big;
  for (int i = 0; i < 40; ++i)
    big.push_back(boost::json::object{{"localId", "big" + std::to_string(i)}, {"kind", "note"}, {"body", std::string(20'000, 'b')}});
  auto accepted = push(server, d.device, big);
  ASSERT_EQ(accepted.status, 200) << accepted.status;
  EXPECT_EQ(accepted.json().at("results").at(39).at("status").as_string(), "created");
  big.clear();
  for (int i = 0; i < 60; ++i)
    big.push_back(boost::json::object{{"localId", "big" + std::to_string(i)}, {"kind", "note"}, {"body", std::string(20'000, 'b')}});
  expect_error(push(server, d.device, big), 413, "payload_too_large");

  // Devices only, with the scope.
  expect_error(push(server, d.user.access_token, {}), 403, "principal_not_allowed");
}

TEST(TraderJournal, SignalsAndSignalTargetsAppearInChanges) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, std::string(kMarket));
  const auto d = desktop_user(server);
  const auto v0 = snapshot_version(server, d.device);
  auto targets = send(server, "PUT", "/api/v1/signals/targets",
                      json_text({{"accountIds", boost::json::array{d.account.c_str()}}}), bearer(d.user.access_token));
  ASSERT_EQ(targets.status, 200) << targets.summary();
  auto sent = post(server, "/api/v1/signals",
                   {{"marketId", kMarket}, {"action", "buy"}, {"outcome", "YES"}, {"sizeType", "shares"}, {"size", "10"}},
                   bearer(d.device));
  ASSERT_EQ(sent.status, 201) << sent.summary();
  const std::string signal_id(sent.json().at("id").as_string());

  auto after = changes_after(server, d.device, v0);
  const std::string user_id(d.user.user.at("id").as_string());
  ASSERT_TRUE(after.count({"signalTargets", user_id})) << "no signalTargets change";
  const auto& t = after[{"signalTargets", user_id}];
  EXPECT_EQ(t.at("op").as_string(), "upsert");
  EXPECT_EQ(boost::json::serialize(t.at("data")), R"({"accountIds":[")" + d.account + R"("]})");
  ASSERT_TRUE(after.count({"signal", signal_id})) << "no signal change";
  const auto& s = after[{"signal", signal_id}];
  EXPECT_EQ(s.at("op").as_string(), "upsert");
  EXPECT_EQ(s.at("data").at("status").as_string(), "succeeded");
  EXPECT_EQ(s.at("data").at("results").at(0).at("status").as_string(), "filled");
  // The signal's change comes after its order's: its last write is the finished fan-out.
  const auto order_id = std::string(s.at("data").at("results").at(0).at("orderId").as_string());
  ASSERT_TRUE(after.count({"order", order_id}));
  EXPECT_GT(s.at("version").as_int64(), (after[{"order", order_id}].at("version").as_int64()));
  EXPECT_GT(s.at("version").as_int64(), t.at("version").as_int64());
}

TEST(TraderJournal, CursorFromBeforePrunedChangesIsGone) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  const auto d = desktop_user(server);
  auto first = push(server, d.device, {{{"localId", "old"}, {"kind", "note"}, {"title", "old"}}});
  ASSERT_EQ(first.status, 200) << first.summary();
  const auto v1 = first.json().at("version").as_int64();
  ASSERT_EQ(get(server, "/api/v1/desktop/sync/changes?since=0", d.device).status, 200);

  // Past the 30 days the log keeps: the pruner (a pass each second) removes the row.
  advance_clock(server, std::chrono::hours(24 * 31));
  HttpResponse expired;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  do {
    std::this_thread::sleep_for(300ms);  // the tier allows 60 calls a minute
    expired = get(server, "/api/v1/desktop/sync/changes?since=0", d.device);
  } while (expired.status == 200 && std::chrono::steady_clock::now() < deadline);
  expect_error(expired, 410, "sync_cursor_expired");
  expect_rate_limit_headers(expired, 60, 60);

  // From the version it had reached, the client carries on; the snapshot keeps that version.
  auto current = get(server, "/api/v1/desktop/sync/changes?since=" + std::to_string(v1), d.device);
  ASSERT_EQ(current.status, 200) << current.summary();
  EXPECT_TRUE(current.json().at("changes").as_array().empty());
  EXPECT_EQ(current.json().at("toVersion").as_int64(), v1);
  EXPECT_EQ(snapshot_version(server, d.device), v1);
  // Pruning the log leaves the journal itself: the snapshot shows 90 days of it.
  EXPECT_EQ(get(server, "/api/v1/desktop/sync/snapshot", d.device).json().at("journal").as_array().size(), 1u);

  auto next = push(server, d.device, {{{"localId", "new"}, {"kind", "note"}}});
  const auto v2 = next.json().at("version").as_int64();
  EXPECT_GT(v2, v1);
  auto after = changes_after(server, d.device, v1);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.begin()->second.at("version").as_int64(), v2);
  expect_error(get(server, "/api/v1/desktop/sync/changes?since=" + std::to_string(v1 - 1), d.device), 410,
               "sync_cursor_expired");
}

TEST(TraderJournal, ASettlementAppearsInChangesWithItsPayout) {
  ServerProcess server(server_args({"--feed-sim-markets", "0"}));
  create_manual_market(server, std::string(kMarket));
  const auto d = desktop_user(server);
  auto bought = post(server, "/api/v1/orders",
                     {{"accountId", d.account}, {"marketId", kMarket}, {"outcome", "YES"}, {"side", "BUY"},
                      {"orderType", "market"}, {"size", "10"}},
                     bearer(d.user.access_token));
  ASSERT_EQ(bought.status, 201) << bought.summary();
  const auto before = snapshot_version(server, d.device);
  auto resolved = admin(server, "POST", "/admin/markets/" + std::string(kMarket) + "/resolve", {{"outcome", "YES"}});
  ASSERT_EQ(resolved.status, 200) << resolved.summary();
  const auto after = changes_after(server, d.device, before);
  const boost::json::object* settlement = nullptr;
  for (const auto& [key, change] : after)
    if (key.first == "settlement") settlement = &change;
  ASSERT_NE(settlement, nullptr) << "the resolution's payout is a change of its own";
  const auto& data = settlement->at("data").as_object();
  EXPECT_EQ(data.at("accountId").as_string(), d.account);
  EXPECT_EQ(data.at("payoutPrice").as_string(), "1");
  EXPECT_EQ(data.at("size").as_string(), "10");
  EXPECT_EQ(data.at("amount").as_string(), "10.00");
  bool account_changed = false;
  for (const auto& [key, change] : after) account_changed = account_changed || key.first == "account";
  EXPECT_TRUE(account_changed) << "the cash it paid moved the account too";
}

}  // namespace
}  // namespace polysim::testing::trader_it
