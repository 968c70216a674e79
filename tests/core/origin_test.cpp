#include "core/origin.hpp"

#include <gtest/gtest.h>

#include <string>

namespace polysim {
namespace {

const std::string kUUmlaut = "\xC3\xBC";    // ü in UTF-8
const std::string kLatin1UUmlaut = "\xFC";  // ü in Latin-1: not UTF-8

std::string parsed(std::string_view text) {
  const std::optional<Origin> origin = Origin::parse(text);
  return origin ? origin->str() : "(rejected)";
}

std::string url_origin(std::string_view url) {
  const std::optional<Origin> origin = origin_of_url(url);
  return origin ? origin->str() : "(rejected)";
}

std::optional<RedirectUrlError> redirect_error(std::string_view url) {
  const auto result = check_redirect_url(url);
  if (const auto* error = std::get_if<RedirectUrlError>(&result)) return *error;
  return std::nullopt;
}

TEST(Origin, CanonicalForm) {
  EXPECT_EQ(parsed("HTTPS://Example.COM:443"), "https://example.com");
  EXPECT_EQ(parsed("https://example.com"), "https://example.com");
  EXPECT_EQ(parsed("https://example.com/"), "https://example.com");
  EXPECT_EQ(parsed("https://example.com:8443"), "https://example.com:8443");
  EXPECT_EQ(parsed("https://example.com:0443"), "https://example.com");
  EXPECT_EQ(parsed("https://app.sub.example.com:444/"), "https://app.sub.example.com:444");
  EXPECT_EQ(parsed("https://xn--bcher-kva.example"), "https://xn--bcher-kva.example");
}

TEST(Origin, Accessors) {
  const auto origin = Origin::parse("https://Example.com:8443");
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->scheme(), "https");
  EXPECT_EQ(origin->host(), "example.com");
  EXPECT_EQ(origin->port(), 8443);
  EXPECT_EQ(Origin::parse("https://example.com")->port(), 443);
  EXPECT_EQ(Origin::parse("http://localhost")->port(), 80);
}

TEST(Origin, HttpOnlyForLoopback) {
  EXPECT_EQ(parsed("http://localhost:3000"), "http://localhost:3000");
  EXPECT_EQ(parsed("HTTP://LocalHost:80/"), "http://localhost");
  EXPECT_EQ(parsed("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(parsed("http://[::1]:5173"), "http://[::1]:5173");
  EXPECT_EQ(parsed("http://[0:0:0:0:0:0:0:1]"), "http://[::1]");

  EXPECT_EQ(parsed("http://example.com"), "(rejected)");
  EXPECT_EQ(parsed("http://127.0.0.2"), "(rejected)");
  EXPECT_EQ(parsed("http://localhost.example.com"), "(rejected)");
  EXPECT_EQ(parsed("http://10.0.0.1"), "(rejected)");
  EXPECT_EQ(parsed("http://[::2]"), "(rejected)");
}

TEST(Origin, OtherSchemesRejected) {
  for (const char* text :
       {"ftp://example.com", "ws://localhost", "wss://example.com", "file://localhost", "javascript://example.com",
        "httpss://example.com", "https:example.com", "//example.com", "example.com", "null"}) {
    EXPECT_EQ(parsed(text), "(rejected)") << text;
  }
}

TEST(Origin, IdnHostsBecomePunycode) {
  EXPECT_EQ(parsed("https://b" + kUUmlaut + "cher.example"), "https://xn--bcher-kva.example");
  EXPECT_EQ(parsed("https://B" + kUUmlaut + "CHER.example:443/"), "https://xn--bcher-kva.example");
  EXPECT_EQ(parsed("https://m\xC3\xBCnchen.de"), "https://xn--mnchen-3ya.de");
  EXPECT_EQ(parsed("https://\xE4\xBE\x8B\xE3\x81\x88.jp"), "https://xn--r8jz45g.jp");
  EXPECT_EQ(parsed("https://www.b" + kUUmlaut + "cher.example"), "https://www.xn--bcher-kva.example");
  EXPECT_EQ(Origin::parse("https://b" + kUUmlaut + "cher.example"), Origin::parse("https://xn--bcher-kva.example"));
  // Ill-formed UTF-8 in a host.
  EXPECT_EQ(parsed("https://b" + kLatin1UUmlaut + "cher.example"), "(rejected)");
}

TEST(Origin, PathQueryFragmentUserinfoRejected) {
  for (const char* text :
       {"https://example.com/path", "https://example.com//", "https://example.com/?", "https://example.com?x=1",
        "https://example.com#top", "https://example.com#", "https://user@example.com", "https://user:pass@example.com",
        "https://@example.com", "https://example.com:443/x"}) {
    EXPECT_EQ(parsed(text), "(rejected)") << text;
  }
}

TEST(Origin, BadHostsAndPortsRejected) {
  for (const char* text : {"https://",
                           "https:///",
                           "https://:443",
                           "https://example.com:",
                           "https://example.com:0",
                           "https://example.com:65536",
                           "https://example.com:99999999999999999999",
                           "https://example.com:44a",
                           "https://example.com:-1",
                           "https://example..com",
                           "https://.example.com",
                           "https://example.com.",
                           "https://-example.com",
                           "https://example-.com",
                           "https://exa_mple.com",
                           "https://exa mple.com",
                           "https://exa%6dple.com",
                           "https://example.com\\",
                           "https://127.1",
                           "https://0x7f.0.0.1",
                           "https://1.2.3.256",
                           "https://01.2.3.4",
                           "https://example.123",
                           "https://[::1",
                           "https://[::g]",
                           "https://[::1]x",
                           "https://[::1]:",
                           "https://[v1.x]",
                           "https://[fe80::1%25eth0]"}) {
    EXPECT_EQ(parsed(text), "(rejected)") << text;
  }
  EXPECT_EQ(parsed("https://" + std::string(64, 'a') + ".com"), "(rejected)");
  EXPECT_EQ(parsed("https://" + std::string(63, 'a') + ".com"), "https://" + std::string(63, 'a') + ".com");
  std::string long_host;
  for (int i = 0; i < 5; ++i) long_host += std::string(50, 'h') + ".";
  long_host += "com";  // 258 characters
  EXPECT_EQ(parsed("https://" + long_host), "(rejected)");
}

TEST(Origin, IpHosts) {
  EXPECT_EQ(parsed("https://192.0.2.10"), "https://192.0.2.10");
  EXPECT_EQ(parsed("https://[2001:DB8:0:0:0:0:0:1]:8443"), "https://[2001:db8::1]:8443");
  EXPECT_EQ(parsed("https://3com.example"), "https://3com.example");
}

TEST(Origin, Equality) {
  EXPECT_EQ(Origin::parse("https://example.com"), Origin::parse("HTTPS://EXAMPLE.com:443/"));
  EXPECT_NE(Origin::parse("https://example.com"), Origin::parse("https://example.com:8443"));
  EXPECT_NE(Origin::parse("https://example.com"), Origin::parse("https://www.example.com"));
  EXPECT_NE(Origin::parse("http://localhost"), Origin::parse("https://localhost"));
}

TEST(Origin, OriginOfUrl) {
  EXPECT_EQ(url_origin("https://Example.com/a/b?c=d#frag"), "https://example.com");
  EXPECT_EQ(url_origin("https://example.com:443"), "https://example.com");
  EXPECT_EQ(url_origin("http://localhost:3000/login?next=%2F"), "http://localhost:3000");
  EXPECT_EQ(url_origin("http://[::1]/x"), "http://[::1]");
  EXPECT_EQ(url_origin("https://b%C3%BCcher.example/x"), "https://xn--bcher-kva.example");
  EXPECT_EQ(url_origin("https://www%2Dx.example.com/"), "https://www-x.example.com");

  for (const char* url :
       {"/relative/path", "//example.com/x", "http://example.com/", "ftp://example.com/", "https://user@example.com/",
        "https:///x", "https:example.com", "https://exa%2Fmple.com/", "https://example.com:0/", "not a url", ""}) {
    EXPECT_EQ(url_origin(url), "(rejected)") << url;
  }
  // Raw non-ASCII is not RFC 3986; IDN hosts in URLs must be punycode or percent-encoded.
  EXPECT_EQ(url_origin("https://b" + kUUmlaut + "cher.example/"), "(rejected)");
}

TEST(RedirectUrl, AcceptedUrlReturnsItsOrigin) {
  const auto result = check_redirect_url("https://App.Example.com:443/after-login?tab=orders&x=%20y");
  ASSERT_TRUE(std::holds_alternative<Origin>(result));
  EXPECT_EQ(std::get<Origin>(result).str(), "https://app.example.com");

  EXPECT_EQ(redirect_error("http://localhost:3000/cb"), std::nullopt);
  EXPECT_EQ(redirect_error("http://127.0.0.1/"), std::nullopt);
  EXPECT_EQ(redirect_error("https://example.com"), std::nullopt);
  EXPECT_EQ(redirect_error("https://example.com/?tokens=1&my_token=2&token_x=3"), std::nullopt);
}

TEST(RedirectUrl, EachErrorKind) {
  EXPECT_EQ(redirect_error("https://example.com/" + std::string(2048, 'a')), RedirectUrlError::TooLong);
  const std::string at_limit = "https://example.com/" + std::string(2048 - 20, 'a');
  ASSERT_EQ(at_limit.size(), 2048u);
  EXPECT_EQ(redirect_error(at_limit), std::nullopt);

  for (const char* url : {"https://exa mple.com/", "https://example.com/\xC3\xA9", "https://example.com/<x>",
                          "https://example.com\\@evil.com", "https://[::1/", "https:example.com", "https://",
                          "https:///path", "https://example.com:99999/", "https://example.com:/", ":no-scheme",
                          "https://exa_mple.com/", "https://127.1/"}) {
    EXPECT_EQ(redirect_error(url), RedirectUrlError::Unparseable) << url;
  }

  for (const char* url : {"/dashboard", "//evil.com/x", "dashboard?x=1", ""}) {
    EXPECT_EQ(redirect_error(url), RedirectUrlError::NotAbsolute) << url;
  }

  for (const char* url : {"javascript:alert(1)", "ftp://example.com/", "data:text/html,hi", "wss://example.com/",
                          "http://example.com/", "http://10.0.0.1/", "http://localhost.evil.com/"}) {
    EXPECT_EQ(redirect_error(url), RedirectUrlError::BadScheme) << url;
  }

  for (const char* url : {"https://user@example.com/", "https://user:pw@example.com/", "https://@example.com/",
                          "https://example.com@evil.com/"}) {
    EXPECT_EQ(redirect_error(url), RedirectUrlError::Userinfo) << url;
  }

  for (const char* url : {"https://example.com/#", "https://example.com/x#frag", "https://example.com?a=1#"}) {
    EXPECT_EQ(redirect_error(url), RedirectUrlError::Fragment) << url;
  }

  for (const char* url :
       {"https://example.com/?token=abc", "https://example.com/?a=1&token=", "https://example.com/?token",
        "https://example.com/?TOKEN=x", "https://example.com/?%74oken=x", "https://example.com/?a&Token&b"}) {
    EXPECT_EQ(redirect_error(url), RedirectUrlError::TokenParameter) << url;
  }
}

TEST(RedirectUrl, AppendQueryParam) {
  EXPECT_EQ(append_query_param("https://example.com/cb", "token", "abc_-.~"), "https://example.com/cb?token=abc_-.~");
  EXPECT_EQ(append_query_param("https://example.com/cb?x=1", "token", "abc"), "https://example.com/cb?x=1&token=abc");
  EXPECT_EQ(append_query_param("https://example.com/cb?", "token", "abc"), "https://example.com/cb?token=abc");
  EXPECT_EQ(append_query_param("https://example.com/cb?x=1&", "token", "abc"), "https://example.com/cb?x=1&token=abc");
  EXPECT_EQ(append_query_param("https://example.com", "token", "abc"), "https://example.com?token=abc");
  EXPECT_EQ(append_query_param("https://example.com/cb#frag", "t", "v"), "https://example.com/cb?t=v#frag");
  EXPECT_EQ(append_query_param("https://example.com/cb?x#f?g", "t", "v"), "https://example.com/cb?x&t=v#f?g");
  EXPECT_EQ(append_query_param("https://example.com/", "a b", "c&d=e+f/%\xC3\xA9"),
            "https://example.com/?a%20b=c%26d%3De%2Bf%2F%25%C3%A9");

  const std::string with_token = append_query_param("https://app.example.com/login?next=orders", "token", "T0k-en_");
  EXPECT_EQ(redirect_error(with_token), RedirectUrlError::TokenParameter);
}

TEST(Punycode, Rfc3492Samples) {
  EXPECT_EQ(punycode_encode(U"b\u00FCcher"), "bcher-kva");
  EXPECT_EQ(punycode_encode(U"\u00FC"), "tda");
  // RFC 3492 section 7.1, samples (A) and (L); (L) shows that ASCII case is kept.
  EXPECT_EQ(punycode_encode(U"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631"
                            U"\u0628\u064A\u061F"),
            "egbpdaj6bu4bxfgehfvwxn");
  EXPECT_EQ(punycode_encode(U"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F"), "3B-ww4c5e180e575a65lsy2b");
  EXPECT_EQ(punycode_encode(U"abc"), "abc-");
  EXPECT_EQ(punycode_encode(U""), "");
  EXPECT_EQ(punycode_encode(std::u32string(1, static_cast<char32_t>(0x110000))), std::nullopt);
}

}  // namespace
}  // namespace polysim
