#include "feed/replay_feed.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>

#include "engine/engine.hpp"

namespace polysim::feed {

namespace {

using Clock = std::chrono::steady_clock;

// Longer lines are refused by the script anyway; reading stops here so one cannot fill memory.
constexpr std::size_t kMaxLineBytes = engine::kMaxReplayLineBytes + 2;

bool read_line(std::istream& in, std::string& line) {
  line.clear();
  char c;
  while (in.get(c)) {
    if (c == '\n') return true;
    if (line.size() < kMaxLineBytes) line.push_back(c);
  }
  return !line.empty();
}

}  // namespace

ReplayFeed::~ReplayFeed() { stop(); }

std::optional<std::string> ReplayFeed::start(ReplayOptions options) {
  {
    std::ifstream probe(options.file);
    if (!probe) return "cannot open " + options.file;
  }
  stop();
  std::lock_guard lock(mutex_);
  stopping_ = false;
  progress_ = ReplayProgress{};
  progress_.state = "running";
  progress_.file = options.file;
  progress_.speed = options.speed_text;
  progress_.loop = options.loop;
  thread_ = std::thread([this, options = std::move(options)] { run(options); });
  return std::nullopt;
}

void ReplayFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ReplayProgress ReplayFeed::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

void ReplayFeed::finish(std::string state, std::optional<std::int64_t> line, std::optional<std::string> reason) {
  std::lock_guard lock(mutex_);
  if (progress_.state != "running") return;
  progress_.state = std::move(state);
  progress_.stopped_at_line = line;
  progress_.stop_reason = std::move(reason);
}

void ReplayFeed::run(ReplayOptions options) {
  while (play_once(options)) {
    {
      std::lock_guard lock(mutex_);
      ++progress_.passes;
    }
    if (!options.loop) return finish("finished");
  }
}

bool ReplayFeed::play_once(const ReplayOptions& options) {
  std::ifstream in(options.file);
  if (!in) {
    finish("stopped", 0, "cannot open " + options.file);
    return false;
  }
  engine::ReplayScript script(options.speed);
  const auto started = Clock::now();
  std::string line;
  while (read_line(in, line)) {
    auto step = script.next(line);
    if (auto* stop = std::get_if<engine::ReplayStop>(&step)) {
      spdlog::warn("replay stopped at line {}: {}", stop->line_number, stop->message);
      finish("stopped", stop->line_number, stop->message);
      return false;
    }
    auto* scheduled = std::get_if<engine::ScheduledReplayEvent>(&step);
    if (!scheduled) continue;  // a blank line
    {
      std::unique_lock lock(mutex_);
      const auto due = started + std::chrono::microseconds(scheduled->due_offset_micros);
      if (cv_.wait_until(lock, due, [this] { return stopping_; })) {
        progress_.state = "stopped";
        progress_.stop_reason = "stopped by the operator";
        return false;
      }
    }
    if (auto problem = apply(scheduled->event)) {
      spdlog::warn("replay stopped at line {}: {}", scheduled->line_number, *problem);
      finish("stopped", scheduled->line_number, *problem);
      return false;
    }
    std::lock_guard lock(mutex_);
    ++progress_.lines_applied;
  }
  return true;
}

std::optional<std::string> ReplayFeed::apply(const engine::ReplayEvent& event) {
  auto failure = [](const engine::MarketChange& change) -> std::optional<std::string> {
    if (change.error) return change.error->message;
    return std::nullopt;
  };
  if (const auto* m = std::get_if<engine::ReplayMarket>(&event)) {
    if (engine_.board().market(m->slug)) return std::nullopt;  // "creates an unknown slug"
    auto market = engine_.draft_market(m->slug, m->question, m->category, m->tick_size.value_or(10'000), "replay");
    if (m->min_order_size) market.min_order_size = *m->min_order_size;
    if (m->taker_fee_bps) market.taker_fee_bps = *m->taker_fee_bps;
    if (m->maker_fee_bps) market.maker_fee_bps = *m->maker_fee_bps;
    if (m->stale_after_s) market.stale_after_s = *m->stale_after_s;
    market.end_date = m->end_date;
    market.yes_label = m->yes_label;
    market.no_label = m->no_label;
    return failure(engine_.create_market(std::move(market)));
  }
  if (const auto* b = std::get_if<engine::ReplayBook>(&event)) {
    auto market = engine_.board().market(b->market);
    if (!market) return "unknown market " + b->market;
    if (auto problem = failure(engine_.set_market_feed(market->id, "replay"))) return problem;
    const bool yes = b->outcome == "YES";
    std::vector<engine::BookUpdate> updates{
        {yes ? market->yes_token_id : market->no_token_id, b->bids, b->asks, std::nullopt}};
    if (b->mirror)
      updates.push_back({yes ? market->no_token_id : market->yes_token_id, engine::mirror_side(b->asks),
                         engine::mirror_side(b->bids), std::nullopt});
    auto published = engine_.push_books(updates);
    if (auto* problem = std::get_if<std::string>(&published)) return *problem;
    return std::nullopt;
  }
  if (const auto* s = std::get_if<engine::ReplayStatus>(&event))
    return failure(s->status == "open" ? engine_.open_market(s->market) : engine_.close_market(s->market));
  const auto& r = std::get<engine::ReplayResolve>(event);
  return failure(engine_.resolve_market(r.market, r.outcome));
}

}  // namespace polysim::feed
