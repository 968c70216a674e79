// How command results reach the operator: readable text by default, one JSON value per
// command with --json so scripts can parse it. Secrets appear only in a created key's
// output; listings never hold them because records never do.
#pragma once
#include <boost/json/object.hpp>
#include <cstdint>
#include <ostream>
#include <vector>

#include "cli/demo_command.hpp"
#include "cli/key_commands.hpp"
#include "store/identity_store.hpp"
#include "store/records.hpp"

namespace polysim::cli {

boost::json::object tenant_json(const store::TenantRecord& tenant);
boost::json::object key_json(const store::ApiKeyRecord& key, std::int64_t now_micros);
boost::json::object created_key_json(const CreatedKey& created);
boost::json::object demo_json(const DemoResult& result, const std::string& curl_command);

class CommandOutput {
 public:
  CommandOutput(std::ostream& out, bool json) : out_(out), json_(json) {}

  void tenant(const store::TenantRecord& tenant);
  void user(const store::UserRecord& user);
  void tenants(const std::vector<store::TenantRecord>& tenants);
  void key(const store::ApiKeyRecord& key, std::int64_t now_micros);
  void keys(const std::vector<store::ApiKeyRecord>& keys, std::int64_t now_micros);
  void created_key(const CreatedKey& created);
  void demo(const DemoResult& result, const std::string& curl_command);
  void migrations(const std::vector<int>& applied);
  // For commands that print their own records.
  std::ostream& stream() { return out_; }
  bool json() const { return json_; }

 private:
  void emit(const boost::json::value& value);

  std::ostream& out_;
  bool json_;
};

}  // namespace polysim::cli
