#pragma once

#include <span>
#include <string_view>

namespace opsbot::storage {

/// One step of the bot's schema. Numbers start at 1 and never change once released; a new table or
/// column is a new migration at the end of the list.
struct migration {
    int version;
    std::string_view description;
    std::string_view sql;
};

/// All migrations, in order.
std::span<const migration> schema_migrations();

}  // namespace opsbot::storage
