#include "config/oidc_config.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <boost/url/parse.hpp>

#include "config/config.hpp"

namespace polysim {

namespace {

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// https, or http on a loopback host (the local test provider); no query, fragment or userinfo,
// since discovery appends its path to the issuer and the id_token's `iss` must equal it.
std::string checked_issuer(const std::string& where, std::string issuer) {
  auto parsed = boost::urls::parse_absolute_uri(issuer);
  if (!parsed) throw ConfigError(where + ": issuer must be an absolute URL");
  const auto scheme = parsed->scheme();
  if (scheme != "https" && scheme != "http") throw ConfigError(where + ": issuer must use https");
  if (parsed->host().empty()) throw ConfigError(where + ": issuer must name a host");
  if (scheme == "http" && !is_loopback_host(parsed->host()))
    throw ConfigError(where + ": issuer must use https unless its host is loopback");
  if (parsed->has_query() || parsed->has_fragment() || parsed->has_userinfo())
    throw ConfigError(where + ": issuer must not have a query, fragment or userinfo");
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  return issuer;
}

}  // namespace

std::string oidc_secret_env_name(const std::string& provider_name) {
  std::string out = "POLYSIM_AUTH_OIDC_";
  for (char c : provider_name) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out + "_CLIENT_SECRET";
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  return host.substr(0, 4) == "127.";
}

std::vector<OidcProviderConfig> oidc_providers_from(const std::vector<std::map<std::string, std::string>>& entries,
                                                    const std::map<std::string, std::string>& environment) {
  std::vector<OidcProviderConfig> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    std::string where = "[[auth.oidc]] entry " + std::to_string(i + 1);
    for (const auto& [key, value] : e)
      if (key != "name" && key != "issuer" && key != "client_id" && key != "client_secret" && key != "scopes" &&
          key != "trust_email")
        throw ConfigError(where + ": unknown key '" + key + "'");
    OidcProviderConfig p;
    auto field = [&](const char* key) -> std::string {
      auto it = e.find(key);
      return it == e.end() ? std::string() : it->second;
    };
    p.name = field("name");
    if (!valid_name(p.name)) throw ConfigError(where + ": name must match [a-z0-9_-]{1,32}");
    where += " (" + p.name + ")";
    if (p.name == "email" || p.name == "siwe" || p.name == "siws")
      throw ConfigError(where + ": the name is reserved for another sign-in method");
    for (const auto& other : out)
      if (other.name == p.name) throw ConfigError(where + ": another entry has the same name");
    if (field("issuer").empty()) throw ConfigError(where + ": issuer is required");
    p.issuer = checked_issuer(where, field("issuer"));
    p.client_id = field("client_id");
    if (p.client_id.empty()) throw ConfigError(where + ": client_id is required");
    p.client_secret = field("client_secret");
    if (auto env = environment.find(oidc_secret_env_name(p.name)); env != environment.end() && !env->second.empty())
      p.client_secret = env->second;
    if (e.count("scopes")) {
      p.scopes = split_scopes(field("scopes"));
      if (std::find(p.scopes.begin(), p.scopes.end(), "openid") == p.scopes.end())
        throw ConfigError(where + ": scopes must include openid");
    }
    if (e.count("trust_email")) {
      const auto v = field("trust_email");
      if (v != "true" && v != "false") throw ConfigError(where + ": trust_email must be true or false");
      p.trust_email = v == "true";
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<std::string> missing_oidc_secret(const std::vector<OidcProviderConfig>& providers) {
  for (const auto& p : providers)
    if (p.client_secret.empty())
      return "[[auth.oidc]] (" + p.name + "): client_secret is required (or set " + oidc_secret_env_name(p.name) + ")";
  return std::nullopt;
}

}  // namespace polysim
