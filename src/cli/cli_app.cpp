#include "cli/cli_app.hpp"

#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

#include "cli/app_commands.hpp"
#include "cli/command_context.hpp"
#include "cli/exit_codes.hpp"
#include "cli/demo_command.hpp"
#include "cli/engine_commands.hpp"
#include "cli/key_commands.hpp"
#include "cli/market_commands.hpp"
#include "cli/market_output.hpp"
#include "cli/output.hpp"
#include "cli/staff_commands.hpp"
#include "cli/tenant_commands.hpp"
#include "cli/user_commands.hpp"
#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace polysim::cli {

namespace {

// What an operator command receives once the database is open and migrated.
struct StoreCommand {
  CommandContext& context;
  CommandOutput& output;
  const Config& config;
  const std::vector<int>& applied_migrations;
  MarketOutput& markets;
};

using StoreAction = std::function<void(StoreCommand&)>;

// Options every operator command shares; they pick the database exactly as `serve` would.
struct CommonOptions {
  std::map<std::string, std::string> flags;  // dotted setting name → value, as load_config wants
  bool json = false;
};

const SettingInfo& setting(const std::string& name) {
  for (const auto& info : all_settings())
    if (info.name == name) return info;
  throw std::logic_error("no setting named " + name);
}

std::string setting_help(const SettingInfo& info) { return info.help + " (default: " + info.default_text + ")"; }

void add_setting_option(CLI::App& command, const SettingInfo& info, std::map<std::string, std::string>& flags) {
  command.add_option_function<std::string>(
      info.flag, [&flags, name = info.name](const std::string& value) { flags[name] = value; }, setting_help(info));
}

void add_common_options(CLI::App& command, CommonOptions& common) {
  for (const char* name : {"data_dir", "config", "database_url"}) add_setting_option(command, setting(name), common.flags);
  command.add_flag("--json", common.json, "print JSON instead of text");
}

CLI::Option* add_optional(CLI::App& command, const std::string& flag, std::optional<std::string>& target,
                          const std::string& help) {
  return command.add_option_function<std::string>(
      flag, [&target](const std::string& value) { target = value; }, help);
}

// The audit log names the person at the keyboard when the system can tell.
std::string os_user_name() {
  const long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(suggested > 0 ? static_cast<std::size_t>(suggested) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name &&
      *found->pw_name)
    return found->pw_name;
  return "cli";
}

int run_store_command(const CommonOptions& common, const StoreAction& action, std::ostream& out, std::ostream& err,
                      const std::map<std::string, std::string>& environment) {
  return exit_code_of(err, [&] {
    const auto config = load_config(common.flags, environment);
    if (!config.database_url.empty()) {
      err << "error: PostgreSQL is not supported yet; leave database_url empty to use SQLite in the data directory\n";
      return kExitInvalid;
    }
    std::filesystem::create_directories(config.data_dir);
    store::sqlite::SqliteStore store({.path = config.sqlite_path(), .synchronous = config.sqlite_synchronous});
    const auto applied = store.migrate();
    SystemClock clock;
    UuidV7Generator ids;
    CommandContext context{store,  clock,  ids,   os_user_name(), config.effective_trader_app_url(),
                           &store, &store, &store, &store};
    CommandOutput output(out, common.json);
    MarketOutput market_output(out, common.json);
    StoreCommand command{context, output, config, applied, market_output};
    action(command);
    return kExitOk;
  });
}

}  // namespace

int run_cli(int argc, char** argv, RunServerFn run_server) {
  return run_cli(argc, argv, run_server, std::cout, std::cerr, process_environment());
}

int run_cli(int argc, char** argv, const RunServerFn& run_server, std::ostream& out, std::ostream& err,
            const std::map<std::string, std::string>& environment) {
  CLI::App app{"polysim: multi-tenant prediction-market paper-trading server", "polysim"};
  app.require_subcommand(1);

  // Exactly one of these is chosen by the parse; it runs after parsing succeeded.
  std::function<int()> chosen;
  CommonOptions common;
  const auto store_command = [&](CLI::App& command, StoreAction action) {
    add_common_options(command, common);
    command.callback([&, action = std::move(action)] {
      chosen = [&, action] { return run_store_command(common, action, out, err, environment); };
    });
  };

  // serve: every setting is a flag, so `polysim serve --help` documents them all.
  std::map<std::string, std::string> serve_flags;
  auto* serve = app.add_subcommand("serve", "run the server (API, trader, app and admin listeners)");
  for (const auto& info : all_settings()) add_setting_option(*serve, info, serve_flags);
  serve->callback([&] {
    chosen = [&]() -> int {
      std::optional<Config> config;
      try {
        config = load_config(serve_flags, environment);
      } catch (const ConfigError& e) {
        err << "configuration error: " << e.what() << '\n';
        return kExitInvalid;
      }
      try {
        return run_server(*config);
      } catch (const std::exception& e) {
        err << "fatal: " << e.what() << '\n';
        return kExitFailure;
      }
    };
  });

  auto* migrate = app.add_subcommand("migrate", "apply pending database migrations and print them");
  store_command(*migrate, [](StoreCommand& c) { c.output.migrations(c.applied_migrations); });

  // tenant …
  auto* tenant = app.add_subcommand("tenant", "manage tenants");
  tenant->require_subcommand(1);

  TenantCreateInput create_input;
  auto* tenant_create = tenant->add_subcommand("create", "create a tenant");
  tenant_create->add_option("--name", create_input.name, "unique name (a-z, 0-9, '-', '_', '.')")->required();
  add_optional(*tenant_create, "--display-name", create_input.display_name, "shown to people (default: the name)");
  add_optional(*tenant_create, "--partner-enabled", create_input.partner_enabled,
               "true or false: serve the partner API for this tenant (default: true)");
  add_optional(*tenant_create, "--min-balance", create_input.min_balance,
               "smallest starting balance of a partner account, 2 dp (default: 1.00)");
  add_optional(*tenant_create, "--max-balance", create_input.max_balance,
               "largest starting balance of a partner account, 2 dp (default: 1000000.00)");
  tenant_create
      ->add_option("--redirect-origin", create_input.redirect_origins,
                   "allowed login-link origin scheme://host[:port]; repeat for several (at most 20)")
      ->allow_extra_args(false);
  store_command(*tenant_create, [&](StoreCommand& c) { c.output.tenant(create_tenant(c.context, create_input)); });

  auto* tenant_list = tenant->add_subcommand("list", "list tenants");
  store_command(*tenant_list, [](StoreCommand& c) { c.output.tenants(c.context.store.list_tenants()); });

  std::string show_target;
  auto* tenant_show = tenant->add_subcommand("show", "show one tenant");
  tenant_show->add_option("tenant", show_target, "tenant id or name")->required();
  store_command(*tenant_show, [&](StoreCommand& c) { c.output.tenant(resolve_tenant(c.context.store, show_target)); });

  std::string set_target;
  TenantSetInput set_input;
  auto* tenant_set = tenant->add_subcommand("set", "change tenant settings");
  tenant_set->add_option("tenant", set_target, "tenant id or name")->required();
  add_optional(*tenant_set, "--display-name", set_input.display_name, "shown to people");
  add_optional(*tenant_set, "--partner-enabled", set_input.partner_enabled, "true or false");
  add_optional(*tenant_set, "--min-balance", set_input.min_balance, "0.01 to max-balance, 2 dp");
  add_optional(*tenant_set, "--max-balance", set_input.max_balance, "min-balance to 1000000000.00, 2 dp");
  add_optional(*tenant_set, "--default-login-url", set_input.default_login_url,
               "landing URL of login links; its origin must be a redirect origin or the trader app's; '' clears it");
  add_optional(*tenant_set, "--tenant-per-second", set_input.tenant_per_second, "1 to 10000000 (default: 50)");
  add_optional(*tenant_set, "--tenant-per-minute", set_input.tenant_per_minute, "1 to 10000000 (default: 3000)");
  add_optional(*tenant_set, "--key-per-second", set_input.key_per_second, "1 to 10000000 (default: 50)");
  add_optional(*tenant_set, "--key-per-minute", set_input.key_per_minute, "1 to 10000000 (default: 3000)");
  add_optional(*tenant_set, "--demo-starting-balance", set_input.demo_starting_balance,
               "balance of demo accounts made by traders and apps, 2 dp (default: 10000.00)");
  store_command(*tenant_set,
                [&](StoreCommand& c) { c.output.tenant(set_tenant(c.context, set_target, set_input)); });

  auto* redirect = tenant->add_subcommand("redirect", "manage a tenant's login-link redirect origins");
  redirect->require_subcommand(1);
  std::string redirect_target;
  std::string redirect_origin;
  for (const bool adding : {true, false}) {
    auto* command = redirect->add_subcommand(adding ? "add" : "remove",
                                             adding ? "allow an origin" : "stop allowing an origin");
    command->add_option("tenant", redirect_target, "tenant id or name")->required();
    command->add_option("origin", redirect_origin, "scheme://host[:port]")->required();
    store_command(*command, [&, adding](StoreCommand& c) {
      c.output.tenant(adding ? add_redirect_origin(c.context, redirect_target, redirect_origin)
                             : remove_redirect_origin(c.context, redirect_target, redirect_origin));
    });
  }

  std::string state_target;
  for (const bool disabling : {true, false}) {
    auto* command = tenant->add_subcommand(disabling ? "disable" : "enable",
                                           disabling ? "refuse the tenant on every surface" : "serve the tenant again");
    command->add_option("tenant", state_target, "tenant id or name")->required();
    store_command(*command, [&, disabling](StoreCommand& c) {
      c.output.tenant(set_tenant_disabled(c.context, state_target, disabling));
    });
  }

  // user …
  auto* user = app.add_subcommand("user", "manage traders");
  user->require_subcommand(1);
  UserSelector user_selector;
  for (const bool disabling : {true, false}) {
    auto* command = user->add_subcommand(disabling ? "disable" : "enable",
                                         disabling ? "refuse the trader on every surface" : "serve the trader again");
    command->add_option("--tenant", user_selector.tenant, "tenant id or name")->required();
    auto* by_id = add_optional(*command, "--user-id", user_selector.user_id, "the partner API's user_id");
    auto* by_email = add_optional(*command, "--email", user_selector.email, "the trader's email");
    by_id->excludes(by_email);
    store_command(*command, [&, disabling](StoreCommand& c) {
      c.output.user(set_user_disabled(c.context, user_selector, disabling));
    });
  }

  // app …
  auto* app_command = app.add_subcommand("app", "manage partner apps");
  app_command->require_subcommand(1);
  AppCreateInput app_input;
  auto* app_create = app_command->add_subcommand("create", "create a partner app (starts in testing mode)");
  app_create->add_option("--tenant", app_input.tenant, "tenant id or name")->required();
  app_create->add_option("--name", app_input.name, "1-80 characters, unique in the tenant")->required();
  app_create->add_option("--redirect-origin", app_input.redirect_origins,
                         "allowed redirect and CORS origin (repeatable)");
  store_command(*app_create, [&](StoreCommand& c) {
    print_app(c.output.stream(), c.output.json(), create_app(c.context, app_input));
  });
  std::string app_list_tenant;
  auto* app_list = app_command->add_subcommand("list", "list a tenant's apps");
  app_list->add_option("--tenant", app_list_tenant, "tenant id or name")->required();
  store_command(*app_list, [&](StoreCommand& c) {
    print_apps(c.output.stream(), c.output.json(), list_apps(c.context, app_list_tenant));
  });
  std::string app_show_id;
  auto* app_show = app_command->add_subcommand("show", "show one app with its counts");
  app_show->add_option("id", app_show_id, "app id")->required();
  store_command(*app_show, [&](StoreCommand& c) {
    print_app(c.output.stream(), c.output.json(), show_app(c.context, app_show_id));
  });

  // staff …
  auto* staff = app.add_subcommand("staff", "manage Dashboard staff");
  staff->require_subcommand(1);
  StaffCreateInput staff_input;
  bool staff_password_stdin = false;
  auto* staff_create = staff->add_subcommand("create", "create a staff member who signs in to the Dashboard");
  staff_create->add_option("--tenant", staff_input.tenant, "tenant id or name")->required();
  staff_create->add_option("--email", staff_input.email, "sign-in email, unique across the installation")->required();
  staff_create->add_flag("--password-stdin", staff_password_stdin, "read the password (12-128 characters) from stdin");
  store_command(*staff_create, [&](StoreCommand& c) {
    // SqliteStore implements every store interface; the context names only the shared ones.
    auto& staff_store = dynamic_cast<store::StaffStore&>(c.context.store);
    staff_input.password = read_staff_password(std::cin, err, staff_password_stdin);
    const auth::Argon2Params params{c.config.auth_argon2_memory_kib, c.config.auth_argon2_iterations};
    print_staff(c.output.stream(), c.output.json(), create_staff(c.context, staff_store, staff_input, params));
  });

  // key …
  auto* key = app.add_subcommand("key", "manage tenant API keys");
  key->require_subcommand(1);

  KeyCreateInput key_input;
  auto* key_create = key->add_subcommand("create", "create a key; it is printed once and never again");
  key_create->add_option("--tenant", key_input.tenant, "tenant id or name")->required();
  key_create->add_option("--name", key_input.name, "label to recognise the key by");
  add_optional(*key_create, "--scopes", key_input.scopes,
               "comma-separated subset of users:write,accounts:write,accounts:read (default: all three)");
  add_optional(*key_create, "--expires-in", key_input.expires_in,
               "<n>m|h|d|y: minutes, hours, days, 365-day years (default: never)");
  store_command(*key_create, [&](StoreCommand& c) { c.output.created_key(create_key(c.context, key_input)); });

  std::string list_tenant;
  auto* key_list = key->add_subcommand("list", "list a tenant's keys (never the keys themselves)");
  key_list->add_option("--tenant", list_tenant, "tenant id or name")->required();
  store_command(*key_list, [&](StoreCommand& c) {
    c.output.keys(list_keys(c.context.store, list_tenant), c.context.clock.now_unix_micros());
  });

  std::string key_id;
  const std::pair<const char*, KeyStateChange> key_changes[] = {
      {"deactivate", KeyStateChange::Deactivate},
      {"reactivate", KeyStateChange::Reactivate},
      {"revoke", KeyStateChange::Revoke},
  };
  for (const auto& [name, change] : key_changes) {
    const char* help = change == KeyStateChange::Deactivate   ? "suspend a key (reversible)"
                       : change == KeyStateChange::Reactivate ? "resume a deactivated key"
                                                              : "revoke a key permanently";
    auto* command = key->add_subcommand(name, help);
    command->add_option("id", key_id, "key id")->required();
    store_command(*command, [&, change = change](StoreCommand& c) {
      c.output.key(change_key_state(c.context, key_id, change), c.context.clock.now_unix_micros());
    });
  }

  // market …: changes go through the engine_commands queue; list and show read the database.
  auto* market = app.add_subcommand("market", "manage markets; changes are executed by the running server's engine");
  market->require_subcommand(1);
  std::string market_wait = "10";
  const auto add_wait = [&market_wait](CLI::App& command) {
    command.add_option("--wait", market_wait,
                       "how long to wait for the engine: seconds, or 500ms, 2m; 0 = just queue (default: 10)");
  };
  const auto submit = [&market_wait](StoreCommand& c, const MarketCommand& command) {
    const auto wait = parse_wait(market_wait);
    const auto row = submit_market_command(c.context, command, wait);
    if (row.status == "failed") throw_command_failure(row);
    c.markets.command(row);
  };
  std::string market_target;
  std::string market_outcome;
  const auto add_target = [&market_target](CLI::App& command) {
    command.add_option("market", market_target, "market id or slug")->required();
  };
  const auto add_outcome = [&market_outcome](CLI::App& command) {
    command.add_option("--outcome", market_outcome, "YES or NO")->required()->check(CLI::IsMember({"YES", "NO"}));
  };

  MarketCreateInput market_input;
  auto* market_create = market->add_subcommand("create", "create a market (40-trading-engine.md §2 fields)");
  market_create->add_option("--slug", market_input.slug, "unique, ^[a-z0-9][a-z0-9-]{0,99}$")->required();
  market_create->add_option("--question", market_input.question, "1-500 characters")->required();
  add_optional(*market_create, "--category", market_input.category, "lowercase; picks the default taker fee");
  add_optional(*market_create, "--tick,--tick-size", market_input.tick_size,
               "0.1, 0.01, 0.001 or 0.0001 (default: 0.01)");
  add_optional(*market_create, "--min-order-size", market_input.min_order_size,
               "shares (default: 5, or 1 below tick 0.01)");
  add_optional(*market_create, "--taker-fee-bps", market_input.taker_fee_bps, "0-10000 (default: by category)");
  add_optional(*market_create, "--maker-fee-bps", market_input.maker_fee_bps, "0-10000 (default: 0)");
  add_optional(*market_create, "--end-date", market_input.end_date, "RFC 3339 time the market closes");
  add_optional(*market_create, "--feed", market_input.feed, "sim, replay, manual or live (default: sim)");
  add_optional(*market_create, "--stale-after", market_input.stale_after, "seconds; 0 = never stale");
  add_optional(*market_create, "--yes-label", market_input.yes_label, "label of the YES outcome");
  add_optional(*market_create, "--no-label", market_input.no_label, "label of the NO outcome");
  add_optional(*market_create, "--external-ref", market_input.external_ref, "the venue's condition id");
  add_wait(*market_create);
  store_command(*market_create, [&](StoreCommand& c) { submit(c, market_create_command(market_input)); });

  MarketBookInput book_input;
  auto* market_book = market->add_subcommand("book", "replace one outcome's reference book (mirrored onto the other)");
  market_book->add_option("market", book_input.market, "market id or slug")->required();
  add_outcome(*market_book);
  add_optional(*market_book, "--bids", book_input.bids, "price:size levels, e.g. 0.55:300,0.54:400");
  add_optional(*market_book, "--asks", book_input.asks, "price:size levels, e.g. 0.56:100");
  market_book->add_flag("--no-mirror", book_input.no_mirror, "leave the other outcome's book alone");
  add_wait(*market_book);
  store_command(*market_book, [&](StoreCommand& c) {
    book_input.outcome = market_outcome;
    submit(c, market_book_command(book_input));
  });

  for (const bool closing : {true, false}) {
    auto* command = market->add_subcommand(closing ? "close" : "open",
                                           closing ? "stop trading; resting orders expire" : "reopen a closed market");
    add_target(*command);
    add_wait(*command);
    store_command(*command, [&, closing](StoreCommand& c) {
      submit(c, closing ? market_close_command(market_target) : market_open_command(market_target));
    });
  }

  auto* market_resolve = market->add_subcommand("resolve", "resolve and settle a market (final)");
  add_target(*market_resolve);
  add_outcome(*market_resolve);
  add_wait(*market_resolve);
  store_command(*market_resolve,
                [&](StoreCommand& c) { submit(c, market_resolve_command(market_target, market_outcome)); });

  auto* market_list = market->add_subcommand("list", "list markets as stored");
  store_command(*market_list, [](StoreCommand& c) { c.markets.markets(c.context.engine->list_markets()); });

  auto* market_show = market->add_subcommand("show", "show one market as stored");
  add_target(*market_show);
  store_command(*market_show, [&](StoreCommand& c) {
    auto found = c.context.store.find_market(market_target);
    if (!found) throw InvalidInput("no market with id or slug '" + market_target + "'");
    c.markets.market(*found);
  });

  // engine verify: reads the database read-only, never migrates, so it can run beside a server.
  auto* engine = app.add_subcommand("engine", "trading-engine operator tools");
  engine->require_subcommand(1);
  std::optional<std::string> verify_account;
  auto* engine_verify = engine->add_subcommand(
      "verify", "recompute accounts from ledger, fills and settlements; report every violated property");
  add_optional(*engine_verify, "--account", verify_account, "check only this account id");
  add_common_options(*engine_verify, common);
  engine_verify->callback([&] {
    chosen = [&] { return run_engine_verify(common.flags, verify_account, common.json, out, err, environment); };
  });

  auto* demo = app.add_subcommand("demo", "seed a demo tenant, key, trader and account");
  store_command(*demo, [](StoreCommand& c) {
    const auto result = seed_demo(c.context);
    c.output.demo(result, demo_curl_command(result, c.config.listen));
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help requests exit 0; every other parse failure is invalid input.
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitInvalid;
  }
  if (!chosen) return kExitInvalid;
  return chosen();
}

}  // namespace polysim::cli
