// Renders the account-state envelope (10-partner-api.md §7) and trade rows as JSON.
#pragma once
#include <cstdint>
#include <string>

#include "engine/account_view.hpp"
#include "store/records.hpp"

namespace polysim {
class JsonWriter;
}

namespace polysim::partner {

struct EnvelopeOptions {
  bool include_positions = true;
  std::optional<bool> created;  // POST /accounts adds it
};

// as_of is the view's instant; a closed account reports its closed_at instead.
void write_account_envelope(JsonWriter& w, const engine::AccountView& view, const EnvelopeOptions& options);
void write_trade(JsonWriter& w, const store::FillRecord& fill);

}  // namespace polysim::partner
