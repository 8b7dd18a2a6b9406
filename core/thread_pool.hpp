#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace opsbot {

/// A small fixed pool for blocking work (SQLite, subprocesses, platform HTTP calls), so the I/O thread
/// that acknowledges Slack envelopes never waits on it. Exceptions escaping a job are logged, not rethrown.
class thread_pool {
public:
    explicit thread_pool(size_t threads);
    ~thread_pool();
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    void post(std::function<void()> job);

    /// Blocks until every job posted so far has finished or is parked.
    void wait_idle();

    /// Called from inside a job that is about to block on a person (a rotation waiting for
    /// `/rotate SECRET --continue`, possibly for hours): wait_idle() stops waiting for it. unpark() when it
    /// goes on working.
    void park();
    void unpark();

    /// Stops taking jobs, finishes those queued, joins the threads. Idempotent.
    void shutdown();

private:
    void worker();

    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable idle_;
    std::deque<std::function<void()>> jobs_;
    size_t running_ = 0;
    size_t parked_ = 0;  ///< running jobs that wait on a person (see park())
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace opsbot
