// Partner-API test setup through the real CLI, so tests exercise the same provisioning path an
// operator uses instead of writing rows into the database behind the server's back.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace polysim::testing {

struct PartnerTenant {
  std::string tenant_id;
  std::string key;     // the full secret, shown once by `key create`
  std::string key_id;
};

// `polysim tenant create --name NAME --json <extra_tenant_args>` then
// `polysim key create --tenant NAME [--scopes SCOPES] --json`. Throws std::runtime_error with the
// CLI's output when either command fails or prints unexpected JSON.
PartnerTenant make_tenant(ServerProcess& server, std::string name, std::vector<std::string> extra_tenant_args = {},
                          std::string scopes = "");

// Partner requests on a fresh connection with `X-API-Key: key`; a non-empty body is sent as
// `Content-Type: application/json`. `extra` headers are appended (e.g. Idempotency-Key).
HttpResponse partner_get(std::uint16_t port, std::string_view key, std::string_view target,
                         const Headers& extra = {});
HttpResponse partner_post(std::uint16_t port, std::string_view key, std::string_view target,
                          std::string_view body_json_text = {}, const Headers& extra = {});
HttpResponse partner_patch(std::uint16_t port, std::string_view key, std::string_view target,
                           std::string_view body_json_text = {}, const Headers& extra = {});
HttpResponse partner_delete(std::uint16_t port, std::string_view key, std::string_view target,
                            const Headers& extra = {});

}  // namespace polysim::testing
