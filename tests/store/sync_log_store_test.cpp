// The SQLite side of desktop sync's change log (20-trader-api.md §11): journal writes, signal and
// target writes logging themselves in their own transaction, and 30-day retention that keeps each
// user's version and remembers what it pruned.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "trader/sync_retention.hpp"

namespace polysim::store::sqlite {
namespace {

constexpr std::int64_t kDayUs = 24LL * 3600 * 1'000'000;

class SyncLogStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("polysim-sync-log-test-" + Uuid::v4().to_string());
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<SqliteStore>(SqliteOptions{.path = (dir_ / "polysim.db").string()});
    store_->migrate();
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // One change-log row for `user` at `at`, through a real writer of the log.
  std::int64_t log_row(std::int64_t user, std::int64_t at) {
    store_->replace_signal_targets(user, {}, at);
    return store_->sync_version(user);
  }

  std::optional<JournalRecord> write(std::int64_t user, std::string local_id, std::optional<std::string> title,
                                     std::int64_t at) {
    return store_->write_journal_entry(user, local_id, [&](const std::optional<JournalRecord>& stored) {
      if (!title) return std::optional<JournalRecord>();
      JournalRecord r = stored.value_or(JournalRecord{});
      if (!stored) r.id = Uuid::v4().to_string();
      r.kind = "note";
      r.title = title;
      r.tags = {"a,b", "c"};
      r.created_at = stored ? stored->created_at : at;
      r.updated_at = at;
      return std::optional<JournalRecord>(r);
    });
  }

  ManualClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SyncLogStore, JournalWritesTakeTheUsersNextVersion) {
  const auto now = clock_.now_unix_micros();
  EXPECT_EQ(store_->sync_version(7), 0);
  auto first = write(7, "l1", "one", now);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->version, store_->sync_version(7));
  EXPECT_EQ(first->user_id, 7);
  EXPECT_EQ(first->local_id, "l1");
  auto rows = store_->sync_changes_after(7, 0, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].changes_json, R"([["journal",")" + first->id + R"("]])");

  auto second = write(7, "l1", "two", now + 1);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, first->id);
  EXPECT_GT(second->version, first->version);
  auto found = store_->find_journal_entry(7, first->id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "two");
  EXPECT_EQ(found->version, second->version);
  EXPECT_EQ(found->tags, (std::vector<std::string>{"a,b", "c"}));
  EXPECT_FALSE(store_->find_journal_entry(8, first->id));  // another user's id is not found

  // A decision to write nothing leaves the version where it was.
  EXPECT_FALSE(write(7, "l1", std::nullopt, now + 2));
  EXPECT_EQ(store_->sync_version(7), second->version);
}

TEST_F(SyncLogStore, RecentJournalLeavesOutDeletedAndOldEntries) {
  const auto now = clock_.now_unix_micros();
  write(7, "old", "old", now - 91 * kDayUs);
  write(7, "new", "new", now);
  auto gone = write(7, "gone", "gone", now);
  ASSERT_TRUE(gone);
  store_->write_journal_entry(7, "gone", [&](const std::optional<JournalRecord>& stored) {
    auto r = *stored;
    r.deleted_at = now;
    return std::optional<JournalRecord>(r);
  });
  auto recent = store_->recent_journal_entries(7, now - 90 * kDayUs, 100);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].local_id, "new");
  EXPECT_TRUE(store_->find_journal_entry(7, gone->id)->deleted_at);
}

TEST_F(SyncLogStore, SignalsAndTargetsLogThemselves) {
  const auto now = clock_.now_unix_micros();
  SignalRecord s;
  s.id = Uuid::v4().to_string();
  s.tenant_id = "t";
  s.user_id = 7;
  s.action = "buy";
  s.market_id = "m";
  s.fingerprint = "f";
  s.targets = {"a1"};
  s.received_at = s.updated_at = now;
  ASSERT_TRUE(store_->create_signal(s));
  SignalResultRecord result;
  result.account_id = "a1";
  result.status = "skipped";
  store_->record_signal_result(s.id, result, now);
  store_->finish_signal(s.id, "succeeded", now);
  store_->replace_signal_targets(7, {"a1"}, now);
  auto rows = store_->sync_changes_after(7, 0, 10);
  ASSERT_EQ(rows.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rows[i].changes_json, R"([["signal",")" + s.id + R"("]])") << i;
  EXPECT_EQ(rows[3].changes_json.rfind(R"([["signalTargets",)", 0), 0u) << rows[3].changes_json;
  EXPECT_TRUE(store_->sync_changes_after(8, 0, 10).empty());
}

TEST_F(SyncLogStore, PruningKeepsVersionsAndRemembersWhatWent) {
  const auto now = clock_.now_unix_micros();
  const auto cutoff = now - 30 * kDayUs;
  const auto a1 = log_row(1, now - 40 * kDayUs);
  const auto b1 = log_row(2, now - 35 * kDayUs);
  const auto a2 = log_row(1, now - 1 * kDayUs);
  const auto b2 = log_row(2, now - 31 * kDayUs);  // old, but behind a younger row: kept for now
  EXPECT_EQ(store_->sync_pruned_version(1), 0);
  EXPECT_EQ(store_->oldest_sync_change_at(), now - 40 * kDayUs);

  EXPECT_EQ(store_->prune_sync_changes(cutoff, 1), 1);  // the limit bounds a batch
  EXPECT_EQ(store_->sync_pruned_version(1), a1);
  EXPECT_EQ(store_->sync_pruned_version(2), 0);
  EXPECT_EQ(store_->prune_sync_changes(cutoff, 100), 1);
  EXPECT_EQ(store_->sync_pruned_version(2), b1);
  EXPECT_EQ(store_->prune_sync_changes(cutoff, 100), 0);
  EXPECT_EQ(store_->oldest_sync_change_at(), now - 1 * kDayUs);

  auto left = store_->sync_changes_after(1, 0, 10);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].version, a2);
  EXPECT_EQ(store_->sync_version(1), a2);
  EXPECT_EQ(store_->sync_version(2), b2);

  EXPECT_EQ(store_->prune_sync_changes(now + 1, 100), 2);
  // With every row gone, the versions reached stay: a snapshot's version never goes back.
  EXPECT_EQ(store_->sync_version(1), a2);
  EXPECT_EQ(store_->sync_version(2), b2);
  EXPECT_EQ(store_->sync_pruned_version(1), a2);
  EXPECT_FALSE(store_->oldest_sync_change_at());
  // The next write continues after them.
  EXPECT_GT(log_row(1, now), b2);
}

TEST_F(SyncLogStore, RetentionPassPrunesOnlyRowsOlderThanThirtyDays) {
  ops::Log log{std::make_shared<spdlog::logger>("sync-test", std::make_shared<spdlog::sinks::null_sink_mt>()), false};
  trader::SyncRetention retention(*store_, clock_, log);
  const auto now = clock_.now_unix_micros();
  const auto old = log_row(1, now - 30 * kDayUs + 1000);
  log_row(1, now);
  EXPECT_EQ(retention.prune_once(), 0);
  clock_.advance_millis(1);
  EXPECT_EQ(retention.prune_once(), 0);  // exactly 30 days old is still kept
  clock_.advance_millis(1);
  EXPECT_EQ(retention.prune_once(), 1);
  EXPECT_EQ(store_->sync_pruned_version(1), old);
  EXPECT_EQ(retention.prune_once(), 0);
}

}  // namespace
}  // namespace polysim::store::sqlite
