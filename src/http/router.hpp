// Maps (method, path) to a route. Patterns are literal segments and `{name}` parameters,
// e.g. "/v1/partner/accounts/{account_id}/trades". A path that matches a pattern under another
// method answers 405 with the allowed methods; a path matching nothing answers 404.
#pragma once
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/request.hpp"

namespace polysim::http {

struct PathParams {
  std::vector<std::pair<std::string_view, std::string_view>> items;
  std::string_view get(std::string_view name) const {
    for (const auto& [k, v] : items)
      if (k == name) return v;
    return {};
  }
};

std::vector<std::string_view> split_path(std::string_view path);

template <class Payload>
class Router {
 public:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;
    Payload payload;
  };

  enum class Outcome { Matched, NotFound, MethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::NotFound;
    const Route* route = nullptr;
    PathParams params;
    std::string allow;  // for MethodNotAllowed: "GET, POST"
  };

  void add(Method method, std::string pattern, Payload payload) {
    Route r{method, pattern, {}, std::move(payload)};
    for (auto s : split_path(pattern)) r.segments.emplace_back(s);
    routes_.push_back(std::move(r));
  }

  Match match(Method method, std::string_view path) const {
    Match result;
    const auto segments = split_path(path);
    if (segments.empty() && path != "/") return result;
    std::vector<Method> allowed;
    for (const auto& r : routes_) {
      PathParams params;
      if (!matches(r, segments, params)) continue;
      const bool same = r.method == method || (method == Method::Head && r.method == Method::Get);
      if (same) {
        result.outcome = Outcome::Matched;
        result.route = &r;
        result.params = std::move(params);
        return result;
      }
      if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end()) allowed.push_back(r.method);
    }
    if (!allowed.empty()) {
      result.outcome = Outcome::MethodNotAllowed;
      for (auto m : allowed) {
        if (!result.allow.empty()) result.allow += ", ";
        result.allow += method_name(m);
        if (m == Method::Get) result.allow += ", HEAD";
      }
    }
    return result;
  }

 private:
  static bool matches(const Route& r, const std::vector<std::string_view>& segments, PathParams& params) {
    if (r.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const auto& pat = r.segments[i];
      if (pat.size() >= 2 && pat.front() == '{' && pat.back() == '}') {
        params.items.emplace_back(std::string_view(pat).substr(1, pat.size() - 2), segments[i]);
      } else if (pat != segments[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace polysim::http
