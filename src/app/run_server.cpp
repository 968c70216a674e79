#include "app/run_server.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "app/admin_handler.hpp"
#include "apps/app_api.hpp"
#include "apps/app_settings.hpp"
#include "auth/oidc/provider_registry.hpp"
#include "app/api_handler.hpp"
#include "app/bootstrap.hpp"
#include "app/engine_command_runner.hpp"
#include "app/outbox_sealer.hpp"
#include "auth/credential_checker.hpp"
#include "auth/hash_gate.hpp"
#include "auth/identity_service.hpp"
#include "auth/session_checker.hpp"
#include "auth/token_service.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/encoding.hpp"
#include "dashboard/dashboard.hpp"
#include "core/origin.hpp"
#include "email/outbox_sender.hpp"
#include "engine/engine.hpp"
#include "feed/replay_feed.hpp"
#include "feed/sim_feed.hpp"
#include "feed/starter_markets.hpp"
#include "email/smtp_transport.hpp"
#include "http/blocking_pool.hpp"
#include "http/server.hpp"
#include "limit/fail_open_guard.hpp"
#include "limit/fault_injecting_limiter.hpp"
#include "limit/in_process_sliding_log.hpp"
#include "ops/access_log.hpp"
#include "ops/logging.hpp"
#include "ops/metrics.hpp"
#include "partner/key_authenticator.hpp"
#include "partner/partner_api.hpp"
#include "partner/partner_service.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "trader/sync_retention.hpp"
#include "trader/trader_api.hpp"

namespace polysim {

namespace {

// Tests and scripts learn the bound ports (listen on port 0) from this file.
void write_listen_file(const std::string& data_dir, std::uint16_t api, std::uint16_t admin) {
  const auto final_path = std::filesystem::path(data_dir) / "listen.json";
  const auto tmp = std::filesystem::path(data_dir) / "listen.json.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"api\": " << api << ", \"admin\": " << admin << "}\n";
  }
  std::filesystem::rename(tmp, final_path);
}

}  // namespace

int run_server(const Config& config) {
  auto logger = ops::make_logger(config.log_format, config.log_level);
  ops::Log log(logger, config.log_format == "json");
  if (!config.database_url.empty()) {
    log.error("database_url: PostgreSQL is not supported yet; leave it empty for the embedded SQLite store");
    return 2;
  }
  if (auto missing = missing_oidc_secret(config.auth_oidc)) {
    log.error(*missing);
    return 2;
  }
  std::filesystem::create_directories(config.data_dir);

  SystemClock system_clock;
  OffsetClock clock(system_clock);
  store::sqlite::SqliteStore store({config.sqlite_path(), config.sqlite_synchronous});
  for (int version : store.migrate()) log.info("applied migration " + std::to_string(version));
  app::Secrets secrets;
  try {
    secrets = app::bootstrap(config, store, clock, log);
  } catch (const std::exception& e) {
    log.error(std::string("bootstrap failed: ") + e.what());
    return 2;
  }
  engine::MarketBoard market_board;
  engine::EngineOptions engine_options;
  engine_options.shards =
      config.engine_shards > 0 ? config.engine_shards : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  engine_options.valuation_interval_s = std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(config.engine_valuation_interval).count());
  engine_options.stale_after_s = config.feed_stale_after_s;
  engine::Engine trading_engine(store, market_board, clock, engine_options);
  app::OutboxSealer outbox_sealer(secrets.data_key_hex);
  store.set_outbox_cipher(&outbox_sealer);

  std::unique_ptr<email::MailTransport> transport;
  const auto transport_name = config.effective_email_transport();
  if (transport_name == "log") {
    transport = std::make_unique<email::LogTransport>(log);
  } else if (transport_name == "smtp") {
    std::string why;
    auto smtp = email::SmtpSettings::parse(config.smtp_url, &why);
    if (!smtp) {
      log.error("smtp.url: " + why);
      return 2;
    }
    transport = std::make_unique<email::SmtpTransport>(std::move(*smtp));
  } else {
    transport = std::make_unique<email::FileSinkTransport>((std::filesystem::path(config.data_dir) / "outbox.jsonl").string());
  }

  ops::Metrics metrics;
  limit::InProcessSlidingLog sliding_log(clock);
  limit::FaultInjectingLimiter fault_injector(sliding_log);
  limit::RateLimiter& limiter = config.testing_fault_injection ? static_cast<limit::RateLimiter&>(fault_injector)
                                                               : static_cast<limit::RateLimiter&>(sliding_log);
  limit::FailOpenGuard guard(
      limiter,
      [&](std::string_view reason) {
        metrics.record_limiter_store_error();
        log.warn("rate limiter store failed, request admitted: " + std::string(reason));
      },
      config.ratelimit_store_timeout);
  guard.set_decision_observer(
      [&metrics](std::string_view policy, bool admitted) { metrics.record_limiter_decision(policy, admitted); });

  // Half the cores by default: the other half serve the blocking pool, the SQLite writer and the
  // kernel's network work. Measured on 2 cores, one loop beat two on throughput and p99
  // (docs/performance.md).
  const int io_threads =
      config.io_threads > 0 ? config.io_threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
  http::BlockingPool pool(static_cast<std::size_t>(config.blocking_threads));

  partner::KeyAuthenticator keys(store, clock, config.cache_ttl);
  partner::AccountCache account_cache(clock, config.cache_ttl);
  partner::PartnerService partner_service(store, clock, guard, CursorCodec(secrets.cursor_secret),
                                          partner::PlatformSettings{config.effective_trader_app_url()}, account_cache);
  partner_service.set_engine(&trading_engine);
  // After every observer is wired: the shards and the writer call them from the start.
  try {
    trading_engine.start();
  } catch (const std::exception& e) {
    log.error(std::string("engine recovery failed: ") + e.what());
    return 3;
  }
  // Feeds start after recovery (§11): books first come from the database, then the feeds speak.
  // Operator commands queued while no server ran go first, so the feeds meet their markets.
  app::EngineCommandRunner engine_commands(store, trading_engine, clock, log);
  engine_commands.run_pending();
  engine_commands.start();
  feed::create_starter_markets(trading_engine, config.feed_sim_markets);
  std::unique_ptr<feed::SimFeed> sim_feed;
  if (config.feed != "none") {
    sim_feed = std::make_unique<feed::SimFeed>(trading_engine, store, feed::SimFeedOptions{config.feed_sim_seed, {}});
    sim_feed->start();
  }
  feed::ReplayFeed replay_feed(trading_engine);
  if (config.feed.rfind("replay:", 0) == 0) {
    feed::ReplayOptions replay;
    replay.file = config.feed.substr(7);
    replay.speed_text = config.feed_replay_speed;
    replay.speed = engine::parse_replay_speed(config.feed_replay_speed).value_or(engine::ReplaySpeed::max());
    replay.loop = config.feed_replay_loop;
    if (auto problem = replay_feed.start(std::move(replay))) {
      log.error("feed: " + *problem);
      return 2;
    }
  }
  partner::PartnerApi partner_api(partner_service, keys, guard, pool, clock);

  const int hash_workers = config.auth_hash_workers > 0
                               ? config.auth_hash_workers
                               : static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
  auth::HashGate hash_gate(hash_workers);
  // Threads that may wait for a hash slot; more than the slots so that database work of the
  // hashing routes overlaps with hashing.
  http::BlockingPool auth_pool(static_cast<std::size_t>(hash_workers) + 8);
  auth::TokenService tokens(store, clock, secrets.jwt_keys, config.auth_issuer,
                            std::chrono::duration_cast<std::chrono::microseconds>(config.auth_refresh_reuse_grace).count());
  auth::PasswordHashing hashing(hash_gate,
                                auth::Argon2Params{config.auth_argon2_memory_kib, config.auth_argon2_iterations});
  auth::Mailer mailer(clock);
  auth::FailureLanes lanes(store, mailer, clock);
  auth::MfaService mfa(store, hashing, lanes, mailer, clock, secrets.data_key_hex, config.mfa_issuer);
  auth::DeviceService devices(store, store, mailer, clock, config.effective_trader_app_url());
  auth::IdentityService identity(store, store, tokens, hashing, lanes, mfa, devices, mailer, clock,
                                 auth::IdentitySettings{config.effective_trader_app_url(), config.retail_tenant});
  auth::SessionChecker sessions(store, store, tokens, clock, config.cache_ttl);
  auth::CredentialChecker credentials(store, store, store, clock, config.cache_ttl);
  auto proxies = auth::TrustedProxies::parse(
      [&] {
        std::string csv;
        for (const auto& p : config.ratelimit_trusted_proxies) csv += (csv.empty() ? "" : ",") + p;
        return csv;
      }());
  if (!proxies) {
    log.error("ratelimit.trusted_proxies: expected comma-separated CIDRs");
    return 2;
  }
  trader::CorsPolicy cors(
      {config.public_base_url, config.effective_trader_app_url()},
      [&store] {
        std::vector<std::string> origins;
        for (const auto& t : store.list_tenants()) origins.insert(origins.end(), t.redirect_origins.begin(), t.redirect_origins.end());
        return origins;
      },
      [&pool](std::function<void()> work) { pool.post(std::move(work)); }, clock, config.cache_ttl);
  cors.load();
  trader::SyncService sync(store, store, store, store, store, trading_engine);
  trader::TradingService trading(store, store, trading_engine, CursorCodec(secrets.cursor_secret));
  trader::SignalService signals(store, store, store, store, trading_engine, clock, CursorCodec(secrets.cursor_secret),
                                trader::SignalSettings{config.public_base_url, secrets.data_key_hex});
  trader::TraderApi trader_api(identity, sessions, credentials, cors, sync, guard, pool, auth_pool,
                               trader::TraderApiSettings{*proxies, config.ratelimit_ipv6_prefix}, &trading, &signals);

  // Partner apps (30-partner-apps.md). Slots left pending by a crash are settled before serving.
  const int settled_slots = store.recover_trade_slots();
  if (settled_slots > 0) log.info("settled " + std::to_string(settled_slots) + " app trade slots left by a restart");
  auto on_cap_refusal = [&metrics](std::string_view cap) { metrics.record_app_cap_refusal(cap); };
  apps::AppSignIn app_sign_in(store, store, store, tokens, identity, clock,
                              apps::AppSignInSettings{config.public_base_url, apps::app_code_secret(config, secrets.data_key_hex)},
                              on_cap_refusal);
  apps::AppTrading app_trading(store, store, store, trading_engine, clock, on_cap_refusal);
  apps::AppApiSettings app_settings{*proxies, config.ratelimit_ipv6_prefix,
                                    origin_of_url(config.public_base_url) ? origin_of_url(config.public_base_url)->str()
                                                                           : config.public_base_url,
                                    apps::app_limit_settings(config)};
  // OpenID providers (§4.5): discovered before serving; one that fails is logged, not fatal.
  const auto log_warn = [&log](std::string_view message) { log.warn(message); };
  auth::oidc::ProviderRegistry oidc_providers(config.auth_oidc, clock, log_warn);
  oidc_providers.discover_all();
  std::string oidc_redirect_uri = config.public_base_url;
  while (!oidc_redirect_uri.empty() && oidc_redirect_uri.back() == '/') oidc_redirect_uri.pop_back();
  apps::AppOidcSignIn app_oidc(store, store, oidc_providers, clock, oidc_redirect_uri + "/auth/oauth/callback", log_warn,
                               on_cap_refusal);
  apps::AppApi app_api(store, store, app_sign_in, app_trading, trading, guard, pool, std::move(app_settings),
                       config.auth_oidc.empty() ? nullptr : &app_oidc);

  http::ServerLimits limits;
  limits.header_timeout = config.http_header_timeout;
  limits.body_timeout = config.http_body_timeout;
  limits.idle_timeout = config.http_idle_timeout;
  limits.write_timeout = config.http_write_timeout;
  limits.drain_timeout = config.http_drain_timeout;
  limits.max_connections = config.http_max_connections;

  ops::AccessLog access_log(logger, metrics, config.access_log, config.log_format == "json");
  http::HttpServer server(limits, io_threads, access_log);
  auto ready = [&] { return !server.draining() && store.ping(); };
  dashboard::Dashboard dashboard({store, store, store, store, store}, hashing, clock, &guard, &trading_engine, &keys, pool,
                                 auth_pool, {config.public_base_url, config.dashboard_partner_agreement_url},
                                 [&log](std::string_view why) { log.warn("dashboard form refused: " + std::string(why)); });
  app::ApiHandler api(partner_api, trader_api, app_api, pool, ready, &dashboard.api());
  app::AdminHandler admin(metrics, pool, ready, config.admin_token,
                          config.testing_fault_injection ? &fault_injector : nullptr,
                          config.testing_fault_injection ? &clock : nullptr, &trading_engine,
                          app::FeedControls{sim_feed.get(), &replay_feed, config.feed_sim_seed});

  std::uint16_t api_port = 0, admin_port = 0;
  try {
    api_port = server.listen("api", config.listen.host, config.listen.port, api);
    admin_port = server.listen("admin", config.admin_listen.host, config.admin_listen.port, admin);
  } catch (const std::exception& e) {
    log.error(e.what());
    return 1;
  }

  email::OutboxSender outbox(store, *transport, clock, log);
  outbox.start();
  trader::SyncRetention sync_retention(store, clock, log);
  sync_retention.start();

  write_listen_file(config.data_dir, api_port, admin_port);
  log.info("polysim listening: api " + config.listen.host + ":" + std::to_string(api_port) + ", admin " +
           config.admin_listen.host + ":" + std::to_string(admin_port) + ", " + std::to_string(io_threads) +
           " io threads, data in " + config.data_dir);

  server.run();
  log.info("drained; stopping background work");
  outbox.stop();
  sync_retention.stop();
  replay_feed.stop();
  if (sim_feed) sim_feed->stop();
  engine_commands.stop();
  trading_engine.stop();
  auth_pool.stop();
  pool.stop();
  store.set_outbox_cipher(nullptr);
  std::error_code ec;
  std::filesystem::remove(std::filesystem::path(config.data_dir) / "listen.json", ec);
  log.info("stopped");
  return 0;
}

}  // namespace polysim
