// Row readers of the engine's orders, positions and settlements, defined in sqlite_engine_store.cpp and shared
// with the verify store so both read the columns the same way.
#pragma once
#include <string_view>

#include "store/engine_records.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace polysim::store::sqlite {

extern const std::string_view kOrderColumns;
extern const std::string_view kPositionColumns;
extern const std::string_view kSettlementColumns;
OrderRecord read_order(const Statement& s);
PositionRecord read_position(const Statement& s);
SettlementRecord read_settlement(const Statement& s);

}  // namespace polysim::store::sqlite
