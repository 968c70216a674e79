#pragma once
#include "config/config.hpp"

namespace polysim {

// The composition root of `polysim serve`: builds the store, limiter, services, handlers and
// the HTTP server from the configuration, runs until SIGTERM, drains and returns the exit code.
int run_server(const Config& config);

}  // namespace polysim
