// random_hex: OpenSSL CSPRNG bytes as lower-case hex (docs/platforms.md §6, locally generated secrets).
#include "adapters/secret_provider.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <set>

using opsbot::adapters::random_hex;

TEST_CASE("random_hex: two hex digits per byte, lower case only", "[random_hex]") {
    const std::regex lower_hex("^[0-9a-f]+$");
    for (const std::size_t bytes : {1U, 16U, 32U, 64U}) {
        const auto text = random_hex(bytes);
        CHECK(text.size() == bytes * 2);
        CHECK(std::regex_match(text, lower_hex));
    }
    CHECK(random_hex(0).empty());
}

TEST_CASE("random_hex: calls differ and all digits appear over many draws", "[random_hex]") {
    CHECK(random_hex(32) != random_hex(32));
    std::set<std::string> seen;
    std::set<char> digits;
    for (int i = 0; i < 200; ++i) {
        const auto text = random_hex(16);
        seen.insert(text);
        digits.insert(text.begin(), text.end());
    }
    CHECK(seen.size() == 200);
    CHECK(digits.size() == 16);
}
