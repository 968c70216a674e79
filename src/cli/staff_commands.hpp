// `polysim staff create --tenant T --email E [--password-stdin] [--json]` (30-partner-apps.md
// §9.1): the only way Dashboard staff come to exist. Staff belong to one tenant; their emails
// are unique across the installation, so the Dashboard login needs no tenant field.
#pragma once
#include <istream>
#include <ostream>
#include <string>

#include "auth/password_hasher.hpp"
#include "cli/command_context.hpp"
#include "store/staff_store.hpp"

namespace polysim::cli {

struct StaffCreateInput {
  std::string tenant;  // id or name
  std::string email;
  std::string password;
};

// InvalidInput for an unknown tenant, a bad email or password (12–128 characters), or an email
// that already belongs to staff of any tenant. Audited as staff.create.
store::StaffRecord create_staff(CommandContext& context, store::StaffStore& staff, const StaffCreateInput& input,
                                const auth::Argon2Params& params);

// The password from standard input (one line) or, on a terminal, typed twice without echo.
std::string read_staff_password(std::istream& in, std::ostream& prompt, bool from_stdin);

void print_staff(std::ostream& out, bool json, const store::StaffRecord& staff);

}  // namespace polysim::cli
