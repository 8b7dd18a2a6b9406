#pragma once

// Memory that held a secret is overwritten before it is given back (issue 12 item 11): a freed buffer keeps its
// bytes until it is reused, so a core dump, a swap page or a later heap bug could show a value long gone.
// OPENSSL_cleanse does the overwrite: a plain memset of memory about to be freed may be dropped by the compiler.

#include <cstddef>
#include <new>
#include <string>
#include <string_view>

namespace opsbot {

/// Overwrites `size` bytes at `data` with zeros (OPENSSL_cleanse); the write is never optimised away.
void secure_erase(void* data, std::size_t size) noexcept;

/// Overwrites every byte a string owns (its whole capacity, so bytes left past size() by an earlier shrink or
/// a move out of its small-string buffer go too) and empties it. The buffer is kept for reuse.
template <class String>
void secure_erase(String& text) noexcept {
    // resize() to the capacity never reallocates and makes [size, capacity) legally writable.
    text.resize(text.capacity());
    secure_erase(text.data(), text.size());
    text.clear();
}

/// Called with each block a wiping allocator or the wiping JSON storage gives back, after the overwrite and
/// before the free: a seam for tests to check that the bytes are gone (null: no observer). Not for production use.
using wipe_observer = void (*)(const unsigned char* data, std::size_t size);
void set_wipe_observer(wipe_observer observer) noexcept;

namespace detail {
/// Overwrites a block about to be freed and tells the observer, if any.
void wipe_released(void* data, std::size_t size) noexcept;
}  // namespace detail

/// A std::allocator that overwrites each block before freeing it: for containers of secret values.
template <class T>
struct wiping_allocator {
    using value_type = T;

    wiping_allocator() noexcept = default;
    template <class U>
    wiping_allocator(const wiping_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept {
        detail::wipe_released(p, n * sizeof(T));
        ::operator delete(p);
    }

    template <class U>
    bool operator==(const wiping_allocator<U>&) const noexcept {
        return true;
    }
};

/// A string whose heap buffers are overwritten when freed (reallocation, destruction). Its small-string buffer
/// lives inside the object: keep such strings on the heap (reserve past the SSO size) or secure_erase() them.
using wiping_string = std::basic_string<char, std::char_traits<char>, wiping_allocator<char>>;

/// A wiping_string holding `text`, always in a heap buffer (so moving it never copies the bytes).
wiping_string make_wiping_string(std::string_view text);

}  // namespace opsbot
