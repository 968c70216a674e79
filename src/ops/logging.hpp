// Process logger set-up. In JSON mode every line is one object: time and level from the
// pattern, the message as a JSON value (an object for request lines, a string otherwise).
#pragma once
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace polysim::ops {

std::shared_ptr<spdlog::logger> make_logger(const std::string& format, const std::string& level);

class Log {
 public:
  Log(std::shared_ptr<spdlog::logger> logger, bool json) : logger_(std::move(logger)), json_(json) {}
  void info(std::string_view message) const;
  void warn(std::string_view message) const;
  void error(std::string_view message) const;
  const std::shared_ptr<spdlog::logger>& logger() const { return logger_; }
  bool json() const { return json_; }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  bool json_;
};

}  // namespace polysim::ops
