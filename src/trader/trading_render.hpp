// Trader API rendering of engine records (20-trader-api.md §9): camelCase names, decimals as
// strings, engine enums verbatim.
#pragma once
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "trader/trading_service.hpp"

namespace polysim::trader {

void write_order(JsonWriter& w, const store::OrderRecord& o, const std::vector<store::FillRecord>* fills = nullptr);
void write_fill(JsonWriter& w, const store::FillRecord& f);
void write_position(JsonWriter& w, const PositionView& p);

}  // namespace polysim::trader
