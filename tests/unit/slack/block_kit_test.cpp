#include "bot/slack/block_kit.hpp"
#include "core/mrkdwn.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <regex>
#include <string>

namespace json = boost::json;
using namespace opsbot;
using namespace opsbot::bot;

namespace {

std::string repeat(std::string_view piece, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += piece;
    }
    return out;
}

bool valid_utf8(std::string_view text) {
    return sanitize_utf8(text) == text;
}

/// Every '&' starts one of the three entities: no entity was cut in half.
bool entities_whole(std::string_view text) {
    for (std::size_t pos = text.find('&'); pos != std::string_view::npos; pos = text.find('&', pos + 1)) {
        auto rest = text.substr(pos);
        if (!rest.starts_with("&amp;") && !rest.starts_with("&lt;") && !rest.starts_with("&gt;")) {
            return false;
        }
    }
    return true;
}

/// The N of "… (truncated, N more characters)", or -1.
long truncated_count(const std::string& text) {
    static const std::regex note(R"(… \(truncated, (\d+) more characters\)$)");
    std::smatch m;
    return std::regex_search(text, m, note) ? std::stol(m[1]) : -1;
}

std::string section_text(const json::value& block) {
    return std::string(block.at("text").at("text").as_string());
}

}  // namespace

TEST_CASE("escape_mrkdwn escapes exactly & < > once", "[slack][block_kit]") {
    CHECK(escape_mrkdwn("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;");
    CHECK(escape_mrkdwn("*bold* _it_ \"q\" 'a' `c` ~s~ #1") == "*bold* _it_ \"q\" 'a' `c` ~s~ #1");
    CHECK(escape_mrkdwn("") == "");
    // Applied to raw text once: an already-escaped string is escaped again (documented, not detected).
    CHECK(escape_mrkdwn("&amp;") == "&amp;amp;");
    CHECK(escape_mrkdwn("héllo <b>") == "héllo &lt;b&gt;");
}

TEST_CASE("section, context, header and divider have Slack's JSON shape", "[slack][block_kit]") {
    auto s = section(escape_mrkdwn("deploy <main> & co"), "req_42");
    CHECK(s.at("type") == "section");
    CHECK(s.at("block_id") == "req_42");
    CHECK(s.at("text").at("type") == "mrkdwn");
    CHECK(s.at("text").at("text") == "deploy &lt;main&gt; &amp; co");
    CHECK_FALSE(section("x").contains("block_id"));

    auto c = context("small");
    CHECK(c.at("type") == "context");
    REQUIRE(c.at("elements").as_array().size() == 1);
    CHECK(c.at("elements").at(0).at("type") == "mrkdwn");
    CHECK(c.at("elements").at(0).at("text") == "small");

    auto h = header(repeat("h", 200));
    CHECK(h.at("text").at("type") == "plain_text");
    std::string htext(h.at("text").at("text").as_string());
    CHECK(count_chars(htext) == block_limits::header_text);
    CHECK(htext.ends_with("…"));
    CHECK(header("Short").at("text").at("text") == "Short");

    CHECK(divider() == json::object{{"type", "divider"}});
}

TEST_CASE("button JSON shape, styles and confirm dialog", "[slack][block_kit]") {
    auto b = button("Approve", "approve", "req_42", button_style::primary);
    CHECK(b.at("type") == "button");
    CHECK(b.at("action_id") == "approve");
    CHECK(b.at("value") == "req_42");
    CHECK(b.at("style") == "primary");
    CHECK(b.at("text") == json::object{{"type", "plain_text"}, {"text", "Approve"}});
    CHECK_FALSE(b.contains("confirm"));

    CHECK(button("Deny", "deny", "req_42", button_style::danger).at("style") == "danger");
    CHECK_FALSE(button("Plain", "p", "v").contains("style"));

    auto risky = button("Approve", "approve", "req_42", button_style::primary,
                        confirm_dialog{"Deploy to prod?", "api@1.4.2 will roll out now.", "Deploy", "Cancel",
                                       button_style::danger});
    auto& dialog = risky.at("confirm");
    CHECK(dialog.at("title") == json::object{{"type", "plain_text"}, {"text", "Deploy to prod?"}});
    CHECK(dialog.at("text").at("text") == "api@1.4.2 will roll out now.");
    CHECK(dialog.at("confirm").at("text") == "Deploy");
    CHECK(dialog.at("deny").at("text") == "Cancel");
    CHECK(dialog.at("style") == "danger");
}

TEST_CASE("button and actions limits", "[slack][block_kit]") {
    auto long_text = button(repeat("x", 100), "a", "v");
    std::string text(long_text.at("text").at("text").as_string());
    CHECK(count_chars(text) == block_limits::button_text);
    CHECK(text.ends_with("…"));

    CHECK_NOTHROW(button("ok", repeat("a", 255), repeat("v", 2000)));
    CHECK_THROWS_AS(button("ok", repeat("a", 256), "v"), std::invalid_argument);
    CHECK_THROWS_AS(button("ok", "a", repeat("v", 2001)), std::invalid_argument);
    CHECK_THROWS_AS(button("ok", "", "v"), std::invalid_argument);

    json::array elements;
    for (int i = 0; i < 25; ++i) {
        elements.emplace_back(button("b", "a" + std::to_string(i), "v"));
    }
    auto block = actions("req_42_actions", elements);
    CHECK(block.at("type") == "actions");
    CHECK(block.at("block_id") == "req_42_actions");
    CHECK(block.at("elements").as_array().size() == 25);
    elements.emplace_back(button("b", "a25", "v"));
    CHECK_THROWS_AS(actions("x", elements), std::invalid_argument);
}

TEST_CASE("section text over 3000 characters is truncated with a note", "[slack][block_kit]") {
    std::string text = repeat("a", 5000);
    auto s = section(text);
    std::string out = section_text(s);
    CHECK(count_chars(out) <= block_limits::section_text);
    long cut = truncated_count(out);
    REQUIRE(cut > 0);
    std::string kept = out.substr(0, out.find("\n… (truncated"));
    CHECK(kept == repeat("a", kept.size()));
    CHECK(kept.size() + static_cast<std::size_t>(cut) == 5000);

    CHECK(section_text(section(repeat("b", 3000))) == repeat("b", 3000));
}

TEST_CASE("truncation never splits a UTF-8 sequence", "[slack][block_kit]") {
    // 2-, 3- and 4-byte characters mixed, long enough to be cut at every kind of position.
    std::string text = repeat("é€😀a", 1500);
    REQUIRE(count_chars(text) == 6000);
    for (std::size_t limit : {3000u, 2999u, 2998u, 2997u, 150u, 75u}) {
        std::string out = truncate_mrkdwn(text, limit);
        CHECK(valid_utf8(out));
        CHECK(count_chars(out) <= limit);
        std::string plain = truncate_plain(text, limit);
        CHECK(valid_utf8(plain));
        CHECK(count_chars(plain) == limit);
    }
    for (std::size_t max = 0; max < 20; ++max) {
        std::size_t cut = head_cut(text, max);
        CHECK(valid_utf8(text.substr(0, cut)));
        CHECK(count_chars(text.substr(0, cut)) == max);
        std::size_t start = tail_cut(text, max);
        CHECK(valid_utf8(text.substr(start)));
        CHECK(count_chars(text.substr(start)) == max);
    }
    auto s = section(repeat("ü", 4000));
    CHECK(valid_utf8(section_text(s)));
}

TEST_CASE("truncation never splits an entity", "[slack][block_kit]") {
    std::string text = escape_mrkdwn(repeat("a&<b>", 1000));
    for (std::size_t max = 0; max < 40; ++max) {
        std::size_t cut = head_cut(text, max);
        CHECK(entities_whole(text.substr(0, cut)));
        CHECK(count_chars(text.substr(0, cut)) <= max);
        std::size_t start = tail_cut(text, max);
        CHECK(entities_whole(text.substr(start)));
        CHECK(count_chars(text.substr(start)) <= max);
    }
    for (std::size_t limit = 2990; limit <= 3000; ++limit) {
        std::string out = truncate_mrkdwn(text, limit);
        CHECK(entities_whole(out));
        CHECK(count_chars(out) <= limit);
    }
}

TEST_CASE("truncated mrkdwn closes an open code fence and keeps control sequences whole", "[slack][block_kit]") {
    std::string text = "*Output*\n```\n" + repeat("line\n", 1000) + "```";
    std::string out = truncate_mrkdwn(text, 3000);
    CHECK(count_chars(out) <= 3000);
    std::size_t fences = 0;
    for (auto pos = out.find("```"); pos != std::string::npos; pos = out.find("```", pos + 3)) {
        ++fences;
    }
    CHECK(fences == 2);

    std::string mention = repeat("x", 2950) + " <@U12345678|someone-with-a-long-name> " + repeat("y", 100);
    std::string cut = truncate_mrkdwn(mention, 3000);
    CHECK(cut.find("<@U1") == std::string::npos);
    CHECK(truncated_count(cut) > 0);
}

TEST_CASE("make_message enforces text and block limits", "[slack][block_kit]") {
    SECTION("top-level text over 4000 characters") {
        auto msg = make_message(repeat("t", 10000), {});
        CHECK(count_chars(msg.text) <= block_limits::message_text);
        long cut = truncated_count(msg.text);
        REQUIRE(cut > 0);
        CHECK(msg.text.find('\n') + static_cast<std::size_t>(cut) == 10000);
        CHECK(make_message("short", {}).text == "short");
    }
    SECTION("60 blocks become 49 plus a note") {
        json::array blocks;
        for (int i = 0; i < 60; ++i) {
            blocks.emplace_back(section("block " + std::to_string(i)));
        }
        auto msg = make_message("sixty", blocks);
        REQUIRE(msg.blocks.size() == block_limits::blocks);
        CHECK(section_text(msg.blocks[0]) == "block 0");
        CHECK(section_text(msg.blocks[48]) == "block 48");
        const auto& note = msg.blocks[49];
        CHECK(note.at("type") == "context");
        CHECK(note.at("elements").at(0).at("text") == "… 11 more blocks not shown");
    }
    SECTION("exactly 50 blocks stay") {
        json::array blocks;
        for (int i = 0; i < 50; ++i) {
            blocks.emplace_back(divider());
        }
        CHECK(make_message("fifty", blocks).blocks == blocks);
    }
    SECTION("over-long texts in blocks built elsewhere are clamped") {
        json::array blocks{
            json::object{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", repeat("s", 3500)}}}},
            json::object{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", repeat("h", 151)}}}},
        };
        auto msg = make_message("x", blocks);
        std::string s = section_text(msg.blocks[0]);
        CHECK(count_chars(s) <= 3000);
        CHECK(truncated_count(s) > 0);
        CHECK(count_chars(section_text(msg.blocks[1])) == 150);
    }
}

TEST_CASE("code_block escapes output and keeps its tail", "[slack][block_kit]") {
    CHECK(code_block("a < b && c > d\n") == "```\na &lt; b &amp;&amp; c &gt; d\n```");
    CHECK(code_block("") == "_(no output)_");

    SECTION("output containing ``` cannot close the block") {
        std::string out = code_block("before ``` after");
        CHECK(out.starts_with("```\n"));
        CHECK(out.ends_with("\n```"));
        CHECK(out.substr(4, out.size() - 8).find("``") == std::string::npos);
    }
    SECTION("invalid UTF-8 is replaced") {
        std::string out = code_block(std::string("ok \xFF\xC3 end"));
        CHECK(valid_utf8(out));
        CHECK(out.find("ok \xEF\xBF\xBD") != std::string::npos);
    }
    SECTION("long output keeps the end and says how much was cut") {
        std::string output;
        for (int i = 0; i < 1000; ++i) {
            output += "step " + std::to_string(i) + ": done & <ok>\n";
        }
        output += "ERROR: migration 42 failed";
        std::string block = code_block(output, 2800);
        CHECK(count_chars(block) <= 2800);
        CHECK(block.find("ERROR: migration 42 failed\n```") != std::string::npos);
        CHECK(block.find("step 0:") == std::string::npos);
        CHECK(entities_whole(block));
        static const std::regex note(R"(^_… (\d+) earlier characters not shown_\n```\n)");
        std::smatch m;
        REQUIRE(std::regex_search(block, m, note));
        std::size_t cut = std::stoul(m[1]);
        std::string kept = block.substr(m[0].length(), block.size() - m[0].length() - 4);
        CHECK(cut + count_chars(kept) == count_chars(escape_mrkdwn(output)));
        CHECK(kept.starts_with("step "));  // starts at a whole line
    }
    SECTION("multibyte output stays valid when cut") {
        std::string block = code_block(repeat("日本語ü😀", 2000), 500);
        CHECK(valid_utf8(block));
        CHECK(count_chars(block) <= 500);
    }
    CHECK_THROWS_AS(code_block("x", 10), std::invalid_argument);
}
