// Loads the committed API descriptions once (tests/api_specs/README.md).
#include "tests/support/api_specs.hpp"

#include <stdexcept>

namespace opsbot::testing {

const graphql::schema& railway_schema() {
    static const graphql::schema loaded = [] {
        // OPSBOT_API_SPECS_DIR: set by tests/CMakeLists.txt and bench/CMakeLists.txt (the starvation bench
        // compiles the Railway fake in).
        auto s = graphql::schema::load(OPSBOT_API_SPECS_DIR "/railway-schema.json");
        if (!s) {
            throw std::runtime_error("Railway schema: " + s.error());
        }
        return std::move(*s);
    }();
    return loaded;
}

}  // namespace opsbot::testing
