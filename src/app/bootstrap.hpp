// The one bootstrap routine of 00-overview.md "Running it": after migrations, every generated
// secret is created insert-if-absent (so simultaneous starts agree) and the retail tenant exists.
#pragma once
#include <string>
#include <vector>

#include "auth/jwt.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "ops/logging.hpp"
#include "store/store.hpp"

namespace polysim::app {

struct Secrets {
  std::string cursor_secret;
  std::vector<auth::JwtKey> jwt_keys;  // first signs
  std::string data_key_hex;            // 32 bytes
};

// Throws std::invalid_argument for malformed configured secrets.
Secrets bootstrap(const Config& config, store::Store& store, const Clock& clock, const ops::Log& log);

}  // namespace polysim::app
