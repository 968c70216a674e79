// `polysim demo`: everything a newcomer needs for a first partner API call. Running it again
// reuses the tenant, trader and account (found by name and external ids) but always issues
// a new key, because an existing key's plaintext cannot be shown again.
#pragma once
#include <string>

#include "cli/command_context.hpp"
#include "cli/key_commands.hpp"
#include "config/config.hpp"
#include "store/records.hpp"

namespace polysim::cli {

inline constexpr std::string_view kDemoTenantName = "demo";
inline constexpr std::string_view kDemoRedirectOrigin = "http://localhost:3000";
inline constexpr std::string_view kDemoTraderExternalId = "demo-trader-1";
inline constexpr std::string_view kDemoTraderEmail = "trader@example.com";
inline constexpr std::string_view kDemoAccountExternalId = "demo-challenge-1";
inline constexpr std::string_view kDemoAccountStage = "challenge";
inline constexpr std::int64_t kDemoAccountStartingBalance = 10'000'000'000;  // $10,000.00

struct DemoResult {
  store::TenantRecord tenant;
  bool tenant_created = false;
  CreatedKey key;
  store::PartnerUserRecord trader;
  store::AccountRecord account;
  bool account_created = false;
};

DemoResult seed_demo(CommandContext& context);

// A command that works against a server started with the same configuration.
std::string demo_curl_command(const DemoResult& result, const HostPort& listen);

}  // namespace polysim::cli
