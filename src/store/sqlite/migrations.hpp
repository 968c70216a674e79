#pragma once
#include <string_view>
#include <vector>

namespace polysim::store::sqlite {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Ordered, append-only: a released migration is never edited, only followed by a new one.
const std::vector<Migration>& migrations();

}  // namespace polysim::store::sqlite
