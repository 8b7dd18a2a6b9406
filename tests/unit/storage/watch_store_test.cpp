// storage/watch_store: post-deploy watches survive in the bot's database and close exactly once (issue #7).
#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <vector>

#include "core/redactor.hpp"
#include "fixture.hpp"
#include "storage/watch_store.hpp"

using namespace opsbot;
using namespace opsbot::storage;
using namespace std::chrono_literals;

namespace {

new_watch watch_of(const action_id& id, clock::time_point now) {
    new_watch w;
    w.action = id;
    w.family = "rollback";
    w.title = "Roll back web (production)";
    w.service = "web";
    w.environment = "production";
    w.requester = "U01";
    w.channel = "C01";
    w.thread_ts = "1700000000.000100";
    w.started_at = now;
    w.ends_at = now + 15min;
    w.first_check_at = now + 1min;
    return w;
}

std::vector<std::string> events_of(testing::stores& s, const action_id& id) {
    std::vector<std::string> out;
    auto entries = s.audit.for_action(id);
    REQUIRE(entries);
    for (const auto& e : *entries) {
        out.push_back(e.event);
    }
    return out;
}

}  // namespace

TEST_CASE("a watch is stored with its window, listed while watching and audited when it starts") {
    testing::stores s;
    watch_store watches(s.db, s.clock);
    auto id = s.request();
    const auto start = s.clock.now();
    REQUIRE(watches.start(watch_of(id, start)));

    auto got = watches.get(id);
    REQUIRE(got);
    CHECK(got->state == watch_state::watching);
    CHECK(got->started_at == start);
    CHECK(got->ends_at == start + 15min);
    CHECK(got->next_check_at == start + 1min);
    CHECK(got->service == "web");
    CHECK(got->thread_ts == "1700000000.000100");
    CHECK(got->checks == 0);
    CHECK_FALSE(got->closed_at);

    auto active = watches.active();
    REQUIRE(active);
    REQUIRE(active->size() == 1);
    CHECK(active->front().action == id);
    CHECK(events_of(s, id).back() == "watch.started");
}

TEST_CASE("a second watch of the same action, an empty window or an unknown action is refused") {
    testing::stores s;
    watch_store watches(s.db, s.clock);
    auto id = s.request();
    REQUIRE(watches.start(watch_of(id, s.clock.now())));
    auto again = watches.start(watch_of(id, s.clock.now()));
    REQUIRE_FALSE(again);
    CHECK(again.error().kind == error_kind::conflict);

    auto other = s.request();
    auto empty = watch_of(other, s.clock.now());
    empty.ends_at = empty.started_at;
    CHECK(watches.start(empty).error().kind == error_kind::invalid_input);

    auto unknown = watches.start(watch_of(action_id("A-99"), s.clock.now()));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().kind == error_kind::not_found);
    CHECK(watches.active()->size() == 1);
}

TEST_CASE("checks are counted, failures remembered, and the next check scheduled") {
    testing::stores s;
    watch_store watches(s.db, s.clock);
    auto id = s.request();
    REQUIRE(watches.start(watch_of(id, s.clock.now())));
    s.clock.advance(1min);
    REQUIRE(watches.record_check(id, s.clock.now() + 1min, std::nullopt));
    s.clock.advance(1min);
    REQUIRE(watches.record_check(id, s.clock.now() + 1min, std::string("Sentry did not answer")));
    auto got = watches.get(id);
    REQUIRE(got);
    CHECK(got->checks == 2);
    CHECK(got->failed_checks == 1);
    CHECK(got->last_error == "Sentry did not answer");
    CHECK(got->next_check_at == s.clock.now() + 1min);
}

TEST_CASE("a check's error is stored redacted: a registered secret never reaches the watches table") {
    const std::string secret = "sntrys_watch_Kq7vP2mXr9";
    global_redactor().add_secret(secret, "SENTRY_API_TOKEN");
    struct forget {
        std::string value;
        ~forget() { global_redactor().remove_secret(value); }
    } forget_secret{secret};
    testing::stores s;
    watch_store watches(s.db, s.clock);
    auto id = s.request();
    REQUIRE(watches.start(watch_of(id, s.clock.now())));
    s.clock.advance(1min);
    REQUIRE(watches.record_check(id, s.clock.now() + 1min,
                                 std::string("Sentry: HTTP 401 for token " + secret + " (rejected)")));
    auto got = watches.get(id);
    REQUIRE(got);
    CHECK(got->failed_checks == 1);
    CHECK(got->last_error.find(secret) == std::string::npos);
    CHECK(got->last_error.find("[redacted:SENTRY_API_TOKEN]") != std::string::npos);
    CHECK(got->last_error.find("Sentry: HTTP 401") != std::string::npos);  // the rest of the error is kept
    auto active = watches.active();
    REQUIRE(active);
    REQUIRE(active->size() == 1);
    CHECK(active->front().last_error.find(secret) == std::string::npos);
}

TEST_CASE("a blind watch closes once, audited watch.blind (not watch.quiet), and is no longer active") {
    testing::stores s;
    watch_store watches(s.db, s.clock);
    auto id = s.request();
    REQUIRE(watches.start(watch_of(id, s.clock.now())));
    REQUIRE(watches.record_check(id, s.clock.now() + 1min, std::string("Sentry: unreachable")));
    s.clock.advance(16min);
    REQUIRE(watches.close_blind(id, {{"last_error", "Sentry: unreachable"}}));
    CHECK(watches.active()->empty());
    CHECK(watches.get(id)->closed_at == s.clock.now());
    auto events = events_of(s, id);
    CHECK(events.back() == "watch.blind");
    CHECK(std::count(events.begin(), events.end(), "watch.quiet") == 0);
    auto entries = s.audit.for_action(id);
    REQUIRE(entries);
    CHECK(entries->back().detail_json.find("\"failed_checks\":1") != std::string::npos);
    CHECK(watches.close_blind(id, {}).error().kind == error_kind::conflict);
    CHECK(watches.close(id, watch_state::fired, {}).error().kind == error_kind::conflict);
    CHECK(s.audit.verify()->ok());
}

TEST_CASE("a watch closes once: quiet or fired, audited with its counts, then it is no longer active") {
    testing::stores s;
    watch_store watches(s.db, s.clock);
    auto quiet = s.request();
    auto fired = s.request();
    REQUIRE(watches.start(watch_of(quiet, s.clock.now())));
    REQUIRE(watches.start(watch_of(fired, s.clock.now())));
    REQUIRE(watches.record_check(fired, s.clock.now() + 1min, std::nullopt));

    s.clock.advance(16min);
    REQUIRE(watches.close(quiet, watch_state::quiet, {{"reason", "window ended"}}));
    REQUIRE(watches.close(fired, watch_state::fired, {{"new_issues", 3}}));
    CHECK(watches.active()->empty());
    CHECK(watches.get(quiet)->state == watch_state::quiet);
    CHECK(watches.get(quiet)->closed_at == s.clock.now());
    CHECK(watches.get(fired)->state == watch_state::fired);

    auto again = watches.close(fired, watch_state::quiet, {});
    REQUIRE_FALSE(again);
    CHECK(again.error().kind == error_kind::conflict);
    CHECK(watches.record_check(fired, s.clock.now(), std::nullopt).error().kind == error_kind::conflict);
    CHECK(watches.close(quiet, watch_state::watching, {}).error().kind == error_kind::invalid_input);

    CHECK(events_of(s, quiet).back() == "watch.quiet");
    CHECK(events_of(s, fired).back() == "watch.fired");
    auto entries = s.audit.for_action(fired);
    REQUIRE(entries);
    CHECK(entries->back().detail_json.find("\"checks\":1") != std::string::npos);
    CHECK(entries->back().detail_json.find("\"new_issues\":3") != std::string::npos);
    auto verified = s.audit.verify();
    REQUIRE(verified);
    CHECK(verified->ok());
}

TEST_CASE("racing closers: exactly one closes the watch") {
    testing::stores s;
    watch_store watches(s.db, s.clock);
    auto id = s.request();
    REQUIRE(watches.start(watch_of(id, s.clock.now())));
    std::vector<std::future<bool>> racers;
    for (int i = 0; i < 8; ++i) {
        racers.push_back(std::async(std::launch::async, [&watches, id, i] {
            return watches.close(id, i % 2 == 0 ? watch_state::fired : watch_state::quiet, {}).has_value();
        }));
    }
    int closed = 0;
    for (auto& r : racers) {
        closed += r.get() ? 1 : 0;
    }
    CHECK(closed == 1);
    auto events = events_of(s, id);
    auto ends = [](const std::string& e) { return e == "watch.quiet" || e == "watch.fired"; };
    CHECK(std::count_if(events.begin(), events.end(), ends) == 1);
}

TEST_CASE("replicas racing for a due check: exactly one claims it, and none once the watch ended") {
    testing::temp_db_path path;
    testing::stores a(path.str());
    testing::stores b(path.str());
    watch_store mine(a.db, a.clock);
    watch_store theirs(b.db, b.clock);
    auto id = a.request();
    REQUIRE(mine.start(watch_of(id, a.clock.now())));
    const auto due = mine.get(id)->next_check_at;
    std::vector<std::future<bool>> racers;
    for (int i = 0; i < 8; ++i) {
        racers.push_back(std::async(std::launch::async, [&, i] {
            auto claimed = (i % 2 == 0 ? mine : theirs).claim_check(id, due, due + 1min);
            return claimed && *claimed;
        }));
    }
    int won = 0;
    for (auto& r : racers) {
        won += r.get() ? 1 : 0;
    }
    CHECK(won == 1);
    CHECK(mine.get(id)->next_check_at == due + 1min);
    CHECK_FALSE(*theirs.claim_check(id, due, due + 2min));  // a stale read claims nothing
    REQUIRE(mine.close(id, watch_state::quiet, {}));
    CHECK_FALSE(*theirs.claim_check(id, due + 1min, due + 2min));
}

TEST_CASE("the table refuses illegal changes made behind the store's back") {
    testing::stores s;
    watch_store watches(s.db, s.clock);
    auto id = s.request();
    REQUIRE(watches.start(watch_of(id, s.clock.now())));
    REQUIRE(watches.close(id, watch_state::quiet, {}));
    CHECK_THROWS(s.raw("UPDATE watches SET state = 'watching'"));
    CHECK_THROWS(s.raw("UPDATE watches SET state = 'fired'"));
    CHECK_THROWS(s.raw("DELETE FROM watches"));
    CHECK_THROWS(s.raw("INSERT INTO watches (action_seq, family, title, service, environment, requester, channel, "
                       "thread_ts, started_at_ms, ends_at_ms, next_check_at_ms, state) VALUES (1, 'f', 't', '', '', "
                       "'U', 'C', '', 1, 2, 1, 'fired')"));
}

TEST_CASE("watches survive reopening the database file") {
    testing::temp_db_path path;
    action_id id;
    clock::time_point start;
    {
        testing::stores s(path.str());
        watch_store watches(s.db, s.clock);
        id = s.request();
        start = s.clock.now();
        REQUIRE(watches.start(watch_of(id, start)));
    }
    testing::stores reopened(path.str());
    watch_store watches(reopened.db, reopened.clock);
    auto active = watches.active();
    REQUIRE(active);
    REQUIRE(active->size() == 1);
    CHECK(active->front().action == id);
    CHECK(active->front().ends_at == start + 15min);
}
