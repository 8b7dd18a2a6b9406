#include "core/secure_memory.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>

namespace opsbot {

namespace {
std::atomic<wipe_observer> observer{nullptr};
}  // namespace

void secure_erase(void* data, std::size_t size) noexcept {
    if (data != nullptr && size > 0) {
        OPENSSL_cleanse(data, size);
    }
}

void set_wipe_observer(wipe_observer fn) noexcept { observer.store(fn); }

namespace detail {

void wipe_released(void* data, std::size_t size) noexcept {
    secure_erase(data, size);
    if (auto fn = observer.load(); fn != nullptr && data != nullptr) {
        fn(static_cast<const unsigned char*>(data), size);
    }
}

}  // namespace detail

wiping_string make_wiping_string(std::string_view text) {
    wiping_string out;
    // Past the small-string buffer: the bytes live in a heap block that only the allocator frees.
    out.reserve(std::max<std::size_t>(text.size(), 32));
    out.assign(text);
    return out;
}

}  // namespace opsbot
