// Start-up recovery comes before the Socket Mode link (model/approval.pml, configuration OLD_STARTUP_ORDER, found
// the race): runtime::run() used to post the recovery to the worker pool while the link opened, so a click or a
// break-glass of the new process could start an action that the late recovery then marked interrupted, releasing
// its locks while its step ran.
#include "tests/support/bot_harness.hpp"

#include "bot/platform_factory.hpp"
#include "bot/runtime.hpp"
#include "commands/plan/plan.hpp"
#include "storage/action_store.hpp"
#include "storage/database.hpp"
#include "storage/lock_store.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace {

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

/// An adversarial scheduler: every thread that asks this clock the time waits until release(), except the threads
/// marked free. With the thread of runtime::run() free, what run() does on its own thread before the Socket Mode
/// link opens is done by then; what it left to the worker pool (or the sweeper) is not.
class held_clock final : public clock {
public:
    time_point now() const override {
        std::unique_lock lock(mutex_);
        released_cv_.wait(lock, [this] { return released_ || free_.contains(std::this_thread::get_id()); });
        return std::chrono::system_clock::now();
    }
    void free_this_thread() {
        std::lock_guard lock(mutex_);
        free_.insert(std::this_thread::get_id());
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            released_ = true;
        }
        released_cv_.notify_all();
    }

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable released_cv_;
    std::set<std::thread::id> free_;
    bool released_ = false;
};

/// Runs the bot on its own thread; at the end (also when a REQUIRE fails) lets the held threads go, then stops it.
struct serving_bot {
    held_clock& clk;
    bot::runtime& bot;
    std::thread thread;
    ~serving_bot() {
        clk.release();
        bot.stop();
        if (thread.joinable()) {
            thread.join();
        }
    }
};

/// What a killed process left behind: a rollback of api running, holding the lock of api production.
void leave_running_action(const std::string& db_path) {
    storage::database db(db_path);
    system_clock clk;
    storage::action_store actions(db, clk);
    storage::lock_store locks(db, clk);
    commands::plan plan;
    plan.family = "rollback";
    plan.title = "Roll back api (production)";
    plan.service = "api";
    plan.environment = "production";
    plan.steps.push_back(commands::plan_step{"Roll api back to rw-prev-2", "railway.rollback", {{"service", "api"}}, 300s});
    storage::new_action request;
    request.family = plan.family;
    request.subject = plan.title;
    request.requester = user_id(requester);
    request.channel = channel_id(ops_channel);
    request.plan_json = boost::json::serialize(plan.to_json());
    request.plan_digest = plan.digest();
    request.required_approvals = 1;
    request.expires_at = clk.now() + 15min;
    auto id = actions.create(request);
    REQUIRE(id);
    REQUIRE(actions.transition(*id, storage::action_state::awaiting_approval, storage::action_state::approved, approver_a));
    REQUIRE(locks.claim("api", "production", id->str(), plan.title, clk.now() + 10min));
    REQUIRE(actions.transition(*id, storage::action_state::approved, storage::action_state::running, "opsbot"));
}

}  // namespace

TEST_CASE("what a dead process left running is marked interrupted, its locks freed, before the Socket Mode link opens") {
    temp_dir dir;
    const std::string db_path = (dir.path() / "opsbot.db").string();
    leave_running_action(db_path);
    REQUIRE(action_state_in(db_path, "A-1") == "running");
    REQUIRE(active_lock_count(db_path) == 1);

    sim::slack_simulator slack;
    stack_config config = harness_config(slack.api_url(), db_path, nullptr, nullptr, nullptr, {});
    held_clock clk;
    clk.free_this_thread();  // the runtime is built here
    bot::runtime_options options;
    options.clk = &clk;
    auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    bot::runtime bot(config, bot::slack_tokens{slack.options().app_token, slack.options().bot_token},
                     bot::make_platform_registry(config, no_env), options);
    serving_bot serving{clk, bot, std::thread([&] {
                            clk.free_this_thread();
                            bot.run();
                        })};
    REQUIRE(bot.wait_ready(20s));

    // The link is open and every other thread still stands: a click could be handled from now on.
    CHECK(action_state_in(db_path, "A-1") == "interrupted");
    CHECK(active_lock_count(db_path) == 0);

    clk.release();
    // And it is reported, as before.
    CHECK(slack.wait_for(
        [&] {
            for (const auto& m : messages_in(slack, incident_channel)) {
                if (text_of(m).find("A-1") != std::string::npos && text_of(m).find("interrupted") != std::string::npos) {
                    return true;
                }
            }
            return false;
        },
        20s));
}
