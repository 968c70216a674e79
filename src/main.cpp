// polysim: one binary for the server (`polysim serve`) and the operator CLI.
#include "app/run_server.hpp"
#include "cli/cli_app.hpp"

int main(int argc, char** argv) { return polysim::cli::run_cli(argc, argv, polysim::run_server); }
