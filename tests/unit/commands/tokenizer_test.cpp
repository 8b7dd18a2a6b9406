#include "commands/grammar/tokenizer.hpp"

#include <catch2/catch.hpp>

using opsbot::commands::token;
using opsbot::commands::tokenize;

namespace {

std::vector<std::string> words(std::string_view text) {
    auto tokens = tokenize(text);
    REQUIRE(tokens.has_value());
    std::vector<std::string> out;
    for (const auto& t : *tokens) {
        out.push_back(t.text);
    }
    return out;
}

}  // namespace

TEST_CASE("tokenizer splits on any whitespace and drops empty words", "[commands][tokenizer]") {
    CHECK(words("").empty());
    CHECK(words("   \t\n ").empty());
    CHECK(words("status") == std::vector<std::string>{"status"});
    CHECK(words("  lock\tweb \n production  ") == std::vector<std::string>{"lock", "web", "production"});
    // Non-breaking space (U+00A0), as pasted from documents.
    CHECK(words("verify\xC2\xA0staging") == std::vector<std::string>{"verify", "staging"});
}

TEST_CASE("tokenizer groups double and single quotes and marks quoted words", "[commands][tokenizer]") {
    auto tokens = tokenize(R"(lock api production "hold deploys: incident 42" 'it''s' "")");
    REQUIRE(tokens.has_value());
    REQUIRE(tokens->size() == 6);
    CHECK((*tokens)[2] == token{"production", false});
    CHECK((*tokens)[3] == token{"hold deploys: incident 42", true});
    CHECK((*tokens)[4] == token{"its", true});
    CHECK((*tokens)[5] == token{"", true});
    // A quote may start mid-word, as in a shell.
    auto flag = tokenize(R"(--break-glass="site down")");
    REQUIRE(flag.has_value());
    REQUIRE(flag->size() == 1);
    // Only a word that *starts* quoted is protected from being read as a flag.
    CHECK(flag->front() == token{"--break-glass=site down", false});
}

TEST_CASE("tokenizer treats mobile smart quotes as quotes", "[commands][tokenizer]") {
    CHECK(words("lock web production \xE2\x80\x9C" "deploy freeze\xE2\x80\x9D") ==
          std::vector<std::string>{"lock", "web", "production", "deploy freeze"});
    // Some keyboards send two right quotes.
    CHECK(words("\xE2\x80\x9D" "a b" "\xE2\x80\x9D") == std::vector<std::string>{"a b"});
    CHECK(words("\xE2\x80\x98" "x y" "\xE2\x80\x99") == std::vector<std::string>{"x y"});
    // A lone right single quote outside quotes is an apostrophe, not an unterminated quote.
    CHECK(words("don\xE2\x80\x99t deploy") == std::vector<std::string>{"don\xE2\x80\x99t", "deploy"});
}

TEST_CASE("tokenizer handles backslash escapes inside quotes", "[commands][tokenizer]") {
    CHECK(words(R"("say \"hi\"")") == std::vector<std::string>{R"(say "hi")"});
    CHECK(words(R"('it\'s')") == std::vector<std::string>{"it's"});
    CHECK(words(R"("back\\slash")") == std::vector<std::string>{R"(back\slash)"});
    CHECK(words(R"("keep \n as is")") == std::vector<std::string>{R"(keep \n as is)"});
    CHECK(words(R"(a\"b)") == std::vector<std::string>{R"(a"b)"});
}

TEST_CASE("tokenizer rejects unterminated quotes, control characters and very long input", "[commands][tokenizer]") {
    auto unterminated = tokenize(R"(lock web production "no end)");
    REQUIRE_FALSE(unterminated.has_value());
    CHECK(unterminated.error().kind == opsbot::error_kind::invalid_input);
    CHECK_THAT(unterminated.error().message, Catch::Contains("Unterminated quote"));

    auto escaped_close = tokenize(R"("ends with escaped \")");
    CHECK_FALSE(escaped_close.has_value());
    CHECK_FALSE(tokenize("'single").has_value());
    CHECK_FALSE(tokenize("\xE2\x80\x9Csmart").has_value());

    auto control = tokenize(std::string("status\x01", 7));
    REQUIRE_FALSE(control.has_value());
    CHECK_THAT(control.error().message, Catch::Contains("control character"));

    CHECK(tokenize(std::string(2000, 'a')).has_value());
    auto too_long = tokenize(std::string(2001, 'a'));
    REQUIRE_FALSE(too_long.has_value());
    CHECK_THAT(too_long.error().message, Catch::Contains("too long"));
    // Counted in characters, not bytes: 1000 two-byte characters are fine.
    std::string wide;
    for (int i = 0; i < 1000; ++i) {
        wide += "\xC3\xA9";
    }
    CHECK(tokenize(wide).has_value());
}
