#pragma once

// The providers' published API descriptions committed under tests/api_specs/ (README there names the sources),
// loaded once per test process.

#include "tests/support/graphql_schema.hpp"

namespace opsbot::testing {

/// Railway's public GraphQL schema (tests/api_specs/railway-schema.json); a test fails at once if it does not load.
const graphql::schema& railway_schema();

}  // namespace opsbot::testing
