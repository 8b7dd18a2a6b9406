#pragma once
// What a harness asserts about a parser (fuzz/README.md): a failed invariant aborts, which libFuzzer reports as a
// crash with its input and the replay test (ctest label fuzz) fails on. Unlike assert(), it holds under NDEBUG too.

#include <cstdio>
#include <cstdlib>

#define FUZZ_REQUIRE(condition)                                                                             \
    do {                                                                                                   \
        if (!(condition)) {                                                                                \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition);     \
            std::abort();                                                                                  \
        }                                                                                                  \
    } while (false)
