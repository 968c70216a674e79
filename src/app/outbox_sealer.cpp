#include "app/outbox_sealer.hpp"

#include "auth/secret_box.hpp"
#include "core/crypto.hpp"

namespace polysim::app {

// A subkey per purpose: the data key also protects TOTP secrets, and a box sealed for one
// purpose must never open as the other.
OutboxSealer::OutboxSealer(std::string_view data_key) : key_(hmac_sha256(data_key, "polysim outbox v1")) {}

std::string OutboxSealer::seal(std::string_view plaintext, std::string_view message_id) const {
  return auth::seal_secret(key_, plaintext, message_id);
}

std::optional<std::string> OutboxSealer::open(std::string_view sealed, std::string_view message_id) const {
  return auth::open_secret(key_, sealed, message_id);
}

}  // namespace polysim::app
