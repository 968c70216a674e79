// The simulated markets a new installation starts with, so a fresh machine has books moving and
// orders to place without any network or operator step.
#pragma once

namespace polysim::engine {
class Engine;
}

namespace polysim::feed {

// Creates up to `count` simulated markets when the engine knows no market at all. Creation is
// insert-if-absent by slug, so instances starting together on one database agree.
void create_starter_markets(engine::Engine& engine, int count);

}  // namespace polysim::feed
