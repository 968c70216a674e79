// The App API's settings taken from the typed configuration.
#pragma once
#include <string>
#include <string_view>

#include "apps/app_limits.hpp"
#include "config/config.hpp"

namespace polysim::apps {

AppLimitSettings app_limit_settings(const Config& config);
// auth.app_code_secret, or a key derived from the data key so that every instance sharing the
// data key checks the same codes.
std::string app_code_secret(const Config& config, std::string_view data_key_hex);

}  // namespace polysim::apps
