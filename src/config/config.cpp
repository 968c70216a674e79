#include "config/config.hpp"

#include <charconv>
#include <filesystem>
#include <functional>
#include <toml++/toml.h>

#include "core/origin.hpp"
#include "engine/replay_script.hpp"

extern char** environ;

namespace polysim {

namespace {

using Setter = std::function<void(Config&, const std::string&)>;

struct Setting {
  SettingInfo info;
  Setter set;
};

std::string kebab(std::string name) {
  for (auto& c : name)
    if (c == '.' || c == '_') c = '-';
  return "--" + name;
}

std::string env_name(std::string name) {
  for (auto& c : name) {
    if (c == '.' || c == '-') c = '_';
    else c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return "POLYSIM_" + name;
}

[[noreturn]] void bad(const std::string& name, const std::string& value, const std::string& why) {
  throw ConfigError("invalid value '" + value + "' for " + name + ": " + why);
}

std::int64_t parse_int(const std::string& name, const std::string& v, std::int64_t lo, std::int64_t hi) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) bad(name, v, "not an integer");
  if (out < lo || out > hi) bad(name, v, "out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  return out;
}

bool parse_bool(const std::string& name, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  bad(name, v, "expected true or false");
}

HostPort parse_host_port(const std::string& name, const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0) bad(name, v, "expected host:port");
  HostPort hp;
  hp.host = v.substr(0, colon);
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') hp.host = hp.host.substr(1, hp.host.size() - 2);
  hp.port = static_cast<std::uint16_t>(parse_int(name, v.substr(colon + 1), 0, 65535));
  return hp;
}

std::chrono::milliseconds duration(const std::string& name, const std::string& v) {
  auto d = parse_duration(v);
  if (!d) bad(name, v, "expected a duration such as 50ms, 5s or 2m");
  return *d;
}


std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    auto comma = v.find(',', pos);
    auto item = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = [] {
    std::vector<Setting> t;
    auto add = [&](std::string name, std::string def, std::string help, Setter set) {
      SettingInfo info{name, kebab(name), env_name(name), std::move(def), std::move(help)};
      t.push_back(Setting{std::move(info), std::move(set)});
    };
    add("data_dir", "./data", "SQLite database, email file sink and other local state",
        [](Config& c, const std::string& v) { c.data_dir = v; });
    add("config", "<data-dir>/polysim.toml", "configuration file (TOML)",
        [](Config& c, const std::string& v) { c.config_file = v; });
    add("listen", "127.0.0.1:8080", "API listener (port 0 picks a free port)",
        [](Config& c, const std::string& v) { c.listen = parse_host_port("listen", v); });
    add("admin_listen", "127.0.0.1:9464", "metrics and admin listener",
        [](Config& c, const std::string& v) { c.admin_listen = parse_host_port("admin_listen", v); });
    add("database_url", "SQLite in data_dir", "postgres://… (later issue); empty for embedded SQLite",
        [](Config& c, const std::string& v) { c.database_url = v; });
    add("redis_url", "none", "shared limiter counters (later issue)",
        [](Config& c, const std::string& v) { c.redis_url = v; });
    add("public_base_url", "http://127.0.0.1:8080", "base of links the server sends",
        [](Config& c, const std::string& v) { c.public_base_url = v; });
    add("trader_app_url", "public_base_url", "trader front end; default landing page of login links",
        [](Config& c, const std::string& v) { c.trader_app_url = v; });
    add("log_format", "text", "text or json", [](Config& c, const std::string& v) {
      if (v != "text" && v != "json") bad("log_format", v, "expected text or json");
      c.log_format = v;
    });
    add("log_level", "info", "trace, debug, info, warn, error", [](Config& c, const std::string& v) {
      if (v != "trace" && v != "debug" && v != "info" && v != "warn" && v != "error") bad("log_level", v, "unknown level");
      c.log_level = v;
    });
    add("access_log", "true", "one log line per request",
        [](Config& c, const std::string& v) { c.access_log = parse_bool("access_log", v); });
    add("io_threads", "0 (half the cores, at least 1)", "event-loop threads",
        [](Config& c, const std::string& v) { c.io_threads = static_cast<int>(parse_int("io_threads", v, 0, 256)); });
    add("blocking_threads", "32", "threads that wait on the database",
        [](Config& c, const std::string& v) { c.blocking_threads = static_cast<int>(parse_int("blocking_threads", v, 1, 1024)); });
    add("email.transport", "smtp if smtp.url is set, else file", "file, smtp or log", [](Config& c, const std::string& v) {
      if (v != "file" && v != "smtp" && v != "log") bad("email.transport", v, "expected file, smtp or log");
      c.email_transport = v;
    });
    add("smtp.url", "none", "smtp://host:port for outgoing mail", [](Config& c, const std::string& v) { c.smtp_url = v; });
    add("database.sqlite_synchronous", "normal", "normal (survives kill -9) or full (also power loss)",
        [](Config& c, const std::string& v) {
          if (v != "normal" && v != "full") bad("database.sqlite_synchronous", v, "expected normal or full");
          c.sqlite_synchronous = v;
        });
    add("ratelimit.ipv6_prefix", "64", "IPv6 grouping of client addresses", [](Config& c, const std::string& v) {
      c.ratelimit_ipv6_prefix = static_cast<int>(parse_int("ratelimit.ipv6_prefix", v, 1, 128));
    });
    add("ratelimit.trusted_proxies", "none", "comma-separated CIDRs whose X-Forwarded-For is read",
        [](Config& c, const std::string& v) { c.ratelimit_trusted_proxies = split_list(v); });
    const auto app_limit = [&](const char* name, const char* fallback, const char* help, std::string Config::*field) {
      add(name, fallback, help, [name, field](Config& c, const std::string& v) {
        if (!parse_window_list(v)) bad(name, v, "expected N/duration pairs separated by commas, e.g. 100/60s");
        c.*field = v;
      });
    };
    app_limit("ratelimit.app.ip", "100/60s", "App API requests per client IP", &Config::ratelimit_app_ip);
    app_limit("ratelimit.app.app", "500/60s", "App API requests per app", &Config::ratelimit_app_app);
    app_limit("ratelimit.app.auth_start_ip", "10/60s", "POST /auth/start per client IP",
              &Config::ratelimit_app_auth_start_ip);
    app_limit("ratelimit.app.auth_start_email", "1/60s,5/3600s", "email sign-in starts per (app, email)",
              &Config::ratelimit_app_auth_start_email);
    app_limit("ratelimit.app.auth_verify_ip", "30/300s", "POST /auth/verify and /auth/mfa/verify per client IP",
              &Config::ratelimit_app_auth_verify_ip);
    add("dashboard.partner_agreement_url", "none", "the partner agreement linked from the Go Live page",
        [](Config& c, const std::string& v) {
          if (!v.empty() && !origin_of_url(v)) bad("dashboard.partner_agreement_url", v, "expected an http(s) URL");
          c.dashboard_partner_agreement_url = v;
        });
    add("auth.app_code_secret", "derived from auth.data_key", "HMAC key of app sign-in codes",
        [](Config& c, const std::string& v) {
          if (v.size() < 32) bad("auth.app_code_secret", "…", "at least 32 characters");
          c.auth_app_code_secret = v;
        });
    add("ratelimit.store_timeout", "50ms", "limiter calls slower than this fail open",
        [](Config& c, const std::string& v) { c.ratelimit_store_timeout = duration("ratelimit.store_timeout", v); });
    add("cache.ttl", "2s", "how long API keys and tenants are cached (at most 5s)", [](Config& c, const std::string& v) {
      auto d = duration("cache.ttl", v);
      if (d > std::chrono::seconds(5)) bad("cache.ttl", v, "at most 5s");
      c.cache_ttl = d;
    });
    add("http.max_connections", "10000", "open connections; more are answered 503 and closed",
        [](Config& c, const std::string& v) {
          c.http_max_connections = static_cast<std::size_t>(parse_int("http.max_connections", v, 1, 1'000'000));
        });
    add("http.header_timeout", "10s", "time to receive a request's headers",
        [](Config& c, const std::string& v) { c.http_header_timeout = duration("http.header_timeout", v); });
    add("http.body_timeout", "30s", "time to receive a request's body",
        [](Config& c, const std::string& v) { c.http_body_timeout = duration("http.body_timeout", v); });
    add("http.idle_timeout", "60s", "keep-alive connection idle time",
        [](Config& c, const std::string& v) { c.http_idle_timeout = duration("http.idle_timeout", v); });
    add("http.write_timeout", "10s", "time to write a response",
        [](Config& c, const std::string& v) { c.http_write_timeout = duration("http.write_timeout", v); });
    add("http.drain_timeout", "10s", "on SIGTERM, how long in-flight requests may finish",
        [](Config& c, const std::string& v) { c.http_drain_timeout = duration("http.drain_timeout", v); });
    add("auth.jwt_keys", "generated by the bootstrap", "JWT signing keys kid:secret,... (first signs, all verify)",
        [](Config& c, const std::string& v) {
          for (const auto& item : split_list(v)) {
            const auto colon = item.find(':');
            if (colon == 0 || colon == std::string::npos || item.size() - colon - 1 < 32)
              bad("auth.jwt_keys", "…", "expected kid:secret pairs with secrets of at least 32 characters");
          }
          c.auth_jwt_keys = v;
        });
    add("auth.data_key", "generated by the bootstrap", "64 hex characters encrypting TOTP and webhook secrets",
        [](Config& c, const std::string& v) {
          if (v.size() != 64 || v.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            bad("auth.data_key", "…", "expected 64 hex characters");
          c.auth_data_key = v;
        });
    add("auth.issuer", "polysim", "iss claim of access tokens", [](Config& c, const std::string& v) { c.auth_issuer = v; });
    add("auth.refresh_reuse_grace", "10s", "a just-rotated refresh token may be presented again this long (0 = off)",
        [](Config& c, const std::string& v) { c.auth_refresh_reuse_grace = duration("auth.refresh_reuse_grace", v); });
    add("auth.argon2_memory_kib", "19456", "Argon2id memory cost of password hashes",
        [](Config& c, const std::string& v) {
          c.auth_argon2_memory_kib = static_cast<std::uint64_t>(parse_int("auth.argon2_memory_kib", v, 8, 4'194'304));
        });
    add("auth.argon2_iterations", "2", "Argon2id passes of password hashes", [](Config& c, const std::string& v) {
      c.auth_argon2_iterations = static_cast<std::uint64_t>(parse_int("auth.argon2_iterations", v, 1, 64));
    });
    add("auth.hash_workers", "0 (half the cores, at least 1)", "password hashes computed at once",
        [](Config& c, const std::string& v) { c.auth_hash_workers = static_cast<int>(parse_int("auth.hash_workers", v, 0, 256)); });
    add("retail_tenant", "retail", "tenant (id or name) of self-registration and sign-ins without tenantId",
        [](Config& c, const std::string& v) { c.retail_tenant = v; });
    add("mfa.issuer", "polysim", "issuer shown by authenticator apps", [](Config& c, const std::string& v) { c.mfa_issuer = v; });
    add("admin.token", "none", "Bearer token required on the admin listener off loopback",
        [](Config& c, const std::string& v) { c.admin_token = v; });
    add("cursor_secret", "generated by the bootstrap", "HMAC key of list cursors (shared by instances)",
        [](Config& c, const std::string& v) { c.cursor_secret = v; });
    add("engine.shards", "0 (one per core)", "threads that own accounts (at most 64)", [](Config& c, const std::string& v) {
      c.engine_shards = static_cast<int>(parse_int("engine.shards", v, 0, 64));
    });
    add("engine.valuation_interval", "5s", "how often held accounts are valued and their extremes stored",
        [](Config& c, const std::string& v) {
          auto d = duration("engine.valuation_interval", v);
          if (d < std::chrono::seconds(1)) bad("engine.valuation_interval", v, "at least 1s");
          c.engine_valuation_interval = d;
        });
    add("feed", "sim", "sim, none, or replay:FILE (a JSON-Lines replay beside the simulated feed)",
        [](Config& c, const std::string& v) {
          if (v != "sim" && v != "none" && !(v.rfind("replay:", 0) == 0 && v.size() > 7))
            bad("feed", v, "expected sim, none or replay:FILE");
          c.feed = v;
        });
    const auto replay_speed = [](Config& c, const std::string& v) {
      if (!engine::parse_replay_speed(v)) bad("feed.replay.speed", v, "expected a number in (0, 10000] or max");
      c.feed_replay_speed = v;
    };
    add("feed.replay.speed", "1", "replay seconds per wall second, or max", replay_speed);
    add("speed", "1", "short for feed.replay.speed", replay_speed);
    add("feed.replay.loop", "false", "start the replay file again at its end",
        [](Config& c, const std::string& v) { c.feed_replay_loop = parse_bool("feed.replay.loop", v); });
    add("feed.sim.seed", "42", "seed of the simulated walk", [](Config& c, const std::string& v) {
      c.feed_sim_seed = static_cast<std::uint64_t>(parse_int("feed.sim.seed", v, 0, INT64_MAX));
    });
    add("feed.sim.markets", "3", "simulated markets created when the database holds no market yet",
        [](Config& c, const std::string& v) { c.feed_sim_markets = static_cast<int>(parse_int("feed.sim.markets", v, 0, 20)); });
    add("feed.stale_after", "30", "seconds without an update after which a feed-driven book is stale (0 = never)",
        [](Config& c, const std::string& v) { c.feed_stale_after_s = parse_int("feed.stale_after", v, 0, 86'400); });
    add("testing.fault_injection", "false", "admin test endpoints: limiter faults, clock advance (tests only)",
        [](Config& c, const std::string& v) { c.testing_fault_injection = parse_bool("testing.fault_injection", v); });
    return t;
  }();
  return table;
}

void flatten_toml(const toml::table& table, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (const auto& [key, node] : table) {
    std::string name = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (name == "auth.oidc") continue;  // an array of tables: read by oidc_entries()
    if (auto sub = node.as_table()) {
      flatten_toml(*sub, name, out);
    } else if (auto s = node.as_string()) {
      out[name] = s->get();
    } else if (auto i = node.as_integer()) {
      out[name] = std::to_string(i->get());
    } else if (auto b = node.as_boolean()) {
      out[name] = b->get() ? "true" : "false";
    } else if (auto arr = node.as_array()) {
      std::string joined;
      for (const auto& item : *arr) {
        if (auto is = item.as_string()) {
          if (!joined.empty()) joined += ",";
          joined += is->get();
        } else {
          throw ConfigError("setting " + name + ": arrays may hold only strings");
        }
      }
      out[name] = joined;
    } else {
      throw ConfigError("setting " + name + ": unsupported value type");
    }
  }
}

// [[auth.oidc]]: each entry flattened on its own, validated by oidc_providers_from().
std::vector<std::map<std::string, std::string>> oidc_entries(const toml::table& root) {
  std::vector<std::map<std::string, std::string>> out;
  const auto* auth = root["auth"].as_table();
  const auto* node = auth ? auth->get("oidc") : nullptr;
  if (!node) return out;
  const auto* arr = node->as_array();
  if (!arr) throw ConfigError("auth.oidc must be an array of tables: write [[auth.oidc]]");
  for (const auto& item : *arr) {
    const auto* entry = item.as_table();
    if (!entry) throw ConfigError("auth.oidc must be an array of tables: write [[auth.oidc]]");
    std::map<std::string, std::string> fields;
    flatten_toml(*entry, "", fields);
    out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::pair<std::int64_t, std::int64_t>>> parse_window_list(std::string_view text) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& item : split_list(std::string(text))) {
    const auto slash = item.find('/');
    if (slash == std::string::npos || slash == 0) return std::nullopt;
    std::int64_t limit = 0;
    const auto count = item.substr(0, slash);
    auto [p, ec] = std::from_chars(count.data(), count.data() + count.size(), limit);
    if (ec != std::errc() || p != count.data() + count.size() || limit < 0) return std::nullopt;
    try {
      const auto window = duration("window", item.substr(slash + 1));
      if (window.count() <= 0) return std::nullopt;
      out.emplace_back(limit, window.count());
    } catch (const ConfigError&) {
      return std::nullopt;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string HostPort::str() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::string Config::sqlite_path() const { return (std::filesystem::path(data_dir) / "polysim.db").string(); }

const std::vector<SettingInfo>& all_settings() {
  static const std::vector<SettingInfo> infos = [] {
    std::vector<SettingInfo> out;
    for (const auto& s : settings()) out.push_back(s.info);
    return out;
  }();
  return infos;
}

void apply_setting(Config& config, const std::string& name, const std::string& value) {
  for (const auto& s : settings()) {
    if (s.info.name == name) {
      s.set(config, value);
      return;
    }
  }
  throw ConfigError("unknown setting '" + name + "'");
}

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  const std::int64_t n = std::stoll(text.substr(0, digits));
  const auto unit = text.substr(digits);
  if (unit.empty() || unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::milliseconds(n * 1000);
  if (unit == "m") return std::chrono::milliseconds(n * 60'000);
  if (unit == "h") return std::chrono::milliseconds(n * 3'600'000);
  return std::nullopt;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    if (kv.substr(0, 8) != "POLYSIM_") continue;
    out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

Config load_config(const std::map<std::string, std::string>& flags,
                   const std::map<std::string, std::string>& environment) {
  Config config;
  // The data dir and config path decide which file to read, so settle them first.
  auto layered = [&](const std::string& name) -> std::optional<std::string> {
    if (auto f = flags.find(name); f != flags.end()) return f->second;
    for (const auto& s : settings())
      if (s.info.name == name)
        if (auto e = environment.find(s.info.env); e != environment.end()) return e->second;
    return std::nullopt;
  };
  if (auto v = layered("data_dir")) config.data_dir = *v;
  std::string file;
  bool explicit_file = false;
  if (auto v = layered("config")) {
    file = *v;
    explicit_file = true;
  } else {
    file = (std::filesystem::path(config.data_dir) / "polysim.toml").string();
  }

  std::map<std::string, std::string> from_file;
  std::vector<std::map<std::string, std::string>> oidc;
  if (std::filesystem::exists(file)) {
    try {
      const auto parsed = toml::parse_file(file);
      flatten_toml(parsed, "", from_file);
      oidc = oidc_entries(parsed);
    } catch (const toml::parse_error& e) {
      throw ConfigError("cannot parse " + file + ": " + std::string(e.description()));
    }
  } else if (explicit_file) {
    throw ConfigError("config file not found: " + file);
  }
  for (const auto& [name, value] : from_file) apply_setting(config, name, value);
  for (const auto& s : settings())
    if (auto e = environment.find(s.info.env); e != environment.end()) s.set(config, e->second);
  for (const auto& [name, value] : flags) apply_setting(config, name, value);
  config.auth_oidc = oidc_providers_from(oidc, environment);
  config.config_file = file;
  return config;
}

}  // namespace polysim
