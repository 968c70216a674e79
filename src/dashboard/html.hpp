// Markup helpers of the Dashboard (30-partner-apps.md §9.1): every value that reaches a page goes
// through escape() or attr(), and every page shares one frame (skip link, navigation with
// aria-current, notices, the error summary tied to its fields). Plain functions building
// strings: handlers never write markup by hand around user data.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polysim::dashboard {

// Text content and attribute values alike: & < > " ' are replaced.
std::string escape(std::string_view text);

// "2025-03-01 14:05:09 UTC"; "—" for no time.
std::string utc_time(std::int64_t unix_micros);
// "10000.00" (USD micros, two decimals; negative amounts with a leading minus).
std::string money(std::int64_t micros);

// Percent-encoding of a query component (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

enum class Section { None, Apps, ApiKeys, Users, Accounts, Audit };

// A field's problem: the id of the input it belongs to, and the message.
struct FieldError {
  std::string field_id;
  std::string message;
};

struct Frame {
  std::string title;  // without the " · polysim Dashboard" suffix
  Section section = Section::None;
  std::string staff_email;  // empty: signed out (no navigation)
  std::string tenant_name;
  std::string csrf;  // for the sign-out form
  std::string notice;  // one-time flash
  std::vector<FieldError> errors;
};

// The whole document around `main_html`.
std::string render_page(const Frame& frame, std::string_view main_html);

// The attributes tying an input to its error (aria-invalid, aria-describedby), and the error
// text itself to place after the label; both empty when the field has no error.
std::string error_attrs(const std::vector<FieldError>& errors, std::string_view field_id);
std::string error_text(const std::vector<FieldError>& errors, std::string_view field_id);

// <input type="hidden" name="_csrf" value="…">
std::string csrf_field(std::string_view token);

// A badge whose meaning is in its text, not only its colour.
std::string badge(std::string_view text, std::string_view kind);

}  // namespace polysim::dashboard
