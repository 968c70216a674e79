#include "http/credential.hpp"

namespace polysim::http {

namespace {

std::string_view bearer_token(const Request& req) {
  auto auth = req.header("Authorization");
  if (!auth || auth->size() <= 7 || !iequals(auth->substr(0, 7), "bearer ")) return {};
  auto token = auth->substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

}  // namespace

Credential extract_credential(const Request& req, CredentialPrecedence precedence) {
  if (req.header_count("X-API-Key") > 1 || req.header_count("Authorization") > 1)
    return {Credential::Kind::Repeated, {}};
  const std::string_view key = req.header("X-API-Key").value_or(std::string_view());
  const std::string_view bearer = bearer_token(req);
  const auto first = precedence == CredentialPrecedence::ApiKeyHeader ? key : bearer;
  const auto second = precedence == CredentialPrecedence::ApiKeyHeader ? bearer : key;
  if (!first.empty()) return {Credential::Kind::Present, first};
  if (!second.empty()) return {Credential::Kind::Present, second};
  return {Credential::Kind::Missing, {}};
}

bool is_json_media_type(std::string_view value) {
  auto type = value.substr(0, value.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  return iequals(type, "application/json");
}

}  // namespace polysim::http
