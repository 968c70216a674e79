// Threads for work that may block (database calls, file I/O), so event loops never wait.
// `co_await pool.run(f)` runs f on a pool thread and resumes the caller on its own executor.
#pragma once
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

#include "http/task.hpp"

namespace polysim::http {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads) {}
  ~BlockingPool() { stop(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  template <class F>
  Task<std::invoke_result_t<F>> run(F f) {
    using R = std::invoke_result_t<F>;
    // Named, not temporaries inside the co_await expression: GCC 12 destroys such temporaries
    // with non-trivial destructors twice.
    auto body = [fn = std::move(f)]() mutable -> Task<R> { co_return fn(); };
    auto operation = boost::asio::co_spawn(pool_.get_executor(), std::move(body), boost::asio::use_awaitable);
    co_return co_await std::move(operation);
  }

  // Fire and forget: f runs on a pool thread; nobody waits for it.
  template <class F>
  void post(F f) {
    boost::asio::post(pool_, std::move(f));
  }

  void stop() {
    pool_.stop();
    pool_.join();
  }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace polysim::http
