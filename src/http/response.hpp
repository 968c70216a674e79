#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polysim::http {

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close_connection = false;
  // For the access log and metrics only; never sent.
  std::string log_route;
  std::string log_tenant;

  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  // Replaces an existing header of that name (exact match), or adds it.
  void replace_header(std::string_view name, std::string value);
};

}  // namespace polysim::http
