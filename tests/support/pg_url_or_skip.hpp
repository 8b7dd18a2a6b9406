#pragma once
// The first line of every [postgres] test case.

#include "tests/support/postgres_fixture.hpp"

#include <catch2/catch.hpp>

/// Declares `name` = the test server's URL (std::optional<std::string>, engaged after this line), or ends the test
/// case with a warning when scripts/run-tests did not start a server. Under CI=true test_pg_url() throws instead, so
/// the case fails: CI never passes a test that did not run. A macro because only it can return from the case.
#define OPSBOT_PG_URL_OR_SKIP(name)                                                    \
    auto name = ::opsbot::testing::test_pg_url();                                      \
    if (!name) {                                                                       \
        WARN("OPSBOT_TEST_PG_URL is not set: skipped (`make test` starts the server)"); \
        return;                                                                        \
    }
