// The stack description (`--config FILE`, JSON with comments and trailing commas; config/config.hpp): the loader
// with its validation, under two environments (every variable set, none set), and the duration syntax ("15m").
// Invariants: nothing throws; either a config or at least one problem comes back, every problem says something;
// a duration that parses is not negative and within a century.

#include "config/config.hpp"
#include "fuzz/fuzz_check.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace opsbot;

std::optional<std::string> every_variable_set(const std::string& name) { return "fuzz-value-of-" + name; }
std::optional<std::string> no_variable_set(const std::string& /*name*/) { return std::nullopt; }

void check_load(std::string_view text, env_lookup env) {
    config_load_result loaded = parse_config(text, env);
    FUZZ_REQUIRE(loaded.config.has_value() || !loaded.problems.empty());
    for (const auto& problem : loaded.problems) {
        FUZZ_REQUIRE(!problem.message.empty());
    }
    if (loaded.config) {
        for (const auto& name : loaded.config->secret_env_names()) {
            FUZZ_REQUIRE(!name.empty());
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    check_load(text, every_variable_set);
    check_load(text, no_variable_set);
    if (size <= 64) {
        if (auto d = parse_duration(text)) {
            FUZZ_REQUIRE(d->count() >= 0);
            FUZZ_REQUIRE(*d <= std::chrono::hours{24 * 366 * 100});
        }
    }
    return 0;
}
