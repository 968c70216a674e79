// User codes of the device-authorization flow (20-trader-api.md §7.2).
#include <gtest/gtest.h>

#include "auth/auth_failure.hpp"
#include "auth/device_service.hpp"

namespace polysim::auth {
namespace {

TEST(AuthDeviceUserCode, AcceptsAnySpellingOfTheEightConsonants) {
  EXPECT_EQ(DeviceService::normalize_user_code("BCDF-GHJK"), "BCDFGHJK");
  EXPECT_EQ(DeviceService::normalize_user_code("bcdfghjk"), "BCDFGHJK");
  EXPECT_EQ(DeviceService::normalize_user_code("bcdf ghjk"), "BCDFGHJK");
}

TEST(AuthDeviceUserCode, RefusesVowelsDigitsAndWrongLengths) {
  EXPECT_FALSE(DeviceService::normalize_user_code("ABCD-EFGH"));
  EXPECT_FALSE(DeviceService::normalize_user_code("BCDF-GHJ1"));
  EXPECT_FALSE(DeviceService::normalize_user_code("BCDF-GHJ"));
  EXPECT_FALSE(DeviceService::normalize_user_code("BCDF-GHJKL"));
  EXPECT_FALSE(DeviceService::normalize_user_code(""));
}

TEST(AuthDeviceFields, ValidatesEachField) {
  EXPECT_NO_THROW(DeviceService::checked_fields("Box", "linux", "1.0", std::nullopt));
  EXPECT_THROW(DeviceService::checked_fields("", "linux", "1.0", std::nullopt), AuthFailure);
  EXPECT_THROW(DeviceService::checked_fields("Box", "amiga", "1.0", std::nullopt), AuthFailure);
  EXPECT_THROW(DeviceService::checked_fields("Box", "linux", std::string(33, '1'), std::nullopt), AuthFailure);
  EXPECT_THROW(DeviceService::checked_fields("Box", "linux", "1.0", std::string("not-a-uuid")), AuthFailure);
  EXPECT_THROW(DeviceService::checked_fields(std::string(81, 'x'), "linux", "1.0", std::nullopt), AuthFailure);
}

}  // namespace
}  // namespace polysim::auth
