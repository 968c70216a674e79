// The outbox end to end over SMTP: a mail row committed by the store (through the login-link path,
// the way production writes it) is delivered by OutboxSender through SmtpTransport, and a
// temporary refusal leaves it due again after the backoff.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "support/smtp_sink.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "email/outbox_sender.hpp"
#include "email/smtp_transport.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace polysim::email {
namespace {

using namespace std::chrono_literals;
using testing::SmtpSink;
using testing::SmtpSinkFailure;

constexpr std::int64_t kMinuteMillis = 60'000;

struct OutboxRow {
  std::int64_t attempts = 0;
  bool sent = false;
  std::string last_error;
};

class SmtpOutboxDelivery : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("polysim-smtp-test-" + Uuid::v4().to_string());
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = db_path()});
    store_->migrate();
    auto settings = SmtpSettings::parse("smtp://127.0.0.1:" + std::to_string(sink_.port()), nullptr);
    ASSERT_TRUE(settings);
    transport_ = std::make_unique<SmtpTransport>(*settings, "no-reply@polysim.invalid", 2s);
    sender_ = std::make_unique<OutboxSender>(*store_, *transport_, clock_, log_);
  }

  void TearDown() override {
    sender_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string db_path() const { return (dir_ / "polysim.db").string(); }

  // A tenant, a partner user and a login link whose mail lands in the outbox in the same
  // transaction: the store's only way to write an outbox row. Returns the mail id.
  std::string queue_login_link_mail() {
    const auto now = clock_.now_unix_micros();
    store::TenantRecord tenant;
    tenant.id = "tenant-smtp";
    tenant.name = "smtp-test";
    tenant.display_name = "SMTP Test";
    tenant.created_at = tenant.updated_at = now;
    store_->create_tenant(tenant);
    const auto [outcome, user] = store_->create_partner_user(store::PartnerUserCreate{
        tenant.id, "ext-1", "trader@example.com", "{}", Uuid::v4().to_string(), now});
    EXPECT_EQ(outcome, store::PartnerUserOutcome::Created);

    store::LoginLinkIssue issue;
    issue.tenant_id = tenant.id;
    issue.user_id = user.user_id;
    issue.token_hash = std::string(32, '\x5a');
    issue.prefix = "ll_test";
    issue.landing_url = "https://app.example.com/";
    issue.expires_at = now + 10 * kMinuteMillis * 1000;
    issue.now = now;
    issue.mail.id = Uuid::v4().to_string();
    issue.mail.tenant_id = tenant.id;
    issue.mail.recipient = user.email;
    issue.mail.kind = "login_link";
    issue.mail.subject = "Your sign-in link for SMTP Test";
    issue.mail.link = "https://app.example.com/?token=ll_test";
    issue.mail.text = "Use this link within 10 minutes to sign in.\n\n" + *issue.mail.link + "\n";
    issue.mail.created_at = now;
    store_->issue_login_link(issue);
    return issue.mail.id;
  }

  // Read past the store, so the test sees what is on disk.
  std::optional<OutboxRow> outbox_row(const std::string& id) const {
    sqlite3* db = nullptr;
    std::optional<OutboxRow> row;
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* statement = nullptr;
      const char* sql =
          "SELECT attempts, sent_at IS NOT NULL, coalesce(last_error, '') FROM email_outbox WHERE id = ?1";
      if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(statement, 1, id.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(statement) == SQLITE_ROW)
          row = OutboxRow{sqlite3_column_int64(statement, 0), sqlite3_column_int(statement, 1) != 0,
                          reinterpret_cast<const char*>(sqlite3_column_text(statement, 2))};
      }
      sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    return row;
  }

  SmtpSink sink_;
  ManualClock clock_;
  ops::Log log_{std::make_shared<spdlog::logger>("smtp-test", std::make_shared<spdlog::sinks::null_sink_mt>()), false};
  std::filesystem::path dir_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<SmtpTransport> transport_;
  std::unique_ptr<OutboxSender> sender_;
};

TEST_F(SmtpOutboxDelivery, DueMailIsDeliveredOnceAndMarkedSent) {
  const auto id = queue_login_link_mail();
  EXPECT_EQ(sender_->deliver_due(), 1);
  ASSERT_TRUE(sink_.wait_for(1, 2s));
  const auto mail = sink_.messages().at(0);
  EXPECT_EQ(mail.rcpt_to, std::vector<std::string>{"trader@example.com"});
  EXPECT_EQ(mail.headers.at("Message-ID"), "<" + id + "@polysim>");
  EXPECT_EQ(mail.headers.at("X-Polysim-Mail-Kind"), "login_link");
  EXPECT_NE(mail.body.find("https://app.example.com/?token=ll_test\r\n"), std::string::npos) << mail.body;

  const auto row = outbox_row(id);
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->sent);
  EXPECT_EQ(row->attempts, 1);

  clock_.advance_millis(2 * 60 * kMinuteMillis);
  EXPECT_EQ(sender_->deliver_due(), 0);
  EXPECT_EQ(sink_.connections(), 1u);
}

TEST_F(SmtpOutboxDelivery, TemporaryRefusalIsRetriedAfterTheBackoff) {
  const auto id = queue_login_link_mail();
  sink_.set_failure_mode(SmtpSinkFailure::TemporaryFailure);
  EXPECT_EQ(sender_->deliver_due(), 0);
  EXPECT_EQ(sink_.connections(), 1u);
  auto row = outbox_row(id);
  ASSERT_TRUE(row);
  EXPECT_FALSE(row->sent);
  EXPECT_EQ(row->attempts, 1);
  EXPECT_NE(row->last_error.find("451"), std::string::npos) << row->last_error;

  sink_.set_failure_mode(SmtpSinkFailure::None);
  // The first retry waits one minute: not yet due just before it.
  clock_.advance_millis(kMinuteMillis - 1'000);
  EXPECT_EQ(sender_->deliver_due(), 0);
  EXPECT_EQ(sink_.connections(), 1u);

  clock_.advance_millis(2'000);
  EXPECT_EQ(sender_->deliver_due(), 1);
  ASSERT_TRUE(sink_.wait_for(1, 2s));
  EXPECT_EQ(sink_.messages().at(0).headers.at("Message-ID"), "<" + id + "@polysim>");
  row = outbox_row(id);
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->sent);
  EXPECT_EQ(row->attempts, 2);
}

TEST_F(SmtpOutboxDelivery, SilentServerLeavesTheMailDueLater) {
  const auto id = queue_login_link_mail();
  sink_.set_failure_mode(SmtpSinkFailure::Silent);
  sender_.reset();
  transport_ = std::make_unique<SmtpTransport>(transport_->settings(), "no-reply@polysim.invalid", 300ms);
  sender_ = std::make_unique<OutboxSender>(*store_, *transport_, clock_, log_);
  EXPECT_EQ(sender_->deliver_due(), 0);
  const auto row = outbox_row(id);
  ASSERT_TRUE(row);
  EXPECT_FALSE(row->sent);
  EXPECT_NE(row->last_error.find("300 ms"), std::string::npos) << row->last_error;
}

}  // namespace
}  // namespace polysim::email
