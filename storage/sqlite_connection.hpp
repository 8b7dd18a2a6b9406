#pragma once
// sql::connection on one SQLite file (the embedded default). Its .cpp is the one store-side file that includes
// SQLiteCpp; everything else speaks sql::connection.

#include <memory>
#include <string>

#include "storage/sql.hpp"

namespace SQLite {
class Database;
}

namespace opsbot::storage {

/// One SQLite connection. Opening sets foreign_keys=ON and busy_timeout=5000 ms; `read_only` opens the file
/// without writing anything, otherwise it also sets synchronous=NORMAL and WAL (docs/design.md "Runtime model").
/// A new file is created 0600 and the file, -wal and -shm are tightened ("Security rules").
/// Throws database_error when the file cannot be opened.
class sqlite_connection final : public sql::connection {
public:
    sqlite_connection(const std::string& path, bool read_only);
    ~sqlite_connection() override;

    sql::backend kind() const override { return sql::backend::sqlite; }
    sql::result_rows run(std::string_view text, const std::vector<sql::value>& params) override;
    void run_script(std::string_view script) override;
    void begin_write() override;
    void begin_read() override;
    void commit() override;
    void rollback() noexcept override;

private:
    std::unique_ptr<SQLite::Database> db_;
};

}  // namespace opsbot::storage
