#include "storage/database.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "storage/migration_runner.hpp"
#include "storage/schema_migrations.hpp"
#include "storage/sqlite_connection.hpp"

namespace opsbot::storage {
namespace {

std::string file_name(const std::string& path) {
    if (path == ":memory:") {
        return path;
    }
    return std::filesystem::path(path).filename().string();
}

std::span<const migration> migrations_for(sql::backend kind) {
    if (kind == sql::backend::postgresql) {
        return postgres_schema_migrations();
    }
    return schema_migrations();
}

}  // namespace

struct database::impl {
    std::string path;
    std::mutex mutex;
    std::unique_ptr<sql::connection> sql;
    std::string replica;  // under mutex
};

database::database(const std::string& path, open_mode mode)
    : database(std::make_unique<sqlite_connection>(path, mode == open_mode::read_only), path, file_name(path), mode) {}

database::database(std::unique_ptr<sql::connection> conn, std::string display_name, open_mode mode)
    : database(std::move(conn), display_name, display_name, mode) {}

// `path` names the database in open errors (the full path, as the operator typed it), `short_name` in the
// schema-version and migration messages.
database::database(std::unique_ptr<sql::connection> conn, const std::string& path, const std::string& short_name,
                   open_mode mode)
    : impl_(std::make_unique<impl>()) {
    impl_->path = path;
    impl_->sql = std::move(conn);
    auto& opened = *impl_->sql;
    const auto steps = migrations_for(opened.kind());
    try {
        if (mode == open_mode::read_only) {
            check_not_newer(short_name, read_schema_version(opened, path), steps);
            return;
        }
        apply_migrations(opened, steps, short_name);
    } catch (const sql::error& e) {
        throw database_error(fmt::format("cannot open database {}: {}", path, e.what()));
    }
}

database::~database() = default;

database::session database::acquire() {
    return session(impl_->mutex, *impl_->sql, impl_->replica);
}

void database::set_replica(const std::string& id) {
    std::lock_guard lock(impl_->mutex);
    impl_->replica = id;
}

std::string database::replica() {
    return acquire().replica();
}

int database::schema_version() {
    auto s = acquire();
    return read_schema_version(s.sql(), impl_->path);
}

int database::latest_schema_version() {
    return latest_version(schema_migrations());
}

sql::backend database::backend() const {
    return impl_->sql->kind();
}

const std::string& database::path() const {
    return impl_->path;
}

}  // namespace opsbot::storage
