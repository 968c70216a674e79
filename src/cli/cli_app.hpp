// The polysim command line: `serve` hands a fully layered Config to the server; every other
// command is an operator tool that opens the same database (migrating it first), does one
// thing, and prints text or, with --json, one JSON value.
// Exit status: 0 success, 2 invalid input (bad flag or value, unknown tenant or key,
// refused transition, configuration error), 1 anything else (e.g. the database failed).
#pragma once
#include <functional>
#include <map>
#include <ostream>
#include <string>

#include "config/config.hpp"

namespace polysim::cli {

using RunServerFn = std::function<int(const Config&)>;

int run_cli(int argc, char** argv, RunServerFn run_server);

// The same, with the output streams and the environment supplied by the caller (tests).
int run_cli(int argc, char** argv, const RunServerFn& run_server, std::ostream& out, std::ostream& err,
            const std::map<std::string, std::string>& environment);

}  // namespace polysim::cli
