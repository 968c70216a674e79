// How the list is built. Breached-password frequency rankings are dominated by a few shapes:
// digit runs and repeated characters, keyboard walks, a short stock of words (password,
// iloveyou, sports teams, names, months, brands) with a number or '!' appended, and a word
// typed twice. The entries below were written from those shapes (no external list was
// copied), then widened in code, once, on first use:
//   - every base word alone, with each common suffix, and typed twice;
//   - every digit and letter repeated 12 to 16 times;
//   - ascending and descending digit runs of 12 to 20 digits.
// Anything under 12 characters is dropped: the length rule already refuses it. The product's
// own name is among the base words because it is the first guess against its users.
#include "auth/common_passwords.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include "auth/ascii_case.hpp"
#include "auth/password_policy.hpp"

namespace polysim::auth {

namespace {

constexpr auto kListedPasswords = std::to_array<std::string_view>({
    "123456789012",        "1234567890123",       "123456123456",        "123123123123",
    "123412341234",        "121212121212",        "112233445566",        "111222333444",
    "123321123321",        "147258369147",        "159753159753",        "qwertyuiop12",
    "qwertyuiopasdf",      "qwertyuiopasdfgh",    "qwertyuiopasdfghjkl", "qwertyuiopasdfghjklzxcvbnm",
    "asdfghjklzxcvbnm",    "zxcvbnmasdfghjkl",    "1qaz2wsx3edc",        "1qaz2wsx3edc4rfv",
    "1qaz@wsx3edc",        "!qaz2wsx3edc",        "zaq12wsxcde3",        "zaq1xsw2cde3",
    "qazwsxedcrfv",        "qazwsxedcrfvtgb",     "q1w2e3r4t5y6",        "q1w2e3r4t5y6u7i8",
    "1q2w3e4r5t6y",        "1q2w3e4r5t6y7u8i",    "1q2w3e4r5t6y7u8i9o0p", "qweasdzxc123",
    "qwer1234asdf",        "1234qwerasdf",        "1234qwerasdfzxcv",    "qwer1234!@#$",
    "!@#$%^&*()_+",        "1234567890-=",        "abcdefghijkl",        "abcdefghijklmnop",
    "abcdefghijklmnopqrstuvwxyz", "abcd1234abcd", "abcdefg12345",        "a1b2c3d4e5f6",
    "iloveyoubaby",        "iloveyoutoo",         "iloveyousomuch",      "iloveyouforever",
    "iloveyou4ever",       "ilovemyfamily",       "letmeinplease",       "correcthorsebatterystaple",
    "thequickbrownfox",    "thequickbrownfoxjumpsoverthelazydog", "thisismypassword", "thisisapassword",
    "mysecretpassword",    "supersecretpassword", "jesuslovesme",        "michaeljordan",
    "manchesterunited",    "welcometomyworld",    "hellohellohello",     "passwordispassword",
});

constexpr auto kBaseWords = std::to_array<std::string_view>({
    "password",   "passw0rd",   "p@ssw0rd",    "p@ssword",    "pa55word",   "mypassword",  "newpassword",
    "iloveyou",   "sunshine",   "princess",    "football",    "baseball",   "basketball",  "soccer",
    "hockey",     "superman",   "batman",      "spiderman",   "dragon",     "monkey",      "letmein",
    "welcome",    "trustno1",   "qwerty",      "qwertyuiop",  "asdfgh",     "asdfghjkl",   "zxcvbnm",
    "qazwsx",     "1qaz2wsx",   "zaq12wsx",    "qwe123",      "abc123",     "abcdef",      "master",
    "shadow",     "michael",    "jennifer",    "jessica",     "charlie",    "jordan",      "hunter",
    "ashley",     "daniel",     "thomas",      "robert",      "matthew",    "andrew",      "joshua",
    "michelle",   "starwars",   "whatever",    "freedom",     "computer",   "internet",    "changeme",
    "secret",     "supersecret", "admin",      "administrator", "login",    "summer",      "winter",
    "spring",     "autumn",     "january",     "february",    "december",   "liverpool",   "chelsea",
    "arsenal",    "manchester", "barcelona",   "pokemon",     "minecraft",  "fortnite",    "samsung",
    "iphone",     "google",     "facebook",    "instagram",   "linkedin",   "microsoft",   "chocolate",
    "butterfly",  "lovely",     "loveme",      "flower",      "cookie",     "purple",      "orange",
    "banana",     "pepper",     "ginger",      "tigger",      "buster",     "killer",      "maggie",
    "hello",      "helloworld", "access",      "mustang",     "harley",     "ranger",      "yankees",
    "cowboys",    "eagles",     "lakers",      "jesus",       "blessed",    "angel",       "family",
    "friends",    "forever",    "america",     "london",      "opensesame", "harrypotter", "spongebob",
    "naruto",     "pikachu",    "matrix",      "polysim",     "polymarket", "trading",     "trader",
    "papertrading", "bitcoin",  "crypto",      "ethereum",    "money",      "dollar",      "market",
    "stocks",     "invest",     "profit",      "million",     "winner",     "lucky",       "testing",
});

constexpr auto kSuffixes = std::to_array<std::string_view>({
    "",     "1",    "12",   "123",   "1234",  "12345", "123456", "1234567", "12345678",
    "123456789",    "2020", "2021",  "2022",  "2023",  "2024",   "2025",    "2026",
    "2023!", "2024!", "2025!", "2026!",
    "!",    "1!",   "12!",  "123!",  "1234!", "!!",    "!@#",    "@123",    "#1",
    "01",   "007",  "69",   "99",    "00",    "2000",  "321",    "111",     "123123",
});

constexpr std::string_view kRepeatedCharacters = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kMaxRepeatedLength = 16;
constexpr std::size_t kMaxDigitRunLength = 20;

void add_if_long_enough(std::vector<std::string>& out, std::string candidate) {
  // The listed and generated entries are ASCII, so bytes are code points here.
  if (candidate.size() >= kMinPasswordCodePoints) out.push_back(std::move(candidate));
}

void add_digit_runs(std::vector<std::string>& out) {
  constexpr std::string_view kAscending = "1234567890";
  constexpr std::string_view kDescending = "9876543210";
  for (const std::string_view cycle : {kAscending, kDescending}) {
    for (std::size_t start = 0; start < cycle.size(); ++start) {
      std::string run;
      for (std::size_t i = 0; i < kMaxDigitRunLength; ++i) {
        run += cycle[(start + i) % cycle.size()];
        add_if_long_enough(out, run);
      }
    }
  }
}

std::vector<std::string> build_common_passwords() {
  std::vector<std::string> out;
  for (const std::string_view listed : kListedPasswords) add_if_long_enough(out, ascii_lowercase(listed));
  for (const std::string_view base : kBaseWords) {
    for (const std::string_view suffix : kSuffixes) add_if_long_enough(out, std::string(base) + std::string(suffix));
    add_if_long_enough(out, std::string(base) + std::string(base));
  }
  for (const char c : kRepeatedCharacters) {
    for (std::size_t length = kMinPasswordCodePoints; length <= kMaxRepeatedLength; ++length) {
      out.emplace_back(length, c);
    }
  }
  add_digit_runs(out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

const std::vector<std::string>& common_passwords() {
  static const std::vector<std::string> list = build_common_passwords();
  return list;
}

bool is_common_password(std::string_view password) {
  const auto& list = common_passwords();
  return std::binary_search(list.begin(), list.end(), ascii_lowercase(password));
}

}  // namespace polysim::auth
