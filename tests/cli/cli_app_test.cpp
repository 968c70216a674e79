#include "cli/cli_app.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <optional>
#include <sstream>
#include <vector>

#include "core/uuid.hpp"

namespace polysim::cli {
namespace {

// Runs the command line as the binary would, against a private data directory, with an
// empty environment so the caller's POLYSIM_* variables cannot leak in.
class CliAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("polysim-cli-app-test-" + Uuid::v4().to_string());
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  struct Result {
    int code = -1;
    std::string out;
    std::string err;
  };

  Result run(std::vector<std::string> args, bool with_data_dir = true) {
    if (with_data_dir) {
      args.push_back("--data-dir");
      args.push_back(dir_.string());
    }
    args.insert(args.begin(), "polysim");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::ostringstream out;
    std::ostringstream err;
    Result r;
    r.code = run_cli(static_cast<int>(args.size()), argv.data(), server_, out, err, environment_);
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  boost::json::value json_of(const Result& r) {
    EXPECT_EQ(r.code, 0) << r.err;
    return boost::json::parse(r.out);
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> environment_;
  std::optional<Config> served_;
  RunServerFn server_ = [this](const Config& config) {
    served_ = config;
    return 7;
  };
};

TEST_F(CliAppTest, ServeLayersFlagsIntoTheConfig) {
  environment_["POLYSIM_LOG_LEVEL"] = "debug";
  const auto r = run({"serve", "--listen", "127.0.0.1:0", "--email-transport", "log", "--cache-ttl", "1s"});
  EXPECT_EQ(r.code, 7) << r.err;
  ASSERT_TRUE(served_.has_value());
  EXPECT_EQ(served_->listen.port, 0);
  EXPECT_EQ(served_->email_transport, "log");
  EXPECT_EQ(served_->cache_ttl, std::chrono::seconds(1));
  EXPECT_EQ(served_->log_level, "debug");
  EXPECT_EQ(served_->data_dir, dir_.string());
}

TEST_F(CliAppTest, ServeHelpListsEverySetting) {
  const auto r = run({"serve", "--help"}, false);
  EXPECT_EQ(r.code, 0);
  for (const auto& info : all_settings()) {
    EXPECT_NE(r.out.find(info.flag), std::string::npos) << info.flag;
    EXPECT_NE(r.out.find("(default: " + info.default_text + ")"), std::string::npos) << info.flag;
  }
  EXPECT_FALSE(served_.has_value());
}

TEST_F(CliAppTest, BadConfigurationExitsTwo) {
  auto r = run({"serve", "--log-format", "xml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("log_format"), std::string::npos);
  EXPECT_FALSE(served_.has_value());

  r = run({"tenant", "list", "--config", (dir_ / "missing.toml").string()});
  EXPECT_EQ(r.code, 2);
}

TEST_F(CliAppTest, PostgresIsRefused) {
  const auto r = run({"tenant", "list", "--database-url", "postgres://localhost/polysim"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("PostgreSQL is not supported yet"), std::string::npos);
}

TEST_F(CliAppTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}, false).code, 2);
  EXPECT_EQ(run({"frobnicate"}, false).code, 2);
  EXPECT_EQ(run({"tenant"}).code, 2);
  EXPECT_EQ(run({"tenant", "create"}).code, 2);  // --name is required
  EXPECT_EQ(run({"key", "create"}).code, 2);     // --tenant is required
  EXPECT_EQ(run({"--help"}, false).code, 0);
}

TEST_F(CliAppTest, MigrateReportsAppliedVersions) {
  auto applied = json_of(run({"migrate", "--json"})).as_object().at("applied").as_array();
  EXPECT_FALSE(applied.empty());
  applied = json_of(run({"migrate", "--json"})).as_object().at("applied").as_array();
  EXPECT_TRUE(applied.empty());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "polysim.db"));
  EXPECT_NE(run({"migrate"}).out.find("up to date"), std::string::npos);
}

TEST_F(CliAppTest, TenantLifecycleThroughTheCommandLine) {
  const auto created = json_of(run({"tenant", "create", "--name", "acme", "--display-name", "Acme Capital",
                                    "--min-balance", "100", "--max-balance", "50000.00", "--redirect-origin",
                                    "https://A.example", "--redirect-origin", "http://localhost:3000", "--json"}))
                           .as_object();
  EXPECT_EQ(created.at("name").as_string(), "acme");
  EXPECT_EQ(created.at("display_name").as_string(), "Acme Capital");
  EXPECT_EQ(created.at("min_starting_balance").as_string(), "100.00");
  EXPECT_EQ(created.at("max_starting_balance").as_string(), "50000.00");
  EXPECT_EQ(created.at("redirect_origins").as_array().size(), 2u);
  EXPECT_EQ(created.at("redirect_origins").as_array()[0].as_string(), "https://a.example");
  const std::string id(created.at("id").as_string());

  EXPECT_EQ(json_of(run({"tenant", "show", id, "--json"})).as_object().at("name").as_string(), "acme");
  EXPECT_EQ(json_of(run({"tenant", "list", "--json"})).as_array().size(), 1u);

  auto r = run({"tenant", "set", "acme", "--key-per-second", "0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("key_per_second"), std::string::npos);
  EXPECT_EQ(run({"tenant", "create", "--name", "acme"}).code, 2);
  EXPECT_EQ(run({"tenant", "create", "--name", "bad", "--min-balance", "0.001"}).code, 2);
  EXPECT_EQ(run({"tenant", "show", "nobody"}).code, 2);

  const auto set = json_of(run({"tenant", "set", "acme", "--tenant-per-minute", "6000", "--default-login-url",
                                "https://a.example/login", "--json"}))
                       .as_object();
  EXPECT_EQ(set.at("tenant_per_minute").as_int64(), 6000);
  EXPECT_EQ(set.at("default_login_url").as_string(), "https://a.example/login");

  EXPECT_EQ(run({"tenant", "redirect", "add", "acme", "https://b.example"}).code, 0);
  EXPECT_EQ(run({"tenant", "redirect", "remove", "acme", "https://b.example"}).code, 0);
  EXPECT_EQ(run({"tenant", "redirect", "remove", "acme", "https://b.example"}).code, 2);
  EXPECT_TRUE(json_of(run({"tenant", "disable", "acme", "--json"})).as_object().at("disabled").as_bool());
  EXPECT_FALSE(json_of(run({"tenant", "enable", "acme", "--json"})).as_object().at("disabled").as_bool());

  r = run({"tenant", "show", "acme"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Acme Capital"), std::string::npos);
}

TEST_F(CliAppTest, KeyLifecycleThroughTheCommandLine) {
  ASSERT_EQ(run({"tenant", "create", "--name", "acme"}).code, 0);
  const auto created = json_of(run({"key", "create", "--tenant", "acme", "--name", "backend", "--scopes",
                                    "accounts:read,users:write", "--expires-in", "90d", "--json"}))
                           .as_object();
  const std::string key(created.at("key").as_string());
  const std::string id(created.at("id").as_string());
  EXPECT_EQ(key.size(), 62u);
  EXPECT_EQ(created.at("prefix").as_string(), key.substr(0, 14));
  EXPECT_EQ(created.at("scopes").as_array().size(), 2u);
  EXPECT_TRUE(created.at("expires_at").is_string());

  const auto listing = run({"key", "list", "--tenant", "acme", "--json"});
  EXPECT_EQ(listing.out.find(key.substr(14)), std::string::npos);
  const auto keys = json_of(listing).as_array();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].as_object().at("status").as_string(), "active");

  EXPECT_EQ(json_of(run({"key", "deactivate", id, "--json"})).as_object().at("status").as_string(), "deactivated");
  EXPECT_EQ(json_of(run({"key", "reactivate", id, "--json"})).as_object().at("status").as_string(), "active");
  EXPECT_EQ(json_of(run({"key", "revoke", id, "--json"})).as_object().at("status").as_string(), "revoked");
  const auto refused = run({"key", "reactivate", id});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("revoked"), std::string::npos);

  EXPECT_EQ(run({"key", "create", "--tenant", "acme", "--scopes", "admin"}).code, 2);
  EXPECT_EQ(run({"key", "create", "--tenant", "acme", "--expires-in", "3w"}).code, 2);
  EXPECT_EQ(run({"key", "revoke", "not-an-id"}).code, 2);

  const auto text = run({"key", "create", "--tenant", "acme"});
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("ps_tenant_"), std::string::npos);
  EXPECT_NE(text.out.find("shown only now"), std::string::npos);
}

TEST_F(CliAppTest, DemoPrintsKeyAccountAndCurl) {
  const auto r = run({"demo"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("curl -s -H 'X-API-Key: ps_tenant_"), std::string::npos);
  EXPECT_NE(r.out.find("http://127.0.0.1:8080/v1/partner/accounts/"), std::string::npos);

  const auto again = json_of(run({"demo", "--json"})).as_object();
  EXPECT_FALSE(again.at("tenant_created").as_bool());
  const std::string account_id(again.at("account_id").as_string());
  const std::string key(again.at("key").as_object().at("key").as_string());
  EXPECT_EQ(again.at("curl").as_string(), "curl -s -H 'X-API-Key: " + key +
                                              "' http://127.0.0.1:8080/v1/partner/accounts/" + account_id);
  EXPECT_NE(r.out.find(account_id), std::string::npos);
}

}  // namespace
}  // namespace polysim::cli
