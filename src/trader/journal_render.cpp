#include "trader/journal_render.hpp"

#include "core/time_format.hpp"

namespace polysim::trader {

namespace {

void opt_text(JsonWriter& w, std::string_view key, const std::optional<std::string>& v) {
  w.key(key);
  if (v) w.string(*v);
  else w.null();
}

}  // namespace

void write_journal_entry(JsonWriter& w, const store::JournalRecord& e) {
  w.begin_object();
  w.key("id"); w.string(e.id);
  w.key("localId"); w.string(e.local_id);
  w.key("kind"); w.string(e.kind);
  opt_text(w, "accountId", e.account_id);
  opt_text(w, "marketId", e.market_id);
  opt_text(w, "orderId", e.order_id);
  opt_text(w, "title", e.title);
  opt_text(w, "body", e.body);
  w.key("tags");
  w.begin_array();
  for (const auto& t : e.tags) w.string(t);
  w.end_array();
  w.key("deleted"); w.boolean(e.deleted_at.has_value());
  w.key("createdAt"); w.string(format_rfc3339_millis(e.created_at));
  w.key("updatedAt"); w.string(format_rfc3339_millis(e.updated_at));
  w.key("version"); w.number(e.version);
  w.key("deletedAt");
  if (e.deleted_at) w.string(format_rfc3339_millis(*e.deleted_at));
  else w.null();
  w.end_object();
}

std::string journal_entry_json(const store::JournalRecord& entry) {
  std::string out;
  JsonWriter w(out);
  write_journal_entry(w, entry);
  return out;
}

std::string journal_push_json(const JournalPush& push) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("version"); w.number(push.version);
  w.key("results");
  w.begin_array();
  for (const auto& r : push.results) {
    w.begin_object();
    opt_text(w, "localId", r.local_id);
    opt_text(w, "id", r.id);
    w.key("status"); w.string(r.status);
    w.key("version");
    if (r.version) w.number(*r.version);
    else w.null();
    w.key("server");
    if (r.server) write_journal_entry(w, *r.server);
    else w.null();
    opt_text(w, "error", r.error);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace polysim::trader
