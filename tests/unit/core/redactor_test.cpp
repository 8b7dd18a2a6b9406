#include "core/redactor.hpp"

#include <catch2/catch.hpp>

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
