#include "cli/staff_commands.hpp"

#include <termios.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/password_policy.hpp"
#include "cli/tenant_commands.hpp"
#include "core/email_address.hpp"
#include "core/encoding.hpp"
#include "core/json_writer.hpp"
#include "core/time_format.hpp"
#include "core/uuid.hpp"

namespace polysim::cli {

namespace {

void check_password(std::string_view password) {
  if (!is_valid_utf8(password)) throw InvalidInput("password: must be valid UTF-8");
  const auto length = utf8_code_points(password);
  if (length < auth::kMinPasswordCodePoints || length > auth::kMaxPasswordCodePoints ||
      password.size() > auth::kMaxPasswordBytes)
    throw InvalidInput("password: must be 12 to 128 characters");
}

// Echo off while the operator types, restored whatever happens.
std::string read_hidden_line(std::istream& in) {
  termios saved{};
  const bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(in, line);
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  return line;
}

}  // namespace

std::string read_staff_password(std::istream& in, std::ostream& prompt, bool from_stdin) {
  if (from_stdin) {
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (!isatty(STDIN_FILENO)) throw InvalidInput("no terminal to ask for the password on; use --password-stdin");
  prompt << "Password: " << std::flush;
  auto first = read_hidden_line(in);
  prompt << "\nRepeat password: " << std::flush;
  auto second = read_hidden_line(in);
  prompt << '\n';
  if (first != second) throw InvalidInput("the passwords do not match");
  return first;
}

store::StaffRecord create_staff(CommandContext& context, store::StaffStore& staff, const StaffCreateInput& input,
                                const auth::Argon2Params& params) {
  const auto tenant = resolve_tenant(context.store, input.tenant);
  const auto email = normalize_email(input.email);
  if (!email) throw InvalidInput("email: '" + input.email + "' is not a valid email address");
  check_password(input.password);
  if (staff.find_staff_by_email(*email)) throw InvalidInput("email: " + *email + " already belongs to staff");

  store::StaffRecord record;
  record.id = context.ids.next(context.clock).to_string();
  record.tenant_id = tenant.id;
  record.email = *email;
  record.password_hash = auth::hash_password(input.password, params);
  record.created_at = context.clock.now_unix_micros();

  store::AuditEntry audit;
  audit.tenant_id = tenant.id;
  audit.actor_kind = "cli";
  audit.actor_id = context.actor_id;
  audit.action = "staff.create";
  audit.target = "staff:" + record.id;
  audit.details_json = boost::json::serialize(boost::json::object{{"email", record.email}});
  audit.at = record.created_at;
  // A concurrent create of the same email loses here rather than at the check above.
  if (staff.create_staff(record, audit) == store::StaffCreateOutcome::EmailTaken)
    throw InvalidInput("email: " + *email + " already belongs to staff");
  return record;
}

void print_staff(std::ostream& out, bool json, const store::StaffRecord& staff) {
  if (json) {
    boost::json::object o{{"id", staff.id},
                          {"tenantId", staff.tenant_id},
                          {"email", staff.email},
                          {"createdAt", format_rfc3339_millis(staff.created_at)}};
    out << boost::json::serialize(o) << '\n';
    return;
  }
  out << "staff " << staff.id << " (" << staff.email << ") created for tenant " << staff.tenant_id << '\n';
}

}  // namespace polysim::cli
