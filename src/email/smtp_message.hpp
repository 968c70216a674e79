// Turns an outbox row into the Internet Message Format text (RFC 5322 with MIME) that SMTP's
// DATA command carries. Kept apart from the socket code so every byte we put on the wire can be
// tested without a server.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "store/records.hpp"

namespace polysim::email {

// Throws std::runtime_error when a value bound for a header or an SMTP command could smuggle in
// extra lines (CR or LF in recipient, subject, kind or id) or the recipient is not a bare address.
// Called before connecting, so a poisoned row never reaches a server.
void check_message_is_safe_to_send(const store::OutboxMessage& message);

// Throws std::invalid_argument unless the address is a bare printable-ASCII addr-spec.
void check_envelope_address(std::string_view address);

// The whole message with CRLF line endings and a final CRLF, not yet dot-stuffed.
// eight_bit_allowed: the server advertised 8BITMIME; without it a non-ASCII body goes as base64.
// Calls check_message_is_safe_to_send first.
std::string compose_message(const store::OutboxMessage& message, std::string_view from_address,
                            bool eight_bit_allowed);

// "Fri, 03 Nov 2026 07:05:09 +0000" (RFC 5322 section 3.3), always UTC, independent of locale and
// of the process time zone.
std::string format_rfc5322_date(std::int64_t unix_micros);

// The subject as it may appear after "Subject: ": unchanged when it is short printable ASCII,
// otherwise RFC 2047 "B" encoded-words of UTF-8, folded, never splitting a character.
std::string encode_header_text(std::string_view text);

// SMTP transparency (RFC 5321 section 4.5.2): every line starting with '.' gets one more, so no
// line of the message can end DATA early. Expects CRLF line endings.
std::string dot_stuff(std::string_view crlf_text);

}  // namespace polysim::email
