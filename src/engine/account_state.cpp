#include "engine/account_state.hpp"

namespace polysim::engine {

const store::OrderRecord* AccountState::find_order(const std::string& order_id) const {
  if (auto it = open_orders.find(order_id); it != open_orders.end()) return &it->second;
  for (auto it = recent_done.rbegin(); it != recent_done.rend(); ++it)
    if (it->order_id == order_id) return &*it;
  return nullptr;
}

}  // namespace polysim::engine
