#include "core/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <string>

namespace polysim {
namespace {

// Boost's own parser is the independent judge of whether the output is valid JSON.
boost::json::value reparse(const std::string& json) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(json, ec);
  EXPECT_FALSE(ec) << "not valid JSON: " << json;
  return value;
}

TEST(JsonWriter, ObjectsArraysAndCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a");
  w.string("x");
  w.key("n");
  w.number(-42);
  w.key("list");
  w.begin_array();
  w.number(1);
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.null();
  w.boolean(true);
  w.boolean(false);
  w.end_array();
  w.key("amount");
  w.raw_number("10000.00");
  w.key("embedded");
  w.raw_json(R"({"pre":[1,2]})");
  w.end_object();
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(out, R"({"a":"x","n":-42,"list":[1,{},[],null,true,false],"amount":10000.00,"embedded":{"pre":[1,2]}})");
  const boost::json::value parsed = reparse(out);
  EXPECT_EQ(parsed.at("list").as_array().size(), 6u);
}

TEST(JsonWriter, AppendsToExistingContent) {
  std::string out = "prefix:";
  JsonWriter w(out);
  w.begin_array();
  w.string("a");
  w.string("b");
  w.end_array();
  EXPECT_EQ(out, R"(prefix:["a","b"])");
}

TEST(JsonWriter, ScalarTopLevel) {
  std::string out;
  JsonWriter w(out);
  EXPECT_FALSE(w.complete());
  w.number(INT64_MIN);
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(out, "-9223372036854775808");
  EXPECT_THROW(w.number(1), std::logic_error);
}

TEST(JsonWriter, EscapesPerRfc8259) {
  EXPECT_EQ(json_escape("plain"), "plain");
  EXPECT_EQ(json_escape("q\"b\\s/"), "q\\\"b\\\\s/");
  EXPECT_EQ(json_escape("\n\t\r\b\f"), "\\n\\t\\r\\b\\f");
  EXPECT_EQ(json_escape(std::string_view("\x00\x01\x1f\x7f", 4)), "\\u0000\\u0001\\u001f\x7f");
  EXPECT_EQ(json_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(json_escape(""), "");

  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("k\"ey\n");
  w.string(std::string_view("v\0", 2));
  w.end_object();
  EXPECT_EQ(out, R"({"k\"ey\n":"v\u0000"})");
  EXPECT_EQ(reparse(out).at("k\"ey\n").as_string(), std::string_view("v\0", 2));
}

TEST(JsonWriter, InvalidUtf8BecomesReplacementCharacter) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(json_escape(std::string("a\xFF") + "b"), "a" + replacement + "b");
  EXPECT_EQ(json_escape("\xC0\xAF"), replacement + replacement);                    // overlong: each byte
  EXPECT_EQ(json_escape("\xED\xA0\x80"), replacement + replacement + replacement);  // encoded surrogate
  EXPECT_EQ(json_escape("x\xE2\x82"), "x" + replacement);                           // truncated: one maximal subpart
  EXPECT_EQ(json_escape(std::string("\xE2\x82") + "A"), replacement + "A");
  EXPECT_EQ(json_escape("\xF4\x90\x80\x80"), replacement + replacement + replacement + replacement);
  EXPECT_EQ(json_escape("\x80\"\xC3\xA9"), replacement + "\\\"\xC3\xA9");

  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.string("bad\xFE\xFF");
  w.end_array();
  EXPECT_EQ(reparse(out).as_array()[0].as_string(), "bad" + replacement + replacement);
}

TEST(JsonWriter, DeepNestingUpToTheLimit) {
  std::string out;
  JsonWriter w(out);
  for (std::size_t i = 0; i < JsonWriter::max_depth; ++i) w.begin_array();
  EXPECT_THROW(w.begin_array(), std::logic_error);
  EXPECT_THROW(w.begin_object(), std::logic_error);
  for (std::size_t i = 0; i < JsonWriter::max_depth; ++i) w.end_array();
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(out, std::string(JsonWriter::max_depth, '[') + std::string(JsonWriter::max_depth, ']'));
}

TEST(JsonWriter, NestedObjectsInArraysGetCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (int i = 0; i < 3; ++i) {
    w.begin_object();
    w.key("i");
    w.number(i);
    w.key("tags");
    w.begin_array();
    w.string("t");
    w.end_array();
    w.end_object();
  }
  w.end_array();
  EXPECT_EQ(out, R"([{"i":0,"tags":["t"]},{"i":1,"tags":["t"]},{"i":2,"tags":["t"]}])");
  reparse(out);
}

TEST(JsonWriter, MisuseThrows) {
  {
    std::string out;
    JsonWriter w(out);
    EXPECT_THROW(w.key("a"), std::logic_error);
    EXPECT_THROW(w.end_object(), std::logic_error);
    EXPECT_THROW(w.end_array(), std::logic_error);
  }
  {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    EXPECT_THROW(w.string("no key"), std::logic_error);
    EXPECT_THROW(w.end_array(), std::logic_error);
    w.key("a");
    EXPECT_THROW(w.key("b"), std::logic_error);
    EXPECT_THROW(w.end_object(), std::logic_error);
    w.number(1);
    w.end_object();
    EXPECT_EQ(out, R"({"a":1})");
  }
  {
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    EXPECT_THROW(w.key("a"), std::logic_error);
    EXPECT_THROW(w.end_object(), std::logic_error);
  }
}

TEST(JsonWriter, RawNumberMustBeAJsonNumber) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const char* bad : {"", "-", "01", "1.", ".5", "+1", "NaN", "Infinity", "1e", "1,5", "0x1", "1 "}) {
    EXPECT_THROW(w.raw_number(bad), std::invalid_argument) << bad;
  }
  for (const char* good : {"0", "-0", "1.25", "1e400", "-2.5E-3", "10000.00"}) w.raw_number(good);
  w.end_array();
  EXPECT_EQ(out, "[0,-0,1.25,1e400,-2.5E-3,10000.00]");
}

TEST(JsonWriterUtf8, Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("ascii"));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"));
  for (const char* bad : {"\x80", "\xC1\xBF", "\xC2", "\xE0\x9F\xBF", "\xED\xBF\xBF", "\xF0\x8F\xBF\xBF",
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << bad;
  }
  const Utf8Char euro = decode_utf8_char("\xE2\x82\xAC", 0);
  EXPECT_TRUE(euro.valid);
  EXPECT_EQ(euro.code_point, U'\u20AC');
  EXPECT_EQ(euro.length, 3u);
}

}  // namespace
}  // namespace polysim
