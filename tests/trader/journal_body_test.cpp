// Journal pushes without a server (20-trader-api.md §11): the body parser (request errors are
// 400s, entry errors mark only that entry invalid) and the rule that turns a pushed entry and the
// stored copy into a status.
#include "trader/journal_body.hpp"

#include <gtest/gtest.h>

#include "auth/auth_failure.hpp"
#include "trader/journal_service.hpp"

namespace polysim::trader {
namespace {

JsonValue json(std::string_view text) { return std::get<JsonValue>(parse_json(text)); }

// The field a request-level failure names, or "" when the request parsed.
std::string refused_field(const JsonValue* body) {
  try {
    parse_journal_body(body);
  } catch (const auth::AuthFailure& f) {
    EXPECT_EQ(f.status, 400);
    EXPECT_EQ(f.error, "validation_error");
    return f.details.empty() ? std::string("?") : f.details.front().first;
  }
  return "";
}

std::string refused_field(std::string_view text) {
  auto body = json(text);
  return refused_field(&body);
}

// The error of a single pushed entry, "" when it is valid.
std::string entry_error(std::string_view entry) {
  auto body = json(R"({"entries":[)" + std::string(entry) + "]}");
  auto items = parse_journal_body(&body);
  EXPECT_EQ(items.size(), 1u);
  if (items.empty()) return "?";
  EXPECT_EQ(items[0].entry.has_value(), items[0].error.empty());
  return items[0].error;
}

TEST(JournalBody, ReadsEveryField) {
  auto body = json(R"({"entries":[{"localId":"c4a1f0e2","baseVersion":1835,"kind":"review","accountId":"acc",
                       "marketId":"snow-in-paris","orderId":"ord","title":"Why I bought","body":"Snow models flipped.",
                       "tags":["weather","été"],"deleted":false}]})");
  auto items = parse_journal_body(&body);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].entry) << items[0].error;
  const auto& e = *items[0].entry;
  EXPECT_EQ(items[0].local_id, "c4a1f0e2");
  EXPECT_EQ(e.local_id, "c4a1f0e2");
  EXPECT_EQ(e.base_version, 1835);
  EXPECT_EQ(e.kind, "review");
  EXPECT_EQ(e.account_id, "acc");
  EXPECT_EQ(e.market, "snow-in-paris");
  EXPECT_EQ(e.order_id, "ord");
  EXPECT_EQ(e.title, "Why I bought");
  EXPECT_EQ(e.body, "Snow models flipped.");
  EXPECT_EQ(e.tags, (std::vector<std::string>{"weather", "été"}));
  EXPECT_FALSE(e.deleted);
}

TEST(JournalBody, OptionalFieldsDefaultAndNullMeansAbsent) {
  auto body = json(R"({"entries":[{"localId":"a","kind":"note","title":null,"tags":null,"baseVersion":null}]})");
  auto items = parse_journal_body(&body);
  ASSERT_TRUE(items.at(0).entry);
  const auto& e = *items[0].entry;
  EXPECT_EQ(e.base_version, 0);
  EXPECT_FALSE(e.title);
  EXPECT_FALSE(e.body);
  EXPECT_TRUE(e.tags.empty());
  EXPECT_FALSE(e.deleted);
  // A delete needs no kind.
  EXPECT_EQ(entry_error(R"({"localId":"a","deleted":true})"), "");
}

TEST(JournalBody, RequestLevelProblemsAreValidationErrors) {
  EXPECT_EQ(refused_field(R"({"entries":[]})"), "");
  EXPECT_EQ(refused_field(nullptr), "entries");
  EXPECT_EQ(refused_field(R"({})"), "entries");
  EXPECT_EQ(refused_field(R"({"entries":null})"), "entries");
  EXPECT_EQ(refused_field(R"({"entries":{}})"), "entries");
  EXPECT_EQ(refused_field(R"({"entries":"x"})"), "entries");
  EXPECT_EQ(refused_field(R"({"entries":[],"device":"x"})"), "device");  // strict top level

  std::string many = R"({"entries":[)";
  for (std::size_t i = 0; i < kMaxJournalEntries; ++i) many += (i ? "," : "") + std::string("1");
  EXPECT_EQ(refused_field(many + "]}"), "");  // 500 entries: each invalid, the request fine
  EXPECT_EQ(refused_field(many + ",1]}"), "entries");
}

TEST(JournalBody, EntryProblemsMarkOnlyThatEntry) {
  EXPECT_EQ(entry_error(R"("x")"), "an entry must be an object");
  EXPECT_EQ(entry_error(R"({"kind":"note"})"), "localId is required");
  EXPECT_EQ(entry_error(R"({"localId":"","kind":"note"})"), "localId must be 1 to 64 characters");
  EXPECT_EQ(entry_error(R"({"localId":")" + std::string(64, 'a') + R"(","kind":"note"})"), "");
  EXPECT_EQ(entry_error(R"({"localId":")" + std::string(65, 'a') + R"(","kind":"note"})"),
            "localId must be 1 to 64 characters");
  EXPECT_EQ(entry_error(R"({"localId":7,"kind":"note"})"), "localId must be a string");
  EXPECT_EQ(entry_error(R"({"localId":"a"})"), "kind is required");
  EXPECT_EQ(entry_error(R"({"localId":"a","kind":"idea"})"), "kind must be note, plan or review");
  EXPECT_EQ(entry_error(R"({"localId":"a","kind":"note","baseVersion":-1})"),
            "baseVersion must be an integer of at least 0");
  EXPECT_EQ(entry_error(R"({"localId":"a","kind":"note","baseVersion":"3"})"),
            "baseVersion must be an integer of at least 0");
  EXPECT_EQ(entry_error(R"({"localId":"a","kind":"note","deleted":"yes"})"), "deleted must be true or false");
  EXPECT_EQ(entry_error(R"({"localId":"a","kind":"note","clientId":"x"})"), "unknown field clientId");
  EXPECT_EQ(entry_error(R"({"localId":"a","kind":"note","marketId":5})"), "marketId must be a string");
  EXPECT_EQ(entry_error(R"({"localId":"a","kind":"note","accountId":""})"), "accountId must be 1 to 128 characters");
}

TEST(JournalBody, TextLimitsCountCharactersNotBytes) {
  const std::string title_200(200, 'x'), accents_200 = [] {
    std::string s;
    for (int i = 0; i < 200; ++i) s += "é";  // 400 bytes, 200 characters
    return s;
  }();
  auto with = [](std::string_view field, const std::string& value) {
    return R"({"localId":"a","kind":"note",")" + std::string(field) + R"(":")" + value + R"("})";
  };
  EXPECT_EQ(entry_error(with("title", title_200)), "");
  EXPECT_EQ(entry_error(with("title", accents_200)), "");
  EXPECT_EQ(entry_error(with("title", title_200 + "x")), "title must be 0 to 200 characters");
  EXPECT_EQ(entry_error(with("body", std::string(20'000, 'b'))), "");
  EXPECT_EQ(entry_error(with("body", std::string(20'001, 'b'))), "body must be 0 to 20000 characters");

  std::string tags20 = "[", tags21;
  for (int i = 0; i < 20; ++i) tags20 += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
  tags21 = tags20 + ",\"t20\"]";
  tags20 += "]";
  auto with_tags = [](const std::string& tags) { return R"({"localId":"a","kind":"note","tags":)" + tags + "}"; };
  EXPECT_EQ(entry_error(with_tags(tags20)), "");
  EXPECT_EQ(entry_error(with_tags(tags21)), "tags must be an array of at most 20 tags");
  EXPECT_EQ(entry_error(with_tags(R"([")" + std::string(40, 't') + R"("])")), "");
  EXPECT_EQ(entry_error(with_tags(R"([")" + std::string(41, 't') + R"("])")), "each tag must be 1 to 40 characters");
  EXPECT_EQ(entry_error(with_tags(R"([""])")), "each tag must be 1 to 40 characters");
  EXPECT_EQ(entry_error(with_tags(R"([1])")), "tags must be strings");
  EXPECT_EQ(entry_error(with_tags(R"("weather")")), "tags must be an array of at most 20 tags");
}

TEST(JournalBody, InvalidEntriesKeepTheirPlaceAndLocalId) {
  auto body = json(R"({"entries":[{"localId":"ok","kind":"note"},{"localId":"bad","kind":"x"},
                       {"localId":7},[],{"localId":"fine","kind":"plan"}]})");
  auto items = parse_journal_body(&body);
  ASSERT_EQ(items.size(), 5u);
  EXPECT_TRUE(items[0].entry);
  EXPECT_FALSE(items[1].entry);
  EXPECT_EQ(items[1].local_id, "bad");
  EXPECT_FALSE(items[2].local_id);  // not a string: nothing to echo
  EXPECT_FALSE(items[3].local_id);
  EXPECT_TRUE(items[4].entry);
  EXPECT_EQ(items[4].local_id, "fine");
}

// ---------------------------------------------------------------------------------------------
// decide_journal_entry

constexpr std::int64_t kNow = 1'800'000'000'000'000;

store::JournalRecord content(std::string title) {
  store::JournalRecord r;
  r.id = "new-id";
  r.kind = "note";
  r.market_id = "m1";
  r.title = std::move(title);
  r.tags = {"weather"};
  return r;
}

store::JournalRecord stored(std::string title, std::int64_t version) {
  auto r = content(std::move(title));
  r.id = "stored-id";
  r.local_id = "l1";
  r.version = version;
  r.created_at = kNow - 1000;
  r.updated_at = kNow - 500;
  return r;
}

TEST(JournalDecision, CreatesWhatIsNotStored) {
  auto out = decide_journal_entry(std::nullopt, content("a"), false, 0, kNow);
  EXPECT_EQ(out.status, "created");
  ASSERT_TRUE(out.write);
  EXPECT_EQ(out.write->id, "new-id");
  EXPECT_EQ(out.write->created_at, kNow);
  EXPECT_EQ(out.write->updated_at, kNow);
  EXPECT_FALSE(out.write->deleted_at);
  // Deleting an entry the server never had writes nothing.
  out = decide_journal_entry(std::nullopt, store::JournalRecord{}, true, 0, kNow);
  EXPECT_EQ(out.status, "unchanged");
  EXPECT_FALSE(out.write);
}

TEST(JournalDecision, SameContentIsUnchangedWhateverTheBaseVersion) {
  for (std::int64_t base : {0, 10, 99}) {
    auto out = decide_journal_entry(stored("a", 10), content("a"), false, base, kNow);
    EXPECT_EQ(out.status, "unchanged") << base;
    EXPECT_FALSE(out.write);
  }
}

TEST(JournalDecision, UpdatesFromTheStoredVersionOrLater) {
  for (std::int64_t base : {10, 11}) {
    auto out = decide_journal_entry(stored("a", 10), content("b"), false, base, kNow);
    EXPECT_EQ(out.status, "updated");
    ASSERT_TRUE(out.write);
    EXPECT_EQ(out.write->id, "stored-id");  // never the id minted for a create
    EXPECT_EQ(out.write->title, "b");
    EXPECT_EQ(out.write->created_at, kNow - 1000);
    EXPECT_EQ(out.write->updated_at, kNow);
  }
}

TEST(JournalDecision, ChangedAfterTheBaseVersionIsAConflict) {
  auto out = decide_journal_entry(stored("a", 10), content("b"), false, 9, kNow);
  EXPECT_EQ(out.status, "conflict");
  EXPECT_FALSE(out.write);
  out = decide_journal_entry(stored("a", 10), store::JournalRecord{}, true, 9, kNow);
  EXPECT_EQ(out.status, "conflict");
  EXPECT_FALSE(out.write);
}

TEST(JournalDecision, DeletesKeepTheContentAndRepeatAsUnchanged) {
  auto out = decide_journal_entry(stored("a", 10), store::JournalRecord{}, true, 10, kNow);
  EXPECT_EQ(out.status, "deleted");
  ASSERT_TRUE(out.write);
  EXPECT_EQ(out.write->id, "stored-id");
  EXPECT_EQ(out.write->title, "a");
  EXPECT_EQ(out.write->deleted_at, kNow);

  auto tombstone = *out.write;
  tombstone.version = 12;
  out = decide_journal_entry(tombstone, store::JournalRecord{}, true, 0, kNow);
  EXPECT_EQ(out.status, "unchanged");
  // Writing it again brings it back, from a client that saw the delete.
  out = decide_journal_entry(tombstone, content("a"), false, 9, kNow);
  EXPECT_EQ(out.status, "conflict");
  out = decide_journal_entry(tombstone, content("a"), false, 12, kNow);
  EXPECT_EQ(out.status, "updated");
  ASSERT_TRUE(out.write);
  EXPECT_FALSE(out.write->deleted_at);
}

}  // namespace
}  // namespace polysim::trader
