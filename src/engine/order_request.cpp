#include "engine/order_request.hpp"

namespace polysim::engine {

std::string_view side_name(Side side) { return side == Side::Buy ? "BUY" : "SELL"; }

std::string_view order_type_name(OrderType type) { return type == OrderType::Market ? "market" : "limit"; }

std::string_view time_in_force_name(TimeInForce tif) {
  switch (tif) {
    case TimeInForce::Fok: return "FOK";
    case TimeInForce::Fak: return "FAK";
    case TimeInForce::Gtc: return "GTC";
    case TimeInForce::Gtd: return "GTD";
  }
  return "GTC";
}

std::string_view outcome_name(Outcome outcome) { return outcome == Outcome::Yes ? "YES" : "NO"; }

}  // namespace polysim::engine
