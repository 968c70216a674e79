// The coroutine type of every asynchronous step in the server. Only Asio's small awaitable
// header is pulled in here; Beast stays inside the HTTP implementation files.
#pragma once
#include <boost/asio/awaitable.hpp>

namespace polysim {
template <class T = void>
using Task = boost::asio::awaitable<T>;
}  // namespace polysim
