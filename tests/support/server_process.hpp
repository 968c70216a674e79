// Runs the real polysim binary (POLYSIM_BINARY, set by CMake) as a child process for integration
// tests: a private data directory, ephemeral loopback ports discovered through listen.json, and
// output going to DIR/server.log, a file rather than a pipe, so a chatty server can never block
// on a full pipe nobody reads.
//
// Children are started with PR_SET_PDEATHSIG so a test binary killed by the CTest timeout does
// not leave servers behind. Linux delivers that signal when the *thread* that started the child
// exits, so create ServerProcess on a thread that outlives it (normally the test body itself).
#pragma once
#include <sys/types.h>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace polysim::testing {

struct CliResult {
  int exit_code = -1;  // 128 + signal number when the process was killed by a signal
  std::string out;
  std::string err;

  // Parses `out`; throws std::runtime_error quoting exit code, stdout and stderr on failure.
  boost::json::value json() const;
};

// Name/value pairs added to (or overriding) the inherited environment.
using Environment = std::vector<std::pair<std::string, std::string>>;

class ServerProcess {
 public:
  // Starts `polysim serve --data-dir DIR --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0
  // <extra_args>` and returns once GET /readyz answers 200. Without `data_dir` a fresh temp
  // directory is created and removed again by the destructor; a given directory is never removed.
  // Throws std::runtime_error with the tail of server.log if the server exits or is not ready in
  // time.
  explicit ServerProcess(std::vector<std::string> extra_args = {},
                         std::optional<std::string> data_dir = std::nullopt, Environment extra_env = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Ports of the current process; they change on every start since the server binds port 0.
  std::uint16_t api_port() const { return api_port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }
  bool running();

  // SIGTERM, wait up to 10 s for a graceful exit, then SIGKILL. Returns the exit status
  // (128 + signal when killed by a signal). On a process that already exited, returns its status.
  int stop();
  // SIGKILL without warning, for crash-recovery tests. Returns the exit status like stop().
  int kill9();
  // Starts a new process on the same data directory; throws if one is running.
  void start();
  // stop() if running, then start().
  void restart();
  std::optional<int> last_exit_status() const { return exit_status_; }

  // Runs `polysim <args> --data-dir DIR` to completion with the same environment as the server.
  // `stdin_data` is fed on standard input (empty: /dev/null). Throws if it runs longer than
  // `timeout`, after killing it.
  CliResult run_cli(std::vector<std::string> args, const std::string& stdin_data = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  const std::string& data_dir() const { return data_dir_; }
  std::string log_tail(std::size_t bytes = 4'000) const;

  // DIR/outbox.jsonl, one JSON object per line; empty when the file does not exist yet. A final
  // line without newline may still be being written and is skipped.
  std::vector<boost::json::value> outbox_messages() const;
  // Polls outbox_messages() every 20 ms until one matches, because mail is delivered
  // asynchronously after the request that caused it has been answered.
  std::optional<boost::json::value> wait_for_outbox_message(
      const std::function<bool(const boost::json::value&)>& match,
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  static std::string binary_path();

 private:
  void wait_until_ready();
  [[noreturn]] void fail_start(const std::string& why);
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  int reap_blocking();

  std::vector<std::string> extra_args_;
  Environment extra_env_;
  std::string data_dir_;
  bool owns_data_dir_ = false;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  // Distinguishes a crash from an exit the test asked for, for the destructor's diagnostics.
  bool stopped_by_test_ = false;
  std::uint16_t api_port_ = 0;
  std::uint16_t admin_port_ = 0;
};

}  // namespace polysim::testing
