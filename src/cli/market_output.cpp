#include "cli/market_output.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <iomanip>

#include "app/market_json.hpp"
#include "core/json_writer.hpp"

namespace polysim::cli {

namespace {

std::string admin_market_json(const store::MarketRecord& m) {
  std::string out;
  JsonWriter w(out);
  app::write_admin_market(w, m);
  return out;
}

std::string scalar_text(const boost::json::value& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return std::string(v.as_string());
  return boost::json::serialize(v);
}

void field(std::ostream& out, std::string_view label, std::string_view value) {
  out << std::left << std::setw(16) << (std::string(label) + ":") << value << '\n';
}

// One line per field of the admin market object, in its order; outcomes one line each.
void market_text(std::ostream& out, const boost::json::object& market) {
  for (const auto& [key, value] : market) {
    if (key != "outcomes") {
      field(out, key, scalar_text(value));
      continue;
    }
    for (const auto& o : value.as_array()) {
      const auto& outcome = o.as_object();
      field(out, std::string(outcome.at("outcome").as_string()),
            scalar_text(outcome.at("label")) + " (token " + scalar_text(outcome.at("token_id")) + ")");
    }
  }
}

std::string levels_text(const boost::json::value& side) {
  std::string out;
  for (const auto& level : side.as_array()) {
    if (!out.empty()) out += ", ";
    out += scalar_text(level.as_array().at(0)) + ":" + scalar_text(level.as_array().at(1));
  }
  return out.empty() ? "(none)" : out;
}

// {"YES": {"token_id","seq","stale","bids","asks"}, "NO": {…}} as the admin book push answers.
void books_text(std::ostream& out, const boost::json::object& books) {
  for (const auto& [outcome, value] : books) {
    const auto& book = value.as_object();
    out << outcome << " (token " << scalar_text(book.at("token_id")) << ", seq " << scalar_text(book.at("seq"))
        << (book.at("stale").as_bool() ? ", stale" : "") << ")\n";
    field(out, "  bids", levels_text(book.at("bids")));
    field(out, "  asks", levels_text(book.at("asks")));
  }
}

}  // namespace

void MarketOutput::command(const store::EngineCommandRecord& command) {
  if (command.status == "queued") {
    if (json_) {
      out_ << R"({"command_id":)" << command.id << R"(,"status":"queued"})" << '\n';
      return;
    }
    out_ << "command " << command.id << " (" << command.kind << " " << command.target
         << ") is queued; the running server executes it within a moment, or at its next start\n";
    return;
  }
  const auto& result = command.result.value_or("{}");
  if (json_) {
    out_ << result << '\n';
    return;
  }
  const auto parsed = boost::json::parse(result).as_object();
  if (command.kind == "book") books_text(out_, parsed);
  else market_text(out_, parsed);
}

void MarketOutput::market(const store::MarketRecord& market) {
  const auto json = admin_market_json(market);
  if (json_) {
    out_ << json << '\n';
    return;
  }
  market_text(out_, boost::json::parse(json).as_object());
}

void MarketOutput::markets(const std::vector<store::MarketRecord>& markets) {
  if (json_) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("data");
    w.begin_array();
    for (const auto& m : markets) app::write_admin_market(w, m);
    w.end_array();
    w.end_object();
    out_ << out << '\n';
    return;
  }
  if (markets.empty()) {
    out_ << "no markets\n";
    return;
  }
  out_ << std::left << std::setw(38) << "MARKET_ID" << std::setw(32) << "SLUG" << std::setw(14) << "STATUS"
       << std::setw(8) << "FEED" << "QUESTION\n";
  for (const auto& m : markets) {
    const auto status = m.resolution ? m.status + ":" + *m.resolution : m.status;
    out_ << std::setw(38) << m.id << std::setw(32) << m.slug << std::setw(14) << status << std::setw(8) << m.feed
         << m.question << '\n';
  }
}

}  // namespace polysim::cli
