// Delivers the durable email outbox in the background: rows are written in their cause's
// transaction; this sender reads due rows, hands each to the transport and marks it sent, or
// schedules a retry (1 min doubling to 1 h, giving up after 24 h).
#pragma once
#include "core/periodic_worker.hpp"
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "ops/logging.hpp"
#include "store/store.hpp"

namespace polysim::email {

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Throws std::runtime_error when the mail could not be handed over.
  virtual void deliver(const store::OutboxMessage& message) = 0;
};

// Appends one JSON line per mail to a file (the default, and what tests read).
class FileSinkTransport final : public MailTransport {
 public:
  explicit FileSinkTransport(std::string path) : path_(std::move(path)) {}
  void deliver(const store::OutboxMessage& message) override;

 private:
  std::string path_;
  std::mutex mutex_;
};

// Logs that a mail was sent, with its link and code redacted.
class LogTransport final : public MailTransport {
 public:
  explicit LogTransport(const ops::Log& log) : log_(log) {}
  void deliver(const store::OutboxMessage& message) override;

 private:
  const ops::Log& log_;
};

class OutboxSender {
 public:
  OutboxSender(store::Store& store, MailTransport& transport, const Clock& clock, const ops::Log& log,
               std::chrono::milliseconds poll_interval = std::chrono::milliseconds(200));
  ~OutboxSender();
  void start();
  void stop();  // delivers nothing more after it returns
  // Runs one pass now; returns the number of mails handed over. Used by start()'s thread.
  int deliver_due();

 private:
  store::Store& store_;
  MailTransport& transport_;
  const Clock& clock_;
  const ops::Log& log_;
  PeriodicWorker worker_;
};

}  // namespace polysim::email
