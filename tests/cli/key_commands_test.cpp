#include "cli/key_commands.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "cli/tenant_commands.hpp"
#include "cli_fixture.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim::cli {
namespace {

using testing::CliStoreTest;

constexpr std::int64_t kMinute = 60'000'000;
constexpr std::int64_t kDay = 24 * 60 * kMinute;

const std::vector<std::string> kAllScopes = {"users:write", "accounts:write", "accounts:read"};

class KeyCommandsTest : public CliStoreTest {
 protected:
  void SetUp() override {
    CliStoreTest::SetUp();
    TenantCreateInput input;
    input.name = "acme";
    tenant_ = create_tenant(context(), input);
  }

  CreatedKey create(std::optional<std::string> scopes = std::nullopt,
                    std::optional<std::string> expires_in = std::nullopt) {
    KeyCreateInput input;
    input.tenant = "acme";
    input.name = "backend";
    input.scopes = std::move(scopes);
    input.expires_in = std::move(expires_in);
    return create_key(context(), input);
  }

  long long audits(const std::string& action) {
    return static_cast<long long>(rows("SELECT 1 FROM audit_log WHERE action = '" + action + "'").size());
  }

  store::TenantRecord tenant_;
};

TEST(KeyScopes, ParsesSubsetsInCanonicalOrder) {
  EXPECT_EQ(parse_scopes("users:write,accounts:write,accounts:read"), kAllScopes);
  EXPECT_EQ(parse_scopes("accounts:read"), std::vector<std::string>{"accounts:read"});
  EXPECT_EQ(parse_scopes("accounts:read,users:write"), (std::vector<std::string>{"users:write", "accounts:read"}));
  EXPECT_EQ(parse_scopes(" accounts:write , accounts:write,"), std::vector<std::string>{"accounts:write"});
}

TEST(KeyScopes, RejectsUnknownAndEmpty) {
  for (const std::string bad : {"", ",", " , ", "admin", "users:read", "USERS:WRITE", "users:write,admin",
                                "users:write;accounts:read"}) {
    EXPECT_THROW(parse_scopes(bad), InvalidInput) << bad;
  }
}

TEST(KeyExpiresIn, ParsesEachUnit) {
  EXPECT_EQ(parse_expires_in("15m"), 15 * kMinute);
  EXPECT_EQ(parse_expires_in("2h"), 120 * kMinute);
  EXPECT_EQ(parse_expires_in("90d"), 90 * kDay);
  EXPECT_EQ(parse_expires_in("1y"), 365 * kDay);
  EXPECT_EQ(parse_expires_in("007d"), 7 * kDay);
}

TEST(KeyExpiresIn, RejectsMalformed) {
  for (const std::string bad : {"", "d", "90", "0d", "0m", "-1d", "+1d", "1w", "1s", "1.5d", "1D", " 1d", "1d ",
                                "1dd", "d1", "99999999999999999999y", "9999999999999y"}) {
    EXPECT_THROW(parse_expires_in(bad), InvalidInput) << bad;
  }
}

TEST_F(KeyCommandsTest, CreatePrintsAWellFormedKeyWithDefaults) {
  const auto created = create();
  EXPECT_TRUE(std::regex_match(created.key, std::regex("^ps_tenant_[a-z2-7]{52}$"))) << created.key;
  EXPECT_EQ(created.record.prefix, created.key.substr(0, 14));
  EXPECT_EQ(created.record.scopes, kAllScopes);
  EXPECT_FALSE(created.record.expires_at.has_value());
  EXPECT_EQ(created.record.tenant_id, tenant_.id);
  EXPECT_EQ(created.record.created_at, clock().now_unix_micros());
  ASSERT_TRUE(Uuid::parse(created.record.id).has_value());
  EXPECT_EQ(key_status(created.record, clock().now_unix_micros()), "active");
  EXPECT_EQ(audits("api_key.create"), 1);
}

TEST_F(KeyCommandsTest, StoresOnlyTheHash) {
  const auto created = create("accounts:read", "90d");
  const auto digest = sha256(created.key);
  const std::string raw_hash(reinterpret_cast<const char*>(digest.data()), digest.size());

  // The authenticator finds the key by the raw SHA-256 of the plaintext.
  const auto found = store().find_api_key_by_hash(raw_hash);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, created.record.id);
  EXPECT_EQ(found->scopes, std::vector<std::string>{"accounts:read"});
  EXPECT_EQ(found->expires_at, clock().now_unix_micros() + 90 * kDay);

  const auto secret_part = created.key.substr(14);
  const auto key_rows = rows("SELECT * FROM api_keys");
  ASSERT_EQ(key_rows.size(), 1u);
  bool hash_seen = false;
  for (const auto& column : key_rows[0]) {
    EXPECT_EQ(column.find(created.key), std::string::npos);
    EXPECT_EQ(column.find(secret_part), std::string::npos);
    if (column == raw_hash) hash_seen = true;
  }
  EXPECT_TRUE(hash_seen);
  EXPECT_EQ(rows("SELECT key_hash FROM api_keys")[0][0].size(), 32u);

  for (const auto& row : rows("SELECT * FROM audit_log"))
    for (const auto& column : row) EXPECT_EQ(column.find(secret_part), std::string::npos);
}

TEST_F(KeyCommandsTest, EveryKeyIsDifferent) {
  const auto a = create();
  const auto b = create();
  EXPECT_NE(a.key, b.key);
  EXPECT_NE(a.record.id, b.record.id);
  EXPECT_EQ(list_keys(store(), "acme").size(), 2u);
}

TEST_F(KeyCommandsTest, InvalidInputWritesNothing) {
  EXPECT_THROW(create("admin"), InvalidInput);
  EXPECT_THROW(create(std::string()), InvalidInput);
  EXPECT_THROW(create(std::nullopt, "0d"), InvalidInput);
  EXPECT_THROW(create(std::nullopt, "10000y"), InvalidInput);  // past year 9999
  KeyCreateInput input;
  input.tenant = "nobody";
  EXPECT_THROW(create_key(context(), input), InvalidInput);
  input.tenant = "acme";
  input.name = std::string(101, 'n');
  EXPECT_THROW(create_key(context(), input), InvalidInput);
  EXPECT_EQ(count("api_keys"), 0);
  EXPECT_EQ(audits("api_key.create"), 0);
}

TEST_F(KeyCommandsTest, ListsOnlyTheTenantsKeys) {
  create();
  TenantCreateInput other;
  other.name = "other";
  create_tenant(context(), other);
  KeyCreateInput input;
  input.tenant = "other";
  create_key(context(), input);
  const auto keys = list_keys(store(), tenant_.id);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].tenant_id, tenant_.id);
  EXPECT_THROW(list_keys(store(), "nobody"), InvalidInput);
}

TEST_F(KeyCommandsTest, ExpiresAfterTheGivenTime) {
  const auto created = create(std::nullopt, "15m");
  EXPECT_EQ(key_status(created.record, clock().now_unix_micros()), "active");
  clock().advance_millis(15 * 60 * 1000);
  EXPECT_EQ(key_status(created.record, clock().now_unix_micros()), "expired");
}

TEST_F(KeyCommandsTest, DeactivateAndReactivate) {
  const auto created = create();
  const auto& id = created.record.id;
  clock().advance_millis(1000);
  const auto deactivated_at = clock().now_unix_micros();
  auto key = change_key_state(context(), id, KeyStateChange::Deactivate);
  EXPECT_EQ(key.deactivated_at, deactivated_at);
  EXPECT_EQ(key_status(key, deactivated_at), "deactivated");
  EXPECT_EQ(store().find_api_key(id)->deactivated_at, deactivated_at);

  // Repeating keeps the original time and writes no second audit entry.
  clock().advance_millis(1000);
  EXPECT_EQ(change_key_state(context(), id, KeyStateChange::Deactivate).deactivated_at, deactivated_at);
  EXPECT_EQ(audits("api_key.deactivate"), 1);

  key = change_key_state(context(), id, KeyStateChange::Reactivate);
  EXPECT_FALSE(key.deactivated_at.has_value());
  EXPECT_FALSE(store().find_api_key(id)->deactivated_at.has_value());
  EXPECT_EQ(key_status(*store().find_api_key(id), clock().now_unix_micros()), "active");
  change_key_state(context(), id, KeyStateChange::Reactivate);
  EXPECT_EQ(audits("api_key.reactivate"), 1);
}

TEST_F(KeyCommandsTest, RevokeIsPermanent) {
  const auto created = create();
  const auto& id = created.record.id;
  change_key_state(context(), id, KeyStateChange::Deactivate);
  clock().advance_millis(1000);
  const auto revoked_at = clock().now_unix_micros();
  auto key = change_key_state(context(), id, KeyStateChange::Revoke);
  EXPECT_EQ(key.revoked_at, revoked_at);
  EXPECT_EQ(key_status(key, revoked_at), "revoked");
  EXPECT_EQ(store().find_api_key(id)->revoked_at, revoked_at);

  EXPECT_THROW(change_key_state(context(), id, KeyStateChange::Reactivate), InvalidInput);
  EXPECT_THROW(change_key_state(context(), id, KeyStateChange::Deactivate), InvalidInput);
  clock().advance_millis(1000);
  EXPECT_EQ(change_key_state(context(), id, KeyStateChange::Revoke).revoked_at, revoked_at);
  const auto stored = store().find_api_key(id);
  EXPECT_EQ(stored->revoked_at, revoked_at);
  EXPECT_EQ(key_status(*stored, clock().now_unix_micros()), "revoked");
  EXPECT_EQ(audits("api_key.revoke"), 1);
}

TEST_F(KeyCommandsTest, UnknownOrMalformedIdsAreInvalidInput) {
  EXPECT_THROW(change_key_state(context(), Uuid::v4().to_string(), KeyStateChange::Revoke), InvalidInput);
  EXPECT_THROW(change_key_state(context(), "ps_tenant_abc", KeyStateChange::Revoke), InvalidInput);
  EXPECT_THROW(change_key_state(context(), "", KeyStateChange::Deactivate), InvalidInput);
}

}  // namespace
}  // namespace polysim::cli
