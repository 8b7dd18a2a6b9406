#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"

#include <string>

namespace opsbot::storage {

/// One `opsbot run` per SQLite database (docs/design.md "Runtime model"). The holder keeps an exclusive flock on
/// "<database>.instance" (mode 0600) beside the database, and writes "pid host since" into it. The kernel drops
/// the lock when the process ends, however it ends (kill -9 included), so a stale file never blocks a start.
class instance_lock {
public:
    /// Takes the lock for `database_path`. When another process holds it: error_kind::conflict, and the message
    /// names that instance ("pid 4242 on host ops-1 since 2026-11-27T10:15:00.000Z"). Touches nothing else: the
    /// database is neither opened nor created. Other failures (no such directory, no permission) are unavailable.
    static result<instance_lock> acquire(const std::string& database_path, const clock& clk);

    instance_lock(instance_lock&& other) noexcept;
    instance_lock& operator=(instance_lock&& other) noexcept;
    instance_lock(const instance_lock&) = delete;
    instance_lock& operator=(const instance_lock&) = delete;
    /// Closing the descriptor releases the lock.
    ~instance_lock();

    /// "<database>.instance".
    static std::string file_for(const std::string& database_path);

private:
    explicit instance_lock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace opsbot::storage
