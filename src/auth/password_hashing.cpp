#include "auth/password_hashing.hpp"

#include "auth/auth_failure.hpp"

namespace polysim::auth {

namespace {
AuthFailure busy() {
  AuthFailure f(503, "service_unavailable", "The service is busy. Retry shortly.");
  f.retry_after_s = 1;
  return f;
}
}  // namespace

std::string PasswordHashing::hash(std::string_view secret, HashGate::Deadline deadline) {
  try {
    return gate_.run(deadline, [&] { return hash_password(secret, params_); });
  } catch (const HashQueueFull&) {
    throw busy();
  }
}

bool PasswordHashing::verify(std::string_view phc, std::string_view secret, HashGate::Deadline deadline) {
  try {
    return gate_.run(deadline, [&] { return verify_password(phc, secret); });
  } catch (const HashQueueFull&) {
    throw busy();
  }
}

}  // namespace polysim::auth
