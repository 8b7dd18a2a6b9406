// Placeholder: filled by the PostgreSQL helper (issue 14 item 1), who replaces this file with the PostgreSQL schema.
#include "storage/schema_migrations.hpp"

namespace opsbot::storage {

const std::vector<migration>& postgres_schema_migrations() {
    static const std::vector<migration> none;
    return none;
}

}  // namespace opsbot::storage
