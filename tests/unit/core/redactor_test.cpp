#include "core/redactor.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

using opsbot::redact_token_shapes;
using opsbot::redactor;

TEST_CASE("a registered value is replaced by its label", "[redactor]") {
    redactor r;
    r.add_secret("railway-secret-value-1", "RAILWAY_TOKEN");
    CHECK(r.redact("token=railway-secret-value-1; again railway-secret-value-1") ==
          "token=[redacted:RAILWAY_TOKEN]; again [redacted:RAILWAY_TOKEN]");
    r.add_secret("unlabelled-secret");
    CHECK(r.redact("x unlabelled-secret y") == "x [redacted] y");
    CHECK_FALSE(r.is_clean("railway-secret-value-1"));
    r.remove_secret("railway-secret-value-1");
    CHECK(r.redact("railway-secret-value-1") == "railway-secret-value-1");
}

TEST_CASE("the longer of two overlapping secrets is replaced whole", "[redactor]") {
    redactor r;
    r.add_secret("abcdef", "SHORT");
    r.add_secret("abcdef-and-more", "LONG");
    CHECK(r.redact("abcdef-and-more") == "[redacted:LONG]");
    CHECK(r.redact("abcdef!") == "[redacted:SHORT]!");
}

TEST_CASE("values shorter than 6 characters are ignored", "[redactor]") {
    redactor r;
    r.add_secret("abc", "X");
    r.add_secret("", "Y");
    CHECK(r.redact("abc is fine") == "abc is fine");
}

TEST_CASE("credential shapes are redacted", "[redactor]") {
    CHECK(redact_token_shapes("bot xoxb-1234-5678-abcdefgh here") == "bot xoxb-[redacted] here");
    CHECK(redact_token_shapes("app xapp-1-A0-123456-abcdef") == "app xapp-[redacted]");
    CHECK(redact_token_shapes("key sk-proj-abcdefghijklmnopqrstu.") == "key sk-[redacted].");
    CHECK(redact_token_shapes("Authorization: Bearer abc.def.ghi, next") == "Authorization: Bearer [redacted], next");
    CHECK(redact_token_shapes("postgres://user:hunter2pass@db.example:5432/app") ==
          "postgres://user:[redacted]@db.example:5432/app");
    CHECK(redact_token_shapes("token ghp_abcdefghijklmnop1234") == "token ghp_[redacted]");
}

TEST_CASE("ordinary text is left alone", "[redactor]") {
    for (const char* text : {"task-manager restarted", "skip-deploys is true", "sk-short", "xoxb-", "Bearer",
                             "https://api.vercel.com/v6/deployments", "desk-lamp-lighting-controls",
                             "risk-assessment-for-deployment", "postgres://host/db", "user@example.com"}) {
        INFO(text);
        CHECK(redact_token_shapes(text) == text);
        CHECK(redactor{}.is_clean(text));
    }
}

TEST_CASE("the redactor is safe to use from several threads", "[redactor]") {
    redactor r;
    std::atomic<int> wrong{0};  // Catch2 assertions are not thread-safe: count, then check once
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&r, &wrong, t] {
            for (int i = 0; i < 200; ++i) {
                std::string value = "secret-value-" + std::to_string(t) + "-" + std::to_string(i);
                r.add_secret(value, "S");
                if (r.redact("x " + value) != "x [redacted:S]") {
                    ++wrong;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    CHECK(wrong == 0);
    CHECK(r.redact("secret-value-3-199") == "[redacted:S]");
}

namespace {

/// Blocks released through the wiping allocator while a test runs: their size and whether they were all zeros.
std::vector<std::pair<std::size_t, bool>>* released = nullptr;

void observe(const unsigned char* data, std::size_t size) {
    if (released != nullptr) {
        released->emplace_back(size, std::all_of(data, data + size, [](unsigned char c) { return c == 0; }));
    }
}

struct watching_releases {
    std::vector<std::pair<std::size_t, bool>> blocks;
    watching_releases() {
        released = &blocks;
        opsbot::set_wipe_observer(&observe);
    }
    ~watching_releases() {
        opsbot::set_wipe_observer(nullptr);
        released = nullptr;
    }
    /// A block at least `size` long went back, and nothing went back with a byte left in it.
    bool wiped_block_of(std::size_t size) const {
        const bool big_enough = std::any_of(blocks.begin(), blocks.end(), [&](const auto& b) { return b.first >= size; });
        const bool all_zero = std::all_of(blocks.begin(), blocks.end(), [](const auto& b) { return b.second; });
        return big_enough && all_zero;
    }
};

}  // namespace

TEST_CASE("the redactor's copy of a value is wiped when the value is removed", "[redactor]") {
    const std::string value = "rotated-secret-value-0123456789abcdef";
    redactor r;
    r.add_secret(value, "SECRET");
    watching_releases w;
    r.remove_secret(value);
    CHECK(w.wiped_block_of(value.size()));
    CHECK(r.redact(value) == value);  // really gone
}

TEST_CASE("the redactor's copies are wiped when it is destroyed, short values too", "[redactor]") {
    watching_releases w;
    {
        redactor r;
        r.add_secret("short1", "A");  // would fit a small-string buffer: kept on the heap anyway
        r.add_secret("a-longer-secret-value-for-the-heap-0123456789", "B");
        w.blocks.clear();
    }
    CHECK(w.wiped_block_of(std::string("a-longer-secret-value-for-the-heap-0123456789").size()));
    CHECK(w.blocks.size() >= 3);  // both values and the list that held them
}

TEST_CASE("the working copy of a redacted text is wiped", "[redactor]") {
    redactor r;
    r.add_secret("working-copy-secret-0123456789", "W");
    watching_releases w;
    const auto out = r.redact("before working-copy-secret-0123456789 after");
    CHECK(out == "before [redacted:W] after");
    CHECK(w.wiped_block_of(std::string("before working-copy-secret-0123456789 after").size()));
}
