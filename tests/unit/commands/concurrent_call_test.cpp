#include "commands/plan/concurrent_call.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace opsbot;
using namespace opsbot::commands;
using namespace std::chrono_literals;

namespace {

/// Installs `pool` as this thread's call pool for the scope (as the runtime does on its worker threads).
struct pool_scope {
    explicit pool_scope(thread_pool& pool) { use_call_pool(&pool); }
    ~pool_scope() { use_call_pool(nullptr); }
};

}  // namespace

TEST_CASE("a call runs on the call pool of the thread that started it, not on a thread of its own") {
    thread_pool calls(2);
    pool_scope scope(calls);
    auto call = start_call([] { return std::this_thread::get_id(); });
    auto ran_on = await(call, std::chrono::steady_clock::now() + 10s);
    REQUIRE(ran_on);
    CHECK(*ran_on != std::this_thread::get_id());
    CHECK(calls.thread_count() == 1);  // the pool's thread, which its shutdown joins
}

TEST_CASE("a call its pool dropped before running it reads as no answer, at once") {
    thread_pool calls(1);
    pool_scope scope(calls);
    std::promise<void> release;
    auto released = release.get_future().share();
    calls.post([released] { released.wait(); });  // the one thread is busy
    auto call = start_call([] { return 42; });
    calls.discard_queued();  // what the runtime does at shutdown, once no caller is left
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(await(call, started + 30s).has_value());
    CHECK(std::chrono::steady_clock::now() - started < 10s);  // not the deadline: the promise was broken
    release.set_value();
}

TEST_CASE("an exception thrown by a call reaches the caller") {
    thread_pool calls(1);
    pool_scope scope(calls);
    auto call = start_call([]() -> int { throw std::runtime_error("platform exploded"); });
    CHECK_THROWS_WITH(await(call, std::chrono::steady_clock::now() + 10s), "platform exploded");
}
