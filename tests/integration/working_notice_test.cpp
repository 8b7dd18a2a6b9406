// The "Working on …" notice of a command answered later never shows after its answer (issue 15 item 7).
//
// Slack reads a Socket Mode ack and a response_url post on separate paths: a notice carried in the ack could be
// read after a fast answer. Here the simulator stops reading the link (acks stay unread in the socket) while the
// bot answers `/audit`: the answer can only be preceded by the notice if the notice travels ahead of it.
#include "tests/support/bot_harness.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <string>

using namespace opsbot::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

bool is_notice(const opsbot::sim::recorded_message& m) { return contains(text_of(m), "Working on `/audit`"); }

}  // namespace

TEST_CASE("the working notice is visible before the answer even while Slack has not read the ack") {
    bot_harness h;
    h.slack().stop_answering_pings(true);  // the ack of the command below stays unread until resumed
    const auto envelope = h.slack().send_slash_command(requester, ops_channel, "/audit", "");
    REQUIRE_FALSE(envelope.empty());
    // The answer arrives although the ack was not read.
    REQUIRE(h.slack().wait_for(
        [&] {
            for (const auto& m : h.slack().messages("response_url")) {
                if (!is_notice(m)) {
                    return true;
                }
            }
            return false;
        },
        20s));
    // What the requester saw up to the answer: the notice first, then the answer.
    const auto seen = h.slack().messages("response_url");
    REQUIRE(seen.size() == 2);
    CHECK(is_notice(seen[0]));
    CHECK_FALSE(is_notice(seen[1]));
    CHECK(h.slack().acks_for(envelope).empty());

    // Once read, the ack adds nothing after the answer: it carries no notice.
    h.slack().stop_answering_pings(false);
    REQUIRE(h.slack().wait_for([&] { return !h.slack().acks_for(envelope).empty(); }, 20s));
    CHECK_FALSE(h.slack().acks_for(envelope).front().ack.contains("payload"));
    CHECK(h.slack().messages("response_url").size() == 2);
}

TEST_CASE("a refusal still answers in the ack itself, with no notice") {
    bot_harness h;
    h.command(approver_c, "/audit", "");  // an approver only: not allowed to run /audit
    REQUIRE(h.slack().wait_for([&] { return !h.slack().acks().empty(); }, 20s));
    const auto ack = h.slack().acks().front().ack;
    REQUIRE(ack.contains("payload"));
    CHECK(contains(boost::json::serialize(ack.at("payload")), "not allowed"));
    CHECK(h.slack().messages("response_url").empty());
}
