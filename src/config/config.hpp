// The one typed configuration of the server and the CLI. Values come from, in increasing
// precedence: built-in defaults < config file (TOML) < POLYSIM_* environment < flags.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace polysim {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  std::string str() const;
};

struct Config {
  std::string data_dir = "./data";
  std::string config_file;  // empty: <data_dir>/polysim.toml if it exists
  HostPort listen{"127.0.0.1", 8080};
  HostPort admin_listen{"127.0.0.1", 9464};
  std::string database_url;  // empty: SQLite in data_dir
  std::string redis_url;
  std::string public_base_url = "http://127.0.0.1:8080";
  std::string trader_app_url;  // empty: public_base_url
  std::string log_format = "text";
  std::string log_level = "info";
  bool access_log = true;
  int io_threads = 0;        // 0: half the cores, at least one (see docs/performance.md)
  int blocking_threads = 32;  // store calls wait here, so group commit can batch them

  std::string email_transport;  // empty: smtp if smtp_url is set, else file
  std::string smtp_url;

  std::string sqlite_synchronous = "normal";

  int ratelimit_ipv6_prefix = 64;
  std::vector<std::string> ratelimit_trusted_proxies;
  std::chrono::milliseconds ratelimit_store_timeout{50};

  std::chrono::milliseconds cache_ttl{2000};  // keys and tenants; the spec bounds it at 5 s

  std::size_t http_max_connections = 10'000;
  std::chrono::milliseconds http_header_timeout{10'000};
  std::chrono::milliseconds http_body_timeout{30'000};
  std::chrono::milliseconds http_idle_timeout{60'000};
  std::chrono::milliseconds http_write_timeout{10'000};
  std::chrono::milliseconds http_drain_timeout{10'000};

  std::string admin_token;
  std::string cursor_secret;  // empty: generated once by the bootstrap and stored

  bool testing_fault_injection = false;  // admin endpoints that inject store faults; tests only

  std::string effective_trader_app_url() const { return trader_app_url.empty() ? public_base_url : trader_app_url; }
  std::string effective_email_transport() const {
    if (!email_transport.empty()) return email_transport;
    return smtp_url.empty() ? "file" : "smtp";
  }
  std::string sqlite_path() const;
};

struct SettingInfo {
  std::string name;          // dotted, as in the TOML file: "email.transport"
  std::string flag;          // "--email-transport"
  std::string env;           // "POLYSIM_EMAIL_TRANSPORT"
  std::string default_text;  // as shown by --help
  std::string help;
};

const std::vector<SettingInfo>& all_settings();

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Applies one setting by dotted name; throws ConfigError on an unknown name or bad value.
void apply_setting(Config& config, const std::string& name, const std::string& value);

// Builds the configuration from the layers. `flags` holds the values given on the command
// line by dotted name. `environment` is normally the process environment.
Config load_config(const std::map<std::string, std::string>& flags,
                   const std::map<std::string, std::string>& environment);

std::map<std::string, std::string> process_environment();

// "50ms", "5s", "2m", "1h" or a bare number of milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

}  // namespace polysim
