#include "dashboard/dashboard_api.hpp"

#include "dashboard/respond.hpp"

namespace polysim::dashboard {

DashRequest dash_request(const http::Request& req) {
  DashRequest d;
  d.method = req.method;
  d.path = std::string(req.path);
  d.query = std::string(req.query);
  for (const auto& h : req.headers) {
    if (!http::iequals(h.name, "Cookie")) continue;
    if (!d.cookies.empty()) d.cookies += "; ";
    d.cookies += h.value;
  }
  if (auto v = req.header("Origin")) d.origin = std::string(*v);
  if (auto v = req.header("Sec-Fetch-Site")) d.sec_fetch_site = std::string(*v);
  d.host = std::string(req.header("Host").value_or(""));
  d.content_type = std::string(req.header("Content-Type").value_or(""));
  d.ip = req.peer_ip;
  d.request_id = req.request_id;
  return d;
}

http::Response DashboardApi::protocol_error(int status) const {
  switch (status) {
    case 400: return simple_page(400, "Bad request", "The request could not be read.");
    case 413: return simple_page(413, "Too large", "The form is too large.");
    case 414: return simple_page(414, "Address too long", "The address is too long.");
    case 431: return simple_page(431, "Headers too large", "The request headers are too large.");
    case 503: return simple_page(503, "Unavailable", "The service is unavailable. Retry shortly.");
    default: return simple_page(500, "Error", "Something went wrong on our side.");
  }
}

Task<http::Response> DashboardApi::handle(http::Request& req, http::BodyReader& body_reader) {
  auto request = dash_request(req);
  if (req.method == http::Method::Post && req.has_body()) {
    if (req.content_length && *req.content_length > kMaxFormBody) co_return protocol_error(413);
    switch (co_await body_reader.read(kMaxFormBody, request.body)) {
      case http::BodyStatus::TooLarge: co_return protocol_error(413);
      case http::BodyStatus::Failed: {
        auto failed = protocol_error(400);
        failed.close_connection = true;
        co_return failed;
      }
      case http::BodyStatus::Ok: break;
    }
  }
  auto& pool = site_.hashes_password(request) ? auth_pool_ : pool_;
  auto work = pool.run([this, request = std::move(request)] { return site_.serve(request); });
  auto response = co_await std::move(work);
  response.log_route = "/dashboard";
  co_return response;
}

}  // namespace polysim::dashboard
