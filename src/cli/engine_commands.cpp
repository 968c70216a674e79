#include "cli/engine_commands.hpp"

#include <filesystem>

#include "cli/command_context.hpp"
#include "cli/exit_codes.hpp"
#include "config/config.hpp"
#include "core/json_writer.hpp"
#include "store/sqlite/sqlite_verify_store.hpp"

namespace polysim::cli {

VerifyReport verify_accounts(store::VerifyStore& store, const std::optional<std::string>& account) {
  VerifyReport report;
  const auto ids = account ? std::vector<std::string>{*account} : store.list_account_ids();
  for (const auto& id : ids) {
    auto rows = store.load_account_rows(id);
    if (!rows) {
      if (account) throw InvalidInput("no account with id '" + id + "'");
      continue;  // deleted between listing and loading: nothing left to verify
    }
    ++report.accounts_checked;
    auto found = engine::audit_account(*rows);
    report.violations.insert(report.violations.end(), std::make_move_iterator(found.begin()),
                             std::make_move_iterator(found.end()));
  }
  return report;
}

void print_verify_report(std::ostream& out, const VerifyReport& report, bool json) {
  if (json) {
    std::string text;
    JsonWriter w(text);
    w.begin_object();
    w.key("accounts_checked");
    w.number(report.accounts_checked);
    w.key("violations");
    w.begin_array();
    for (const auto& v : report.violations) {
      w.begin_object();
      w.key("account_id");
      w.string(v.account_id);
      w.key("property");
      w.string(v.property);
      w.key("expected");
      w.number(v.expected);
      w.key("found");
      w.number(v.found);
      w.key("detail");
      w.string(v.detail);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    out << text << '\n';
    return;
  }
  // Amounts stay integer micros: the exact numbers are the point of the report.
  for (const auto& v : report.violations)
    out << "account " << v.account_id << ": " << v.property << ": expected " << v.expected << ", found " << v.found
        << " (" << v.detail << ")\n";
  out << "checked " << report.accounts_checked << (report.accounts_checked == 1 ? " account: " : " accounts: ");
  if (report.violations.empty()) out << "no violations\n";
  else out << report.violations.size() << (report.violations.size() == 1 ? " violation" : " violations") << '\n';
}

int run_engine_verify(const std::map<std::string, std::string>& flags, const std::optional<std::string>& account,
                      bool json, std::ostream& out, std::ostream& err,
                      const std::map<std::string, std::string>& environment) {
  return exit_code_of(err, [&] {
    const auto config = load_config(flags, environment);
    if (!config.database_url.empty()) {
      err << "error: PostgreSQL is not supported yet; leave database_url empty to use SQLite in the data directory\n";
      return kExitInvalid;
    }
    // Opening would create an empty database, and an empty database verifies clean: say so instead.
    const auto path = config.sqlite_path();
    if (!std::filesystem::exists(path)) {
      err << "error: no database at " << path << '\n';
      return kExitInvalid;
    }
    store::sqlite::SqliteVerifyStore store(path);
    const auto report = verify_accounts(store, account);
    print_verify_report(out, report, json);
    return report.violations.empty() ? kExitOk : kExitFailure;
  });
}

}  // namespace polysim::cli
