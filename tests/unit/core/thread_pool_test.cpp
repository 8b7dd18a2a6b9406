#include "core/thread_pool.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>

using namespace opsbot;

TEST_CASE("wait_idle waits for running jobs but not for a parked one") {
    thread_pool pool(2);
    std::promise<void> person_answers;
    auto answered = person_answers.get_future().share();
    std::promise<void> parked_now;
    std::atomic<bool> resumed{false};
    pool.post([&] {
        pool.park();  // like a rotation waiting for `/rotate SECRET --continue`
        parked_now.set_value();
        answered.wait();
        pool.unpark();
        resumed = true;
    });
    std::atomic<int> done{0};
    for (int i = 0; i < 20; ++i) {
        pool.post([&] { ++done; });
    }
    parked_now.get_future().wait();
    pool.wait_idle();  // returns although the parked job still blocks
    CHECK(done == 20);
    CHECK_FALSE(resumed);

    person_answers.set_value();
    pool.shutdown();
    CHECK(resumed);
}

TEST_CASE("wait_idle still waits for a job that unparked and goes on working") {
    thread_pool pool(1);
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<bool> finished{false};
    std::promise<void> working_again;
    pool.post([&] {
        pool.park();
        pool.unpark();
        working_again.set_value();
        released.wait();
        finished = true;
    });
    working_again.get_future().wait();
    auto idle = std::async(std::launch::async, [&] { pool.wait_idle(); });
    CHECK(idle.wait_for(std::chrono::milliseconds{50}) == std::future_status::timeout);
    release.set_value();
    idle.wait();
    CHECK(finished);
}
