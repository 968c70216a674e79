#include "partner/partner_error.hpp"

#include <string_view>

namespace polysim::partner {

namespace {
struct Known {
  std::string_view code;
  int status;
  std::string_view message;
};
constexpr Known kKnown[] = {
    {"MISSING_API_KEY", 401, "Missing API key."},
    {"INVALID_KEY", 401, "Invalid API key."},
    {"KEY_DEACTIVATED", 401, "API key is deactivated."},
    {"KEY_EXPIRED", 401, "API key has expired."},
    {"TENANT_DISABLED", 403, "Tenant is disabled."},
    {"INSUFFICIENT_PERMISSION", 403, "API key lacks the scope this route requires."},
    {"NOT_FOUND", 404, "Not found."},
    {"METHOD_NOT_ALLOWED", 405, "Method not allowed."},
    {"INVALID_EMAIL", 400, "Email is not valid."},
    {"EXTERNAL_ID_CONFLICT", 409, "external_id is already mapped to a different email."},
    {"USER_ALREADY_MAPPED", 409, "This user is already mapped under a different external_id."},
    {"REDIRECT_NOT_ALLOWED", 400, "redirect_url is not allowed."},
    {"USER_NOT_FOUND", 404, "User not found."},
    {"AUTH_PROVISION_FAILED", 502, "User provisioning failed. Retry."},
    {"MAGIC_LINK_FAILED", 502, "Login link could not be queued. Retry."},
    {"INVALID_STAGE", 400, "stage must be one of demo, challenge, funded."},
    {"INVALID_BALANCE", 400, "starting_balance must be a decimal with at most 2 decimals."},
    {"BALANCE_OUT_OF_BOUNDS", 400, "starting_balance is outside the tenant's bounds."},
    {"ACCOUNT_EXTERNAL_ID_CONFLICT", 409, "external_id is already used with a different user_id, stage or starting_balance."},
    {"INVALID_CURSOR", 400, "cursor is invalid."},
    {"ACCOUNT_NOT_FOUND", 404, "Account not found."},
    {"ORDERS_NOT_CANCELLED", 409, "Could not cancel all open orders. Retry."},
    {"ACCOUNT_CLOSED", 409, "Account is closed."},
    {"INVALID_ACCOUNT_ID", 422, "account_id is not a valid UUID."},
    {"VALIDATION_FAILED", 422, "Validation failed."},
    {"RATE_LIMIT_EXCEEDED", 429, "Rate limit exceeded."},
    {"PAYLOAD_TOO_LARGE", 413, "Request body is too large."},
    {"UNSUPPORTED_MEDIA_TYPE", 415, "Request body must be application/json."},
    {"INTERNAL_ERROR", 500, "Internal error."},
    {"SERVICE_UNAVAILABLE", 503, "Service unavailable. Retry."},
    {"BAD_REQUEST", 400, "Malformed request."},
    {"URI_TOO_LONG", 414, "Request URL is too long."},
    {"HEADERS_TOO_LARGE", 431, "Request headers are too large."},
};
}  // namespace

PartnerError make_error(std::string_view code, std::string message) {
  for (const auto& k : kKnown)
    if (k.code == code) return PartnerError{k.status, std::string(code), message.empty() ? std::string(k.message) : std::move(message)};
  return PartnerError{500, "INTERNAL_ERROR", "Internal error."};
}

PartnerError validation_failed(std::string message) { return make_error("VALIDATION_FAILED", std::move(message)); }

}  // namespace polysim::partner
