#include "trader/journal_service.hpp"

#include "engine/engine.hpp"

namespace polysim::trader {

namespace {

bool same_content(const store::JournalRecord& a, const store::JournalRecord& b) {
  return a.kind == b.kind && a.account_id == b.account_id && a.market_id == b.market_id &&
         a.order_id == b.order_id && a.title == b.title && a.body == b.body && a.tags == b.tags;
}

}  // namespace

JournalDecisionOutcome decide_journal_entry(const std::optional<store::JournalRecord>& stored,
                                            const store::JournalRecord& wanted, bool deleted,
                                            std::int64_t base_version, std::int64_t now) {
  if (!stored) {
    // Deleting what the server never had leaves it as it is: the client's wish already holds.
    if (deleted) return {"unchanged", std::nullopt};
    auto created = wanted;
    created.created_at = created.updated_at = now;
    created.deleted_at.reset();
    return {"created", std::move(created)};
  }
  // Checked before the version, so a batch sent again after it was applied changes nothing.
  const bool already = deleted ? stored->deleted_at.has_value() : !stored->deleted_at && same_content(*stored, wanted);
  if (already) return {"unchanged", std::nullopt};
  if (stored->version > base_version) return {"conflict", std::nullopt};
  auto next = deleted ? *stored : wanted;
  next.id = stored->id;
  next.created_at = stored->created_at;
  next.updated_at = now;
  if (deleted) next.deleted_at = now;
  else next.deleted_at.reset();
  return {deleted ? "deleted" : "updated", std::move(next)};
}

std::variant<store::JournalRecord, std::string> JournalService::resolve(const auth::TraderPrincipal& who,
                                                                        const JournalEntryInput& in) {
  store::JournalRecord r;
  r.kind = in.kind;
  r.title = in.title;
  r.body = in.body;
  r.tags = in.tags;
  if (in.account_id) {
    auto account = store_.find_account(who.tenant_id, *in.account_id);
    if (!account || account->user_id != who.user_id) return std::string("accountId names none of your accounts");
    r.account_id = account->id;
  }
  if (in.order_id) {
    auto order = engine_store_.find_order(*in.order_id);
    auto account = order ? store_.find_account(who.tenant_id, order->account_id) : std::nullopt;
    if (!account || account->user_id != who.user_id) return std::string("orderId names none of your orders");
    r.order_id = order->order_id;
  }
  if (in.market) {
    auto market = engine_.board().market(*in.market);
    if (!market) return std::string("marketId names no market");
    r.market_id = market->id;
  }
  return r;
}

JournalResult JournalService::apply(const auth::TraderPrincipal& who, const JournalEntryInput& in) {
  JournalResult result;
  result.local_id = in.local_id;
  store::JournalRecord wanted;
  // A delete's content is ignored, so its references are not checked either.
  if (!in.deleted) {
    auto resolved = resolve(who, in);
    if (auto* why = std::get_if<std::string>(&resolved)) {
      result.status = "invalid";
      result.error = std::move(*why);
      return result;
    }
    wanted = std::move(std::get<store::JournalRecord>(resolved));
  }
  wanted.id = engine_.new_id();
  const auto now = engine_.now();
  std::optional<store::JournalRecord> seen;
  auto written = journal_.write_journal_entry(who.user_id, in.local_id, [&](const auto& stored) {
    seen = stored;
    auto outcome = decide_journal_entry(stored, wanted, in.deleted, in.base_version, now);
    result.status = std::move(outcome.status);
    return std::move(outcome.write);
  });
  const auto& shown = written ? written : seen;
  if (shown) {
    result.id = shown->id;
    result.version = shown->version;
  }
  if (result.status == "conflict") result.server = std::move(seen);
  return result;
}

JournalPush JournalService::push(const auth::TraderPrincipal& who, const std::vector<JournalItem>& items) {
  JournalPush out;
  out.results.reserve(items.size());
  for (const auto& item : items) {
    if (item.entry) {
      out.results.push_back(apply(who, *item.entry));
      continue;
    }
    JournalResult invalid;
    invalid.local_id = item.local_id;
    invalid.status = "invalid";
    invalid.error = item.error;
    out.results.push_back(std::move(invalid));
  }
  out.version = sync_.sync_version(who.user_id);
  return out;
}

std::vector<store::JournalRecord> JournalService::recent(const auth::TraderPrincipal& who) {
  return journal_.recent_journal_entries(who.user_id, engine_.now() - kJournalSnapshotWindowUs, kMaxSnapshotJournal);
}

}  // namespace polysim::trader
