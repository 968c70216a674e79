#include "trader/journal_body.hpp"

#include <string_view>

#include "auth/auth_failure.hpp"
#include "core/encoding.hpp"
#include "trader/trader_body.hpp"

namespace polysim::trader {

namespace {

constexpr std::size_t kMaxLocalId = 64;
constexpr std::size_t kMaxReference = 128;  // ids are UUIDs; a market may be named by its slug
constexpr std::size_t kMaxTitle = 200;
constexpr std::size_t kMaxText = 20'000;
constexpr std::size_t kMaxTags = 20;
constexpr std::size_t kMaxTag = 40;

constexpr std::string_view kEntryFields[] = {"localId", "baseVersion", "kind",  "accountId", "marketId",
                                             "orderId", "title",       "body",  "tags",      "deleted"};

// One entry's problem: it makes that entry invalid, not the request.
struct Invalid {
  std::string why;
};

const JsonValue* present(const JsonValue& entry, std::string_view name) {
  const auto* v = entry.find(name);
  return v && !v->is_null() ? v : nullptr;
}

std::optional<std::string> text_field(const JsonValue& entry, std::string_view name, std::size_t min_chars,
                                      std::size_t max_chars) {
  const auto* v = present(entry, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw Invalid{std::string(name) + " must be a string"};
  const auto chars = utf8_code_points(v->as_string());
  if (chars < min_chars || chars > max_chars)
    throw Invalid{std::string(name) + " must be " + std::to_string(min_chars) + " to " + std::to_string(max_chars) +
                  " characters"};
  return v->as_string();
}

std::vector<std::string> tags_field(const JsonValue& entry) {
  const auto* v = present(entry, "tags");
  if (!v) return {};
  if (!v->is_array() || v->elements().size() > kMaxTags) throw Invalid{"tags must be an array of at most 20 tags"};
  std::vector<std::string> out;
  for (const auto& tag : v->elements()) {
    if (!tag.is_string()) throw Invalid{"tags must be strings"};
    const auto chars = utf8_code_points(tag.as_string());
    if (chars < 1 || chars > kMaxTag) throw Invalid{"each tag must be 1 to 40 characters"};
    out.push_back(tag.as_string());
  }
  return out;
}

JournalEntryInput read_entry(const JsonValue& entry) {
  for (const auto& [key, value] : entry.items()) {
    bool known = false;
    for (auto name : kEntryFields) known |= name == key;
    if (!known) throw Invalid{"unknown field " + key};
  }
  JournalEntryInput in;
  auto local_id = text_field(entry, "localId", 1, kMaxLocalId);
  if (!local_id) throw Invalid{"localId is required"};
  in.local_id = std::move(*local_id);
  if (const auto* v = present(entry, "baseVersion")) {
    const auto version = json_integer(*v);
    if (!version || *version < 0) throw Invalid{"baseVersion must be an integer of at least 0"};
    in.base_version = *version;
  }
  if (const auto* v = present(entry, "deleted")) {
    if (!v->is_bool()) throw Invalid{"deleted must be true or false"};
    in.deleted = v->as_bool();
  }
  if (auto kind = text_field(entry, "kind", 1, 16)) {
    if (*kind != "note" && *kind != "plan" && *kind != "review") throw Invalid{"kind must be note, plan or review"};
    in.kind = std::move(*kind);
  } else if (!in.deleted) {
    throw Invalid{"kind is required"};
  }
  in.account_id = text_field(entry, "accountId", 1, kMaxReference);
  in.market = text_field(entry, "marketId", 1, kMaxReference);
  in.order_id = text_field(entry, "orderId", 1, kMaxReference);
  in.title = text_field(entry, "title", 0, kMaxTitle);
  in.body = text_field(entry, "body", 0, kMaxText);
  in.tags = tags_field(entry);
  return in;
}

}  // namespace

std::vector<JournalItem> parse_journal_body(const JsonValue* body) {
  BodyFields fields(body, {"entries"});
  const auto* entries = body ? body->find("entries") : nullptr;
  if (!entries || entries->is_null()) throw auth::validation_failure("entries", "is required");
  if (!entries->is_array()) throw auth::validation_failure("entries", "must be an array");
  if (entries->elements().size() > kMaxJournalEntries)
    throw auth::validation_failure("entries", "must hold at most 500 entries");
  std::vector<JournalItem> out;
  out.reserve(entries->elements().size());
  for (const auto& entry : entries->elements()) {
    JournalItem item;
    if (!entry.is_object()) {
      item.error = "an entry must be an object";
      out.push_back(std::move(item));
      continue;
    }
    if (const auto* id = entry.find("localId");
        id && id->is_string() && !id->as_string().empty() && utf8_code_points(id->as_string()) <= kMaxLocalId)
      item.local_id = id->as_string();
    try {
      item.entry = read_entry(entry);
    } catch (const Invalid& invalid) {
      item.error = invalid.why;
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace polysim::trader
