// The simulated order-book walk of 40-trading-engine.md §3.3: its PRNG against the published
// reference outputs, a pinned first book, the validity rules of §3.1 on long walks, and the
// persisted state continuing the identical sequence.
#include "engine/sim_walk.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

namespace polysim::engine {
namespace {

constexpr std::int64_t kOne = 1'000'000;
constexpr std::int64_t kShare = 1'000'000;
constexpr std::int64_t kTick01 = 100'000;   // 0.1
constexpr std::int64_t kTick001 = 10'000;   // 0.01
constexpr std::int64_t kTick0001 = 100;     // 0.0001
constexpr std::uint64_t kSeed = 42;
constexpr std::string_view kMarket = "0193a4b2-0000-7000-8000-000000000001";
constexpr std::string_view kOtherMarket = "0193a4b2-0000-7000-8000-000000000002";

std::vector<SimBooks> walk(SimState state, std::int64_t tick, const SimParams& params, int books) {
  std::vector<SimBooks> out;
  for (int i = 0; i < books; ++i) out.push_back(sim_next(state, tick, params));
  return out;
}

bool same_levels(const std::vector<BookLevel>& a, const std::vector<BookLevel>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const BookLevel& x, const BookLevel& y) { return x.price == y.price && x.size == y.size; });
}

bool same_books(const SimBooks& a, const SimBooks& b) {
  return same_levels(a.yes_bids, b.yes_bids) && same_levels(a.yes_asks, b.yes_asks) &&
         same_levels(a.no_bids, b.no_bids) && same_levels(a.no_asks, b.no_asks);
}

// The §3.1 acceptance rules for one side, plus the level cap of the walk.
void expect_valid_side(const std::vector<BookLevel>& side, bool descending, std::int64_t tick, int levels) {
  EXPECT_LE(side.size(), static_cast<std::size_t>(levels));
  for (std::size_t i = 0; i < side.size(); ++i) {
    EXPECT_GT(side[i].price, 0);
    EXPECT_LT(side[i].price, kOne);
    EXPECT_EQ(side[i].price % tick, 0) << side[i].price;
    EXPECT_GT(side[i].size, 0);
    EXPECT_EQ(side[i].size % kShare, 0) << "sizes are whole shares";
    if (i > 0) {
      if (descending) {
        EXPECT_LT(side[i].price, side[i - 1].price);
      } else {
        EXPECT_GT(side[i].price, side[i - 1].price);
      }
    }
  }
}

void expect_valid_books(const SimBooks& books, std::int64_t tick, int levels) {
  expect_valid_side(books.yes_bids, true, tick, levels);
  expect_valid_side(books.yes_asks, false, tick, levels);
  expect_valid_side(books.no_bids, true, tick, levels);
  expect_valid_side(books.no_asks, false, tick, levels);
  ASSERT_FALSE(books.yes_bids.empty());  // b ∈ [1, N − 1 − W] keeps both top levels
  ASSERT_FALSE(books.yes_asks.empty());
  EXPECT_LT(books.yes_bids.front().price, books.yes_asks.front().price);
  EXPECT_LT(books.no_bids.front().price, books.no_asks.front().price);
}

TEST(EngineSimWalk, SplitMix64MatchesTheReferenceOutputs) {
  std::uint64_t x = 0;
  EXPECT_EQ(splitmix64(x), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(x), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(x), 0x06c45d188009454fULL);
  EXPECT_EQ(splitmix64(x), 0xf88bb8a8724c81ecULL);
}

TEST(EngineSimWalk, Xoshiro256StarStarMatchesTheReferenceOutputs) {
  // The reference implementation's sequence from state {1, 2, 3, 4}.
  std::array<std::uint64_t, 4> s{1, 2, 3, 4};
  const std::uint64_t expected[] = {11520ULL,
                                    0ULL,
                                    1509978240ULL,
                                    1215971899390074240ULL,
                                    1216172134540287360ULL,
                                    607988272756665600ULL,
                                    16172922978634559625ULL,
                                    8476171486693032832ULL,
                                    10595114339597558777ULL,
                                    2904607092377533576ULL};
  for (const auto value : expected) EXPECT_EQ(xoshiro256ss(s), value);
}

TEST(EngineSimWalk, Xoshiro256StarStarSeededBySplitMix64IsDeterministic) {
  auto seeded = [] {
    std::uint64_t x = 0;
    std::array<std::uint64_t, 4> s{};
    for (auto& word : s) word = splitmix64(x);
    return s;
  };
  auto a = seeded();
  auto b = seeded();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(xoshiro256ss(a), xoshiro256ss(b));
  auto c = seeded();
  EXPECT_EQ(xoshiro256ss(c), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(xoshiro256ss(c), 0xbf6e1f784956452aULL);
  EXPECT_EQ(xoshiro256ss(c), 0x1a5f849d4933e6e0ULL);
  EXPECT_EQ(xoshiro256ss(c), 0x6aa594f1262d2d2cULL);
}

TEST(EngineSimWalk, Fnv1a64MatchesTheReferenceVectors) {
  EXPECT_EQ(fnv1a_64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

TEST(EngineSimWalk, UniformStaysInRangeAndCoversItEvenly) {
  std::array<std::uint64_t, 4> s{1, 2, 3, 4};
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sim_uniform(s, 1), 0u);
  std::array<int, 3> counts{};
  for (int i = 0; i < 30'000; ++i) {
    const auto r = sim_uniform(s, 3);
    ASSERT_LT(r, 3u);
    ++counts[r];
  }
  for (const int count : counts) EXPECT_NEAR(count, 10'000, 500);
  // Near 2^64 almost half the outputs are surplus and must be redrawn, not folded onto [0, n/2).
  const std::uint64_t huge = (1ULL << 63) + 1;
  int upper_half = 0;
  for (int i = 0; i < 10'000; ++i) {
    const auto r = sim_uniform(s, huge);
    ASSERT_LT(r, huge);
    if (r >= huge / 2) ++upper_half;
  }
  EXPECT_NEAR(upper_half, 5'000, 300);
}

TEST(EngineSimWalk, FirstBookForSeed42IsPinned) {
  // Cross-checked against an independent transcription of §3.3. Start 0.50, spread one tick:
  // b = 50 − 1/2 = 50, so the YES book is 0.50 / 0.51.
  SimParams params;
  SimState state = sim_initial_state(kSeed, kMarket, kTick001, params);
  EXPECT_EQ(state.best_bid_ticks, 50);
  EXPECT_EQ(state.steps, 0);
  EXPECT_EQ(encode_sim_state(state), "b=50;n=0;s=d6148b7f9a52652c,577228e7015c70da,7b07149714e46f93,9c994a11ae55d415");

  const SimBooks books = sim_next(state, kTick001, params);
  const std::vector<BookLevel> yes_bids = {{500'000, 134 * kShare},
                                           {490'000, 178 * kShare},
                                           {480'000, 414 * kShare},
                                           {470'000, 268 * kShare},
                                           {460'000, 585 * kShare}};
  const std::vector<BookLevel> yes_asks = {{510'000, 115 * kShare},
                                           {520'000, 108 * kShare},
                                           {530'000, 180 * kShare},
                                           {540'000, 380 * kShare},
                                           {550'000, 680 * kShare}};
  const std::vector<BookLevel> no_bids = {{490'000, 115 * kShare},
                                          {480'000, 108 * kShare},
                                          {470'000, 180 * kShare},
                                          {460'000, 380 * kShare},
                                          {450'000, 680 * kShare}};
  const std::vector<BookLevel> no_asks = {{500'000, 134 * kShare},
                                          {510'000, 178 * kShare},
                                          {520'000, 414 * kShare},
                                          {530'000, 268 * kShare},
                                          {540'000, 585 * kShare}};
  EXPECT_TRUE(same_levels(books.yes_bids, yes_bids));
  EXPECT_TRUE(same_levels(books.yes_asks, yes_asks));
  EXPECT_TRUE(same_levels(books.no_bids, no_bids));
  EXPECT_TRUE(same_levels(books.no_asks, no_asks));
  EXPECT_EQ(encode_sim_state(state), "b=50;n=1;s=89b614b499e3bbd9,670ed1d7366ff188,257dba02957ead5d,ccaa14270b9c3a30");
}

TEST(EngineSimWalk, FirstBookSitsAtTheInitialBidAndLaterBooksMove) {
  SimParams params;
  params.start_price = 730'000;
  params.spread = 40'000;  // W = 4: b = 73 − 2 = 71
  SimState state = sim_initial_state(kSeed, kMarket, kTick001, params);
  EXPECT_EQ(state.best_bid_ticks, 71);
  auto first = sim_next(state, kTick001, params);
  EXPECT_EQ(first.yes_bids.front().price, 710'000);
  EXPECT_EQ(first.yes_asks.front().price, 750'000);
  EXPECT_EQ(state.steps, 1);
  for (int i = 0; i < 50; ++i) {
    const std::int64_t before = state.best_bid_ticks;
    auto books = sim_next(state, kTick001, params);
    EXPECT_LE(std::abs(state.best_bid_ticks - before), 1);  // S = 1
    EXPECT_EQ(books.yes_bids.front().price, state.best_bid_ticks * kTick001);
    EXPECT_EQ(books.yes_asks.front().price - books.yes_bids.front().price, 40'000);
  }
  EXPECT_EQ(state.steps, 51);
}

TEST(EngineSimWalk, InitialBidIsClampedIntoTheGrid) {
  SimParams params;
  params.start_price = 1;  // 0.000001: floor to tick 0 → clamped to 1
  EXPECT_EQ(sim_initial_state(kSeed, kMarket, kTick001, params).best_bid_ticks, 1);
  params.start_price = 999'999;  // 99 ticks, but the ask needs b + W ≤ 99
  EXPECT_EQ(sim_initial_state(kSeed, kMarket, kTick001, params).best_bid_ticks, 98);
}

TEST(EngineSimWalk, SameSeedAndMarketGiveTheSameHundredBooks) {
  SimParams params;
  const auto a = walk(sim_initial_state(kSeed, kMarket, kTick001, params), kTick001, params, 100);
  const auto b = walk(sim_initial_state(kSeed, kMarket, kTick001, params), kTick001, params, 100);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same_books(a[i], b[i])) << "book " << i;
}

TEST(EngineSimWalk, OtherMarketIdOrSeedGivesOtherBooks) {
  SimParams params;
  const auto base = walk(sim_initial_state(kSeed, kMarket, kTick001, params), kTick001, params, 100);
  const auto other_market = walk(sim_initial_state(kSeed, kOtherMarket, kTick001, params), kTick001, params, 100);
  const auto other_seed = walk(sim_initial_state(kSeed + 1, kMarket, kTick001, params), kTick001, params, 100);
  auto differs = [&](const std::vector<SimBooks>& other) {
    for (std::size_t i = 0; i < base.size(); ++i) {
      if (!same_books(base[i], other[i])) return true;
    }
    return false;
  };
  EXPECT_TRUE(differs(other_market));
  EXPECT_TRUE(differs(other_seed));
  EXPECT_FALSE(same_books(base[0], other_market[0]));  // sizes differ from the very first book
}

TEST(EngineSimWalk, EveryBookIsValidOnEveryTick) {
  for (const std::int64_t tick : {kTick01, kTick001, std::int64_t{1'000}, kTick0001}) {
    SimParams params;
    params.step = 30'000;
    params.levels = 7;
    SimState state = sim_initial_state(kSeed, kMarket, tick, params);
    for (int i = 0; i < 500; ++i) {
      SCOPED_TRACE(testing::Message() << "tick " << tick << " book " << i);
      expect_valid_books(sim_next(state, tick, params), tick, params.levels);
    }
  }
}

TEST(EngineSimWalk, NoBookIsTheExactComplementOfYes) {
  SimParams params;
  params.step = 50'000;
  SimState state = sim_initial_state(kSeed, kMarket, kTick001, params);
  for (int i = 0; i < 200; ++i) {
    const SimBooks books = sim_next(state, kTick001, params);
    ASSERT_EQ(books.no_bids.size(), books.yes_asks.size());
    ASSERT_EQ(books.no_asks.size(), books.yes_bids.size());
    for (std::size_t j = 0; j < books.yes_asks.size(); ++j) {
      EXPECT_EQ(books.no_bids[j].price, kOne - books.yes_asks[j].price);
      EXPECT_EQ(books.no_bids[j].size, books.yes_asks[j].size);
    }
    for (std::size_t j = 0; j < books.yes_bids.size(); ++j) {
      EXPECT_EQ(books.no_asks[j].price, kOne - books.yes_bids[j].price);
      EXPECT_EQ(books.no_asks[j].size, books.yes_bids[j].size);
    }
  }
}

TEST(EngineSimWalk, BestBidStaysInRangeOverTenThousandLargeSteps) {
  struct Case {
    std::int64_t tick, step, spread;
  };
  const Case cases[] = {{kTick001, 500'000, 10'000}, {kTick01, kOne, 300'000}, {kTick0001, 250'000, 50'000}};
  for (const Case c : cases) {
    SimParams params;
    params.step = c.step;
    params.spread = c.spread;
    const std::int64_t n = kOne / c.tick;
    const std::int64_t w = std::max<std::int64_t>(1, c.spread / c.tick);
    SimState state = sim_initial_state(kSeed, kMarket, c.tick, params);
    bool hit_floor = false, hit_ceiling = false;
    for (int i = 0; i < 10'000; ++i) {
      sim_next(state, c.tick, params);
      ASSERT_GE(state.best_bid_ticks, 1) << "tick " << c.tick << " step " << i;
      ASSERT_LE(state.best_bid_ticks, n - 1 - w) << "tick " << c.tick << " step " << i;
      hit_floor = hit_floor || state.best_bid_ticks == 1;
      hit_ceiling = hit_ceiling || state.best_bid_ticks == n - 1 - w;
    }
    EXPECT_TRUE(hit_floor && hit_ceiling) << "the clamp is exercised on both ends, tick " << c.tick;
  }
}

TEST(EngineSimWalk, CoarseTickTruncatesSidesInsideTheUnitInterval) {
  // Tick 0.1: prices 0.1 … 0.9 only. With b = 5 the bids 0.5 … 0.1 all fit, the asks stop at 0.9.
  SimParams params;
  SimState state = sim_initial_state(kSeed, kMarket, kTick01, params);
  ASSERT_EQ(state.best_bid_ticks, 5);
  const SimBooks first = sim_next(state, kTick01, params);
  EXPECT_EQ(first.yes_bids.size(), 5u);
  ASSERT_EQ(first.yes_asks.size(), 4u);
  EXPECT_EQ(first.yes_bids.back().price, 100'000);
  EXPECT_EQ(first.yes_asks.back().price, 900'000);

  params.step = kOne;  // reach both edges
  bool saw_short_bids = false, saw_short_asks = false;
  for (int i = 0; i < 1'000; ++i) {
    const SimBooks books = sim_next(state, kTick01, params);
    expect_valid_books(books, kTick01, params.levels);
    saw_short_bids = saw_short_bids || books.yes_bids.size() == 1;
    saw_short_asks = saw_short_asks || books.yes_asks.size() == 1;
  }
  EXPECT_TRUE(saw_short_bids);
  EXPECT_TRUE(saw_short_asks);
}

TEST(EngineSimWalk, SizesAreDrawnForExistingBidsThenAsks) {
  // b = 2 on tick 0.1: two bids and five asks. The draws must be exactly: the move, then one per
  // existing bid, then one per ask, each base_size × (i+1) × (50 + u) / 100 whole shares.
  SimParams params;
  params.start_price = 250'000;
  params.step = 0;  // S = max(1, 0) = 1: the spec keeps a one-tick walk even with step 0
  SimState state = sim_initial_state(kSeed, kMarket, kTick01, params);
  ASSERT_EQ(state.best_bid_ticks, 2);
  auto rng = state.rng;
  const SimBooks books = sim_next(state, kTick01, params);
  ASSERT_EQ(books.yes_bids.size(), 2u);
  ASSERT_EQ(books.yes_asks.size(), 5u);
  auto expected_size = [&](std::size_t depth) {
    return params.base_size * static_cast<std::int64_t>(depth + 1) *
           (50 + static_cast<std::int64_t>(sim_uniform(rng, 101))) / 100 * kShare;
  };
  for (std::size_t i = 0; i < books.yes_bids.size(); ++i) EXPECT_EQ(books.yes_bids[i].size, expected_size(i));
  for (std::size_t i = 0; i < books.yes_asks.size(); ++i) EXPECT_EQ(books.yes_asks[i].size, expected_size(i));
  EXPECT_EQ(rng, state.rng) << "no draw for a level that does not exist";

  // A later book draws the move first.
  auto next = sim_next(state, kTick01, params);
  std::array<std::uint64_t, 4> replay = rng;
  const auto move = static_cast<std::int64_t>(sim_uniform(replay, 3)) - 1;
  EXPECT_EQ(state.best_bid_ticks, std::clamp<std::int64_t>(2 + move, 1, 8));
  EXPECT_EQ(next.yes_bids.front().size,
            params.base_size * (50 + static_cast<std::int64_t>(sim_uniform(replay, 101))) / 100 * kShare);
}

TEST(EngineSimWalk, ExtremeBaseSizesStayPositiveAndInRange) {
  for (const std::int64_t base_size : {std::int64_t{2}, kMaxSimBaseSize}) {
    SimParams params;
    params.base_size = base_size;
    params.levels = 50;
    params.step = 2'000;
    ASSERT_FALSE(check_sim_params(params, kTick0001));
    SimState state = sim_initial_state(kSeed, kMarket, kTick0001, params);
    for (int i = 0; i < 200; ++i) {
      const SimBooks books = sim_next(state, kTick0001, params);
      for (const auto* side : {&books.yes_bids, &books.yes_asks}) {
        ASSERT_EQ(side->size(), 50u);
        for (std::size_t depth = 0; depth < side->size(); ++depth) {
          ASSERT_GE((*side)[depth].size, kShare);
          ASSERT_LE((*side)[depth].size, base_size * static_cast<std::int64_t>(depth + 1) * 150 / 100 * kShare);
        }
      }
    }
  }
}

TEST(EngineSimWalk, EncodeDecodeRoundTripsAndContinuesTheSequence) {
  SimParams params;
  params.step = 30'000;
  SimState original = sim_initial_state(kSeed, kMarket, kTick001, params);
  for (int i = 0; i < 37; ++i) sim_next(original, kTick001, params);

  const std::string text = encode_sim_state(original);
  const auto decoded = decode_sim_state(text);
  ASSERT_TRUE(decoded) << text;
  EXPECT_EQ(decoded->best_bid_ticks, original.best_bid_ticks);
  EXPECT_EQ(decoded->steps, 37);
  EXPECT_EQ(decoded->rng, original.rng);
  EXPECT_EQ(encode_sim_state(*decoded), text);

  // A restart continues the stored walk: the same 100 books as if nothing had happened.
  const auto uninterrupted = walk(original, kTick001, params, 100);
  const auto restarted = walk(*decoded, kTick001, params, 100);
  for (std::size_t i = 0; i < uninterrupted.size(); ++i) EXPECT_TRUE(same_books(uninterrupted[i], restarted[i]));

  // The fresh state (steps 0) also round-trips, and its first book is still the unmoved one.
  const SimState fresh = sim_initial_state(kSeed, kMarket, kTick001, params);
  const auto fresh_decoded = decode_sim_state(encode_sim_state(fresh));
  ASSERT_TRUE(fresh_decoded);
  EXPECT_TRUE(same_books(walk(fresh, kTick001, params, 1)[0], walk(*fresh_decoded, kTick001, params, 1)[0]));
}

TEST(EngineSimWalk, DecodeRejectsMalformedText) {
  const std::string words = "0123456789abcdef,0000000000000000,fedcba9876543210,00000000000000ff";
  ASSERT_TRUE(decode_sim_state("b=48;n=12;s=" + words));
  const std::vector<std::string> malformed = {
           std::string{},
           std::string{"garbage"},
           "b=48;n=12;s=" + words + ";",                                                   // trailing text
           "b=48;n=12;s=" + words.substr(0, words.size() - 1),                             // short word
           "b=48;n=12;s=0123456789abcdef,0000000000000000,fedcba9876543210",               // three words
           "b=48;n=12;s=0123456789ABCDEF,0000000000000000,fedcba9876543210,00000000000000ff",  // not canonical
           "b=48;n=12;s=0123456789abcdeg,0000000000000000,fedcba9876543210,00000000000000ff",
           "b=48;n=12;s=0000000000000000,0000000000000000,0000000000000000,0000000000000000",  // dead PRNG
           "b=0;n=12;s=" + words,                                                          // b ≥ 1
           "b=-4;n=12;s=" + words,
           "b=+4;n=12;s=" + words,
           "b=048;n=12;s=" + words,
           "b=;n=12;s=" + words,
           "b=48;n=-1;s=" + words,
           "b=48;n=99999999999999999999;s=" + words,  // overflows int64
           "n=12;b=48;s=" + words,                    // order is fixed
           "b=48; n=12;s=" + words,
           " b=48;n=12;s=" + words,
           "b=48;n=12;s= " + words,
       };
  for (const std::string& bad : malformed) {
    EXPECT_FALSE(decode_sim_state(bad)) << bad;
  }
}

TEST(EngineSimWalk, CheckSimParamsAcceptsDefaultsAndRejectsBadValues) {
  const SimParams defaults;
  for (const std::int64_t tick : {kTick01, kTick001, std::int64_t{1'000}, kTick0001}) {
    EXPECT_FALSE(check_sim_params(defaults, tick)) << tick;
  }
  EXPECT_TRUE(check_sim_params(defaults, 0));
  EXPECT_TRUE(check_sim_params(defaults, -10'000));
  EXPECT_TRUE(check_sim_params(defaults, 300'000));  // does not divide 1
  EXPECT_TRUE(check_sim_params(defaults, 500'000));  // no room for a bid below an ask

  auto rejects = [&](auto change, std::int64_t tick = kTick001) {
    SimParams params;
    change(params);
    return check_sim_params(params, tick).has_value();
  };
  EXPECT_TRUE(rejects([](SimParams& p) { p.start_price = 0; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.start_price = kOne; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.start_price = -1; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.start_price = 1; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.start_price = kOne - 1; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.step = -1; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.step = kOne + 1; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.step = 0; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.step = kOne; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.spread = -1; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.spread = 0; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.spread = 980'000; }));  // b = 1, ask 0.99
  EXPECT_TRUE(rejects([](SimParams& p) { p.spread = 990'000; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.spread = 800'000; }, kTick01));
  EXPECT_TRUE(rejects([](SimParams& p) { p.spread = 900'000; }, kTick01));
  EXPECT_TRUE(rejects([](SimParams& p) { p.levels = 0; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.levels = 51; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.levels = 1; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.levels = 50; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.base_size = 0; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.base_size = 1; }));  // would draw 0-share levels
  EXPECT_FALSE(rejects([](SimParams& p) { p.base_size = 2; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.base_size = kMaxSimBaseSize; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.base_size = kMaxSimBaseSize + 1; }));
  EXPECT_TRUE(rejects([](SimParams& p) { p.interval_ms = 99; }));
  EXPECT_FALSE(rejects([](SimParams& p) { p.interval_ms = 100; }));
}

TEST(EngineSimWalk, StoredBidOutOfRangeForChangedParamsIsClamped) {
  // The state was stored under a narrow spread; the market's spread was then widened.
  SimParams params;
  SimState state = sim_initial_state(kSeed, kMarket, kTick001, params);
  state.best_bid_ticks = 98;
  params.spread = 100'000;  // W = 10: b ≤ 89
  const SimBooks books = sim_next(state, kTick001, params);
  EXPECT_EQ(state.best_bid_ticks, 89);
  expect_valid_books(books, kTick001, params.levels);
}

}  // namespace
}  // namespace polysim::engine
