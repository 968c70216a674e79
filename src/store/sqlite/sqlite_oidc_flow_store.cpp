// SqliteStore's OIDC flows (store/oidc_flow_store.hpp, migration 13).
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

// Expired flows are kept a day, long enough to tell "expired" from "unknown" in the logs.
constexpr std::int64_t kFlowRetention = 24LL * 3600 * 1'000'000;

}  // namespace

void SqliteStore::create_oidc_flow(const OidcFlowRecord& flow) {
  impl_->write([&](SqliteConnection& c) {
    auto prune = c.prepare("DELETE FROM oidc_flows WHERE expires_at < ?1");
    prune.bind(1, flow.created_at - kFlowRetention);
    prune.run();
    auto s = c.prepare(
        "INSERT INTO oidc_flows (state_hash, app_id, provider, nonce, code_verifier, redirect_url, app_state, "
        "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    s.bind_blob(1, flow.state_hash).bind(2, flow.app_id).bind(3, flow.provider).bind(4, flow.nonce);
    s.bind(5, flow.code_verifier).bind(6, flow.redirect_url).bind(7, flow.app_state);
    s.bind(8, flow.created_at).bind(9, flow.expires_at);
    s.run();
  });
}

std::optional<OidcFlowRecord> SqliteStore::consume_oidc_flow(std::string_view state_hash, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) -> std::optional<OidcFlowRecord> {
    auto used = c.prepare(
        "UPDATE oidc_flows SET used_at = ?2 WHERE state_hash = ?1 AND used_at IS NULL AND expires_at > ?2");
    used.bind_blob(1, state_hash).bind(2, now);
    used.run();
    if (c.changes() != 1) return std::nullopt;
    auto s = c.prepare(
        "SELECT state_hash, app_id, provider, nonce, code_verifier, redirect_url, app_state, created_at, expires_at, "
        "used_at FROM oidc_flows WHERE state_hash = ?1");
    s.bind_blob(1, state_hash);
    if (!s.step()) return std::nullopt;
    OidcFlowRecord r;
    r.state_hash = s.blob(0);
    r.app_id = s.text(1);
    r.provider = s.text(2);
    r.nonce = s.text(3);
    r.code_verifier = s.text(4);
    r.redirect_url = s.text(5);
    r.app_state = s.opt_text(6);
    r.created_at = s.int64(7);
    r.expires_at = s.int64(8);
    r.used_at = s.opt_int64(9);
    return r;
  });
}

}  // namespace polysim::store::sqlite
