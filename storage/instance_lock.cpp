#include "storage/instance_lock.hpp"

#include "core/file_modes.hpp"
#include "storage/time_format.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace opsbot::storage {
namespace {

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) {
        return "an unknown host";
    }
    return name;
}

/// What the holder wrote: "pid 4242 on host ops-1 since …", or a note when it is not there yet.
std::string holder_of(int fd) {
    char text[512] = {};
    const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
    std::string_view holder(text, got > 0 ? static_cast<size_t>(got) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) {
        holder.remove_suffix(1);
    }
    return holder.empty() ? std::string("an instance that is still starting") : std::string(holder);
}

}  // namespace

std::string instance_lock::file_for(const std::string& database_path) {
    return database_path + ".instance";
}

result<instance_lock> instance_lock::acquire(const std::string& database_path, const clock& clk) {
    const std::string path = file_for(database_path);
    // O_CREAT without O_TRUNC: a second instance opening the holder's file changes nothing in it.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return fail(error_kind::unavailable, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    }
    instance_lock lock(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            return fail(error_kind::conflict,
                        fmt::format("another opsbot is already running on {}: {} (lock file {})", database_path,
                                    holder_of(fd), path));
        }
        return fail(error_kind::unavailable, fmt::format("cannot lock {}: {}", path, std::strerror(errno)));
    }
    // A file left by an older opsbot may be readable by others: it names a host and a pid only, but the rule is one.
    if (auto tightened = tighten_mode(path); !tightened) {
        return std::unexpected(tightened.error());
    }
    const std::string holder = fmt::format("pid {} on host {} since {}\n", ::getpid(), host_name(),
                                           format_iso8601_ms(clk.now()));
    const bool written = ::ftruncate(fd, 0) == 0 &&
                         ::pwrite(fd, holder.data(), holder.size(), 0) == static_cast<ssize_t>(holder.size());
    if (!written) {
        return fail(error_kind::unavailable, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
    return lock;
}

instance_lock::instance_lock(instance_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

instance_lock& instance_lock::operator=(instance_lock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

instance_lock::~instance_lock() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

}  // namespace opsbot::storage
