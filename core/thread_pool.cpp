#include "core/thread_pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace opsbot {

thread_pool::thread_pool(size_t max_threads, std::function<void()> on_thread_start)
    : max_threads_(std::max<size_t>(max_threads, 1)), on_thread_start_(std::move(on_thread_start)) {}

thread_pool::~thread_pool() { shutdown(); }

void thread_pool::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            spdlog::warn("thread pool is shutting down; job dropped");
            return;
        }
        jobs_.push_back(std::move(job));
        // A thread more only when every one started is busy with an earlier job (queued ones included).
        if (running_ + jobs_.size() > threads_.size() && threads_.size() < max_threads_) {
            threads_.emplace_back([this] { worker(); });
        }
    }
    work_ready_.notify_one();
}

void thread_pool::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return jobs_.empty() && running_ == 0; });
}

bool thread_pool::wait_idle_for(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return idle_.wait_for(lock, limit, [this] { return jobs_.empty() && running_ == 0; });
}

void thread_pool::discard_queued() {
    std::deque<std::function<void()>> dropped;
    {
        std::lock_guard lock(mutex_);
        dropped.swap(jobs_);
        if (running_ == 0) {
            idle_.notify_all();
        }
    }
    // Destroyed outside the lock: a job's captures (a promise) may do work of their own when they go.
}

void thread_pool::shutdown() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        threads.swap(threads_);
    }
    work_ready_.notify_all();
    for (auto& t : threads) {
        if (t.joinable()) {
            t.join();
        }
    }
}

size_t thread_pool::thread_count() const {
    std::lock_guard lock(mutex_);
    return threads_.size();
}

void thread_pool::worker() {
    if (on_thread_start_) {
        on_thread_start_();
    }
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            work_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) {
                return;
            }
            job = std::move(jobs_.front());
            jobs_.pop_front();
            ++running_;
        }
        try {
            job();
        } catch (const std::exception& e) {
            spdlog::error("background job failed: {}", e.what());
        } catch (...) {
            spdlog::error("background job failed with an unknown exception");
        }
        job = nullptr;  // its captures go before the pool counts it finished
        {
            std::lock_guard lock(mutex_);
            --running_;
            if (jobs_.empty() && running_ == 0) {
                idle_.notify_all();
            }
        }
    }
}

}  // namespace opsbot
