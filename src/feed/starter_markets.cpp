#include "feed/starter_markets.hpp"

#include <spdlog/spdlog.h>

#include <array>

#include "engine/engine.hpp"

namespace polysim::feed {

namespace {

struct Starter {
  const char* slug;
  const char* question;
  const char* category;
  const char* sim_params;
};

// Different starting prices and steps, so the three books do not move alike.
constexpr std::array<Starter, 3> kStarters{{
    {"sim-rain-tomorrow", "Will it rain in the simulated city tomorrow?", "weather", R"({"start_price":"0.40"})"},
    {"sim-rate-cut-next-meeting", "Will the simulated central bank cut rates at its next meeting?", "economics",
     R"({"start_price":"0.62","step":"0.02"})"},
    {"sim-home-team-wins", "Will the simulated home team win its next match?", "sports",
     R"({"start_price":"0.50","spread":"0.02"})"},
}};

}  // namespace

void create_starter_markets(engine::Engine& engine, int count) {
  if (count <= 0 || !engine.board().markets().empty()) return;
  for (int i = 0; i < count && i < static_cast<int>(kStarters.size()); ++i) {
    const auto& s = kStarters[static_cast<std::size_t>(i)];
    auto market = engine.draft_market(s.slug, s.question, s.category, 10'000, "sim");
    market.sim_params_json = s.sim_params;
    auto change = engine.create_market(std::move(market));
    if (change.error && change.error->code != engine::EngineCode::ValidationFailed)
      spdlog::warn("starter market {} not created: {}", s.slug, change.error->message);
  }
}

}  // namespace polysim::feed
