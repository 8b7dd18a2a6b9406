// Loads the committed API descriptions once (tests/api_specs/README.md).
#include "tests/support/api_specs.hpp"

#include "tests/support/paths.hpp"

#include <stdexcept>

namespace opsbot::testing {

const graphql::schema& railway_schema() {
    static const graphql::schema loaded = [] {
        auto s = graphql::schema::load(source_dir() + "/tests/api_specs/railway-schema.json");
        if (!s) {
            throw std::runtime_error("Railway schema: " + s.error());
        }
        return std::move(*s);
    }();
    return loaded;
}

}  // namespace opsbot::testing
