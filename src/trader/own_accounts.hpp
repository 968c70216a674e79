// The accounts a trader owns (their demo account and any the partner provisioned for them),
// shared by every trader call that lists or checks them.
#pragma once
#include <string>
#include <vector>

#include "auth/identity_service.hpp"
#include "engine/account_view.hpp"
#include "store/store.hpp"

namespace polysim::engine {
class Engine;
}

namespace polysim::trader {

std::vector<store::AccountRecord> own_accounts(store::Store& store, const auth::TraderPrincipal& who);

// Each account valued now: active ones on their shard (a read is an observation, §7.2),
// closed ones from their frozen stored positions.
std::vector<engine::AccountView> valued_accounts(engine::Engine& engine, const std::vector<store::AccountRecord>& rows);

}  // namespace polysim::trader
