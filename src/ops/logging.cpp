#include "ops/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/json_writer.hpp"

namespace polysim::ops {

std::shared_ptr<spdlog::logger> make_logger(const std::string& format, const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("polysim", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  if (format == "json") logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%v})", spdlog::pattern_time_type::utc);
  else logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

namespace {
void emit(const spdlog::logger& logger, spdlog::level::level_enum level, bool json, std::string_view message) {
  auto& l = const_cast<spdlog::logger&>(logger);
  if (json) l.log(level, "{}", json_escape(message).insert(0, "\"").append("\""));
  else l.log(level, "{}", message);
}
}  // namespace

void Log::info(std::string_view m) const { emit(*logger_, spdlog::level::info, json_, m); }
void Log::warn(std::string_view m) const { emit(*logger_, spdlog::level::warn, json_, m); }
void Log::error(std::string_view m) const { emit(*logger_, spdlog::level::err, json_, m); }

}  // namespace polysim::ops
