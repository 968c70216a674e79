// Shared helpers of the Dashboard integration tests (tests/integration/dashboard_*_test.cpp): a
// tiny cookie-keeping "browser" that posts forms as a page would (Origin of the server, the
// page's _csrf), staff provisioning through the CLI, and scraping of the rendered pages.
#pragma once
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/uuid.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace polysim::testing::dashboard_it {

inline constexpr std::string_view kPassword = "staff password 0123";

inline std::string unique(std::string_view prefix) {
  return std::string(prefix) + "-" + Uuid::v4().to_string().substr(0, 8);
}

inline CliResult cli_ok(const ServerProcess& server, const std::vector<std::string>& args, const std::string& in = {}) {
  auto result = server.run_cli(args, in);
  if (result.exit_code != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    throw std::runtime_error("`polysim" + cmd + "` exited with " + std::to_string(result.exit_code) + "\n" +
                             result.out + "\n" + result.err);
  }
  return result;
}

struct Tenant {
  std::string id;
  std::string name;
  std::string staff_email;
};

// A tenant with one staff member (password kPassword).
inline Tenant new_tenant(const ServerProcess& server, std::string_view prefix) {
  Tenant t;
  t.name = unique(prefix);
  const auto v = cli_ok(server, {"tenant", "create", "--name", t.name, "--json"}).json();
  t.id = std::string(v.at("id").as_string());
  t.staff_email = unique("staff") + "@example.com";
  cli_ok(server, {"staff", "create", "--tenant", t.name, "--email", t.staff_email, "--password-stdin", "--json"},
         std::string(kPassword) + "\n");
  return t;
}

inline std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    for (const auto* part : {&k, &v}) {
      for (unsigned char c : *part) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
        else if (c == ' ') out.push_back('+');
        else {
          out.push_back('%');
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        }
      }
      if (part == &k) out += '=';
    }
  }
  return out;
}

// The value of the first hidden _csrf field on a page.
inline std::string csrf_in(const std::string& html) {
  const std::string marker = "name=\"_csrf\" value=\"";
  const auto at = html.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

inline std::size_t occurrences(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

class Browser {
 public:
  explicit Browser(std::uint16_t port) : port_(port) {}

  HttpResponse get(const std::string& target) {
    auto r = http_request(port_, "GET", target, cookie_headers());
    remember(r);
    return r;
  }

  // As a page on the server's own origin submits a form.
  HttpResponse post(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields,
                    Headers extra = {}) {
    auto headers = cookie_headers();
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    bool has_origin = false;
    for (const auto& [k, v] : extra) has_origin = has_origin || k == "Origin";
    if (!has_origin) headers.emplace_back("Origin", "http://127.0.0.1:" + std::to_string(port_));
    headers.insert(headers.end(), extra.begin(), extra.end());
    auto r = http_request(port_, "POST", target, headers, form_encode(fields));
    remember(r);
    return r;
  }

  // GET, following one 303 as a browser would.
  HttpResponse follow(const HttpResponse& r) {
    if (r.status != 303) return r;
    return get(r.header("Location").value_or("/"));
  }

  void login(const std::string& email, std::string_view password = kPassword) {
    const auto page = get("/dashboard/login");
    ASSERT_EQ(page.status, 200) << page.summary(400);
    const auto r = post("/dashboard/login", {{"_csrf", csrf_in(page.body)}, {"email", email}, {"password", std::string(password)}});
    ASSERT_EQ(r.status, 303) << r.summary(800);
    csrf_ = csrf_in(get("/dashboard/apps").body);
    ASSERT_FALSE(csrf_.empty());
  }

  const std::string& csrf() const { return csrf_; }
  std::optional<std::string> cookie(const std::string& name) const {
    auto it = cookies_.find(name);
    if (it == cookies_.end()) return std::nullopt;
    return it->second;
  }

 private:
  Headers cookie_headers() const {
    std::string header;
    for (const auto& [k, v] : cookies_) {
      if (!header.empty()) header += "; ";
      header += k + "=" + v;
    }
    if (header.empty()) return {};
    return {{"Cookie", header}};
  }

  void remember(const HttpResponse& r) {
    for (const auto& line : r.header_values("Set-Cookie")) {
      const auto eq = line.find('=');
      const auto semi = line.find(';');
      const auto name = line.substr(0, eq);
      const auto value = line.substr(eq + 1, semi == std::string::npos ? std::string::npos : semi - eq - 1);
      if (line.find("Max-Age=0") != std::string::npos) cookies_.erase(name);
      else cookies_[name] = value;
    }
  }

  std::uint16_t port_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
};

// Creates an app through the Dashboard and returns its id.
inline std::string create_app(Browser& b, const std::string& name) {
  const auto r = b.post("/dashboard/apps", {{"_csrf", b.csrf()}, {"name", name}, {"redirectOrigins", ""}});
  EXPECT_EQ(r.status, 303) << r.summary(800);
  const auto location = r.header("Location").value_or("");
  const std::string prefix = "/dashboard/apps/";
  return location.starts_with(prefix) ? location.substr(prefix.size()) : std::string();
}

}  // namespace polysim::testing::dashboard_it
