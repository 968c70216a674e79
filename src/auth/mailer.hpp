// Composes the trader surface's outbox messages (20-trader-api.md §12); rows are written by the
// store inside the transaction of whatever caused them.
#pragma once
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/identity_store.hpp"

namespace polysim::auth {

class Mailer {
 public:
  explicit Mailer(const Clock& clock) : clock_(clock) {}
  // The link, when given, also ends the text on a line of its own.
  store::OutboxMessage compose(const store::UserRecord& to, std::string kind, std::string subject, std::string text,
                               std::optional<std::string> link = std::nullopt);

 private:
  const Clock& clock_;
  UuidV7Generator ids_;
};

}  // namespace polysim::auth
