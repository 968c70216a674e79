#include "feed/sim_feed.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/decimal.hpp"
#include "core/json_input.hpp"
#include "engine/engine.hpp"
#include "store/engine_store.hpp"

namespace polysim::feed {

namespace {

std::int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Fine enough for the shortest interval a market may ask for, coarse enough to cost nothing.
constexpr auto kPollEvery = std::chrono::milliseconds(50);
constexpr std::int64_t kMinIntervalMs = 100;
constexpr std::int64_t kMaxIntervalMs = 3'600'000;

}  // namespace

std::optional<engine::SimParams> sim_params_of(const store::MarketRecord& market, const engine::SimParams& defaults,
                                              std::string* why) {
  auto fail = [&](std::string text) -> std::optional<engine::SimParams> {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  engine::SimParams p = defaults;
  if (!market.sim_params_json.empty()) {
    auto parsed = parse_json(market.sim_params_json);
    if (!std::holds_alternative<JsonValue>(parsed)) return fail("sim_params is not JSON");
    const auto& json = std::get<JsonValue>(parsed);
    if (!json.is_object()) return fail("sim_params must be an object");
    for (const auto& [key, value] : json.items()) {
      if (key == "start_price" || key == "step" || key == "spread") {
        auto v = json_decimal(value, 4);
        if (!v) return fail("sim_params." + key + " must be a decimal");
        (key == "start_price" ? p.start_price : key == "step" ? p.step : p.spread) = *v;
      } else if (key == "levels" || key == "base_size" || key == "interval_ms") {
        auto v = json_integer(value);
        if (!v) return fail("sim_params." + key + " must be an integer");
        if (key == "levels") {
          if (*v < 1 || *v > 50) return fail("sim_params.levels must be 1 to 50");
          p.levels = static_cast<int>(*v);
        } else if (key == "base_size") {
          p.base_size = *v;
        } else {
          if (*v < kMinIntervalMs || *v > kMaxIntervalMs) return fail("sim_params.interval_ms must be 100 to 3600000");
          p.interval_ms = *v;
        }
      } else {
        return fail("unknown sim_params field " + key);
      }
    }
  }
  if (auto problem = engine::check_sim_params(p, market.tick_size)) return fail(*problem);
  return p;
}

SimFeed::SimFeed(engine::Engine& engine, store::EngineStore& store, SimFeedOptions options)
    : engine_(engine), store_(store), options_(options) {}

SimFeed::~SimFeed() { stop(); }

void SimFeed::start() {
  for (const auto& b : store_.load_books())
    if (b.sim_state) stored_states_[b.token_id] = *b.sim_state;
  thread_ = std::thread([this] { run(); });
}

void SimFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SimFeed::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      tick(monotonic_ms());
    } catch (const std::exception& e) {
      spdlog::error("simulated feed: {}", e.what());
    }
    lock.lock();
    cv_.wait_for(lock, kPollEvery, [this] { return stopping_; });
  }
}

int SimFeed::tick(std::int64_t now_ms) {
  int moved = 0;
  for (const auto& market : engine_.board().markets()) {
    if (market->feed != "sim" || market->status == "resolved") {
      walks_.erase(market->id);
      continue;
    }
    auto it = walks_.find(market->id);
    if (it == walks_.end() || it->second.tick_size != market->tick_size) {
      std::string why;
      auto params = sim_params_of(*market, options_.defaults, &why);
      if (!params) {
        // Said once per market, not once per pass.
        if (refused_[market->id] != why) spdlog::warn("market {} is not simulated: {}", market->slug, why);
        refused_[market->id] = why;
        continue;
      }
      Walk walk;
      walk.params = *params;
      walk.tick_size = market->tick_size;
      auto stored = stored_states_.find(market->yes_token_id);
      auto decoded = stored == stored_states_.end() ? std::nullopt : engine::decode_sim_state(stored->second);
      walk.state = decoded ? *decoded
                           : engine::sim_initial_state(options_.seed, market->id, market->tick_size, walk.params);
      walk.next_due_ms = now_ms;
      it = walks_.insert_or_assign(market->id, walk).first;
    }
    auto& walk = it->second;
    if (now_ms < walk.next_due_ms) continue;
    // Downtime and slow passes are skipped, not caught up (§3.3).
    walk.next_due_ms = now_ms + walk.params.interval_ms;
    auto next_state = walk.state;
    auto books = engine::sim_next(next_state, walk.tick_size, walk.params);
    std::vector<engine::BookUpdate> updates{
        {market->yes_token_id, std::move(books.yes_bids), std::move(books.yes_asks), engine::encode_sim_state(next_state)},
        {market->no_token_id, std::move(books.no_bids), std::move(books.no_asks), std::nullopt}};
    auto published = engine_.push_books(updates);
    if (auto* problem = std::get_if<std::string>(&published)) {
      spdlog::warn("simulated book for {} refused: {}", market->slug, *problem);
      continue;
    }
    walk.state = next_state;
    ++moved;
  }
  return moved;
}

}  // namespace polysim::feed
