#include "core/json_input.hpp"

#include <gtest/gtest.h>

#include <string>

namespace polysim {
namespace {

JsonValue parse_ok(std::string_view text) {
  JsonParseResult result = parse_json(text);
  if (const auto* error = std::get_if<JsonParseError>(&result)) {
    ADD_FAILURE() << "parse failed for " << text << ": " << error->message;
    return JsonValue();
  }
  return std::get<JsonValue>(std::move(result));
}

std::string parse_error(std::string_view text, std::size_t max_depth = json_default_max_depth) {
  const JsonParseResult result = parse_json(text, max_depth);
  if (const auto* error = std::get_if<JsonParseError>(&result)) return error->message;
  return "(accepted)";
}

std::string nested_arrays(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(JsonInput, ParsesAllKindsAndKeepsMemberOrder) {
  const JsonValue value = parse_ok(R"( {"b":true,"a":null,"n":-12.50,"s":"x\u00e9\n","arr":[1,"two",false],"o":{}} )");
  ASSERT_TRUE(value.is_object());
  const auto& items = value.items();
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0].first, "b");
  EXPECT_EQ(items[1].first, "a");
  EXPECT_EQ(items[5].first, "o");

  EXPECT_TRUE(value.find("b")->as_bool());
  EXPECT_TRUE(value.find("a")->is_null());
  EXPECT_EQ(value.find("n")->number_text(), "-12.50");
  EXPECT_EQ(value.find("s")->as_string(), "x\xC3\xA9\n");
  const auto& elements = value.find("arr")->elements();
  ASSERT_EQ(elements.size(), 3u);
  EXPECT_EQ(elements[0].number_text(), "1");
  EXPECT_EQ(elements[1].as_string(), "two");
  EXPECT_FALSE(elements[2].as_bool());
  EXPECT_TRUE(value.find("o")->is_object());
  EXPECT_TRUE(value.find("o")->items().empty());
  EXPECT_EQ(value.find("missing"), nullptr);
}

TEST(JsonInput, FindOnNonObjectIsNull) {
  EXPECT_EQ(parse_ok("[1]").find("a"), nullptr);
  EXPECT_EQ(parse_ok("\"a\"").find("a"), nullptr);
}

TEST(JsonInput, WrongKindAccessThrows) {
  const JsonValue value = parse_ok("\"text\"");
  EXPECT_THROW((void)value.number_text(), std::logic_error);
  EXPECT_THROW((void)value.as_bool(), std::logic_error);
  EXPECT_THROW((void)value.items(), std::logic_error);
  EXPECT_THROW((void)value.elements(), std::logic_error);
  EXPECT_THROW((void)parse_ok("1").as_string(), std::logic_error);
}

TEST(JsonInput, ScalarsAtTopLevel) {
  EXPECT_TRUE(parse_ok("null").is_null());
  EXPECT_TRUE(parse_ok(" true ").as_bool());
  EXPECT_EQ(parse_ok("0").number_text(), "0");
  EXPECT_EQ(parse_ok("\"\"").as_string(), "");
}

TEST(JsonInput, NumberRawTextPreserved) {
  EXPECT_EQ(parse_ok("10000.00").number_text(), "10000.00");
  EXPECT_EQ(parse_ok("[0.10]").elements()[0].number_text(), "0.10");
  EXPECT_EQ(parse_ok("1e400").number_text(), "1e400");
  EXPECT_EQ(parse_ok("-1E-400").number_text(), "-1E-400");
  EXPECT_EQ(parse_ok("1.5e+3").number_text(), "1.5e+3");
  EXPECT_EQ(parse_ok("18446744073709551616").number_text(), "18446744073709551616");
  EXPECT_EQ(parse_ok("-0").number_text(), "-0");
  EXPECT_EQ(parse_ok("0.30000000000000000000000000001").number_text(), "0.30000000000000000000000000001");
}

TEST(JsonInput, LongNumbersKeptUpToTheLimitThenRefused) {
  const std::string at_limit(json_max_number_length, '7');
  EXPECT_EQ(parse_ok("[" + at_limit + "]").elements()[0].number_text(), at_limit);
  EXPECT_EQ(parse_ok("1." + std::string(json_max_number_length - 2, '5')).number_text().size(), json_max_number_length);

  EXPECT_EQ(parse_error(std::string(5000, '9')), "number too long");
  EXPECT_EQ(parse_error("{\"a\":0." + std::string(5000, '1') + "}"), "number too long");
  EXPECT_EQ(parse_error("1e99999999999"), "number out of range");
}

TEST(JsonInput, RejectsInvalidNumbers) {
  for (const char* text : {"01", "+1", "1.", ".5", "1e", "-", "NaN", "Infinity", "-Infinity", "0x10", "[1.e3]"}) {
    EXPECT_EQ(parse_error(text), "invalid JSON") << text;
  }
}

TEST(JsonInput, DuplicateKeysRejected) {
  EXPECT_EQ(parse_error(R"({"a":1,"a":2})"), "duplicate key 'a'");
  EXPECT_EQ(parse_error(R"({"x":{"inner":1,"other":2,"inner":3}})"), "duplicate key 'inner'");
  EXPECT_EQ(parse_error(R"([{"ok":1},{"k":1,"k":1}])"), "duplicate key 'k'");
  // Escapes are decoded before comparing, so a disguised duplicate is still caught.
  EXPECT_EQ(parse_error(R"({"amount":1,"amo\u0075nt":2})"), "duplicate key 'amount'");
  // Same key in sibling objects is fine.
  EXPECT_TRUE(parse_ok(R"([{"k":1},{"k":2}])").is_array());
}

TEST(JsonInput, DuplicateKeysRejectedInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 1000; ++i) text += "\"key" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  std::string unique = text;
  unique.back() = '}';
  EXPECT_EQ(parse_ok(unique).items().size(), 1000u);

  text += "\"key500\":1}";
  EXPECT_EQ(parse_error(text), "duplicate key 'key500'");
}

TEST(JsonInput, DuplicateKeyMessageIsBoundedAndPrintable) {
  const std::string long_key(200, 'k');
  const std::string message = parse_error("{\"" + long_key + "\":1,\"" + long_key + "\":2}");
  EXPECT_LT(message.size(), 70u);
  EXPECT_EQ(message.rfind("duplicate key 'kkk", 0), 0u);

  const std::string control = parse_error(R"({"a\nb":1,"a\nb":2})");
  EXPECT_EQ(control, "duplicate key 'a?b'");
}

TEST(JsonInput, DepthLimit) {
  EXPECT_EQ(depth(parse_ok(nested_arrays(64))), 64);
  EXPECT_EQ(parse_error(nested_arrays(65)), "nesting too deep");
  EXPECT_EQ(parse_error(nested_arrays(100000)), "nesting too deep");

  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  objects += "1" + std::string(65, '}');
  EXPECT_EQ(parse_error(objects), "nesting too deep");

  EXPECT_EQ(parse_error(nested_arrays(3), 2), "nesting too deep");
  EXPECT_TRUE(std::holds_alternative<JsonValue>(parse_json(nested_arrays(2), 2)));
  EXPECT_EQ(parse_error("[]", 0), "nesting too deep");
  EXPECT_TRUE(std::holds_alternative<JsonValue>(parse_json("1", 0)));
}

TEST(JsonInput, InvalidUtf8Rejected) {
  EXPECT_EQ(parse_error("\"\xFF\""), "invalid UTF-8");
  EXPECT_EQ(parse_error("{\"a\":\"ok\xC3\"}"), "invalid UTF-8");    // truncated sequence
  EXPECT_EQ(parse_error("\"\xC0\xAF\""), "invalid UTF-8");          // overlong '/'
  EXPECT_EQ(parse_error("\"\xE0\x80\xAF\""), "invalid UTF-8");      // overlong, 3 bytes
  EXPECT_EQ(parse_error("\"\xED\xA0\x80\""), "invalid UTF-8");      // encoded surrogate
  EXPECT_EQ(parse_error("\"\xF4\x90\x80\x80\""), "invalid UTF-8");  // above U+10FFFF
  EXPECT_EQ(parse_error("{\"k\xFE\":1}"), "invalid UTF-8");         // in a key
  EXPECT_EQ(parse_error("[1]\xFF"), "invalid UTF-8");               // outside strings
}

TEST(JsonInput, LoneSurrogateEscapesRejected) {
  EXPECT_EQ(parse_error(R"("\ud800")"), "invalid UTF-8");
  EXPECT_EQ(parse_error(R"("\udc00")"), "invalid UTF-8");
  EXPECT_EQ(parse_error(R"("\ud800\u0041")"), "invalid UTF-8");
  EXPECT_EQ(parse_error(R"(["x\ud800"])"), "invalid UTF-8");
  EXPECT_EQ(parse_error(R"({"\udfff":1})"), "invalid UTF-8");
  EXPECT_EQ(parse_error(R"(["ok","\ud83d\ude00","\ud83d"])"), "invalid UTF-8");
  // An escaped backslash followed by "ud800" is ordinary text, not a surrogate.
  EXPECT_EQ(parse_ok(R"("\\ud800")").as_string(), "\\ud800");
  EXPECT_EQ(parse_error(R"(["\\ud800" x])"), "invalid JSON");
  // A proper pair is fine and decodes to UTF-8.
  EXPECT_EQ(parse_ok(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
}

TEST(JsonInput, ValidMultibyteUtf8Accepted) {
  EXPECT_EQ(parse_ok("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"").as_string(), "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(JsonInput, NonStandardSyntaxRejected) {
  for (const char* text : {"[1,]", "{\"a\":1,}", "[1]// c", "/* c */ 1", "{a:1}", "{'a':1}", "['a']", "\"tab\there\"",
                           "[1 2]", "{\"a\" 1}", "{\"a\":}", "\xEF\xBB\xBF{}"}) {
    EXPECT_EQ(parse_error(text), "invalid JSON") << text;
  }
}

TEST(JsonInput, EmptyOrTruncatedInputRejected) {
  for (const char* text : {"", " ", "\n\t", "{", "[1,", "{\"a\":", "\"abc", "tru", "nul"}) {
    EXPECT_EQ(parse_error(text), "invalid JSON") << text;
  }
}

TEST(JsonInput, TrailingGarbageRejected) {
  for (const char* text : {"{} {}", "1 2", "[]]", "{}x", "null,", "\"a\"\"b\"", "1 /"}) {
    EXPECT_EQ(parse_error(text), "invalid JSON") << text;
  }
  EXPECT_TRUE(std::holds_alternative<JsonValue>(parse_json(" {} \r\n\t ")));
}

TEST(JsonInput, EmbeddedNulRejectedRawButAllowedEscaped) {
  EXPECT_EQ(parse_error(std::string_view("\"a\0b\"", 5)), "invalid JSON");
  EXPECT_EQ(parse_error(std::string_view("{}\0", 3)), "invalid JSON");
  EXPECT_EQ(parse_ok(R"("a\u0000b")").as_string(), std::string("a\0b", 3));
}

TEST(JsonInput, SerializeRoundTrip) {
  const std::string compact =
      R"({"z":[1,-0.50,1e400,true,false,null],"a":{"nested":"q\"uote\\back\/slash"},"u":"\u00e9\u0001\n","":[]})";
  const JsonValue value = parse_ok(compact);
  const std::string serialized = serialize_compact(value);
  EXPECT_EQ(serialized,
            R"({"z":[1,-0.50,1e400,true,false,null],"a":{"nested":"q\"uote\\back/slash"},"u":"é\u0001\n","":[]})");
  EXPECT_EQ(serialize_compact(parse_ok(serialized)), serialized);

  EXPECT_EQ(serialize_compact(parse_ok(" [ 1 , { \"k\" : [ ] } ] ")), R"([1,{"k":[]}])");
}

TEST(JsonInput, ConstructedValuesSerialize) {
  const JsonValue value = JsonValue::object({{"amount", JsonValue::number("12.30")},
                                             {"tags", JsonValue::array({JsonValue::string("a\tb"), JsonValue()})},
                                             {"ok", JsonValue::boolean(true)}});
  EXPECT_EQ(serialize_compact(value), R"({"amount":12.30,"tags":["a\tb",null],"ok":true})");
  EXPECT_THROW(JsonValue::number("12,30"), std::invalid_argument);
  EXPECT_THROW(JsonValue::number("NaN"), std::invalid_argument);
}

TEST(JsonInput, DepthOfValues) {
  EXPECT_EQ(depth(parse_ok("1")), 0);
  EXPECT_EQ(depth(parse_ok("[]")), 1);
  EXPECT_EQ(depth(parse_ok("{}")), 1);
  EXPECT_EQ(depth(parse_ok(R"([1,[2,[3]],{"a":{"b":[]}}])")), 4);
}

TEST(JsonInput, JsonIntegerEdgeCases) {
  const auto integer = [](std::string_view text) { return json_integer(parse_ok(text)); };
  EXPECT_EQ(integer("0"), 0);
  EXPECT_EQ(integer("-0"), 0);
  EXPECT_EQ(integer("-1"), -1);
  EXPECT_EQ(integer("42"), 42);
  EXPECT_EQ(integer("9007199254740991"), 9007199254740991);
  EXPECT_EQ(integer("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(integer("-9223372036854775808"), INT64_MIN);

  EXPECT_EQ(integer("9223372036854775808"), std::nullopt);
  EXPECT_EQ(integer("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(integer("18446744073709551616"), std::nullopt);
  EXPECT_EQ(integer("99999999999999999999999999999"), std::nullopt);
  EXPECT_EQ(integer("1.0"), std::nullopt);
  EXPECT_EQ(integer("1e3"), std::nullopt);
  EXPECT_EQ(integer("1E3"), std::nullopt);
  EXPECT_EQ(integer("-0.0"), std::nullopt);
  EXPECT_EQ(integer("\"1\""), std::nullopt);
  EXPECT_EQ(integer("true"), std::nullopt);
  EXPECT_EQ(integer("null"), std::nullopt);
  EXPECT_EQ(integer("[1]"), std::nullopt);
}

}  // namespace
}  // namespace polysim
