// How a CLI command's failure becomes its exit code and message: wrong input and bad
// configuration exit 2 (scripts can tell them from an outage), anything else exits 1.
#pragma once
#include <exception>
#include <ostream>

#include "cli/command_context.hpp"
#include "config/config.hpp"

namespace polysim::cli {

template <class Body>
int exit_code_of(std::ostream& err, Body&& body) {
  try {
    return body();
  } catch (const InvalidInput& e) {
    err << "error: " << e.what() << '\n';
    return kExitInvalid;
  } catch (const ConfigError& e) {
    err << "configuration error: " << e.what() << '\n';
    return kExitInvalid;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << '\n';
    return kExitFailure;
  }
}

}  // namespace polysim::cli
