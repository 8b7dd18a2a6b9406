#include "core/wiping_json.hpp"

#include "core/secure_memory.hpp"

#include <boost/json/memory_resource.hpp>
#include <boost/json/parser.hpp>

#include <array>
#include <new>

namespace opsbot {

namespace {

class wiping_resource final : public boost::json::memory_resource {
    // Plain new/delete up to the default alignment, the aligned forms beyond it: the same choice on both sides
    // (the aligned forms for a default alignment are a new/delete mismatch to AddressSanitizer).
    static bool over_aligned(std::size_t align) { return align > __STDCPP_DEFAULT_NEW_ALIGNMENT__; }

    void* do_allocate(std::size_t size, std::size_t align) override {
        return over_aligned(align) ? ::operator new(size, std::align_val_t(align)) : ::operator new(size);
    }
    void do_deallocate(void* p, std::size_t size, std::size_t align) override {
        detail::wipe_released(p, size);
        if (over_aligned(align)) {
            ::operator delete(p, std::align_val_t(align));
        } else {
            ::operator delete(p);
        }
    }
    bool do_is_equal(const boost::json::memory_resource& other) const noexcept override { return this == &other; }
};

}  // namespace

boost::json::storage_ptr wiping_json_storage() {
    static const boost::json::storage_ptr storage = boost::json::make_shared_resource<wiping_resource>();
    return storage;
}

boost::json::value parse_json_wiping(std::string_view text, boost::system::error_code& ec) {
    // The parser copies strings with escapes through this buffer, then through its storage: both are wiped.
    std::array<unsigned char, BOOST_JSON_STACK_BUFFER_SIZE> scratch{};
    boost::json::value out(wiping_json_storage());  // same storage: the assignment below moves, never copies
    {
        boost::json::parser parser(wiping_json_storage(), {}, scratch.data(), scratch.size());
        parser.reset(wiping_json_storage());
        parser.write(text.data(), text.size(), ec);
        if (!ec) {
            out = parser.release();
        }
    }
    secure_erase(scratch.data(), scratch.size());
    return out;
}

}  // namespace opsbot
