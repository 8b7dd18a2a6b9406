#include "adapters/tcp_connect.hpp"

#include <fcntl.h>

namespace opsbot::adapters {

bool mark_close_on_exec(int fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    return flags != -1 && ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != -1;
}

}  // namespace opsbot::adapters
