#include "cli/key_commands.hpp"

#include "cli/tenant_commands.hpp"

namespace polysim::cli {

namespace {

partner::KeyActor operator_actor(const CommandContext& context) { return {"cli", context.actor_id, {}, {}}; }

template <class F>
auto as_invalid_input(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const partner::KeyInputError& e) {
    throw InvalidInput(e.what());
  }
}

}  // namespace

std::vector<std::string> parse_scopes(std::string_view text) {
  return as_invalid_input([&] { return partner::parse_scopes(text); });
}

std::int64_t parse_expires_in(std::string_view text) {
  return as_invalid_input([&] { return partner::parse_expires_in(text); });
}

CreatedKey create_key(CommandContext& context, const KeyCreateInput& input) {
  const auto tenant = resolve_tenant(context.store, input.tenant);
  partner::NewKey key;
  key.tenant_id = tenant.id;
  key.name = input.name;
  if (input.scopes) key.scopes = parse_scopes(*input.scopes);
  if (input.expires_in) key.lifetime = parse_expires_in(*input.expires_in);
  return as_invalid_input(
      [&] { return partner::create_tenant_key(context.store, context.clock, context.ids, key, operator_actor(context)); });
}

std::vector<store::ApiKeyRecord> list_keys(store::Store& store, std::string_view tenant_id_or_name) {
  const auto tenant = resolve_tenant(store, tenant_id_or_name);
  return store.list_api_keys(tenant.id);
}

store::ApiKeyRecord change_key_state(CommandContext& context, std::string_view key_id, KeyStateChange change) {
  if (!Uuid::parse(key_id)) throw InvalidInput("'" + std::string(key_id) + "' is not a key id (a lowercase UUID)");
  auto found = context.store.find_api_key(key_id);
  if (!found) throw InvalidInput("no key with id " + std::string(key_id));
  return as_invalid_input([&] {
    return partner::change_tenant_key_state(context.store, context.clock, *found, change, operator_actor(context));
  });
}

}  // namespace polysim::cli
