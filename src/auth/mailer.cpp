#include "auth/mailer.hpp"

namespace polysim::auth {

store::OutboxMessage Mailer::compose(const store::UserRecord& to, std::string kind, std::string subject,
                                     std::string text, std::optional<std::string> link) {
  store::OutboxMessage m;
  m.id = ids_.next(clock_).to_string();
  m.tenant_id = to.tenant_id;
  m.recipient = to.email;
  m.kind = std::move(kind);
  m.subject = std::move(subject);
  m.text = std::move(text);
  if (link) m.text += "\n\n" + *link + "\n";
  m.link = std::move(link);
  m.created_at = clock_.now_unix_micros();
  return m;
}

}  // namespace polysim::auth
