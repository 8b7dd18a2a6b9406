#include "core/file_modes.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace opsbot {
namespace {

constexpr mode_t group_and_other = 077;

}  // namespace

result<bool> tighten_mode(const std::string& path) {
    // Through a symbolic link: the mode that matters is the one of the file the bot reads and writes.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) {
            return false;
        }
        return fail(error_kind::unavailable, fmt::format("cannot read the mode of {}: {}", path, std::strerror(errno)));
    }
    const mode_t old_mode = st.st_mode & 07777;
    if ((old_mode & group_and_other) == 0) {
        return false;
    }
    const mode_t new_mode = old_mode & ~group_and_other;
    if (::chmod(path.c_str(), new_mode) != 0) {
        return fail(error_kind::unavailable, fmt::format("cannot make {} private (chmod {:04o}): {}", path, new_mode,
                                                         std::strerror(errno)));
    }
    spdlog::warn("{} was readable by others: mode changed from {:04o} to {:04o}", path, old_mode, new_mode);
    return true;
}

result<void> make_private_directory(const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    fs::path walked;
    // Each missing component is made 0700 as it is created: no moment in which it is open to others.
    for (const auto& part : target) {
        walked /= part;
        if (::mkdir(walked.c_str(), 0700) != 0 && errno != EEXIST) {
            return fail(error_kind::unavailable,
                        fmt::format("cannot create the directory {}: {}", walked.string(), std::strerror(errno)));
        }
    }
    std::error_code ec;
    if (!fs::is_directory(target, ec)) {
        return fail(error_kind::unavailable, fmt::format("{} is not a directory", path));
    }
    auto tightened = tighten_mode(path);
    if (!tightened) {
        return std::unexpected(tightened.error());
    }
    return {};
}

result<void> create_private_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return fail(errno == EEXIST ? error_kind::conflict : error_kind::unavailable,
                    fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    }
    ::close(fd);
    return {};
}

}  // namespace opsbot
