// Separate compilation of Asio and Beast (see BOOST_*_SEPARATE_COMPILATION in CMakeLists):
// their implementation is compiled here once instead of in every file that uses them.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
