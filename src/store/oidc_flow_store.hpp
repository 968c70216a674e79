// Storage of OpenID Connect sign-in flows (30-partner-apps.md §4.5): one row per
// POST /auth/start with an OIDC provider, found again by the SHA-256 of the `state` the
// provider hands back, and usable once within 10 minutes. Calls block.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace polysim::store {

struct OidcFlowRecord {
  std::string state_hash;  // SHA-256 of the state sent to the provider, raw bytes
  std::string app_id;
  std::string provider;
  std::string nonce;
  std::string code_verifier;  // PKCE (RFC 7636); redeems the code, so it never leaves the server
  std::string redirect_url;
  std::optional<std::string> app_state;  // the app's `state`, returned on the final redirect
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
};

class OidcFlowStore {
 public:
  virtual ~OidcFlowStore() = default;
  // Also deletes flows that expired long ago, so the table stays small without a sweeper.
  virtual void create_oidc_flow(const OidcFlowRecord& flow) = 0;
  // Marks the flow used if it is live (unused, unexpired) and returns it; nullopt for an
  // unknown, expired or already used flow. Atomic: of two concurrent callbacks one wins.
  virtual std::optional<OidcFlowRecord> consume_oidc_flow(std::string_view state_hash, std::int64_t now) = 0;
};

}  // namespace polysim::store
