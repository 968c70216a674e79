// Hands outbox mail to an SMTP relay (RFC 5321), one connection per message. Plain TCP only:
// with credentials in the URL, AUTH PLAIN sends them unencrypted, so point it at a relay on a
// trusted network (localhost, a sidecar, a private subnet) until STARTTLS is supported.
#pragma once
#include <chrono>
#include <string>

#include "email/outbox_sender.hpp"
#include "email/smtp_settings.hpp"

namespace polysim::email {

class SmtpTransport final : public MailTransport {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

  // from_address is the envelope sender and the From header's address (shown as
  // "polysim <from_address>"). timeout bounds each phase: connecting, each reply, each send.
  // Throws std::invalid_argument when from_address is not a bare printable-ASCII address.
  explicit SmtpTransport(SmtpSettings settings, std::string from_address = "no-reply@polysim.invalid",
                         std::chrono::milliseconds timeout = kDefaultTimeout);

  // Connects, submits the message, quits. Throws std::runtime_error naming the phase and, for a
  // refusal, the server's code and text; never the credentials. Refuses a message whose
  // recipient, subject, kind or id holds a line break before connecting. Safe to call from
  // several threads at once: every call has its own connection.
  void deliver(const store::OutboxMessage& message) override;

  const SmtpSettings& settings() const { return settings_; }

 private:
  SmtpSettings settings_;
  std::string from_address_;
  std::chrono::milliseconds timeout_;
  std::string client_name_;  // what we announce in EHLO / HELO
};

}  // namespace polysim::email
