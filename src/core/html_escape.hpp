// Text and attribute values for server-rendered HTML: the five characters that could end a text
// node or a quoted attribute become entities. Both the Dashboard and the App API's pages use it.
#pragma once
#include <string>
#include <string_view>

namespace polysim {

inline std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace polysim
