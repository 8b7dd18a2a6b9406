#include "core/thread_pool.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace opsbot {

thread_pool::thread_pool(size_t threads) {
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) {
        threads_.emplace_back([this] { worker(); });
    }
}

thread_pool::~thread_pool() { shutdown(); }

void thread_pool::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            spdlog::warn("thread pool is shutting down; job dropped");
            return;
        }
        jobs_.push_back(std::move(job));
    }
    work_ready_.notify_one();
}

void thread_pool::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return jobs_.empty() && running_ == parked_; });
}

void thread_pool::park() {
    {
        std::lock_guard lock(mutex_);
        ++parked_;
    }
    idle_.notify_all();
}

void thread_pool::unpark() {
    std::lock_guard lock(mutex_);
    --parked_;
}

void thread_pool::shutdown() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) {
            return;
        }
        stopping_ = true;
    }
    work_ready_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
    threads_.clear();
}

void thread_pool::worker() {
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
        {
            std::lock_guard lock(mutex_);
            --running_;
            if (jobs_.empty() && running_ == parked_) {
                idle_.notify_all();
            }
        }
    }
}

}  // namespace opsbot
