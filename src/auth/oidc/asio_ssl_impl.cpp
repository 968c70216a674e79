// Asio's TLS layer compiled once (BOOST_ASIO_SEPARATE_COMPILATION), next to its only user,
// the outbound client of http_fetch.cpp.
#include <boost/asio/ssl/impl/src.hpp>
