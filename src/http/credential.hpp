// The one credential extractor every surface uses (00-overview.md, cross-chapter decision 7):
// a bearer token from Authorization, or a key from X-API-Key, with the winning header a
// per-surface parameter. Query-string credentials are never read.
#pragma once
#include <string_view>

#include "http/request.hpp"

namespace polysim::http {

enum class CredentialPrecedence {
  ApiKeyHeader,   // partner API: a non-empty X-API-Key wins
  Authorization,  // trader API: a bearer Authorization wins
};

struct Credential {
  enum class Kind { Missing, Repeated, Present } kind = Kind::Missing;
  std::string_view value;
};

// Repeated when either header is sent twice (ambiguous, refused). An Authorization that is not
// a non-empty bearer token counts as absent.
Credential extract_credential(const Request& request, CredentialPrecedence precedence);

// "application/json", any parameters (charset) and surrounding spaces ignored, any case.
bool is_json_media_type(std::string_view content_type);

}  // namespace polysim::http
