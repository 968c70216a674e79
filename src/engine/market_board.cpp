#include "engine/market_board.hpp"

namespace polysim::engine {

void MarketBoard::put_market(const store::MarketRecord& market) {
  auto ptr = std::make_shared<const store::MarketRecord>(market);
  std::lock_guard lock(mutex_);
  if (auto old = by_id_.find(market.id); old != by_id_.end() && old->second->slug != market.slug)
    by_slug_.erase(old->second->slug);
  by_id_[market.id] = ptr;
  by_slug_[market.slug] = ptr;
  tokens_[market.yes_token_id] = TokenRef{ptr, true};
  tokens_[market.no_token_id] = TokenRef{ptr, false};
}

MarketPtr MarketBoard::market(std::string_view id_or_slug) const {
  std::lock_guard lock(mutex_);
  const std::string key(id_or_slug);
  if (auto it = by_id_.find(key); it != by_id_.end()) return it->second;
  if (auto it = by_slug_.find(key); it != by_slug_.end()) return it->second;
  return nullptr;
}

std::optional<TokenRef> MarketBoard::token(std::string_view token_id) const {
  std::lock_guard lock(mutex_);
  if (auto it = tokens_.find(std::string(token_id)); it != tokens_.end()) return it->second;
  return std::nullopt;
}

std::vector<MarketPtr> MarketBoard::markets() const {
  std::lock_guard lock(mutex_);
  std::vector<MarketPtr> out;
  out.reserve(by_id_.size());
  for (const auto& [id, m] : by_id_) out.push_back(m);
  return out;
}

std::variant<std::vector<BookPtr>, std::string> MarketBoard::publish(const std::vector<BookUpdate>& updates,
                                                                     std::int64_t now) {
  std::lock_guard lock(mutex_);
  for (const auto& u : updates) {
    auto t = tokens_.find(u.token_id);
    if (t == tokens_.end()) {
      ++dropped_;
      return std::string("unknown token");
    }
    if (auto problem = book_problem(u.bids, u.asks, t->second.market->tick_size)) {
      ++dropped_;
      return *problem;
    }
  }
  std::vector<BookPtr> published;
  for (const auto& u : updates) {
    auto& state = books_[u.token_id];
    auto book = std::make_shared<Book>();
    book->token_id = u.token_id;
    book->market_id = tokens_.at(u.token_id).market->id;
    book->seq = state.book ? state.book->seq + 1 : 1;
    book->bids = u.bids;
    book->asks = u.asks;
    book->received_at = now;
    if (!book->bids.empty()) state.last_bid = book->bids.front().price;
    state.book = book;
    published.push_back(std::move(book));
  }
  return published;
}

void MarketBoard::restore(const Book& book, std::optional<std::int64_t> last_bid) {
  std::lock_guard lock(mutex_);
  auto& state = books_[book.token_id];
  state.book = std::make_shared<const Book>(book);
  state.last_bid = last_bid;
}

BookPtr MarketBoard::book(std::string_view token_id) const {
  std::lock_guard lock(mutex_);
  if (auto it = books_.find(std::string(token_id)); it != books_.end()) return it->second.book;
  return nullptr;
}

std::optional<std::int64_t> MarketBoard::last_bid(std::string_view token_id) const {
  std::lock_guard lock(mutex_);
  if (auto it = books_.find(std::string(token_id)); it != books_.end()) return it->second.last_bid;
  return std::nullopt;
}

std::uint64_t MarketBoard::dropped_updates() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace polysim::engine
