#include "storage/ops_gauges.hpp"

#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {

result<ops_gauges> read_ops_gauges(database& db, clock::time_point now) {
    return detail::guarded("read the operators' gauges", [&]() -> result<ops_gauges> {
        auto session = db.acquire();
        sql::statement query(session.sql(),
                                "SELECT (SELECT COUNT(*) FROM locks WHERE expires_at_ms > ?), "
                                "(SELECT COALESCE(MAX(seq), 0) FROM audit_log), "
                                "(SELECT COUNT(*) FROM watches WHERE state = 'watching')");
        query.bind(1, to_unix_ms(now));
        query.step();
        return ops_gauges{query.column(0).as_int64(), query.column(1).as_int64(),
                          query.column(2).as_int64()};
    });
}

}  // namespace opsbot::storage
