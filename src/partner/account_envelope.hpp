// Renders the account-state envelope (10-partner-api.md §7) and trade rows as JSON.
#pragma once
#include <cstdint>
#include <string>

#include "store/records.hpp"

namespace polysim {
class JsonWriter;
}

namespace polysim::partner {

struct EnvelopeOptions {
  bool include_positions = true;
  std::int64_t as_of = 0;  // µs; a closed account reports its closed_at instead
  std::optional<bool> created;  // POST /accounts adds it
};

void write_account_envelope(JsonWriter& w, const store::AccountRecord& account, const EnvelopeOptions& options);
void write_trade(JsonWriter& w, const store::FillRecord& fill);

}  // namespace polysim::partner
