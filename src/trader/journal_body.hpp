// The body of POST /api/v1/desktop/sync/journal (20-trader-api.md §11) → typed entries. Problems
// of the request as a whole (not an object, unknown top-level field, `entries` missing, not an
// array or over 500) throw validation_error (auth::AuthFailure); a bad entry does not: it comes
// back marked invalid with its reason, so the others still apply.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json_input.hpp"

namespace polysim::trader {

inline constexpr std::size_t kMaxJournalBody = 1024 * 1024;
inline constexpr std::size_t kMaxJournalEntries = 500;

struct JournalEntryInput {
  std::string local_id;
  // The user's version the client's copy is based on; absent counts as 0, so writing over an
  // existing entry needs the client to say which copy it saw.
  std::int64_t base_version = 0;
  std::string kind;  // note | plan | review; empty only when deleting
  std::optional<std::string> account_id;
  std::optional<std::string> market;  // id or slug, as sent
  std::optional<std::string> order_id;
  std::optional<std::string> title;
  std::optional<std::string> body;
  std::vector<std::string> tags;
  bool deleted = false;
};

struct JournalItem {
  std::optional<std::string> local_id;     // echoed in its result when it was a usable string
  std::optional<JournalEntryInput> entry;  // nullopt: invalid, for `error`
  std::string error;
};

std::vector<JournalItem> parse_journal_body(const JsonValue* body);

}  // namespace polysim::trader
