#include "app/feed_admin.hpp"

#include "app/api_handler.hpp"
#include "core/json_input.hpp"
#include "core/json_writer.hpp"

namespace polysim::app {

namespace {

constexpr std::size_t kMaxBody = 8 * 1024;

std::string feed_json(const FeedControls& feeds) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("sim");
  w.begin_object();
  w.key("running"); w.boolean(feeds.sim != nullptr);
  w.key("seed"); w.number(static_cast<std::int64_t>(feeds.sim_seed));
  w.end_object();
  w.key("replay");
  const auto p = feeds.replay ? feeds.replay->progress() : feed::ReplayProgress{};
  w.begin_object();
  w.key("state"); w.string(p.state);
  w.key("file");
  if (p.file.empty()) w.null(); else w.string(p.file);
  w.key("speed"); w.string(p.speed);
  w.key("loop"); w.boolean(p.loop);
  w.key("lines_applied"); w.number(p.lines_applied);
  w.key("passes"); w.number(p.passes);
  w.key("stopped_at_line");
  if (p.stopped_at_line) w.number(*p.stopped_at_line); else w.null();
  w.key("stop_reason");
  if (p.stop_reason) w.string(*p.stop_reason); else w.null();
  w.end_object();
  w.end_object();
  return out;
}

std::variant<feed::ReplayOptions, std::string> replay_options_from(const JsonValue& json) {
  if (!json.is_object()) return std::string("body must be a JSON object");
  for (const auto& [key, value] : json.items())
    if (key != "file" && key != "speed" && key != "loop") return "unknown field " + key;
  const auto* file = json.find("file");
  if (!file || !file->is_string() || file->as_string().empty())
    return std::string("file must be the path of a JSON-Lines file");
  feed::ReplayOptions options;
  options.file = file->as_string();
  std::string speed_text("1");  // constructed, not assigned from a literal: GCC 12's false -Wrestrict
  if (const auto* speed = json.find("speed")) {
    if (speed->is_string()) speed_text = speed->as_string();
    else if (speed->is_number()) speed_text = speed->number_text();
    else return std::string("speed must be a number in (0, 10000] or \"max\"");
  }
  options.speed_text = std::move(speed_text);
  auto speed = engine::parse_replay_speed(options.speed_text);
  if (!speed) return std::string("speed must be a number in (0, 10000] or \"max\"");
  options.speed = *speed;
  if (const auto* loop = json.find("loop")) {
    if (!loop->is_bool()) return std::string("loop must be true or false");
    options.loop = loop->as_bool();
  }
  return options;
}

}  // namespace

Task<std::optional<http::Response>> handle_feed_admin(http::Request& req, http::BodyReader& body,
                                                      const FeedControls& feeds) {
  if (req.path == "/admin/feed") {
    if (req.method != http::Method::Get) co_return generic_error(405, "METHOD_NOT_ALLOWED", "Use GET.");
    co_return http::json_response(200, feed_json(feeds));
  }
  if (req.path != "/admin/feed/replay") co_return std::nullopt;
  if (req.method != http::Method::Post) co_return generic_error(405, "METHOD_NOT_ALLOWED", "Use POST.");
  if (!feeds.replay) co_return generic_error(503, "SERVICE_UNAVAILABLE", "No replay feed in this process.");
  std::string text;
  if (co_await body.read(kMaxBody, text) != http::BodyStatus::Ok)
    co_return generic_error(413, "PAYLOAD_TOO_LARGE", "Body too large or unreadable.");
  auto parsed = parse_json(text);
  if (auto* e = std::get_if<JsonParseError>(&parsed)) co_return generic_error(400, "INVALID_JSON", e->message);
  auto options = replay_options_from(std::get<JsonValue>(parsed));
  if (auto* problem = std::get_if<std::string>(&options)) co_return generic_error(422, "VALIDATION_FAILED", *problem);
  if (auto problem = feeds.replay->start(std::get<feed::ReplayOptions>(std::move(options))))
    co_return generic_error(422, "VALIDATION_FAILED", *problem);
  co_return http::json_response(202, feed_json(feeds));
}

}  // namespace polysim::app
