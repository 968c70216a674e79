// What any store may throw besides a plain failure, shared by every storage interface.
#pragma once
#include <stdexcept>

namespace polysim::store {

// The database is unreachable or failed; the request may be retried.
struct StoreUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A uniqueness rule was violated (e.g. a tenant name that exists).
struct UniqueViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace polysim::store
