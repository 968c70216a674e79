// [[auth.oidc]] entries (30-partner-apps.md §4.5): defaults, secrets from the environment and
// the validation messages.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/oidc_config.hpp"

namespace polysim {
namespace {

using Entry = std::map<std::string, std::string>;

Entry entry(std::string name = "idp", std::string issuer = "https://idp.example/") {
  return {{"name", std::move(name)}, {"issuer", std::move(issuer)}, {"client_id", "cid"}, {"client_secret", "sec"}};
}

std::string error_of(const std::vector<Entry>& entries, const std::map<std::string, std::string>& env = {}) {
  try {
    oidc_providers_from(entries, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(OidcConfig, DefaultsAndEnvironmentSecret) {
  auto providers = oidc_providers_from({entry()}, {});
  ASSERT_EQ(providers.size(), 1u);
  EXPECT_EQ(providers[0].issuer, "https://idp.example");
  EXPECT_EQ(providers[0].scopes, (std::vector<std::string>{"openid", "email", "profile"}));
  EXPECT_FALSE(providers[0].trust_email);

  auto e = entry("my-idp");
  e.erase("client_secret");
  e["scopes"] = "openid,email";
  e["trust_email"] = "true";
  EXPECT_EQ(oidc_secret_env_name("my-idp"), "POLYSIM_AUTH_OIDC_MY_IDP_CLIENT_SECRET");
  auto from_env = oidc_providers_from({e}, {{"POLYSIM_AUTH_OIDC_MY_IDP_CLIENT_SECRET", "s3"}});
  EXPECT_EQ(from_env[0].client_secret, "s3");
  EXPECT_EQ(from_env[0].scopes, (std::vector<std::string>{"openid", "email"}));
  EXPECT_TRUE(from_env[0].trust_email);
  // Without the secret the entry still loads (the CLI reads it without the server's
  // environment); serve refuses it.
  const auto without = oidc_providers_from({e}, {});
  EXPECT_EQ(without[0].client_secret, "");
  EXPECT_NE(missing_oidc_secret(without).value_or("").find(
                "client_secret is required (or set POLYSIM_AUTH_OIDC_MY_IDP_CLIENT_SECRET)"),
            std::string::npos);
  EXPECT_FALSE(missing_oidc_secret(from_env));
}

TEST(OidcConfig, RefusesBadEntriesWithClearMessages) {
  EXPECT_NE(error_of({entry("Bad")}).find("name must match [a-z0-9_-]{1,32}"), std::string::npos);
  EXPECT_NE(error_of({entry(std::string(33, 'a'))}).find("name must match"), std::string::npos);
  EXPECT_NE(error_of({entry("email")}).find("reserved"), std::string::npos);
  EXPECT_NE(error_of({entry(), entry()}).find("same name"), std::string::npos);
  EXPECT_NE(error_of({entry("idp", "http://idp.example")}).find("https unless its host is loopback"), std::string::npos);
  EXPECT_EQ(error_of({entry("idp", "http://127.0.0.1:9000")}), "");
  EXPECT_EQ(error_of({entry("idp", "http://localhost:9000")}), "");
  EXPECT_NE(error_of({entry("idp", "https://idp.example?x=1")}).find("query"), std::string::npos);
  EXPECT_NE(error_of({entry("idp", "idp.example")}).find("absolute URL"), std::string::npos);
  auto no_id = entry();
  no_id.erase("client_id");
  EXPECT_NE(error_of({no_id}).find("client_id is required"), std::string::npos);
  auto scopes = entry();
  scopes["scopes"] = "email profile";
  EXPECT_NE(error_of({scopes}).find("scopes must include openid"), std::string::npos);
  auto unknown = entry();
  unknown["clientid"] = "x";
  EXPECT_NE(error_of({unknown}).find("unknown key 'clientid'"), std::string::npos);
}

}  // namespace
}  // namespace polysim
