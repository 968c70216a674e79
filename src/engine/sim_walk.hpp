// The simulated feed's order-book walk (40-trading-engine.md §3.3) as a pure function of its
// state: the same seed, market id and parameters give the same books on every machine and after
// every restart, because the whole state (best bid, step count, PRNG words) is persisted with
// each book and the PRNG is specified bit for bit. Prices are price micros, sizes share micros.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/taker_walk.hpp"

namespace polysim::engine {

// Per-market `sim_params` (defaults of `feed.sim.*`); prices in price micros.
struct SimParams {
  std::int64_t start_price = 500'000;  // 0.50
  std::int64_t step = 10'000;          // 0.01: the walk moves at most max(1, step/tick) ticks
  std::int64_t spread = 10'000;        // 0.01: best ask − best bid, at least one tick
  int levels = 5;                      // per side, fewer near 0 and 1
  std::int64_t base_size = 100;        // whole shares
  std::int64_t interval_ms = 1000;
};

// Largest accepted base_size: the biggest level, base_size × 50 × 150 / 100 shares, stays well
// inside the §1 share range (10^18 share micros), so size arithmetic cannot overflow.
inline constexpr std::int64_t kMaxSimBaseSize = 1'000'000'000;

struct SimState {
  std::int64_t best_bid_ticks = 0;     // YES best bid b, in ticks
  std::int64_t steps = 0;              // books produced so far
  std::array<std::uint64_t, 4> rng{};  // xoshiro256** state, never all zero
};

struct SimBooks {  // levels best first, sizes in share micros
  std::vector<BookLevel> yes_bids, yes_asks, no_bids, no_asks;
};

// FNV-1a 64 over the bytes of `text` (the market id in its canonical lowercase UUID form).
std::uint64_t fnv1a_64(std::string_view text);

// The reference generators, exposed so tests can pin them against the published outputs.
// splitmix64 advances `x` and returns the next output; xoshiro256ss advances `s`.
std::uint64_t splitmix64(std::uint64_t& x);
std::uint64_t xoshiro256ss(std::array<std::uint64_t, 4>& s);
// Uniform in [0, n), n ≥ 1, without modulo bias: outputs below 2^64 mod n are rejected and the
// next one is drawn. Part of the reproducible sequence, so the method must not change.
std::uint64_t sim_uniform(std::array<std::uint64_t, 4>& s, std::uint64_t n);

// PRNG seeded by SplitMix64 from seed XOR FNV-1a-64(market_id); b = clamp(start_price/T − W/2,
// 1, N − 1 − W). Requires check_sim_params(params, tick) to have passed.
SimState sim_initial_state(std::uint64_t seed, std::string_view market_id, std::int64_t tick, const SimParams& params);

// The next YES/NO book pair. The first book (steps == 0) is at the initial b; each later one
// first moves b by uniform(2S+1) − S, clamped to [1, N − 1 − W]. Sizes are drawn for the bids,
// then the asks, best first. The NO book is the YES complement. Increments steps. Requires
// check_sim_params(params, tick); a stored b out of range for changed params is clamped first.
SimBooks sim_next(SimState& state, std::int64_t tick, const SimParams& params);

// Persisted form of the state: "b=<b>;n=<steps>;s=<w0>,<w1>,<w2>,<w3>" with 16 lowercase hex
// digits per word. Decoding accepts exactly that form (b ≥ 1, n ≥ 0, state not all zero).
std::string encode_sim_state(const SimState& state);
std::optional<SimState> decode_sim_state(std::string_view text);

// nullopt when `params` can drive a walk on this tick grid, else why not.
std::optional<std::string> check_sim_params(const SimParams& params, std::int64_t tick);

}  // namespace polysim::engine
