// core/secure_memory and core/wiping_json: memory that held a secret is overwritten before it is freed.
#include "core/secure_memory.hpp"
#include "core/wiping_json.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

using namespace opsbot;

namespace {

/// What the wipe observer saw: one entry per released block (its size and whether every byte was zero).
struct release {
    std::size_t size = 0;
    bool zeroed = false;
};
std::vector<release>* seen = nullptr;

void record(const unsigned char* data, std::size_t size) {
    if (seen != nullptr) {
        seen->push_back({size, std::all_of(data, data + size, [](unsigned char c) { return c == 0; })});
    }
}

/// Installs the observer for one test.
struct observing {
    std::vector<release> releases;
    observing() {
        seen = &releases;
        set_wipe_observer(&record);
    }
    ~observing() {
        set_wipe_observer(nullptr);
        seen = nullptr;
    }
    bool all_zeroed() const {
        return std::all_of(releases.begin(), releases.end(), [](const release& r) { return r.zeroed; });
    }
    bool released_at_least(std::size_t size) const {
        return std::any_of(releases.begin(), releases.end(), [&](const release& r) { return r.size >= size; });
    }
};

}  // namespace

TEST_CASE("secure_erase zeroes the bytes it is given", "[secure]") {
    unsigned char buffer[64];
    std::memset(buffer, 0xAB, sizeof buffer);
    secure_erase(buffer + 8, 32);
    CHECK(std::all_of(buffer + 8, buffer + 40, [](unsigned char c) { return c == 0; }));
    CHECK(buffer[7] == 0xAB);
    CHECK(buffer[40] == 0xAB);
}

TEST_CASE("secure_erase of a string empties it and zeroes its whole buffer, small or not", "[secure]") {
    std::string small = "short-secret";  // in the small-string buffer
    secure_erase(small);
    CHECK(small.empty());
    CHECK(std::all_of(small.data(), small.data() + small.capacity(), [](char c) { return c == '\0'; }));

    std::string large(200, 'k');
    large.resize(10);  // 190 stale bytes past size()
    const auto capacity = large.capacity();
    secure_erase(large);
    CHECK(large.empty());
    CHECK(large.capacity() == capacity);  // the buffer is kept
}

TEST_CASE("a wiping allocator hands back zeroed blocks", "[secure]") {
    observing o;
    {
        wiping_string value = make_wiping_string("sk-proj-0123456789abcdef0123456789");
        value += "-and-a-much-longer-tail-that-forces-a-reallocation-of-the-buffer-xxxxxxxxxxxxxxx";
    }
    REQUIRE(o.releases.size() >= 2);  // the first buffer on growth, the second at destruction
    CHECK(o.released_at_least(32));
    CHECK(o.all_zeroed());
}

TEST_CASE("a wiping string is on the heap even when short, so moving it copies no bytes", "[secure]") {
    wiping_string value = make_wiping_string("abcdefgh");
    const char* before = value.data();
    wiping_string moved = std::move(value);
    CHECK(moved.data() == before);
}

TEST_CASE("a document parsed with wiping storage is wiped when dropped", "[secure]") {
    observing o;
    {
        boost::system::error_code ec;
        // Escapes make the parser assemble the string in its scratch space.
        auto doc = parse_json_wiping(
            R"({"data":{"variables":{"OPENAI_API_KEY":"sk-proj-\u0041bcdefghijklmnopqrstuvwxyz0123456789"}}})", ec);
        REQUIRE_FALSE(ec);
        CHECK(doc.at("data").at("variables").at("OPENAI_API_KEY").as_string() ==
              "sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789");
        CHECK(*doc.storage() == *wiping_json_storage());
        o.releases.clear();
    }
    CHECK(o.released_at_least(40));  // the string's block
    CHECK(o.all_zeroed());
}

TEST_CASE("a malformed document is refused", "[secure]") {
    boost::system::error_code ec;
    auto doc = parse_json_wiping(R"({"variables": {"A": "unterminated)", ec);
    CHECK(ec);
    CHECK(doc.is_null());
}
