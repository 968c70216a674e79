// `polysim market …` without a server: mutating commands build the admin body from the flags and
// stay queued in engine_commands (exit 0); list and show read the markets table directly.
#include "cli/market_commands.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>
#include <thread>

#include "cli/cli_app.hpp"
#include "cli_fixture.hpp"

namespace polysim::cli {
namespace {

using namespace std::chrono_literals;
using testing::CliStoreTest;

class MarketCommandsTest : public CliStoreTest {
 protected:
  struct Result {
    int code = -1;
    std::string out;
    std::string err;
  };

  // The command line as the binary runs it, on this fixture's data directory.
  Result run(std::vector<std::string> args) {
    args.insert(args.begin(), "polysim");
    args.push_back("--data-dir");
    args.push_back(dir().string());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::ostringstream out, err;
    Result r;
    r.code = run_cli(static_cast<int>(args.size()), argv.data(), [](const Config&) { return 0; }, out, err, {});
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  store::MarketRecord stored_market(const std::string& slug) {
    store::MarketRecord m;
    m.id = "01900000-0000-7000-8000-00000000000" + std::to_string(++markets_);
    m.slug = slug;
    m.question = "Will it rain in " + slug + "?";
    m.category = "weather";
    m.yes_token_id = "yes-" + slug;
    m.no_token_id = "no-" + slug;
    m.feed = "manual";
    m.stale_after_s = 0;
    m.created_at = m.updated_at = 1'767'225'600'000'000 + markets_;  // 2026-01-01T00:00:00Z
    sqlite_store().create_market(m);
    return m;
  }

 private:
  int markets_ = 0;
};

TEST_F(MarketCommandsTest, CreateCarriesEveryFlagAsTheAdminBody) {
  MarketCreateInput input;
  input.slug = "rain-nyc";
  input.question = "Rain in NYC?";
  input.category = "weather";
  input.tick_size = "0.001";
  input.min_order_size = "2.5";
  input.taker_fee_bps = "150";
  input.maker_fee_bps = "0";
  input.end_date = "2026-12-31T00:00:00Z";
  input.feed = "manual";
  input.stale_after = "0";
  input.yes_label = "Rain";
  input.no_label = "Dry";
  input.external_ref = "0xabc";
  const auto command = market_create_command(input);
  EXPECT_EQ(command.kind, "create");
  EXPECT_EQ(command.target, "rain-nyc");
  EXPECT_EQ(command.payload,
            R"({"slug":"rain-nyc","question":"Rain in NYC?","category":"weather","tick_size":"0.001",)"
            R"("min_order_size":"2.5","taker_fee_bps":150,"maker_fee_bps":0,"end_date":"2026-12-31T00:00:00Z",)"
            R"("feed":"manual","stale_after":0,"yes_label":"Rain","no_label":"Dry","external_ref":"0xabc"})");

  input.taker_fee_bps = "lots";
  EXPECT_THROW(market_create_command(input), InvalidInput);
}

TEST_F(MarketCommandsTest, BookLevelsComeFromPriceSizePairs) {
  EXPECT_EQ(serialize_compact(book_levels_from_flag("bids", "0.55:300,0.54:400")),
            R"([["0.55","300"],["0.54","400"]])");
  EXPECT_EQ(serialize_compact(book_levels_from_flag("asks", "")), "[]");
  for (const char* bad : {"0.55", "0.55:300:1", ":300", "0.55:", "0.55:300,", "0.5x:300", "-0.5:300"})
    EXPECT_THROW(book_levels_from_flag("bids", bad), InvalidInput) << bad;

  MarketBookInput input{"rain-nyc", "NO", "0.44:100", "0.45:300,0.46:400", true};
  const auto command = market_book_command(input);
  EXPECT_EQ(command.kind, "book");
  EXPECT_EQ(command.target, "rain-nyc");
  EXPECT_EQ(command.payload,
            R"({"outcome":"NO","bids":[["0.44","100"]],"asks":[["0.45","300"],["0.46","400"]],"mirror":false})");
  EXPECT_EQ(market_resolve_command("rain-nyc", "YES").payload, R"({"outcome":"YES"})");
  EXPECT_EQ(market_close_command("rain-nyc").payload, "{}");
  EXPECT_EQ(market_open_command("rain-nyc").kind, "open");
}

TEST_F(MarketCommandsTest, WaitIsSecondsOrADuration) {
  EXPECT_EQ(parse_wait("10"), 10'000ms);
  EXPECT_EQ(parse_wait("0"), 0ms);
  EXPECT_EQ(parse_wait("500ms"), 500ms);
  EXPECT_EQ(parse_wait("2m"), 120'000ms);
  for (const char* bad : {"", "-1", "1.5", "ten", "2h", "99999999"}) EXPECT_THROW(parse_wait(bad), InvalidInput) << bad;
}

TEST_F(MarketCommandsTest, WithoutAServerACommandStaysQueuedForTheWait) {
  const auto started = std::chrono::steady_clock::now();
  const auto row = submit_market_command(context(), market_close_command("rain-nyc"), 300ms);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(row.status, "queued");
  EXPECT_EQ(row.kind, "close");
  EXPECT_EQ(row.target, "rain-nyc");
  EXPECT_FALSE(row.result.has_value());
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 5s);
  EXPECT_EQ(rows("SELECT id, kind, target, payload, status FROM engine_commands"),
            (std::vector<std::vector<std::string>>{{std::to_string(row.id), "close", "rain-nyc", "{}", "queued"}}));
}

TEST_F(MarketCommandsTest, SubmitReturnsAsSoonAsTheEngineRecordsTheOutcome) {
  // Plays the server's runner: finishes the first queued command once it appears.
  std::thread engine([this] {
    for (int i = 0; i < 200; ++i) {
      auto queued = sqlite_store().queued_engine_commands(0, 10);
      if (!queued.empty()) {
        sqlite_store().finish_engine_command(queued[0].id, "done", R"({"slug":"rain-nyc"})", 1);
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
  });
  const auto started = std::chrono::steady_clock::now();
  const auto row = submit_market_command(context(), market_open_command("rain-nyc"), 10s);
  const auto waited = std::chrono::steady_clock::now() - started;
  engine.join();
  EXPECT_EQ(row.status, "done");
  EXPECT_EQ(row.result, std::optional<std::string>(R"({"slug":"rain-nyc"})"));
  EXPECT_EQ(row.done_at, std::optional<std::int64_t>(1));
  EXPECT_LT(waited, 5s);
  // An outcome once recorded stays: a second finish changes nothing.
  sqlite_store().finish_engine_command(row.id, "failed", "{}", 2);
  EXPECT_EQ(sqlite_store().find_engine_command(row.id)->status, "done");
}

TEST_F(MarketCommandsTest, FailuresExitByWhoseFaultTheyAre) {
  store::EngineCommandRecord row;
  row.kind = "resolve";
  row.target = "rain-nyc";
  row.status = "failed";
  row.result = R"({"error":"MARKET_NOT_FOUND","message":"No such market.","status":404})";
  try {
    throw_command_failure(row);
    FAIL() << "no exception";
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "resolve rain-nyc failed: MARKET_NOT_FOUND: No such market.");
  }
  row.result = R"({"error":"SERVICE_UNAVAILABLE","message":"retry","status":503})";
  std::string retryable;
  try {
    throw_command_failure(row);
  } catch (const InvalidInput&) {
    ADD_FAILURE() << "a 503 is not the operator's fault";
  } catch (const std::runtime_error& e) {
    retryable = e.what();
  }
  EXPECT_EQ(retryable, "resolve rain-nyc failed: SERVICE_UNAVAILABLE: retry");
}

TEST_F(MarketCommandsTest, CliQueuesMutatingCommandsAndExitsZero) {
  auto r = run({"market", "create", "--slug", "rain-nyc", "--question", "Rain?", "--feed", "manual", "--tick",
                "0.01", "--wait", "0", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"command_id\":1,\"status\":\"queued\"}\n");
  r = run({"market", "book", "rain-nyc", "--outcome", "YES", "--bids", "0.55:300,0.54:400", "--asks", "0.56:100",
           "--no-mirror", "--wait", "0"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "command 2 (book rain-nyc) is queued; the running server executes it within a moment, or at its "
                   "next start\n");
  r = run({"market", "resolve", "rain-nyc", "--outcome", "NO", "--wait", "0", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"command_id\":3,\"status\":\"queued\"}\n");
  EXPECT_EQ(rows("SELECT kind, target, payload, status FROM engine_commands ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"create", "rain-nyc", R"({"slug":"rain-nyc","question":"Rain?","tick_size":"0.01","feed":"manual"})",
                 "queued"},
                {"book", "rain-nyc",
                 R"({"outcome":"YES","bids":[["0.55","300"],["0.54","400"]],"asks":[["0.56","100"]],"mirror":false})",
                 "queued"},
                {"resolve", "rain-nyc", R"({"outcome":"NO"})", "queued"}}));
}

TEST_F(MarketCommandsTest, CliRefusesBadFlagsBeforeQueueing) {
  EXPECT_EQ(run({"market", "resolve", "rain-nyc", "--outcome", "MAYBE", "--wait", "0"}).code, 2);
  auto r = run({"market", "book", "rain-nyc", "--outcome", "YES", "--bids", "0.55", "--wait", "0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--bids: '0.55' is not price:size"), std::string::npos) << r.err;
  EXPECT_EQ(run({"market", "close", "rain-nyc", "--wait", "soon"}).code, 2);
  EXPECT_EQ(run({"market", "create", "--slug", "x", "--question", "Q?", "--stale-after", "1s", "--wait", "0"}).code, 2);
  EXPECT_EQ(count("engine_commands"), 0);
}

TEST_F(MarketCommandsTest, ListAndShowReadTheDatabase) {
  auto r = run({"market", "list", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"data\":[]}\n");
  EXPECT_EQ(run({"market", "list"}).out, "no markets\n");

  const auto rain = stored_market("rain-nyc");
  stored_market("snow-nyc");
  r = run({"market", "list", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto listed = boost::json::parse(r.out).at("data").as_array();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].at("slug").as_string(), "rain-nyc");
  EXPECT_EQ(listed[1].at("slug").as_string(), "snow-nyc");

  r = run({"market", "show", "rain-nyc", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto shown = boost::json::parse(r.out).as_object();
  EXPECT_EQ(shown.at("market_id").as_string(), rain.id);
  EXPECT_EQ(shown.at("question").as_string(), "Will it rain in rain-nyc?");
  EXPECT_EQ(shown.at("status").as_string(), "open");
  EXPECT_EQ(shown.at("feed").as_string(), "manual");
  EXPECT_EQ(shown.at("tick_size").as_string(), "0.01");
  EXPECT_EQ(shown.at("outcomes").at(0).at("token_id").as_string(), "yes-rain-nyc");
  EXPECT_EQ(run({"market", "show", rain.id, "--json"}).out, r.out);  // by id as well

  r = run({"market", "show", "rain-nyc"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("slug:           rain-nyc\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("YES:            Yes (token yes-rain-nyc)\n"), std::string::npos) << r.out;

  r = run({"market", "show", "hail-nyc"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "error: no market with id or slug 'hail-nyc'\n");
  EXPECT_EQ(count("engine_commands"), 0);  // reads never go through the queue
}

}  // namespace
}  // namespace polysim::cli
