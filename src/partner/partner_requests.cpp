#include "partner/partner_requests.hpp"


#include <algorithm>

#include "core/decimal.hpp"
#include "core/time_format.hpp"

namespace polysim::partner {

namespace {

constexpr std::size_t kMaxObjectBytes = 16 * 1024;
constexpr int kMaxObjectDepth = 10;
constexpr std::int64_t kMaxSafeInteger = 9'007'199'254'740'991;

bool valid_external_id(const std::string& s) {
  if (s.empty() || s.size() > 255) return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7E) return false;
  return true;
}

bool valid_stage(const std::string& s) { return s == "demo" || s == "challenge" || s == "funded"; }

// Objects are stored with their keys sorted, so equal objects compare equal as text whatever
// order a client sent (the contract does not preserve key order).
JsonValue sorted_keys(const JsonValue& v) {
  if (v.is_array()) {
    JsonValue::Elements elements;
    for (const auto& e : v.elements()) elements.push_back(sorted_keys(e));
    return JsonValue::array(std::move(elements));
  }
  if (!v.is_object()) return v;
  JsonValue::Members members;
  for (const auto& [k, e] : v.items()) members.emplace_back(k, sorted_keys(e));
  std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return JsonValue::object(std::move(members));
}

// metadata / rules: optional JSON objects within size and depth bounds.
std::optional<PartnerError> read_object_field(const JsonValue& body, std::string_view name, std::string& out,
                                              bool null_allowed_as_absent) {
  const auto* v = body.find(name);
  if (!v) return std::nullopt;
  if (v->is_null() && null_allowed_as_absent) return std::nullopt;
  if (!v->is_object()) return validation_failed(std::string(name) + " must be an object");
  if (depth(*v) > kMaxObjectDepth) return validation_failed(std::string(name) + " is nested too deeply");
  auto text = serialize_compact(sorted_keys(*v));
  if (text.size() > kMaxObjectBytes) return validation_failed(std::string(name) + " is larger than 16 KiB");
  out = std::move(text);
  return std::nullopt;
}

std::optional<PartnerError> read_external_id(const JsonValue& body, std::string& out) {
  const auto* v = body.find("external_id");
  if (!v || v->is_null()) return validation_failed("missing external_id");
  if (!v->is_string()) return validation_failed("external_id must be a string");
  if (!valid_external_id(v->as_string()))
    return validation_failed("external_id must be 1-255 printable ASCII characters without spaces");
  out = v->as_string();
  return std::nullopt;
}

std::optional<int> parse_limit(const QueryParams& q, std::optional<PartnerError>& error) {
  auto it = q.values.find("limit");
  if (it == q.values.end()) return 100;
  const auto& text = it->second;
  bool digits = !text.empty() && text.size() <= 4;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  const int n = digits ? std::stoi(text) : 0;
  if (!digits || n < 1 || n > 500) {
    error = validation_failed("limit must be an integer from 1 to 500");
    return std::nullopt;
  }
  return n;
}

}  // namespace

std::optional<std::int64_t> parse_user_id(std::string_view text) {
  if (text.empty() || text.size() > 16 || text[0] == '0') return std::nullopt;
  std::int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > kMaxSafeInteger) return std::nullopt;
  return n;
}

Result<CreateUserRequest> parse_create_user(const JsonValue& body) {
  CreateUserRequest r;
  if (auto e = read_external_id(body, r.external_id)) return *e;
  const auto* email = body.find("email");
  if (!email || email->is_null()) return validation_failed("missing email");
  if (!email->is_string()) return validation_failed("email must be a string");
  r.email = email->as_string();
  if (auto e = read_object_field(body, "metadata", r.metadata_json, true)) return *e;
  return r;
}

Result<CreateAccountRequest> parse_create_account(const JsonValue& body) {
  CreateAccountRequest r;
  const auto* user_id = body.find("user_id");
  if (!user_id || user_id->is_null()) return validation_failed("missing user_id");
  auto uid = json_integer(*user_id);
  if (!user_id->is_number() || !uid || *uid < 1 || *uid > kMaxSafeInteger)
    return validation_failed("user_id must be a positive integer");
  r.user_id = *uid;
  if (auto e = read_external_id(body, r.external_id)) return *e;
  const auto* stage = body.find("stage");
  if (!stage || stage->is_null()) return validation_failed("missing stage");
  if (!stage->is_string()) return validation_failed("stage must be a string");
  const auto* balance = body.find("starting_balance");
  if (!balance || balance->is_null()) return validation_failed("missing starting_balance");
  if (auto e = read_object_field(body, "metadata", r.metadata_json, true)) return *e;
  if (auto e = read_object_field(body, "rules", r.rules_json, true)) return *e;
  if (!valid_stage(stage->as_string())) return make_error("INVALID_STAGE");
  r.stage = stage->as_string();
  std::optional<std::int64_t> micros;
  if (balance->is_string()) micros = parse_decimal(balance->as_string(), 2, kMicrosScale, NegativeValues::Allow);
  else if (balance->is_number()) micros = parse_decimal(balance->number_text(), 2, kMicrosScale, NegativeValues::Allow);
  if (!micros) return make_error("INVALID_BALANCE");
  r.starting_balance = *micros;
  return r;
}

Result<store::AccountPatch> parse_account_patch(const JsonValue& body) {
  for (const auto& [key, value] : body.items())
    if (key != "stage" && key != "metadata" && key != "rules") return validation_failed("unknown field " + key);
  store::AccountPatch patch;
  if (const auto* stage = body.find("stage")) {
    if (!stage->is_string()) return validation_failed("stage must be a string");
  }
  for (std::string_view name : {"metadata", "rules"}) {
    const auto* v = body.find(name);
    if (!v) continue;
    if (v->is_null()) return validation_failed(std::string(name) + " must be an object");
    std::string json;
    if (auto e = read_object_field(body, name, json, false)) return *e;
    (name == "metadata" ? patch.metadata_json : patch.rules_json) = std::move(json);
  }
  if (const auto* stage = body.find("stage")) {
    if (!valid_stage(stage->as_string())) return make_error("INVALID_STAGE");
    patch.stage = stage->as_string();
  }
  return patch;
}

Result<std::optional<std::string>> parse_login_link(const JsonValue* body) {
  if (!body) return std::optional<std::string>{};
  const auto* url = body->find("redirect_url");
  if (!url || url->is_null()) return std::optional<std::string>{};
  if (!url->is_string()) return validation_failed("redirect_url must be a string");
  return std::optional<std::string>{url->as_string()};
}

Result<TradesRequest> parse_trades_query(const QueryParams& q) {
  TradesRequest r;
  std::optional<PartnerError> error;
  if (q.duplicated) return validation_failed("query parameter " + *q.duplicated + " given more than once");
  auto limit = parse_limit(q, error);
  if (!limit) return *error;
  r.limit = *limit;
  if (auto it = q.values.find("side"); it != q.values.end()) {
    std::string side = it->second;
    for (auto& c : side) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (side != "BUY" && side != "SELL") return validation_failed("side must be BUY or SELL");
    r.side = side;
  }
  if (auto it = q.values.find("market"); it != q.values.end()) {
    if (it->second.empty() || it->second.size() > 200) return validation_failed("market must be a market id or slug");
    r.market = it->second;
  }
  for (std::string_view name : {"since", "until"}) {
    auto it = q.values.find(std::string(name));
    if (it == q.values.end()) continue;
    auto t = parse_rfc3339(it->second);
    if (!t) return validation_failed(std::string(name) + " must be an RFC 3339 time");
    (name == "since" ? r.since : r.until) = *t;
  }
  if (r.since && r.until && *r.since >= *r.until) return validation_failed("since must be earlier than until");
  if (auto it = q.values.find("cursor"); it != q.values.end()) r.cursor = it->second;
  return r;
}

Result<ListAccountsRequest> parse_list_accounts_query(const QueryParams& q) {
  ListAccountsRequest r;
  std::optional<PartnerError> error;
  if (q.duplicated) return validation_failed("query parameter " + *q.duplicated + " given more than once");
  auto limit = parse_limit(q, error);
  if (!limit) return *error;
  r.limit = *limit;
  if (auto it = q.values.find("user_id"); it != q.values.end()) {
    auto id = parse_user_id(it->second);
    if (!id) return validation_failed("user_id must be a positive integer");
    r.user_id = *id;
  }
  if (auto it = q.values.find("external_id"); it != q.values.end()) {
    if (!valid_external_id(it->second)) return validation_failed("external_id is not valid");
    r.external_id = it->second;
  }
  if (auto it = q.values.find("stage"); it != q.values.end()) {
    if (!valid_stage(it->second)) return validation_failed("stage must be one of demo, challenge, funded");
    r.stage = it->second;
  }
  if (auto it = q.values.find("status"); it != q.values.end()) {
    if (it->second != "active" && it->second != "closed") return validation_failed("status must be active or closed");
    r.status = it->second;
  }
  if (auto it = q.values.find("cursor"); it != q.values.end()) r.cursor = it->second;
  return r;
}

}  // namespace polysim::partner
