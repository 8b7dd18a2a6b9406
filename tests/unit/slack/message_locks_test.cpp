#include "bot/slack/message_locks.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>

using namespace opsbot::bot;
using namespace std::chrono_literals;

TEST_CASE("the update of another message goes on while one message's lock is held") {
    message_locks locks;
    std::promise<void> held;
    std::promise<void> release;
    auto released = release.get_future().share();
    auto slow = std::async(std::launch::async, [&] {
        auto lock = locks.lock("A-1");
        held.set_value();
        released.wait();  // a slow chat.update of A-1's message
    });
    held.get_future().wait();
    // On another thread, so a regression (one lock for all) shows as a timeout, not a hang.
    auto other = std::async(std::launch::async, [&] { auto lock = locks.lock("A-2"); });
    CHECK(other.wait_for(10s) == std::future_status::ready);
    release.set_value();
    slow.get();
    CHECK(locks.keys_in_use() == 0);  // entries go with their last user
}

TEST_CASE("updates of one message wait for each other and keep their order") {
    message_locks locks;
    std::promise<void> held;
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<bool> first_done{false};
    std::atomic<bool> second_saw_first_done{false};
    auto first = std::async(std::launch::async, [&] {
        auto lock = locks.lock("A-1");
        held.set_value();
        released.wait();
        first_done = true;
    });
    held.get_future().wait();
    auto second = std::async(std::launch::async, [&] {
        auto lock = locks.lock("A-1");
        second_saw_first_done = first_done.load();
    });
    CHECK(second.wait_for(50ms) == std::future_status::timeout);  // still waiting behind the first
    release.set_value();
    first.get();
    second.get();
    CHECK(second_saw_first_done);
    CHECK(locks.keys_in_use() == 0);
}
