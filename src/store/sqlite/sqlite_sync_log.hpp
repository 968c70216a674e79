// Writes to desktop sync's change log (20-trader-api.md §11) from inside a store transaction, so
// a change and its log row commit together. The engine's commits write their own rows.
#pragma once
#include <cstdint>
#include <string_view>

#include "store/sqlite/sqlite_connection.hpp"

namespace polysim::store::sqlite {

// One row naming one entity; its id is the user's new version, returned.
std::int64_t append_sync_change(SqliteConnection& c, std::int64_t user_id, std::string_view entity,
                                std::string_view id, std::int64_t at);

}  // namespace polysim::store::sqlite
