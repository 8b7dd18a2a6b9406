// A runtime that cannot starve (issue 13 item 4, docs/design.md "Runtime model"): answers never queue behind
// executions, one slow chat.update holds up no other action's message, and nothing the runtime started outlives it.
#include "tests/support/bot_harness.hpp"

#include "adapters/http_client.hpp"
#include "sim/http_server.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <filesystem>
#include <mutex>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

size_t status_answers(const sim::slack_simulator& slack) {
    size_t n = 0;
    for (const auto& m : slack.messages("response_url")) {
        n += contains(m.text, "Production status") ? 1 : 0;
    }
    return n;
}

/// Threads of this process now.
size_t thread_count() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        ++n;
    }
    return n;
}

/// The Slack Web API as the bot sees it: forwards every call to the simulator, except that a chat.update of the
/// held message waits until released (a slow Slack for that one message).
class slow_update_proxy {
public:
    explicit slow_update_proxy(std::string target) : target_(std::move(target)) {}
    ~slow_update_proxy() {
        release();
        server_.stop();
    }

    std::string api_url() const { return server_.base_url() + "/api/"; }

    void hold_updates_of(const std::string& ts) {
        std::lock_guard lock(mutex_);
        held_ts_ = ts;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            held_ts_.clear();
        }
        changed_.notify_all();
    }
    /// Waits until a chat.update of the held message is being held.
    bool wait_holding(std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return holding_ > 0; });
    }

private:
    sim::response forward(const sim::request& r) {
        if (r.path == "/api/chat.update") {
            std::unique_lock lock(mutex_);
            if (!held_ts_.empty() && contains(r.body, held_ts_)) {
                ++holding_;
                changed_.notify_all();
                changed_.wait(lock, [&] { return held_ts_.empty(); });
                --holding_;
            }
        }
        adapters::http_request out;
        out.method = r.method;
        out.url = target_ + r.target;
        out.body = r.body;
        out.one_attempt = true;
        for (const auto& [name, value] : r.headers) {
            if (name == "Authorization" || name == "authorization" || name == "Content-Type" ||
                name == "content-type") {
                out.headers.push_back({name, value});
            }
        }
        auto answer = client_->send(out);
        if (!answer) {
            return sim::response::text(502, answer.error().message);
        }
        sim::response back;
        back.status = answer->status;
        back.body = answer->body;
        if (auto type = answer->header("Content-Type")) {
            back.headers.emplace_back("Content-Type", *type);
        }
        return back;
    }

    std::string target_;
    std::unique_ptr<adapters::http_client> client_ = adapters::make_http_client();
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string held_ts_;
    int holding_ = 0;
    sim::http_server server_{[this](const sim::request& r) { return forward(r); }};
};

}  // namespace

TEST_CASE("with every execution thread busy, /deploy status is still answered") {
    harness_options o;
    o.request_threads = 1;
    o.execution_threads = 1;
    bot_harness h(o);
    h.command(requester, "/rollback", "api");
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    // The approved rollback's first platform call never answers: the one execution thread stays busy.
    h.railway().knobs().block();
    h.click_now(approver_a, *approve);
    REQUIRE(h.railway().knobs().wait_blocked(1));

    h.slack().send_slash_command(requester, ops_channel, "/deploy", "status");
    // Railway still holds the execution's call: the answer says so for Railway, and comes anyway.
    CHECK(h.slack().wait_for([&] { return status_answers(h.slack()) == 1; }, 20s));
    CHECK(h.state_of("A-1") != "succeeded");

    h.railway().knobs().release();
    h.settle();
    CHECK(h.state_of("A-1") == "succeeded");
}

TEST_CASE("a slow chat.update of one action's message holds up no other action's message") {
    sim::slack_simulator* slack = nullptr;
    std::unique_ptr<slow_update_proxy> proxy;
    harness_options o;
    o.configure = [&](stack_config& c) {
        // Only the Web API goes through the proxy; the link and the response URLs stay direct.
        proxy = std::make_unique<slow_update_proxy>(c.slack.api_url.substr(0, c.slack.api_url.size() - 5));
        c.slack.api_url = proxy->api_url();
    };
    bot_harness h(o);
    slack = &h.slack();
    h.command(requester, "/rollback", "api");
    h.command(requester, "/rollback", "web");
    auto first = h.button("A-1", "deny");
    auto second = h.button("A-2", "deny");
    REQUIRE(first);
    REQUIRE(second);

    proxy->hold_updates_of(first->message_ts);
    h.click_now(approver_a, *first);
    REQUIRE(proxy->wait_holding(20s));  // A-1's update is on its way to a Slack that does not answer

    h.click_now(approver_a, *second);
    auto a2_updated = [&] {
        for (const auto& m : slack->messages("chat.update")) {
            if (m.ts == second->message_ts && contains(text_of(m), "Denied by")) {
                return true;
            }
        }
        return false;
    };
    CHECK(slack->wait_for(a2_updated, 20s));

    proxy->release();
    h.settle();
    auto a1 = h.message_of("A-1");
    REQUIRE(a1);
    CHECK(contains(text_of(*a1), "Denied by"));
}

TEST_CASE("a runtime leaves no thread behind, not even a platform call that outlived its answer") {
    const size_t before = thread_count();
    {
        bot_harness h;
        // Railway answers after the status answer's 2 s deadline: the call is still running when the answer goes.
        h.railway().knobs().delay_each(3s);
        h.slack().send_slash_command(requester, ops_channel, "/deploy", "status");
        REQUIRE(h.slack().wait_for([&] { return status_answers(h.slack()) == 1; }, 20s));
        auto answers = h.slack().messages("response_url");
        CHECK(contains(text_of(answers.back()), "did not answer"));
    }  // stops the runtime (and joins its pools) before the fakes go
    CHECK(thread_count() == before);
}
