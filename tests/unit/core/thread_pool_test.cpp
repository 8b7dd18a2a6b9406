#include "core/thread_pool.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <latch>

using namespace opsbot;

TEST_CASE("a pool starts threads only as jobs need them, never more than its bound") {
    thread_pool pool(3);
    CHECK(pool.thread_count() == 0);  // an idle pool holds no thread
    pool.post([] {});
    pool.wait_idle();
    CHECK(pool.thread_count() == 1);

    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    for (int i = 0; i < 5; ++i) {
        pool.post([&] {
            ++started;
            released.wait();
            ++finished;
        });
    }
    CHECK(pool.thread_count() == 3);  // five blocking jobs, three threads: two wait in the queue
    release.set_value();
    pool.wait_idle();
    CHECK(finished == 5);
    CHECK(pool.thread_count() == 3);
}

TEST_CASE("each thread of a pool runs the start hook before any job") {
    thread_local bool hooked = false;
    std::atomic<int> hooks{0};
    thread_pool pool(2, [&] {
        hooked = true;
        ++hooks;
    });
    std::atomic<int> unhooked_jobs{0};
    std::latch both_running(2);  // the two jobs run at once: on two threads
    for (int i = 0; i < 2; ++i) {
        pool.post([&] {
            if (!hooked) {
                ++unhooked_jobs;
            }
            both_running.arrive_and_wait();
        });
    }
    pool.wait_idle();
    CHECK(hooks == 2);
    CHECK(unhooked_jobs == 0);
}

TEST_CASE("discard_queued drops the jobs not started and shutdown joins the running one") {
    thread_pool pool(1);
    std::promise<void> running;
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<bool> first_done{false};
    std::atomic<int> later_ran{0};
    pool.post([&] {
        running.set_value();
        released.wait();
        first_done = true;
    });
    running.get_future().wait();
    for (int i = 0; i < 3; ++i) {
        pool.post([&] { ++later_ran; });
    }
    pool.discard_queued();
    release.set_value();
    pool.shutdown();
    CHECK(first_done);  // joined: finished before shutdown returned
    CHECK(later_ran == 0);
    CHECK(pool.thread_count() == 0);
}
