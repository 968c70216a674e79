// The replay feed's script format (40-trading-engine.md §3.4): one JSON object per line, read
// into typed events and scheduled against the first line's `ts`. Pure and deterministic: no
// threads, files or clocks here, so a feed source can own the timing and back-pressure while
// every rule about what a line may say is tested in isolation.
//
// What is checked here is everything a line says on its own. The tick grid is not, because only
// the engine knows a market's tick; it checks the grid when the book is published (§3.1).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/taker_walk.hpp"

namespace polysim::engine {

// A longer line is refused before it is parsed: a full book (2 × 50 levels) needs a few KB, and
// the admin listener bounds its JSON bodies the same way.
inline constexpr std::size_t kMaxReplayLineBytes = 64 * 1024;

// `"type":"market"`: creates the market if no market has this slug (§2 fields by name; absent
// optional fields take the engine's defaults, which depend on the category and tick).
struct ReplayMarket {
  std::int64_t ts = 0;  // Unix µs
  std::string slug;
  std::string question;
  std::string category = "other";              // store::MarketRecord's default when the line has none
  std::optional<std::int64_t> tick_size;       // price micros: 100'000, 10'000, 1'000 or 100
  std::optional<std::int64_t> min_order_size;  // share micros, > 0
  std::optional<std::int64_t> taker_fee_bps;   // 0 … 10'000
  std::optional<std::int64_t> maker_fee_bps;   // 0 … 10'000
  std::optional<std::int64_t> end_date;        // Unix µs; absent and null both mean none
  std::optional<std::int64_t> stale_after_s;   // JSON key `stale_after`; 0 … 86'400, 0 = never
  std::optional<std::string> yes_label;
  std::optional<std::string> no_label;
};

// `"type":"book"` (the default): replaces the outcome token's whole book. `mirror` defaults to
// true, as for the admin push of §3.5, so a script that only writes YES books keeps NO ≈ 1 − YES.
struct ReplayBook {
  std::int64_t ts = 0;
  std::string market;   // slug or market id
  std::string outcome;  // YES | NO
  bool mirror = true;
  std::vector<BookLevel> bids;  // best first; price and share micros
  std::vector<BookLevel> asks;
};

// `"type":"status"`: closes or reopens the market (§2 lifecycle rules are the engine's).
struct ReplayStatus {
  std::int64_t ts = 0;
  std::string market;
  std::string status;  // open | closed
};

// `"type":"resolve"`: closes, resolves and settles the market (§2, §8).
struct ReplayResolve {
  std::int64_t ts = 0;
  std::string market;
  std::string outcome;  // YES | NO
};

using ReplayEvent = std::variant<ReplayMarket, ReplayBook, ReplayStatus, ReplayResolve>;

std::int64_t replay_event_ts(const ReplayEvent& event);

struct ReplayLineError {
  std::string message;  // names the field and what is wrong with it; safe to show an operator
};

// Blank lines (empty or only spaces, tabs, CR, LF) carry no event. The script skips them, so a
// trailing newline or a spacer line does not stop a replay; parse_replay_line alone refuses them.
bool is_blank_replay_line(std::string_view line);

// One line into one event. Objects are strict: unknown or duplicate keys are errors, so a typo
// such as "bid" fails loudly instead of publishing an empty side. Prices and sizes may be JSON
// strings or number tokens (00-overview.md: requests accept either), read from their exact text.
// Book lines must satisfy §3.1 except the tick grid: prices inside (0, 1) with at most 6
// decimals, sizes > 0 and ≤ 10^12 shares, ≤ 50 levels a side, sorted best first without
// duplicates, best bid < best ask.
std::variant<ReplayEvent, ReplayLineError> parse_replay_line(std::string_view line);

// `feed.replay.speed`: how many seconds of script time pass per second of wall time, or `max`
// (as fast as the engine takes the events). Built only by parse_replay_speed / max(), so a held
// value is always in range.
class ReplaySpeed {
 public:
  static ReplaySpeed max() { return ReplaySpeed(std::nullopt); }

  bool is_max() const { return factor_micros_ == std::nullopt; }
  // Speed × 10^6, in [1, 10^10]; nullopt for max.
  std::optional<std::int64_t> factor_micros() const { return factor_micros_; }

  // Wall-clock µs after the start at which an event `script_elapsed` µs after ts_0 is due,
  // rounded down to the µs; 0 for max. nullopt when it does not fit in int64 (only a very slow
  // speed over a very long script gets there).
  std::optional<std::int64_t> due_offset(std::int64_t script_elapsed) const;

  friend bool operator==(const ReplaySpeed&, const ReplaySpeed&) = default;

 private:
  explicit ReplaySpeed(std::optional<std::int64_t> factor_micros) : factor_micros_(factor_micros) {}
  friend std::optional<ReplaySpeed> parse_replay_speed(std::string_view text);

  std::optional<std::int64_t> factor_micros_;
};

// "max", or a plain decimal with at most 6 decimals in (0, 10000]: "1", "2", "0.5", "10000".
// Anything else ("0", "-1", "10000.5", "1e3", " 2", "MAX", "") is nullopt.
std::optional<ReplaySpeed> parse_replay_speed(std::string_view text);

// An event with the wall-clock offset from the replay's start at which it is due.
struct ScheduledReplayEvent {
  std::int64_t line_number = 0;  // 1-based, counting blank lines, as an editor shows the file
  std::int64_t due_offset_micros = 0;
  ReplayEvent event;
};

struct SkippedReplayLine {  // a blank line
  std::int64_t line_number = 0;
};

// The replay stops at this line; lines before it stay applied (§3.4).
struct ReplayStop {
  std::int64_t line_number = 0;
  std::string message;
};

using ReplayStep = std::variant<ScheduledReplayEvent, SkippedReplayLine, ReplayStop>;

// Reads one script pass line by line. ts_0 is the first event's ts; each later event must not
// go back in time (equal ts are fine and keep file order). After a stop every further line gets
// the same stop back: a script is never resumed past a bad line. A new pass (`feed.replay.loop`)
// is a new ReplayScript.
class ReplayScript {
 public:
  explicit ReplayScript(ReplaySpeed speed) : speed_(speed) {}

  ReplayStep next(std::string_view line);

  std::int64_t lines_read() const { return line_number_; }
  const std::optional<ReplayStop>& stop() const { return stop_; }

 private:
  ReplayStop stop_at(std::string message);

  ReplaySpeed speed_;
  std::int64_t line_number_ = 0;
  std::optional<std::int64_t> first_ts_;
  std::int64_t last_ts_ = 0;
  std::optional<ReplayStop> stop_;
};

}  // namespace polysim::engine
