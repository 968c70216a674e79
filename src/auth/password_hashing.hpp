// Argon2id as the sign-in flows use it: every hash and verification waits for a HashGate slot,
// and a caller still waiting at its deadline gets 503 service_unavailable with Retry-After: 1.
#pragma once
#include <string>
#include <string_view>

#include "auth/hash_gate.hpp"
#include "auth/password_hasher.hpp"

namespace polysim::auth {

class PasswordHashing {
 public:
  PasswordHashing(HashGate& gate, Argon2Params params) : gate_(gate), params_(params) {}

  std::string hash(std::string_view secret, HashGate::Deadline deadline);
  bool verify(std::string_view phc, std::string_view secret, HashGate::Deadline deadline);
  bool needs_rehash(std::string_view phc) const { return polysim::auth::needs_rehash(phc, params_); }
  const Argon2Params& params() const { return params_; }

 private:
  HashGate& gate_;
  Argon2Params params_;
};

}  // namespace polysim::auth
