#include "app/market_json.hpp"

#include "core/decimal.hpp"
#include "core/time_format.hpp"

namespace polysim::app {

namespace {

void opt_string(JsonWriter& w, std::string_view key, const std::optional<std::string>& v) {
  w.key(key);
  if (v) w.string(*v);
  else w.null();
}

void opt_time(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& t) {
  w.key(key);
  if (t) w.string(format_rfc3339_millis(*t));
  else w.null();
}

void side(JsonWriter& w, const std::vector<engine::BookLevel>& levels) {
  w.begin_array();
  for (const auto& l : levels) {
    w.begin_array();
    w.string(format_decimal(l.price, 0));
    w.string(format_decimal(l.size, 0));
    w.end_array();
  }
  w.end_array();
}

}  // namespace

void write_admin_market(JsonWriter& w, const store::MarketRecord& m) {
  w.begin_object();
  w.key("market_id"); w.string(m.id);
  w.key("slug"); w.string(m.slug);
  w.key("question"); w.string(m.question);
  w.key("category"); w.string(m.category);
  w.key("status"); w.string(m.status);
  opt_time(w, "end_date", m.end_date);
  opt_string(w, "resolution", m.resolution);
  opt_time(w, "resolved_at", m.resolved_at);
  w.key("tick_size"); w.string(format_decimal(m.tick_size, 0));
  w.key("min_order_size"); w.string(format_decimal(m.min_order_size, 0));
  w.key("taker_fee_bps"); w.number(m.taker_fee_bps);
  w.key("maker_fee_bps"); w.number(m.maker_fee_bps);
  w.key("feed"); w.string(m.feed);
  w.key("stale_after"); w.number(m.stale_after_s);
  w.key("outcomes");
  w.begin_array();
  w.begin_object();
  w.key("outcome"); w.string("YES");
  w.key("label"); w.string(m.yes_label.value_or("Yes"));
  w.key("token_id"); w.string(m.yes_token_id);
  w.end_object();
  w.begin_object();
  w.key("outcome"); w.string("NO");
  w.key("label"); w.string(m.no_label.value_or("No"));
  w.key("token_id"); w.string(m.no_token_id);
  w.end_object();
  w.end_array();
  opt_string(w, "external_ref", m.external_ref);
  w.key("created_at"); w.string(format_rfc3339_millis(m.created_at));
  w.end_object();
}

void write_admin_books(JsonWriter& w, const engine::MarketBoard& board, const store::MarketRecord& m,
                       std::int64_t now) {
  w.begin_object();
  for (auto [name, token] : {std::pair{"YES", &m.yes_token_id}, std::pair{"NO", &m.no_token_id}}) {
    w.key(name);
    w.begin_object();
    w.key("token_id"); w.string(*token);
    auto book = board.book(*token);
    w.key("seq"); w.number(book ? book->seq : 0);
    w.key("stale"); w.boolean(!book || !engine::is_fresh(*book, m.stale_after_s, now));
    w.key("bids");
    side(w, book ? book->bids : std::vector<engine::BookLevel>{});
    w.key("asks");
    side(w, book ? book->asks : std::vector<engine::BookLevel>{});
    w.end_object();
  }
  w.end_object();
}

}  // namespace polysim::app
