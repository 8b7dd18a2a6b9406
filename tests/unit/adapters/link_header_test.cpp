#include "adapters/link_header.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::adapters;

TEST_CASE("GitHub's Link header: next and last among several link-values", "[link_header]") {
    const auto links = parse_link_header(
        R"(<https://api.github.com/repositories/1/commits/main/check-runs?per_page=2&page=2>; rel="next", )"
        R"(<https://api.github.com/repositories/1/commits/main/check-runs?per_page=2&page=5>; rel="last")");
    REQUIRE(links.size() == 2);
    CHECK(links[0].target == "https://api.github.com/repositories/1/commits/main/check-runs?per_page=2&page=2");
    CHECK(links[0].has_rel("next"));
    CHECK_FALSE(links[0].has_rel("last"));
    CHECK(links[1].has_rel("last"));
    const auto next = find_link(R"(<https://x/a?page=5>; rel="last", <https://x/a?page=2>; rel="next")", "next");
    REQUIRE(next);
    CHECK(next->target == "https://x/a?page=2");
    CHECK_FALSE(find_link(R"(<https://x/a?page=1>; rel="prev")", "next"));
}

TEST_CASE("Sentry's Link header: results and cursor parameters, commas inside the URL", "[link_header]") {
    const auto value = std::string(
        R"(<https://sentry.io/api/0/organizations/acme/issues/?query=a,b&cursor=0:0:1>; rel="previous"; )"
        R"(results="false"; cursor="0:0:1", )"
        R"(<https://sentry.io/api/0/organizations/acme/issues/?query=a,b&cursor=0:100:0>; rel="next"; )"
        R"(results="true"; cursor="0:100:0")");
    const auto links = parse_link_header(value);
    REQUIRE(links.size() == 2);
    CHECK(links[0].has_rel("previous"));
    CHECK(links[0].param("results") == "false");
    CHECK(links[1].target == "https://sentry.io/api/0/organizations/acme/issues/?query=a,b&cursor=0:100:0");
    CHECK(links[1].param("results") == "true");
    CHECK(links[1].param("cursor") == "0:100:0");
    CHECK_FALSE(links[1].param("missing"));
}

TEST_CASE("Link header syntax details of RFC 8288", "[link_header]") {
    SECTION("parameter names are case-insensitive, values may be tokens, whitespace is optional") {
        const auto links = parse_link_header("<https://x/2>;REL=next;Results=true");
        REQUIRE(links.size() == 1);
        CHECK(links[0].has_rel("next"));
        CHECK(links[0].has_rel("NEXT"));
        CHECK(links[0].param("results") == "true");
    }
    SECTION("rel may list several relation types") {
        const auto links = parse_link_header(R"(<https://x/2>; rel="next last")");
        REQUIRE(links.size() == 1);
        CHECK(links[0].has_rel("next"));
        CHECK(links[0].has_rel("last"));
        CHECK_FALSE(links[0].has_rel("nex"));
    }
    SECTION("quoted strings may hold commas, semicolons and escapes") {
        const auto links = parse_link_header(R"(<https://x/1>; title="a, b; \"c\"", <https://x/2>; rel=next)");
        REQUIRE(links.size() == 2);
        CHECK(links[0].param("title") == R"(a, b; "c")");
        CHECK(links[1].has_rel("next"));
    }
    SECTION("only the first rel counts") {
        const auto links = parse_link_header(R"(<https://x/1>; rel="prev"; rel="next")");
        REQUIRE(links.size() == 1);
        CHECK_FALSE(links[0].has_rel("next"));
    }
    SECTION("a malformed link-value is skipped, the rest are kept") {
        const auto links = parse_link_header(R"(https://x/1; rel="next", <https://x/2>; rel="next", <unclosed)");
        REQUIRE(links.size() == 1);
        CHECK(links[0].target == "https://x/2");
    }
    SECTION("empty and whitespace-only values give no links") {
        CHECK(parse_link_header("").empty());
        CHECK(parse_link_header("  ,  ").empty());
    }
}

TEST_CASE("resolving link targets and comparing origins", "[link_header]") {
    CHECK(resolve_link_target("https://api.github.com/repos/a/b", "https://api.github.com/x?page=2") ==
          "https://api.github.com/x?page=2");
    CHECK(resolve_link_target("http://127.0.0.1:8080/api/v2/monitors?page=1", "/api/v2/monitors?page=2") ==
          "http://127.0.0.1:8080/api/v2/monitors?page=2");
    CHECK_FALSE(resolve_link_target("https://a.example/x", "page=2"));
    CHECK_FALSE(resolve_link_target("https://a.example/x", "//evil.example/x"));

    CHECK(same_origin("https://api.github.com/", "https://API.github.com:443/repos/a/b?page=2"));
    CHECK(same_origin("http://127.0.0.1:4000/api/v2/", "http://127.0.0.1:4000/api/v2/monitors?page=2"));
    CHECK_FALSE(same_origin("http://127.0.0.1:4000/", "http://127.0.0.1:4001/"));
    CHECK_FALSE(same_origin("https://api.github.com/", "http://api.github.com/"));
    CHECK_FALSE(same_origin("https://api.github.com/", "https://api.github.com.evil.example/"));
    CHECK_FALSE(same_origin("https://api.github.com/", "not a url"));
}

TEST_CASE("a relative link target that is no /path?query is skipped, not glued on (found by fuzz)", "[link_header]") {
    // fuzz/crashes/url/: a NUL inside a Sentry cursor link made a "URL" that same_origin() then called foreign.
    CHECK_FALSE(resolve_link_target("https://sentry.io/api/0/", std::string("/api/0/o") + '\0' + "rg?cursor=1"));
    CHECK_FALSE(resolve_link_target("https://sentry.io/api/0/", "/api/0/issues/?cursor=a b"));
    CHECK_FALSE(resolve_link_target("https://sentry.io/api/0/", "/api/0/\x7fissues/"));
    CHECK(resolve_link_target("https://sentry.io/api/0/", "/api/0/issues/?cursor=0:100:0") ==
          "https://sentry.io/api/0/issues/?cursor=0:100:0");
}
