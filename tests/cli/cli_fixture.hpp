// A real SQLite store in a fresh temporary directory, migrated, with a manual clock: what the
// CLI's command logic runs against in tests. The directory is removed afterwards.
#pragma once
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command_context.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace polysim::cli::testing {

class CliStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("polysim-cli-test-" + Uuid::v4().to_string());
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = db_path()});
    store_->migrate();
    context_ = std::make_unique<CommandContext>(
        CommandContext{*store_, clock_, ids_, "test-operator", "https://app.example.com", nullptr, store_.get(),
                       store_.get()});
  }

  void TearDown() override {
    context_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string db_path() const { return (dir_ / "polysim.db").string(); }
  const std::filesystem::path& dir() const { return dir_; }
  store::Store& store() { return *store_; }
  store::sqlite::SqliteStore& sqlite_store() { return *store_; }
  CommandContext& context() { return *context_; }
  ManualClock& clock() { return clock_; }

  // Every row of a query, each column as its raw bytes (NULL as ""), read past the store
  // so tests see exactly what is on disk.
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    sqlite3* db = nullptr;
    std::vector<std::vector<std::string>> out;
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << db_path();
      sqlite3_close(db);
      return out;
    }
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot prepare " << sql << ": " << sqlite3_errmsg(db);
    } else {
      while (sqlite3_step(statement) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(statement); ++i) {
          const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, i));
          row.emplace_back(bytes ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement, i)))
                                 : std::string());
        }
        out.push_back(std::move(row));
      }
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return out;
  }

  long long count(const std::string& table) {
    const auto result = rows("SELECT COUNT(*) FROM " + table);
    return result.empty() ? -1 : std::stoll(result[0][0]);
  }

 private:
  std::filesystem::path dir_;
  ManualClock clock_;
  UuidV7Generator ids_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<CommandContext> context_;
};

}  // namespace polysim::cli::testing
