#include "trader/sync_service.hpp"

#include <map>

#include "auth/auth_failure.hpp"
#include "core/json_input.hpp"
#include "core/json_writer.hpp"
#include "engine/engine.hpp"
#include "trader/journal_render.hpp"
#include "trader/own_accounts.hpp"
#include "trader/signal_render.hpp"
#include "trader/trader_render.hpp"
#include "trader/trading_render.hpp"

namespace polysim::trader {

namespace {
// A trader holds a handful of accounts; this bounds a pathological one's open orders.
constexpr int kMaxSnapshotOrders = 5'000;
}  // namespace

SyncSnapshot SyncService::snapshot(const auth::TraderPrincipal& principal) {
  SyncSnapshot out;
  // Read first: whatever commits while the state is read shows again in changes after it.
  out.version = sync_.sync_version(principal.user_id);
  out.accounts = valued_accounts(engine_, own_accounts(store_, principal));
  store::OrderQuery q;
  for (const auto& v : out.accounts) q.account_ids.push_back(v.account.id);
  q.status = "OPEN";
  q.limit = kMaxSnapshotOrders;
  out.open_orders = engine_store_.list_orders(q);
  out.signal_targets = signals_.signal_targets(principal.user_id);
  out.journal = journal_.recent(principal);
  return out;
}

SyncChanges SyncService::changes(const auth::TraderPrincipal& principal, std::int64_t since, int limit) {
  SyncChanges out;
  out.from_version = out.to_version = since;
  auto rows = sync_.sync_changes_after(principal.user_id, since, limit + 1);
  out.has_more = static_cast<int>(rows.size()) > limit;
  if (out.has_more) rows.resize(static_cast<std::size_t>(limit));
  // Checked after reading: rows pruned while they were read show in the pruned version.
  if (since < sync_.sync_pruned_version(principal.user_id))
    throw auth::AuthFailure(410, "sync_cursor_expired",
                            "Changes after this version are no longer kept; take a new snapshot.");
  // (entity, id) → the version of its latest change; each is rendered once, as it is now.
  std::map<std::pair<std::string, std::string>, std::int64_t> latest;
  for (const auto& row : rows) {
    out.to_version = row.version;
    auto parsed = parse_json(row.changes_json);
    if (!std::holds_alternative<JsonValue>(parsed)) continue;
    for (const auto& item : std::get<JsonValue>(parsed).elements()) {
      if (!item.is_array() || item.elements().size() != 2) continue;
      latest[{item.elements()[0].as_string(), item.elements()[1].as_string()}] = row.version;
    }
  }
  const auto now = engine_.now();
  for (const auto& [key, version] : latest) {
    const auto& [entity, id] = key;
    std::string data;
    JsonWriter w(data);
    if (entity == "account") {
      auto row = store_.find_account(principal.tenant_id, id);
      if (row) write_paper_account(w, valued_accounts(engine_, {*row}).front());
    } else if (entity == "order") {
      if (auto o = engine_store_.find_order(id)) write_order(w, *o);
    } else if (entity == "fill") {
      if (auto f = sync_.find_fill(id)) write_fill(w, *f);
    } else if (entity == "position") {
      if (auto p = sync_.find_position(id)) write_position(w, position_view(std::move(*p), engine_.board(), now));
    } else if (entity == "settlement") {
      if (auto r = sync_.find_settlement(id)) write_settlement(w, *r);
    } else if (entity == "signal") {
      if (auto s = signals_.find_signal(principal.user_id, id)) write_signal(w, *s);
    } else if (entity == "signalTargets") {
      w.raw_json(signal_targets_json(signals_.signal_targets(principal.user_id)));
    } else if (entity == "journal") {
      // A deleted entry is rendered as gone: its change is a delete.
      auto e = journal_store_.find_journal_entry(principal.user_id, id);
      if (e && !e->deleted_at) write_journal_entry(w, *e);
    }
    out.changes.push_back(SyncChange{version, entity, id, data.empty() ? "null" : data});
  }
  std::sort(out.changes.begin(), out.changes.end(),
            [](const SyncChange& a, const SyncChange& b) { return a.version < b.version; });
  return out;
}

}  // namespace polysim::trader
