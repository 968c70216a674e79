#include "support/partner_fixture.hpp"

#include <boost/json/value.hpp>

#include <stdexcept>

namespace polysim::testing {
namespace {

CliResult run_checked(ServerProcess& server, const std::vector<std::string>& args) {
  auto result = server.run_cli(args);
  if (result.exit_code != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    throw std::runtime_error("`polysim" + cmd + "` exited with " + std::to_string(result.exit_code) +
                             "\n--- stdout ---\n" + result.out + "\n--- stderr ---\n" + result.err);
  }
  return result;
}

// Ids may be printed as strings or numbers; tests only ever need them as text.
std::string text_field(const CliResult& result, std::string_view field, std::string_view command) {
  const auto v = result.json();
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(field) : nullptr;
  if (f != nullptr) {
    if (const auto* s = f->if_string()) return std::string(*s);
    if (const auto* i = f->if_int64()) return std::to_string(*i);
    if (const auto* u = f->if_uint64()) return std::to_string(*u);
  }
  throw std::runtime_error("`" + std::string(command) + " --json` printed no \"" + std::string(field) +
                           "\" field: " + result.out);
}

Headers partner_headers(std::string_view key, bool has_body, const Headers& extra) {
  Headers headers{{"X-API-Key", std::string(key)}};
  if (has_body) headers.emplace_back("Content-Type", "application/json");
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

}  // namespace

PartnerTenant make_tenant(ServerProcess& server, std::string name, std::vector<std::string> extra_tenant_args,
                          std::string scopes) {
  std::vector<std::string> tenant_args = {"tenant", "create", "--name", name, "--json"};
  tenant_args.insert(tenant_args.end(), extra_tenant_args.begin(), extra_tenant_args.end());
  const auto tenant = run_checked(server, tenant_args);

  std::vector<std::string> key_args = {"key", "create", "--tenant", name};
  if (!scopes.empty()) {
    key_args.push_back("--scopes");
    key_args.push_back(scopes);
  }
  key_args.push_back("--json");
  const auto key = run_checked(server, key_args);

  return PartnerTenant{text_field(tenant, "id", "tenant create"), text_field(key, "key", "key create"),
                       text_field(key, "id", "key create")};
}

HttpResponse partner_get(std::uint16_t port, std::string_view key, std::string_view target, const Headers& extra) {
  return http_request(port, "GET", target, partner_headers(key, false, extra));
}

HttpResponse partner_post(std::uint16_t port, std::string_view key, std::string_view target,
                          std::string_view body_json_text, const Headers& extra) {
  return http_request(port, "POST", target, partner_headers(key, !body_json_text.empty(), extra), body_json_text);
}

HttpResponse partner_patch(std::uint16_t port, std::string_view key, std::string_view target,
                           std::string_view body_json_text, const Headers& extra) {
  return http_request(port, "PATCH", target, partner_headers(key, !body_json_text.empty(), extra), body_json_text);
}

HttpResponse partner_delete(std::uint16_t port, std::string_view key, std::string_view target, const Headers& extra) {
  return http_request(port, "DELETE", target, partner_headers(key, false, extra));
}

}  // namespace polysim::testing
