#include "storage/ops_gauges.hpp"

#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {

result<ops_gauges> read_ops_gauges(database& db, clock::time_point now) {
    return detail::guarded("read the operators' gauges", [&]() -> result<ops_gauges> {
        auto session = db.acquire();
        SQLite::Statement query(session.sql(),
                                "SELECT (SELECT COUNT(*) FROM locks WHERE expires_at_ms > ?), "
                                "(SELECT COALESCE(MAX(seq), 0) FROM audit_log), "
                                "(SELECT COUNT(*) FROM watches WHERE state = 'watching')");
        query.bind(1, to_unix_ms(now));
        query.executeStep();
        return ops_gauges{query.getColumn(0).getInt64(), query.getColumn(1).getInt64(),
                          query.getColumn(2).getInt64()};
    });
}

}  // namespace opsbot::storage
