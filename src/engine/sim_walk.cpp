#include "engine/sim_walk.hpp"

#include <algorithm>
#include <charconv>

namespace polysim::engine {

namespace {

constexpr std::int64_t kOne = 1'000'000;          // price micros in $1
constexpr std::int64_t kShareMicros = 1'000'000;  // share micros in one share
constexpr int kMaxLevels = 50;                    // feed.max_levels (§3.1)
constexpr std::int64_t kMinIntervalMs = 100;

static_assert(kMaxSimBaseSize * kMaxLevels * 150 / 100 * kShareMicros <= 1'000'000'000'000'000'000,
              "the largest simulated level must fit the share range of §1");

// The walk in ticks: N = 1/T, S = max(1, step/T), W = max(1, spread/T), b ∈ [1, N − 1 − W].
struct Grid {
  std::int64_t ticks_per_dollar = 0;
  std::int64_t max_move = 0;
  std::int64_t spread = 0;
  std::int64_t highest_bid = 0;
};

Grid grid_for(std::int64_t tick, const SimParams& params) {
  Grid grid;
  grid.ticks_per_dollar = kOne / tick;
  grid.max_move = std::max<std::int64_t>(1, params.step / tick);
  grid.spread = std::max<std::int64_t>(1, params.spread / tick);
  grid.highest_bid = grid.ticks_per_dollar - 1 - grid.spread;
  return grid;
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// base_size × (i+1) × (50 + uniform(101)) / 100 whole shares: 50 % to 150 % of a size that grows
// with depth. check_sim_params bounds base_size so the product stays far from overflow.
std::int64_t level_size(std::array<std::uint64_t, 4>& rng, const SimParams& params, std::size_t depth) {
  const auto percent = 50 + static_cast<std::int64_t>(sim_uniform(rng, 101));
  const auto shares = params.base_size * static_cast<std::int64_t>(depth + 1) * percent / 100;
  return shares * kShareMicros;
}

void draw_sizes(std::vector<BookLevel>& side, std::array<std::uint64_t, 4>& rng, const SimParams& params) {
  for (std::size_t depth = 0; depth < side.size(); ++depth) side[depth].size = level_size(rng, params, depth);
}

// The NO token's side that mirrors a YES side: a YES ask at p is a NO bid at 1 − p and vice
// versa. No reordering is needed: 1 − p turns ascending asks into descending bids.
std::vector<BookLevel> complement(const std::vector<BookLevel>& yes_side) {
  std::vector<BookLevel> no_side;
  no_side.reserve(yes_side.size());
  for (const auto& level : yes_side) no_side.push_back({kOne - level.price, level.size});
  return no_side;
}

// Cursor over the persisted state text; each step consumes an exact token or fails.
struct Reader {
  std::string_view rest;

  bool literal(std::string_view expected) {
    if (!rest.starts_with(expected)) return false;
    rest.remove_prefix(expected.size());
    return true;
  }

  // A canonical non-negative decimal: digits only, no sign, no leading zero.
  std::optional<std::int64_t> decimal() {
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 0 || (digits > 1 && rest[0] == '0')) return std::nullopt;
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(rest.data(), rest.data() + digits, value);
    if (error != std::errc{} || end != rest.data() + digits) return std::nullopt;
    rest.remove_prefix(digits);
    return value;
  }

  // Exactly 16 lowercase hex digits, as encode writes them.
  std::optional<std::uint64_t> word() {
    if (rest.size() < 16) return std::nullopt;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 16; ++i) {
      const char c = rest[i];
      int nibble = 0;
      if (c >= '0' && c <= '9') {
        nibble = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        nibble = c - 'a' + 10;
      } else {
        return std::nullopt;
      }
      value = (value << 4) | static_cast<std::uint64_t>(nibble);
    }
    rest.remove_prefix(16);
    return value;
  }
};

void append_word(std::string& out, std::uint64_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(value >> shift) & 0xf]);
}

}  // namespace

std::uint64_t fnv1a_64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t xoshiro256ss(std::array<std::uint64_t, 4>& s) {
  const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
  const std::uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

std::uint64_t sim_uniform(std::array<std::uint64_t, 4>& s, std::uint64_t n) {
  // 2^64 mod n, computed in 64 bits: the first (2^64 mod n) outputs are the surplus that would
  // make small remainders more likely than large ones.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    const std::uint64_t r = xoshiro256ss(s);
    if (r >= threshold) return r % n;
  }
}

SimState sim_initial_state(std::uint64_t seed, std::string_view market_id, std::int64_t tick, const SimParams& params) {
  const Grid grid = grid_for(tick, params);
  SimState state;
  std::uint64_t mix = seed ^ fnv1a_64(market_id);
  for (auto& word : state.rng) word = splitmix64(mix);
  state.best_bid_ticks = std::clamp(params.start_price / tick - grid.spread / 2, std::int64_t{1}, grid.highest_bid);
  return state;
}

SimBooks sim_next(SimState& state, std::int64_t tick, const SimParams& params) {
  const Grid grid = grid_for(tick, params);
  std::int64_t b = std::clamp(state.best_bid_ticks, std::int64_t{1}, grid.highest_bid);
  if (state.steps > 0) {
    const auto choices = static_cast<std::uint64_t>(2 * grid.max_move + 1);
    const auto move = static_cast<std::int64_t>(sim_uniform(state.rng, choices));
    b = std::clamp(b + move - grid.max_move, std::int64_t{1}, grid.highest_bid);
  }

  SimBooks books;
  for (int i = 0; i < params.levels && b - i >= 1; ++i) books.yes_bids.push_back({(b - i) * tick, 0});
  for (int i = 0; i < params.levels && b + grid.spread + i <= grid.ticks_per_dollar - 1; ++i) {
    books.yes_asks.push_back({(b + grid.spread + i) * tick, 0});
  }
  draw_sizes(books.yes_bids, state.rng, params);
  draw_sizes(books.yes_asks, state.rng, params);
  books.no_bids = complement(books.yes_asks);
  books.no_asks = complement(books.yes_bids);

  state.best_bid_ticks = b;
  ++state.steps;
  return books;
}

std::string encode_sim_state(const SimState& state) {
  std::string out = "b=" + std::to_string(state.best_bid_ticks) + ";n=" + std::to_string(state.steps) + ";s=";
  for (std::size_t i = 0; i < state.rng.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_word(out, state.rng[i]);
  }
  return out;
}

std::optional<SimState> decode_sim_state(std::string_view text) {
  Reader reader{text};
  SimState state;
  if (!reader.literal("b=")) return std::nullopt;
  auto b = reader.decimal();
  if (!b || *b < 1 || !reader.literal(";n=")) return std::nullopt;
  auto steps = reader.decimal();
  if (!steps || !reader.literal(";s=")) return std::nullopt;
  for (std::size_t i = 0; i < state.rng.size(); ++i) {
    if (i > 0 && !reader.literal(",")) return std::nullopt;
    auto word = reader.word();
    if (!word) return std::nullopt;
    state.rng[i] = *word;
  }
  if (!reader.rest.empty()) return std::nullopt;
  // An all-zero xoshiro state is a fixed point: it would draw 0 forever.
  if (std::all_of(state.rng.begin(), state.rng.end(), [](std::uint64_t w) { return w == 0; })) return std::nullopt;
  state.best_bid_ticks = *b;
  state.steps = *steps;
  return state;
}

std::optional<std::string> check_sim_params(const SimParams& params, std::int64_t tick) {
  if (tick <= 0 || kOne % tick != 0) return "tick must divide 1 into whole price micros";
  if (params.start_price <= 0 || params.start_price >= kOne) return "start_price must be inside (0, 1)";
  if (params.step < 0 || params.step > kOne) return "step must be in [0, 1]";
  if (params.spread < 0) return "spread must be at least 0";
  // W ≤ N − 2 leaves at least one tick for a bid (≥ 1) and one for the ask above it (≤ N − 1).
  if (std::max<std::int64_t>(1, params.spread / tick) > kOne / tick - 2) {
    return "spread leaves no room for a bid and an ask inside (0, 1) on this tick";
  }
  if (params.levels < 1 || params.levels > kMaxLevels) return "levels must be in [1, 50]";
  // base_size 1 would draw 1 × 50 / 100 = 0 shares at the top level, a book §3.1 drops.
  if (params.base_size < 2 || params.base_size > kMaxSimBaseSize) return "base_size must be in [2, 1000000000] shares";
  if (params.interval_ms < kMinIntervalMs) return "interval must be at least 100 ms";
  return std::nullopt;
}

}  // namespace polysim::engine
