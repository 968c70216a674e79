// Awaiting an API that answers through a callback on some other thread (the engine answers from
// the SQLite writer after COMMIT): the coroutine resumes on its own executor, and no pool thread
// sits blocked while it waits.
#pragma once
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <utility>

#include "http/task.hpp"

namespace polysim::http {

// `start(done)` must call `done(Result)` exactly once, from any thread.
template <class Result, class Start>
Task<Result> await_callback(Start start) {
  auto initiate = [start = std::move(start)](auto handler) mutable {
    using Handler = decltype(handler);
    // std::function needs a copyable callable; the coroutine's handler is move-only.
    auto shared = std::make_shared<Handler>(std::move(handler));
    start(std::function<void(Result)>([shared](Result result) {
      auto executor = boost::asio::get_associated_executor(*shared);
      boost::asio::post(executor, [shared, result = std::move(result)]() mutable { std::move (*shared)(std::move(result)); });
    }));
  };
  // Named, not a temporary inside co_await: GCC 12 destroys such temporaries twice.
  auto operation = boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result)>(
      std::move(initiate), boost::asio::use_awaitable);
  co_return co_await std::move(operation);
}

}  // namespace polysim::http
