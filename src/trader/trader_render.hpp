// The trader surface's JSON: its error envelope and the identity objects (TokenPair, User).
#pragma once
#include <string>

#include "auth/auth_failure.hpp"
#include "auth/identity_service.hpp"
#include "engine/account_view.hpp"
#include "http/response.hpp"

namespace polysim {
class JsonWriter;
}

namespace polysim::trader {

using http::json_response;
// {"error","message","code"} plus details and retryAfter; 401s carry WWW-Authenticate.
http::Response error_response(const auth::AuthFailure& failure);
http::Response error_response(int status, std::string_view error, std::string_view message);

std::string user_json(const store::UserRecord& user);
std::string token_pair_json(const auth::SignedIn& signed_in);
// A TokenPair, or the MfaChallenge body when a second factor is due.
std::string sign_in_json(const auth::SignInOutcome& outcome);
// {"deviceToken","device","user"}: desktop-login, the device-code poll, a desktop challenge.
std::string device_issued_json(const auth::DeviceIssued& issued);
std::string device_list_json(const std::vector<store::DeviceRecord>& devices);
std::string device_request_json(const store::DeviceAuthorization& request);
// The key appears only in the creation answer.
std::string api_key_json(const store::PersonalApiKey& key, std::optional<std::string_view> secret);
std::string api_key_list_json(const std::vector<store::PersonalApiKey>& keys);

// A paper Account of §9.1 (camelCase engine figures).
void write_paper_account(JsonWriter& w, const engine::AccountView& account);
// The Account's members without the braces, for objects that extend it.
void write_paper_account_fields(JsonWriter& w, const engine::AccountView& account);

// {"backupCodes":[…]}, optionally after `"<key_before>":true` (confirm says {"enabled":true,…}).
std::string backup_codes_json(std::string_view key_before, const std::vector<std::string>& codes);

}  // namespace polysim::trader
