#include "email/smtp_transport.hpp"

#include <unistd.h>

#include <initializer_list>
#include <sstream>
#include <stdexcept>

#include "email/base64.hpp"
#include "email/smtp_connection.hpp"
#include "email/smtp_message.hpp"

namespace polysim::email {

namespace {

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// EHLO wants our own name; the host name, stripped to characters a domain may hold, will do.
std::string local_client_name() {
  char name[256] = {};
  std::string out;
  if (::gethostname(name, sizeof name - 1) == 0)
    for (const char* p = name; *p; ++p)
      if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')
        out += *p;
  return out.empty() ? "localhost" : out;
}

struct ServerExtensions {
  bool eight_bit_mime = false;
  bool auth = false;
  bool auth_plain = false;
};

// The EHLO reply's lines after the greeting are keywords with parameters (RFC 5321 4.1.1.1);
// "AUTH=..." is the spelling of some older servers.
ServerExtensions read_extensions(const SmtpReply& ehlo) {
  ServerExtensions out;
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::istringstream words(ascii_upper(ehlo.lines[i]));
    std::string keyword;
    words >> keyword;
    if (keyword == "8BITMIME") out.eight_bit_mime = true;
    if (keyword != "AUTH" && !keyword.starts_with("AUTH=")) continue;
    out.auth = true;
    if (keyword == "AUTH=PLAIN") out.auth_plain = true;
    std::string mechanism;
    while (words >> mechanism)
      if (mechanism == "PLAIN") out.auth_plain = true;
  }
  return out;
}

// An error whose message is already complete (a refusal with the server's code and text).
class SmtpFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs the commands in order, recording the current step for error messages, and turns any
// reply outside the expected codes into an error naming the step. Only step names, never command
// lines, go into messages: the AUTH command line carries the password.
class Dialogue {
 public:
  Dialogue(SmtpConnection& connection, std::string& step) : connection_(connection), step_(step) {}

  SmtpReply expect(std::string_view step, std::initializer_list<int> accepted) {
    step_ = step;
    auto reply = connection_.read_reply();
    for (int code : accepted)
      if (reply.code == code) return reply;
    throw SmtpFailure("SMTP server refused " + step_ + ": " + std::to_string(reply.code) + " " + reply.summary());
  }

  SmtpReply command(std::string_view step, std::string_view line, std::initializer_list<int> accepted) {
    send(step, std::string(line) + "\r\n");
    return expect(step, accepted);
  }

  SmtpReply command_allowing_any_reply(std::string_view step, std::string_view line) {
    send(step, std::string(line) + "\r\n");
    return connection_.read_reply();
  }

  void send(std::string_view step, std::string_view bytes) {
    step_ = step;
    connection_.send(bytes);
  }

 private:
  SmtpConnection& connection_;
  std::string& step_;
};

}  // namespace

SmtpTransport::SmtpTransport(SmtpSettings settings, std::string from_address, std::chrono::milliseconds timeout)
    : settings_(std::move(settings)),
      from_address_(std::move(from_address)),
      timeout_(timeout),
      client_name_(local_client_name()) {
  try {
    check_envelope_address(from_address_);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("SMTP from address is ") + e.what());
  }
}

void SmtpTransport::deliver(const store::OutboxMessage& message) {
  check_message_is_safe_to_send(message);
  std::string step = "connect";
  try {
    SmtpConnection connection(settings_.host, settings_.port, timeout_);
    Dialogue dialogue(connection, step);
    dialogue.expect("greeting", {220});

    ServerExtensions extensions;
    const auto ehlo = dialogue.command_allowing_any_reply("EHLO", "EHLO " + client_name_);
    if (ehlo.code == 250) {
      extensions = read_extensions(ehlo);
    } else if (ehlo.code >= 500 && ehlo.code <= 599) {
      dialogue.command("HELO", "HELO " + client_name_, {250});  // an RFC 821 server: no extensions
    } else {
      throw SmtpFailure("SMTP server refused EHLO: " + std::to_string(ehlo.code) + " " + ehlo.summary());
    }

    if (settings_.has_credentials()) {
      // Sending unauthenticated when credentials were configured would only fail later with a
      // confusing "relaying denied"; servers often offer AUTH only after STARTTLS.
      if (!extensions.auth)
        throw SmtpFailure("SMTP server does not offer AUTH (often offered only after STARTTLS, which is not "
                          "supported yet)");
      if (!extensions.auth_plain) throw SmtpFailure("SMTP server does not offer AUTH PLAIN");
      std::string plain;
      plain += '\0';
      plain += settings_.username;
      plain += '\0';
      plain += settings_.password;
      dialogue.command("AUTH PLAIN", "AUTH PLAIN " + base64_encode(plain), {235});
    }

    const std::string data = dot_stuff(compose_message(message, from_address_, extensions.eight_bit_mime)) + ".\r\n";
    dialogue.command("MAIL FROM",
                     "MAIL FROM:<" + from_address_ + ">" + (extensions.eight_bit_mime ? " BODY=8BITMIME" : ""), {250});
    dialogue.command("RCPT TO", "RCPT TO:<" + message.recipient + ">", {250, 251});
    dialogue.command("DATA", "DATA", {354});
    dialogue.send("message", data);
    dialogue.expect("message", {250});
    // The server has taken responsibility for the mail: a failing QUIT must not make the outbox
    // retry and deliver it twice.
    try {
      dialogue.command_allowing_any_reply("QUIT", "QUIT");
    } catch (const std::exception&) {
    }
  } catch (const SmtpFailure&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("SMTP " + step + " with " + settings_.host + ":" + std::to_string(settings_.port) +
                             " failed: " + e.what());
  }
}

}  // namespace polysim::email
