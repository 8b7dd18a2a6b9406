#include "storage/seen_envelopes.hpp"

#include <algorithm>

#include "storage/sql_support.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

// A key seen before changes no row: the count of changed rows says whether this is the first sighting.
constexpr const char* insert_sql = "INSERT INTO seen_envelopes (key, seen_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING";

}  // namespace

result<bool> seen_envelopes::first_sighting(std::string_view key) {
    if (key.empty()) {
        return fail(error_kind::invalid_input, "an envelope id cannot be empty");
    }
    return detail::guarded("remember an envelope", [&]() -> result<bool> {
        auto session = db_.acquire();
        sql::statement insert(session.sql(), insert_sql);
        insert.bind(1, std::string(key));
        insert.bind(2, to_unix_ms(clock_.now()));
        return insert.exec() == 1;
    });
}

result<bool> seen_envelopes::first_sighting(const std::vector<std::string>& keys) {
    if (keys.empty() || std::ranges::any_of(keys, [](const auto& k) { return k.empty(); })) {
        return fail(error_kind::invalid_input, "an envelope id cannot be empty");
    }
    return detail::guarded("remember an envelope", [&]() -> result<bool> {
        auto session = db_.acquire();
        auto& conn = session.sql();
        sql::transaction transaction(conn);
        bool fresh = true;
        for (const auto& key : keys) {
            sql::statement insert(conn, insert_sql);
            insert.bind(1, key);
            insert.bind(2, to_unix_ms(clock_.now()));
            fresh = insert.exec() == 1 && fresh;
        }
        transaction.commit();
        return fresh;
    });
}

result<std::int64_t> seen_envelopes::forget_older_than(std::chrono::milliseconds ttl) {
    return detail::guarded("forget old envelopes", [&]() -> result<std::int64_t> {
        auto session = db_.acquire();
        sql::statement del(session.sql(), "DELETE FROM seen_envelopes WHERE seen_at_ms < ?");
        del.bind(1, to_unix_ms(clock_.now()) - ttl.count());
        return del.exec();
    });
}

}  // namespace opsbot::storage
