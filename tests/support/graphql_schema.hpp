#pragma once

// A GraphQL schema read from an introspection result (the `__schema` JSON a server answers, e.g. Railway's
// published tests/api_specs/railway-schema.json) and a validator of executable documents against it: the rules of
// the GraphQL specification (October 2021) §5 that decide whether a server runs a document. Test tooling
// (issue 16 item 4): the Railway adapter's documents and the Railway fake's input are checked with it.

#include "tests/support/graphql_document.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <expected>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::testing::graphql {

struct argument_def {
    std::string type;  ///< "String!", "[Int!]"
    bool has_default = false;
};

struct field_def {
    std::string type;
    std::map<std::string, argument_def> arguments;
};

struct type_def {
    std::string kind;  ///< SCALAR | OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT
    std::map<std::string, field_def> fields;           ///< OBJECT, INTERFACE
    std::map<std::string, argument_def> input_fields;  ///< INPUT_OBJECT
    std::set<std::string> enum_values;                 ///< ENUM
};

class schema {
public:
    /// From an introspection result: {"data":{"__schema":...}} or {"__schema":...}.
    static std::expected<schema, std::string> from_introspection(const boost::json::value& introspection);
    /// Reads and loads an introspection JSON file.
    static std::expected<schema, std::string> load(const std::string& path);

    /// The validation errors of `text` (syntax errors included), in the words graphql-js uses; empty = valid.
    std::vector<std::string> validate(std::string_view text) const;
    std::vector<std::string> validate(const document& doc) const;
    /// The errors of the variable values sent with `op` (§6.1.2 CoerceVariableValues): required ones missing,
    /// values that do not fit their declared type; empty = they coerce.
    std::vector<std::string> check_variables(const operation& op, const boost::json::object& values) const;

    /// The errors of an answer's `data` to `op` (§6.3, §6.4): it holds exactly the selected fields, keyed by response
    /// name, and each value fits its field's type (non-null, lists, enum values, built-in scalars); empty = it fits.
    std::vector<std::string> check_data(const document& doc, const operation& op,
                                        const boost::json::value& data) const;

    const type_def* find_type(std::string_view name) const;
    /// The root type of an operation type ("query" -> "Query"); empty when the schema has none.
    std::string root_type(std::string_view operation_type) const;
    bool has_directive(std::string_view name) const;

private:
    std::map<std::string, type_def, std::less<>> types_;
    std::map<std::string, std::string, std::less<>> roots_;
    std::set<std::string, std::less<>> directives_;
};

/// The named type inside a type reference: "[String!]!" -> "String".
std::string named_type(std::string_view type);

}  // namespace opsbot::testing::graphql
