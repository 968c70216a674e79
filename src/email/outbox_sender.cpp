#include "email/outbox_sender.hpp"

#include <algorithm>
#include <fstream>

#include "core/json_writer.hpp"
#include "core/time_format.hpp"

namespace polysim::email {

namespace {
constexpr std::int64_t kMinute = 60LL * 1'000'000;
constexpr std::int64_t kGiveUpAfter = 24LL * 60 * kMinute;
}  // namespace

void FileSinkTransport::deliver(const store::OutboxMessage& m) {
  std::string line;
  JsonWriter w(line);
  w.begin_object();
  w.key("id"); w.string(m.id);
  w.key("tenantId"); w.string(m.tenant_id);
  w.key("to"); w.string(m.recipient);
  w.key("kind"); w.string(m.kind);
  w.key("subject"); w.string(m.subject);
  w.key("text"); w.string(m.text);
  if (m.link) { w.key("link"); w.string(*m.link); }
  if (m.code) { w.key("code"); w.string(*m.code); }
  w.key("createdAt"); w.string(format_rfc3339_millis(m.created_at));
  w.end_object();
  line += '\n';
  std::lock_guard lock(mutex_);
  std::ofstream out(path_, std::ios::app | std::ios::binary);
  out << line;
  out.flush();
  if (!out) throw std::runtime_error("cannot append to the outbox file");
}

void LogTransport::deliver(const store::OutboxMessage& m) {
  log_.info("mail " + m.kind + " to " + m.recipient + " (" + m.subject + "), link and code redacted");
}

OutboxSender::OutboxSender(store::Store& store, MailTransport& transport, const Clock& clock, const ops::Log& log,
                           std::chrono::milliseconds poll_interval)
    : store_(store),
      transport_(transport),
      clock_(clock),
      log_(log),
      worker_(poll_interval, [this] {
        try {
          deliver_due();
        } catch (const std::exception& e) {
          log_.warn(std::string("email outbox pass failed: ") + e.what());
        }
      }) {}

OutboxSender::~OutboxSender() { stop(); }

void OutboxSender::start() { worker_.start(); }

void OutboxSender::stop() { worker_.stop(); }

int OutboxSender::deliver_due() {
  int delivered = 0;
  const auto now = clock_.now_unix_micros();
  for (const auto& m : store_.due_outbox(now, 50)) {
    try {
      transport_.deliver(m);
      store_.mark_outbox_sent(m.id, clock_.now_unix_micros());
      ++delivered;
    } catch (const std::exception& e) {
      const auto backoff = std::min<std::int64_t>(60 * kMinute, kMinute << std::min<std::int64_t>(m.attempts, 6));
      const bool give_up = now - m.created_at > kGiveUpAfter;
      store_.mark_outbox_retry(m.id, now + backoff, e.what(), give_up);
      log_.warn("mail " + m.id + " not delivered: " + e.what());
    }
  }
  return delivered;
}

}  // namespace polysim::email
