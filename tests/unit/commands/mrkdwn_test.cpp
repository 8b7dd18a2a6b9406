#include "commands/grammar/mrkdwn.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::commands;

TEST_CASE("escape_mrkdwn converts exactly & < >", "[commands][mrkdwn]") {
    CHECK(escape_mrkdwn("a & b") == "a &amp; b");
    CHECK(escape_mrkdwn("<!channel>") == "&lt;!channel&gt;");
    CHECK(escape_mrkdwn("<@U1> hi") == "&lt;@U1&gt; hi");
    CHECK(escape_mrkdwn("&amp;") == "&amp;amp;");
    CHECK(escape_mrkdwn("*bold* _it_ `code` \"q\" 'q' é") == "*bold* _it_ `code` \"q\" 'q' é");
    CHECK(escape_mrkdwn("") == "");
}

TEST_CASE("code_span escapes, neutralises backticks and truncates", "[commands][mrkdwn]") {
    CHECK(code_span("web") == "`web`");
    CHECK(code_span("<!here>") == "`&lt;!here&gt;`");
    CHECK(code_span("a`b") == "`a'b`");
    CHECK(code_span("line\nbreak") == "`line break`");
    CHECK(code_span("abcdef", 3) == "`abc\xE2\x80\xA6`");
    CHECK(code_span("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "`\xC3\xA9\xC3\xA9\xE2\x80\xA6`");
    CHECK(code_span("") == "` `");
    CHECK(opsbot::count_chars("\xC3\xA9x") == 2);
}
