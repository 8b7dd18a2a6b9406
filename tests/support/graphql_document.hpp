#pragma once

// A GraphQL executable document (operations and fragments), parsed by a small recursive-descent parser after the
// October 2021 GraphQL specification §2 (Language). Test tooling: the schema check of the documents the Railway
// adapter sends (tests/support/graphql_schema.hpp) and the Railway fake's dispatch read it.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opsbot::testing::graphql {

/// An input value as written: `$var`, 1, 1.5, "s", true, null, ENUM, [..], {..}.
struct value {
    enum class kind { variable, integer, floating, string, boolean, null, enumeration, list, object };
    kind k = kind::null;
    std::string text;  ///< the variable's name, the literal as written, the string's content
    std::vector<value> items;
    std::vector<std::pair<std::string, value>> fields;
};

struct directive {
    std::string name;
    std::vector<std::pair<std::string, value>> arguments;
};

/// One selection: a field (`alias: name(args) @dir { ... }`), a fragment spread or an inline fragment.
struct selection {
    enum class kind { field, fragment_spread, inline_fragment };
    kind k = kind::field;
    std::string alias;  ///< empty when none
    std::string name;   ///< field name, or the spread fragment's name
    std::vector<std::pair<std::string, value>> arguments;
    std::vector<directive> directives;
    std::string type_condition;  ///< inline fragment's `on Type` (may be empty)
    std::vector<selection> selections;

    /// The key this field has in the answer: its alias, else its name.
    const std::string& response_name() const { return alias.empty() ? name : alias; }
};

struct variable_definition {
    std::string name;
    std::string type;  ///< as written, whitespace removed: "String!", "[Int!]"
    std::unique_ptr<value> default_value;
};

struct operation {
    std::string type = "query";  ///< query | mutation | subscription
    std::string name;            ///< empty for an anonymous operation
    std::vector<variable_definition> variables;
    std::vector<directive> directives;
    std::vector<selection> selections;
};

struct fragment {
    std::string name;
    std::string type_condition;
    std::vector<selection> selections;
};

struct document {
    std::vector<operation> operations;
    std::vector<fragment> fragments;

    const fragment* find_fragment(std::string_view name) const;
    /// The operation named `name`, or the only one when `name` is empty; nullptr when there is none.
    const operation* find_operation(std::string_view name = {}) const;
};

/// Parses an executable document; the error names the line and column, as a GraphQL server's "Syntax Error".
std::expected<document, std::string> parse(std::string_view text);

/// The JSON value of `v` with variables taken from `variables` (absent variable: null).
boost::json::value resolve(const value& v, const boost::json::object& variables);
/// A field's arguments as JSON, variables substituted; an argument bound to an absent variable is left out.
boost::json::object resolve_arguments(const selection& field, const boost::json::object& variables);

/// `data` cut to what `selections` ask for, keyed by response name (alias): what a GraphQL server answers.
/// A selected field missing from `data` answers null. Fragments are followed (type conditions are not checked).
boost::json::value select(const boost::json::value& data, const std::vector<selection>& selections,
                          const document& doc);

}  // namespace opsbot::testing::graphql
