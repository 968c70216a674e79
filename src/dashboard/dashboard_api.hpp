// HTTP entry of /dashboard/*: reads a form body of at most 64 KiB, copies what the Dashboard
// needs out of the request and runs DashboardSite::serve on a pool thread (the auth pool for
// the login POST, which hashes), so event loops never wait on the database or Argon2id.
#pragma once
#include "dashboard/dashboard_site.hpp"
#include "http/blocking_pool.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace polysim::dashboard {

inline constexpr std::size_t kMaxFormBody = 64 * 1024;

class DashboardApi {
 public:
  DashboardApi(DashboardSite& site, http::BlockingPool& pool, http::BlockingPool& auth_pool)
      : site_(site), pool_(pool), auth_pool_(auth_pool) {}

  Task<http::Response> handle(http::Request& request, http::BodyReader& body);
  http::Response protocol_error(int status) const;

 private:
  DashboardSite& site_;
  http::BlockingPool& pool_;
  http::BlockingPool& auth_pool_;
};

// The request's fields as the site reads them (without the body).
DashRequest dash_request(const http::Request& request);

}  // namespace polysim::dashboard
