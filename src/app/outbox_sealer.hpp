// The server's outbox cipher: AES-256-GCM under a subkey of the data key, so mail links and codes
// waiting in the outbox are unreadable in a copy of the database.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "store/store.hpp"

namespace polysim::app {

class OutboxSealer final : public store::OutboxCipher {
 public:
  explicit OutboxSealer(std::string_view data_key);
  std::string seal(std::string_view plaintext, std::string_view message_id) const override;
  std::optional<std::string> open(std::string_view sealed, std::string_view message_id) const override;

 private:
  std::array<std::uint8_t, 32> key_{};
};

}  // namespace polysim::app
