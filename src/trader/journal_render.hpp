// Trader API rendering of the desktop journal (20-trader-api.md §11): JournalEntry and the answer
// to a journal push.
#pragma once
#include <string>

#include "core/json_writer.hpp"
#include "store/journal_store.hpp"
#include "trader/journal_service.hpp"

namespace polysim::trader {

void write_journal_entry(JsonWriter& w, const store::JournalRecord& entry);
std::string journal_entry_json(const store::JournalRecord& entry);
// {"version":…,"results":[{"localId","id","status","version","server","error"}]}
std::string journal_push_json(const JournalPush& push);

}  // namespace polysim::trader
