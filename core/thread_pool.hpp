#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace opsbot {

/// A bounded pool for blocking work (SQLite, subprocesses, platform HTTP calls), so the I/O thread that acknowledges
/// Slack envelopes never waits on it. Threads start on demand, when a job finds none free, up to `max_threads`; an
/// idle bot holds none it never needed. Exceptions escaping a job are logged, not rethrown. Every thread is joined by
/// shutdown() (or the destructor): nothing the pool ran outlives it.
class thread_pool {
public:
    /// `on_thread_start` runs first on each new thread (the runtime installs its call pool there,
    /// commands/plan/concurrent_call.hpp).
    explicit thread_pool(size_t max_threads, std::function<void()> on_thread_start = {});
    ~thread_pool();
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    void post(std::function<void()> job);

    /// Blocks until every job posted so far has finished.
    void wait_idle();
    /// The same, false after `limit`.
    bool wait_idle_for(std::chrono::milliseconds limit);

    /// Drops the jobs not started yet (their owners are gone: platform calls whose callers' deadlines passed).
    void discard_queued();

    /// Stops taking jobs, finishes those queued, joins the threads. Idempotent.
    void shutdown();

    /// Threads started so far (tests).
    size_t thread_count() const;

private:
    void worker();

    const size_t max_threads_;
    std::function<void()> on_thread_start_;
    mutable std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable idle_;
    std::deque<std::function<void()>> jobs_;
    size_t running_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace opsbot
