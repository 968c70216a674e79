#include "engine/ledger_audit.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "engine/position_math.hpp"

namespace polysim::engine {

namespace {

using store::AccountAuditRows;

// Each stored figure is compared with a recomputation from append-only rows exactly once, so one
// corrupt value is reported as one violation rather than a cascade.
class Auditor {
 public:
  explicit Auditor(const AccountAuditRows& rows) : rows_(rows), account_(rows.account) {}

  std::vector<AuditViolation> run() {
    check_ledger_chain();
    check_account_figures();
    check_reservations();
    check_orders_against_fills();
    check_fill_ledger_links();
    replay_positions();
    check_positions();
    check_epoch_identity();
    return std::move(violations_);
  }

 private:
  const AccountAuditRows& rows_;
  const store::AccountRecord& account_;
  std::vector<AuditViolation> violations_;
  std::int64_t ledger_sum_ = 0;

  // Replayed holding of one token within one epoch; a position that closes at size 0 starts over.
  struct Replay {
    PositionState state;
    bool broken = false;  // a fill could not be applied: later comparisons would only echo it
  };
  std::map<std::pair<std::int64_t, std::string>, Replay> replays_;  // (epoch, token)
  std::int64_t epoch_realized_ = 0;
  std::int64_t epoch_fees_ = 0;

  void report(std::string property, std::int64_t expected, std::int64_t found, std::string detail) {
    violations_.push_back(AuditViolation{account_.id, std::move(property), expected, found, std::move(detail)});
  }
  void compare(std::string property, std::int64_t expected, std::int64_t found, std::string detail) {
    if (expected != found) report(std::move(property), expected, found, std::move(detail));
  }
  std::int64_t epoch() const { return account_.reset_count; }

  // §10: seq 1, 2, …; every entry's balance_after is the running sum of amounts. Reported once:
  // the first wrong entry usually makes every later one wrong too.
  void check_ledger_chain() {
    for (std::size_t i = 0; i < rows_.ledger.size(); ++i) {
      const auto& e = rows_.ledger[i];
      const auto want_seq = static_cast<std::int64_t>(i) + 1;
      if (e.seq != want_seq) {
        // The first gap shifts every later seq; reporting them all would say nothing more.
        report("ledger.seq", want_seq, e.seq, "entry " + std::to_string(want_seq) + " of the ledger");
        break;
      }
    }
    bool reported = false;
    for (const auto& e : rows_.ledger) {
      ledger_sum_ += e.amount;
      if (!reported && e.balance_after != ledger_sum_) {
        report("ledger.balance_after", ledger_sum_, e.balance_after,
               "ledger entry seq " + std::to_string(e.seq) + " against the running sum of amounts");
        reported = true;
      }
    }
  }

  // §7.1, §12.1–2: cash + reserved = Σ ledger; no negative cash or reservation.
  void check_account_figures() {
    compare("conservation.ledger", ledger_sum_, account_.cash + account_.reserved,
            "cash + reserved against the sum of " + std::to_string(rows_.ledger.size()) + " ledger entries");
    if (account_.cash < 0) report("nonnegative.cash", 0, account_.cash, "accounts.cash");
    if (account_.reserved < 0) report("nonnegative.reserved", 0, account_.reserved, "accounts.reserved");
  }

  // §12.2: reserved = Σ OPEN BUY reserved_cash, a position's reserved_size = Σ its OPEN SELLs'
  // remainders; an order that ended holds nothing.
  void check_reservations() {
    std::int64_t reserved = 0;
    std::int64_t open_count = 0;
    std::map<std::string, std::int64_t> sell_reserved;  // by token
    for (const auto& o : rows_.orders) {
      if (o.status != "OPEN") {
        if (o.reserved_cash != 0)
          report("reservations.ended_order", 0, o.reserved_cash, "reserved_cash of " + o.status + " order " + o.order_id);
        if (o.reserved_size != 0)
          report("reservations.ended_order", 0, o.reserved_size, "reserved_size of " + o.status + " order " + o.order_id);
        continue;
      }
      ++open_count;
      if (o.side == "BUY") {
        reserved += o.reserved_cash;
      } else {
        sell_reserved[o.token_id] += o.reserved_size;
        compare("reservations.sell_remainder", o.size - o.filled_size, o.reserved_size,
                "reserved_size of OPEN SELL order " + o.order_id + " against size - filled_size");
      }
    }
    compare("reservations.reserved", reserved, account_.reserved, "accounts.reserved against OPEN BUY reserved_cash");
    compare("orders.open_count", open_count, account_.open_orders_count, "accounts.open_orders_count");
    std::set<std::string> seen;
    for (const auto& p : rows_.positions) {
      if (p.status != "OPEN" || !seen.insert(p.token_id).second) continue;
      const auto it = sell_reserved.find(p.token_id);
      compare("reservations.position_reserved_size", it == sell_reserved.end() ? 0 : it->second, p.reserved_size,
              "position " + p.position_id + " (token " + p.token_id + ") against its OPEN SELL orders");
    }
    for (const auto& [token, size] : sell_reserved)
      if (!seen.contains(token))
        report("reservations.position_reserved_size", 0, size,
               "OPEN SELL orders on token " + token + " reserve shares of no OPEN position");
  }

  // §5.5: an order's filled_size, filled_notional and fees are the sums of its fills.
  void check_orders_against_fills() {
    struct Sums {
      std::int64_t size = 0, notional = 0, fee = 0;
    };
    std::map<std::string, Sums> by_order;
    for (const auto& f : rows_.fills) {
      auto& s = by_order[f.order_id];
      s.size += f.size;
      s.notional += f.notional;
      s.fee += f.fee;
    }
    std::set<std::string> orders;
    for (const auto& o : rows_.orders) {
      orders.insert(o.order_id);
      const auto it = by_order.find(o.order_id);
      const Sums s = it == by_order.end() ? Sums{} : it->second;
      compare("orders.filled_size", s.size, o.filled_size, "order " + o.order_id);
      compare("orders.filled_notional", s.notional, o.filled_notional, "order " + o.order_id);
      compare("orders.fees", s.fee, o.fees, "order " + o.order_id);
    }
    std::int64_t last_filled_at = 0;
    for (const auto& f : rows_.fills) {
      if (!orders.contains(f.order_id))
        report("fills.order", 1, 0, "fill " + f.trade_id + " names order " + f.order_id + ", not an order of the account");
      // §12.13: within an account filled_at never decreases in commit order.
      if (f.filled_at < last_filled_at)
        report("fills.filled_at", last_filled_at, f.filled_at, "fill " + f.trade_id + " is earlier than the fill before it");
      last_filled_at = std::max(last_filled_at, f.filled_at);
    }
  }

  // §10: every fill has its trade entry (BUY −notional, SELL +notional) and, when fee > 0, its fee
  // entry (−fee); every settlement its entry (+amount); no trade, fee or settlement entry without one.
  void check_fill_ledger_links() {
    struct Linked {
      std::int64_t trade = 0, fee = 0, settlement = 0;
    };
    std::map<std::string, Linked> by_trade;
    std::map<std::string, Linked> by_settlement;
    for (const auto& e : rows_.ledger) {
      if ((e.type == "trade" || e.type == "fee") && e.trade_id)
        (e.type == "trade" ? by_trade[*e.trade_id].trade : by_trade[*e.trade_id].fee) += e.amount;
      else if (e.type == "settlement" && e.settlement_id)
        by_settlement[*e.settlement_id].settlement += e.amount;
      else if (e.type == "trade" || e.type == "fee" || e.type == "settlement")
        report("ledger.orphan", 0, e.amount, "ledger seq " + std::to_string(e.seq) + " (" + e.type + ") names no trade or settlement");
    }
    for (const auto& f : rows_.fills) {
      const auto it = by_trade.find(f.trade_id);
      const Linked l = it == by_trade.end() ? Linked{} : it->second;
      compare("ledger.trade_entry", f.side == "BUY" ? -f.notional : f.notional, l.trade, "fill " + f.trade_id);
      compare("ledger.fee_entry", -f.fee, l.fee, "fill " + f.trade_id);
      if (it != by_trade.end()) by_trade.erase(it);
    }
    for (const auto& s : rows_.settlements) {
      const auto it = by_settlement.find(s.settlement_id);
      compare("ledger.settlement_entry", s.amount, it == by_settlement.end() ? 0 : it->second.settlement,
              "settlement " + s.settlement_id);
      if (it != by_settlement.end()) by_settlement.erase(it);
    }
    for (const auto& [id, l] : by_trade) report("ledger.orphan", 0, l.trade + l.fee, "ledger entries of unknown fill " + id);
    for (const auto& [id, l] : by_settlement)
      report("ledger.orphan", 0, l.settlement, "ledger entry of unknown settlement " + id);
  }

  // §6 with the engine's own arithmetic: fills in commit order, per epoch and token, then the
  // settlement that ends the token's holding (a resolved market trades no more).
  void replay_positions() {
    for (const auto& f : rows_.fills) {
      auto& r = replays_[{f.epoch, f.token_id}];
      if (f.epoch == epoch()) {
        epoch_realized_ += f.realized_pnl;
        epoch_fees_ += f.fee;
      }
      if (r.broken) continue;
      const auto change = f.side == "BUY" ? apply_buy(r.state, f.size, f.notional, f.fee)
                                          : apply_sell(r.state, f.size, f.notional, f.fee);
      if (!change) {
        report("fills.oversold", r.state.size, f.size, "fill " + f.trade_id + " sells more than the replayed holding");
        r.broken = true;
        continue;
      }
      compare("fills.position_size_after", change->after.size, f.position_size_after, "fill " + f.trade_id);
      compare("fills.realized_pnl", change->realized_pnl, f.realized_pnl, "fill " + f.trade_id);
      r.state = change->after.size == 0 ? PositionState{} : change->after;
    }
    for (const auto& s : rows_.settlements) {
      if (s.epoch == epoch()) epoch_realized_ += s.realized_pnl;
      auto& r = replays_[{s.epoch, s.token_id}];
      if (r.broken) continue;
      const auto change = apply_settlement(r.state, s.amount);
      const std::string what = "settlement " + s.settlement_id;
      compare("settlements.size", r.state.size, s.size, what);
      compare("settlements.cost_basis_released", r.state.cost_basis, s.cost_basis_released, what);
      if (change) compare("settlements.realized_pnl", change->realized_pnl, s.realized_pnl, what);
      r.state = PositionState{};
    }
  }

  // A replayed holding of the current epoch is its OPEN position; older epochs were voided by reset.
  void check_positions() {
    std::map<std::string, const store::PositionRecord*> open;  // by token
    for (const auto& p : rows_.positions) {
      if (p.size < 0) report("nonnegative.position_size", 0, p.size, "position " + p.position_id);
      if (p.reserved_size < 0)
        report("nonnegative.position_reserved_size", 0, p.reserved_size, "position " + p.position_id);
      if (p.status != "OPEN") continue;
      if (p.reserved_size > p.size)
        report("positions.reserved_size", p.size, p.reserved_size,
               "position " + p.position_id + " reserves more than it holds");
      if (p.epoch != epoch())
        report("positions.epoch", epoch(), p.epoch, "OPEN position " + p.position_id + " of an earlier epoch");
      if (!open.emplace(p.token_id, &p).second)
        report("positions.open_duplicate", 1, 2, "second OPEN position " + p.position_id + " on token " + p.token_id);
    }
    std::set<std::string> compared;
    for (const auto& [token, p] : open) {
      const auto it = replays_.find({epoch(), token});
      if (it != replays_.end() && it->second.broken) continue;
      const PositionState want = it == replays_.end() ? PositionState{} : it->second.state;
      const std::string what = "OPEN position " + p->position_id + " (token " + token + ")";
      compare("positions.size", want.size, p->size, what);
      compare("positions.cost_basis", want.cost_basis, p->cost_basis, what);
      compare("positions.realized_pnl", want.realized_pnl, p->realized_pnl, what);
    }
    for (const auto& [key, r] : replays_)
      if (key.first == epoch() && !r.broken && r.state.size != 0 && !open.contains(key.second))
        report("positions.size", r.state.size, 0, "no OPEN position on token " + key.second + " though fills leave shares");
    compare("figures.realized_pnl", epoch_realized_, account_.realized_pnl,
            "accounts.realized_pnl against the epoch's fills and settlements");
    compare("figures.fees_paid", epoch_fees_, account_.fees_paid, "accounts.fees_paid against the epoch's fills");
  }

  // §12.1 from recomputed values only: Σ ledger + Σ replayed cost of held shares =
  // starting_balance + Σ realized P&L of the epoch's fills and settlements.
  void check_epoch_identity() {
    std::int64_t cost = 0;
    for (const auto& [key, r] : replays_) {
      if (key.first != epoch()) continue;
      if (r.broken) return;
      cost += r.state.cost_basis;
    }
    compare("conservation.epoch", account_.starting_balance + epoch_realized_, ledger_sum_ + cost,
            "starting_balance + epoch realized P&L against the ledger sum + cost basis of held shares");
  }
};

}  // namespace

std::vector<AuditViolation> audit_account(const store::AccountAuditRows& rows) { return Auditor(rows).run(); }

}  // namespace polysim::engine
