// The engine's view of markets and their current books, shared by feed threads (which publish),
// shards (which match against it) and readers (which render it). Books are immutable snapshots
// behind shared pointers, so a reader keeps a consistent book however fast the feed moves.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/book.hpp"
#include "store/records.hpp"

namespace polysim::engine {

using MarketPtr = std::shared_ptr<const store::MarketRecord>;

struct TokenRef {
  MarketPtr market;
  bool yes = true;
};

struct BookUpdate {
  std::string token_id;
  std::vector<BookLevel> bids;
  std::vector<BookLevel> asks;
  std::optional<std::string> sim_state;  // the simulated walk's state, stored with the book
};

class MarketBoard {
 public:
  // Adds or replaces a market (status changes replace the whole record).
  void put_market(const store::MarketRecord& market);
  MarketPtr market(std::string_view id_or_slug) const;
  std::optional<TokenRef> token(std::string_view token_id) const;
  std::vector<MarketPtr> markets() const;

  // Validates each update against its market's tick and publishes them together (a mirrored pair
  // is one atomic change), each with the next seq of its token. On a problem nothing is published
  // and the problem is returned.
  std::variant<std::vector<BookPtr>, std::string> publish(const std::vector<BookUpdate>& updates, std::int64_t now);
  // Restores a stored book at start-up (seq and last bid kept; it stays stale until the feed speaks
  // if its received_at is old).
  void restore(const Book& book, std::optional<std::int64_t> last_bid);

  BookPtr book(std::string_view token_id) const;
  // The most recent non-empty best bid of the token, kept across empty and stale books.
  std::optional<std::int64_t> last_bid(std::string_view token_id) const;
  std::uint64_t dropped_updates() const;

 private:
  struct TokenState {
    BookPtr book;
    std::optional<std::int64_t> last_bid;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, MarketPtr> by_id_;
  std::unordered_map<std::string, MarketPtr> by_slug_;
  std::unordered_map<std::string, TokenRef> tokens_;
  std::unordered_map<std::string, TokenState> books_;
  std::uint64_t dropped_ = 0;
};

}  // namespace polysim::engine
