// The App of 30-partner-apps.md §1 as JSON, for the CLI and any surface that shows apps.
#pragma once
#include <boost/json/object.hpp>

#include "store/app_store.hpp"

namespace polysim::apps {

boost::json::object app_json(const store::AppRecord& app);

}  // namespace polysim::apps
