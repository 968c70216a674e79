#include "auth/oidc/provider_registry.hpp"

#include <openssl/evp.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

#include "core/origin.hpp"

namespace polysim::auth::oidc {

namespace {

constexpr std::int64_t kRediscoverAfterMs = 24LL * 3600 * 1000;
constexpr std::int64_t kRetryAfterMs = 60'000;

std::optional<boost::json::object> json_object(const OutboundResponse& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string text(const boost::json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Endpoints follow the issuer's rule: https, or http on loopback.
bool acceptable_endpoint(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->host().empty() || parsed->has_fragment()) return false;
  if (parsed->scheme() == "https") return true;
  return parsed->scheme() == "http" && is_loopback_host(parsed->host());
}

// application/x-www-form-urlencoded with every byte outside the unreserved set as %XX, which
// every form decoder reads.
std::string form_field(std::string_view name, std::string_view value) {
  return append_query_param("", name, value).substr(1);
}

std::string base64_standard(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

ProviderRegistry::ProviderRegistry(std::vector<OidcProviderConfig> providers, const Clock& clock,
                                   std::function<void(std::string_view)> warn, Fetcher fetch)
    : clock_(clock), warn_(std::move(warn)), fetch_(std::move(fetch)) {
  if (!fetch_) fetch_ = [](const OutboundRequest& r) { return http_fetch(r); };
  for (auto& p : providers) {
    auto state = std::make_unique<State>();
    state->config = std::move(p);
    const auto name = state->config.name;
    providers_.emplace(name, std::move(state));
  }
}

ProviderRegistry::State* ProviderRegistry::find(std::string_view name) const {
  auto it = providers_.find(name);
  return it == providers_.end() ? nullptr : it->second.get();
}

const OidcProviderConfig* ProviderRegistry::config(std::string_view name) const {
  auto* s = find(name);
  return s ? &s->config : nullptr;
}

void ProviderRegistry::discover_all() {
  for (auto& [name, state] : providers_) {
    std::lock_guard lock(state->mutex);
    if (auto problem = discover(*state))
      warn_("oidc provider " + name + " is unavailable until its discovery succeeds: " + *problem);
  }
}

std::optional<std::string> ProviderRegistry::discover(State& s) {
  s.discovery_tried_at = clock_.monotonic_millis();
  OutboundRequest req;
  req.url = s.config.issuer + "/.well-known/openid-configuration";
  req.headers.emplace_back("Accept", "application/json");
  OutboundResponse res;
  try {
    res = fetch_(req);
  } catch (const std::exception& e) {
    return std::string("discovery: ") + e.what();
  }
  if (res.status != 200) return "discovery answered HTTP " + std::to_string(res.status);
  auto doc = json_object(res);
  if (!doc) return std::string("discovery is not a JSON object");
  // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from.
  auto issuer = text(*doc, "issuer");
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  if (issuer != s.config.issuer) return "discovery names issuer '" + text(*doc, "issuer") + "'";
  ProviderMetadata m;
  m.authorization_endpoint = text(*doc, "authorization_endpoint");
  m.token_endpoint = text(*doc, "token_endpoint");
  m.jwks_uri = text(*doc, "jwks_uri");
  for (const auto* url : {&m.authorization_endpoint, &m.token_endpoint, &m.jwks_uri})
    if (!acceptable_endpoint(*url)) return "discovery has a missing or unusable endpoint '" + *url + "'";
  if (const auto* methods = doc->if_contains("token_endpoint_auth_methods_supported");
      methods && methods->is_array()) {
    bool basic = false, post = false;
    for (const auto& v : methods->as_array()) {
      if (v == "client_secret_basic") basic = true;
      if (v == "client_secret_post") post = true;
    }
    m.secret_in_body = post && !basic;
  }
  const bool first = !s.metadata;
  const auto previous = std::move(s.metadata);
  s.metadata = std::move(m);
  if (auto problem = fetch_keys(s)) {
    // A working provider keeps its last good state; a new one stays unavailable.
    s.metadata = previous;
    if (first) s.metadata.reset();
    return problem;
  }
  s.discovered_at = clock_.monotonic_millis();
  return std::nullopt;
}

std::optional<std::string> ProviderRegistry::fetch_keys(State& s) {
  s.keys_fetched_at = clock_.monotonic_millis();
  OutboundRequest req;
  req.url = s.metadata->jwks_uri;
  req.headers.emplace_back("Accept", "application/json");
  OutboundResponse res;
  try {
    res = fetch_(req);
  } catch (const std::exception& e) {
    return std::string("jwks: ") + e.what();
  }
  if (res.status != 200) return "jwks answered HTTP " + std::to_string(res.status);
  auto keys = parse_jwks(res.body);
  if (!keys) return std::string("jwks is not a JWK set");
  if (keys->empty()) return std::string("jwks has no RS256 or ES256 signing key");
  s.keys = std::move(*keys);
  return std::nullopt;
}

std::optional<ProviderMetadata> ProviderRegistry::current(State& s) {
  const auto now = clock_.monotonic_millis();
  if (!s.metadata) {
    if (!s.discovery_tried_at || now - *s.discovery_tried_at >= kRetryAfterMs) {
      if (auto problem = discover(s)) warn_("oidc provider " + s.config.name + " is still unavailable: " + *problem);
      else warn_("oidc provider " + s.config.name + " is available again");
    }
  } else if (s.discovered_at && now - *s.discovered_at >= kRediscoverAfterMs &&
             (!s.discovery_tried_at || now - *s.discovery_tried_at >= kRetryAfterMs)) {
    if (auto problem = discover(s))
      warn_("oidc provider " + s.config.name + ": daily discovery failed, keeping the previous metadata: " + *problem);
  }
  return s.metadata;
}

std::optional<ProviderMetadata> ProviderRegistry::metadata(std::string_view name) {
  auto* s = find(name);
  if (!s) return std::nullopt;
  std::lock_guard lock(s->mutex);
  return current(*s);
}

std::optional<Jwk> ProviderRegistry::key(std::string_view name, const std::string& kid, bool refetch) {
  auto* s = find(name);
  if (!s) return std::nullopt;
  std::lock_guard lock(s->mutex);
  auto lookup = [&]() -> std::optional<Jwk> {
    if (kid.empty()) {
      if (s->keys.size() == 1) return s->keys.front();
      return std::nullopt;
    }
    for (const auto& k : s->keys)
      if (k.kid() == kid) return k;
    return std::nullopt;
  };
  auto found = lookup();
  if (found || !refetch || !s->metadata) return found;
  const auto now = clock_.monotonic_millis();
  if (s->keys_fetched_at && now - *s->keys_fetched_at < kRetryAfterMs) return std::nullopt;
  if (auto problem = fetch_keys(*s)) {
    warn_("oidc provider " + s->config.name + ": refetching the jwks failed: " + *problem);
    return std::nullopt;
  }
  return lookup();
}

std::string ProviderRegistry::redeem(std::string_view name, std::string_view code, std::string_view code_verifier,
                                     std::string_view redirect_uri) {
  auto* s = find(name);
  if (!s) throw TokenRedemptionError("unknown provider");
  std::optional<ProviderMetadata> m;
  {
    std::lock_guard lock(s->mutex);
    m = current(*s);
  }
  if (!m) throw TokenRedemptionError("provider unavailable");
  const auto& cfg = s->config;
  OutboundRequest req;
  req.method = "POST";
  req.url = m->token_endpoint;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.headers.emplace_back("Accept", "application/json");
  req.body = form_field("grant_type", "authorization_code") + "&" + form_field("code", code) + "&" +
             form_field("redirect_uri", redirect_uri) + "&" + form_field("code_verifier", code_verifier);
  if (m->secret_in_body) {
    req.body += "&" + form_field("client_id", cfg.client_id) + "&" + form_field("client_secret", cfg.client_secret);
  } else {
    // RFC 6749 §2.3.1: both parts are form-encoded before Basic encoding.
    const auto user = form_field("u", cfg.client_id).substr(2);
    const auto pass = form_field("p", cfg.client_secret).substr(2);
    req.headers.emplace_back("Authorization", "Basic " + base64_standard(user + ":" + pass));
  }
  OutboundResponse res;
  try {
    res = fetch_(req);
  } catch (const std::exception& e) {
    throw TokenRedemptionError(std::string("token endpoint: ") + e.what());
  }
  auto doc = json_object(res);
  if (res.status != 200) {
    std::string why = "token endpoint answered HTTP " + std::to_string(res.status);
    // The error code is the provider's fixed vocabulary (RFC 6749 §5.2), safe to log.
    if (doc) {
      const auto error = text(*doc, "error");
      if (!error.empty() && error.size() < 64) why += " (" + error + ")";
    }
    throw TokenRedemptionError(why);
  }
  if (!doc) throw TokenRedemptionError("token endpoint answered without a JSON object");
  auto id_token = text(*doc, "id_token");
  if (id_token.empty()) throw TokenRedemptionError("token endpoint answered without an id_token");
  return id_token;
}

}  // namespace polysim::auth::oidc
