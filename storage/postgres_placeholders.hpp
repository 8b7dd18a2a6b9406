#pragma once
// The stores write `?` placeholders (storage/sql.hpp); PostgreSQL numbers its parameters $1, $2, ….

#include <string>
#include <string_view>

namespace opsbot::storage {

struct numbered_statement {
    std::string text;    ///< the statement with each placeholder `?` replaced by $1, $2, … in order
    int placeholders = 0;
};

/// Replaces each `?` that is a placeholder by $n. A `?` inside a single-quoted string (with '' and, in E'…'
/// strings, backslash escapes), a double-quoted identifier, a dollar-quoted string ($tag$…$tag$), a -- comment or
/// a /* … */ comment (nested, as PostgreSQL allows) is text and stays. PostgreSQL's jsonb operators ?, ?| and ?&
/// would be taken for placeholders: the bot's SQL does not use them.
numbered_statement number_placeholders(std::string_view text);

}  // namespace opsbot::storage
