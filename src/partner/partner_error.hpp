// The partner surface's typed errors: one code, one status, a client-safe message.
#pragma once
#include <string>

namespace polysim::partner {

struct PartnerError {
  int status = 500;
  std::string code;
  std::string message;
  int retry_after_s = 0;  // for 429
};

PartnerError validation_failed(std::string message);
PartnerError make_error(std::string_view code, std::string message = {});

}  // namespace polysim::partner
