#include "support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/http_client.hpp"

#ifndef POLYSIM_BINARY
#error "POLYSIM_BINARY must be defined to the path of the polysim executable"
#endif

namespace polysim::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kListenFileTimeout = 15s;
constexpr auto kReadyTimeout = 15s;
constexpr auto kStartupPoll = 20ms;
constexpr auto kGracefulStopTimeout = 10s;
constexpr std::size_t kLogTailInErrors = 4'000;

std::string errno_text(int err) { return std::strerror(err); }

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Unlinked at once: the descriptor keeps the file alive, and nothing is left behind if the
// test crashes.
Fd anonymous_temp_file() {
  std::string path = (fs::temp_directory_path() / "polysim-test-io-XXXXXX").string();
  const int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("mkostemp failed: " + errno_text(errno));
  ::unlink(path.c_str());
  return Fd(fd);
}

std::string read_whole_fd(int fd) {
  std::string out;
  char buf[64 * 1024];
  off_t offset = 0;
  for (;;) {
    // pread: the child shared (and advanced) this descriptor's file offset.
    const ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    offset += n;
  }
  return out;
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("write failed: " + errno_text(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string join_args(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

struct ChildIo {
  int in = -1;  // -1: /dev/null
  int out = -1;
  int err = -1;
};

pid_t spawn_child(const std::vector<std::string>& argv, const Environment& extra_env, ChildIo io) {
  if (::access(argv.front().c_str(), X_OK) != 0) {
    throw std::runtime_error("cannot execute " + argv.front() + ": " + errno_text(errno));
  }
  // Everything the child touches is prepared here: after fork() in a multithreaded process only
  // async-signal-safe calls are allowed until exec.
  std::vector<char*> c_argv;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);

  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    const bool overridden = std::any_of(extra_env.begin(), extra_env.end(),
                                        [&](const auto& kv) { return kv.first == name; });
    if (!overridden) env.emplace_back(entry);
  }
  for (const auto& [name, value] : extra_env) env.push_back(name + "=" + value);
  std::vector<char*> c_env;
  for (auto& e : env) c_env.push_back(e.data());
  c_env.push_back(nullptr);

  Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int in_fd = io.in >= 0 ? io.in : dev_null.get();
  const pid_t parent = ::getpid();
  static constexpr char kExecFailed[] = "polysim test harness: exec failed\n";

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed: " + errno_text(errno));
  if (pid == 0) {
    // A test binary killed by the CTest timeout must not leave servers running.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    // Blocked or ignored signals survive exec; the server must see SIGTERM/SIGPIPE as it would
    // when started from a shell.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < 32; ++s) ::signal(s, SIG_DFL);
    ::dup2(in_fd, 0);
    ::dup2(io.out, 1);
    ::dup2(io.err, 2);
    // Inherited sockets from the test would keep client connections half-alive in the server.
    ::close_range(3, ~0U, 0);
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    [[maybe_unused]] const auto ignored = ::write(2, kExecFailed, sizeof kExecFailed - 1);
    ::_exit(127);
  }
  return pid;
}

bool keep_test_data() {
  const char* v = std::getenv("POLYSIM_KEEP_TEST_DATA");
  return v != nullptr && *v != '\0';
}

std::optional<std::uint16_t> port_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  std::int64_t n = -1;
  if (const auto* i = v->if_int64()) n = *i;
  if (const auto* u = v->if_uint64()) n = static_cast<std::int64_t>(std::min<std::uint64_t>(*u, 1u << 20));
  if (n <= 0 || n > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(n);
}

}  // namespace

boost::json::value CliResult::json() const {
  boost::json::error_code ec;
  auto v = boost::json::parse(out, ec);
  if (ec) {
    throw std::runtime_error("CLI output is not JSON (" + ec.message() + "); exit code " +
                             std::to_string(exit_code) + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err);
  }
  return v;
}

std::string ServerProcess::binary_path() { return POLYSIM_BINARY; }

ServerProcess::ServerProcess(std::vector<std::string> extra_args, std::optional<std::string> data_dir,
                             Environment extra_env)
    : extra_args_(std::move(extra_args)), extra_env_(std::move(extra_env)) {
  if (data_dir) {
    data_dir_ = *data_dir;
    fs::create_directories(data_dir_);
  } else {
    std::string tmpl = (fs::temp_directory_path() / "polysim-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed: " + errno_text(errno));
    }
    data_dir_ = tmpl;
    owns_data_dir_ = true;
  }
  try {
    start();
  } catch (...) {
    // The destructor does not run for a constructor that throws.
    if (owns_data_dir_ && !keep_test_data()) {
      std::error_code ec;
      fs::remove_all(data_dir_, ec);
    }
    throw;
  }
}

ServerProcess::~ServerProcess() {
  try {
    const bool was_running = running();
    const int status = stop();
    const bool crashed_on_its_own = !was_running && !stopped_by_test_;
    if (status != 0 && (was_running || crashed_on_its_own)) {
      std::fprintf(stderr, "polysim (data dir %s) ended with status %d; tail of server.log:\n%s\n",
                   data_dir_.c_str(), status, log_tail(kLogTailInErrors).c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stopping polysim failed: %s\n", e.what());
  }
  if (!owns_data_dir_) return;
  if (keep_test_data()) {
    std::fprintf(stderr, "POLYSIM_KEEP_TEST_DATA: keeping %s\n", data_dir_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(data_dir_, ec);
}

void ServerProcess::start() {
  if (running()) throw std::logic_error("ServerProcess::start(): polysim is already running");
  const fs::path dir(data_dir_);
  // A listen.json left by the previous process would hand out its dead ports.
  std::error_code ec;
  fs::remove(dir / "listen.json", ec);

  std::vector<std::string> argv = {binary_path(), "serve",         "--data-dir",      data_dir_,
                                   "--listen",    "127.0.0.1:0",   "--admin-listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());

  // Appending keeps earlier runs' output for restart tests; the marker shows where each begins.
  const std::string log_path = (dir / "server.log").string();
  Fd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (log.get() < 0) throw std::runtime_error("cannot open " + log_path + ": " + errno_text(errno));
  write_all(log.get(), "--- polysim test harness: starting " + join_args(argv) + " ---\n");

  pid_ = spawn_child(argv, extra_env_, ChildIo{-1, log.get(), log.get()});
  exit_status_.reset();
  stopped_by_test_ = false;
  api_port_ = 0;
  admin_port_ = 0;
  wait_until_ready();
}

void ServerProcess::wait_until_ready() {
  const fs::path listen_file = fs::path(data_dir_) / "listen.json";
  const auto listen_deadline = Clock::now() + kListenFileTimeout;
  for (;;) {
    if (!running()) {
      fail_start("polysim exited with status " + std::to_string(exit_status_.value_or(-1)) +
                 " before writing listen.json");
    }
    if (const auto text = read_file(listen_file)) {
      boost::json::error_code ec;
      const auto v = boost::json::parse(*text, ec);
      // A parse error may be a partial write by a server that does not rename atomically: retry.
      if (!ec) {
        const auto* o = v.if_object();
        const auto api = o ? port_field(*o, "api") : std::nullopt;
        const auto admin = o ? port_field(*o, "admin") : std::nullopt;
        if (!api || !admin) fail_start("listen.json lacks valid \"api\"/\"admin\" ports: " + *text);
        api_port_ = *api;
        admin_port_ = *admin;
        break;
      }
    }
    if (Clock::now() > listen_deadline) fail_start("listen.json was not written within 15 s");
    std::this_thread::sleep_for(kStartupPoll);
  }

  const auto ready_deadline = Clock::now() + kReadyTimeout;
  std::string last;
  for (;;) {
    if (!running()) {
      fail_start("polysim exited with status " + std::to_string(exit_status_.value_or(-1)) +
                 " before /readyz answered 200");
    }
    try {
      const auto r = http_request(api_port_, "GET", "/readyz", {}, {}, 1s);
      if (r.status == 200) return;
      last = "last answer: HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300);
    } catch (const std::exception& e) {
      last = std::string("last attempt: ") + e.what();
    }
    if (Clock::now() > ready_deadline) {
      fail_start("GET /readyz on port " + std::to_string(api_port_) + " did not answer 200 within 15 s (" +
                 last + ")");
    }
    std::this_thread::sleep_for(kStartupPoll);
  }
}

void ServerProcess::fail_start(const std::string& why) {
  if (pid_ > 0) kill9();
  throw std::runtime_error(why + "\n--- tail of " + data_dir_ + "/server.log ---\n" + log_tail(kLogTailInErrors));
}

bool ServerProcess::running() {
  while (pid_ > 0) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    if (r < 0 && errno == EINTR) continue;
    exit_status_ = r == pid_ ? decode_wait_status(status) : -1;
    pid_ = -1;
  }
  return false;
}

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto pause = 1ms;
  while (running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::milliseconds>(pause * 2, 20ms);
  }
  return exit_status_;
}

int ServerProcess::reap_blocking() {
  // Only called after SIGKILL, which ends the process without its cooperation.
  while (pid_ > 0) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, 0);
    if (r < 0 && errno == EINTR) continue;
    exit_status_ = r == pid_ ? decode_wait_status(status) : -1;
    pid_ = -1;
  }
  return exit_status_.value_or(-1);
}

int ServerProcess::stop() {
  stopped_by_test_ = true;
  if (!running()) return exit_status_.value_or(-1);
  ::kill(pid_, SIGTERM);
  if (const auto status = wait_exit(kGracefulStopTimeout)) return *status;
  std::fprintf(stderr, "polysim did not exit within 10 s of SIGTERM; sending SIGKILL\n");
  ::kill(pid_, SIGKILL);
  return reap_blocking();
}

int ServerProcess::kill9() {
  stopped_by_test_ = true;
  if (!running()) return exit_status_.value_or(-1);
  ::kill(pid_, SIGKILL);
  return reap_blocking();
}

void ServerProcess::restart() {
  stop();
  start();
}

CliResult ServerProcess::run_cli(std::vector<std::string> args, const std::string& stdin_data,
                                 std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv = {binary_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--data-dir");
  argv.push_back(data_dir_);

  const Fd out = anonymous_temp_file();
  const Fd err = anonymous_temp_file();
  ChildIo io{-1, out.get(), err.get()};
  Fd in_file = stdin_data.empty() ? Fd() : anonymous_temp_file();
  if (in_file.get() >= 0) {
    write_all(in_file.get(), stdin_data);
    ::lseek(in_file.get(), 0, SEEK_SET);
    io.in = in_file.get();
  }

  const pid_t pid = spawn_child(argv, extra_env_, io);
  const auto deadline = Clock::now() + timeout;
  auto pause = 1ms;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) throw std::runtime_error("waitpid failed: " + errno_text(errno));
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      throw std::runtime_error("`" + join_args(argv) + "` did not finish within " +
                               std::to_string(timeout.count()) + " ms and was killed\n--- stdout ---\n" +
                               read_whole_fd(out.get()) + "\n--- stderr ---\n" + read_whole_fd(err.get()));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::milliseconds>(pause * 2, 20ms);
  }
  return CliResult{decode_wait_status(status), read_whole_fd(out.get()), read_whole_fd(err.get())};
}

std::string ServerProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(fs::path(data_dir_) / "server.log", std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  const auto start = size > bytes ? size - bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string out(size - start, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

std::vector<boost::json::value> ServerProcess::outbox_messages() const {
  std::vector<boost::json::value> messages;
  const auto text = read_file(fs::path(data_dir_) / "outbox.jsonl");
  if (!text) return messages;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < text->size()) {
    const auto eol = text->find('\n', pos);
    if (eol == std::string::npos) break;  // still being written
    ++line_no;
    const std::string_view line(text->data() + pos, eol - pos);
    pos = eol + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    boost::json::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec) {
      throw std::runtime_error("outbox.jsonl line " + std::to_string(line_no) + " is not JSON (" + ec.message() +
                               "): " + std::string(line.substr(0, 500)));
    }
    messages.push_back(std::move(v));
  }
  return messages;
}

std::optional<boost::json::value> ServerProcess::wait_for_outbox_message(
    const std::function<bool(const boost::json::value&)>& match, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto& m : outbox_messages()) {
      if (match(m)) return std::move(m);
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace polysim::testing
