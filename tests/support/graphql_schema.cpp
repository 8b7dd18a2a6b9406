// A GraphQL schema from an introspection result, and the validation rules of the GraphQL specification
// (October 2021) §5 that a document must pass before a server runs it. Messages follow graphql-js, which most
// servers (Railway's included, per the CLI's reports) answer with.
#include "tests/support/graphql_schema.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace opsbot::testing::graphql {

namespace json = boost::json;

namespace {

// An introspection __Type reference ({kind, name, ofType}) as GraphQL writes it: "[String!]!".
std::string type_text(const json::value& ref) {
    const auto& o = ref.as_object();
    const auto kind = std::string(o.at("kind").as_string());
    if (kind == "NON_NULL") {
        return type_text(o.at("ofType")) + "!";
    }
    if (kind == "LIST") {
        return "[" + type_text(o.at("ofType")) + "]";
    }
    return std::string(o.at("name").as_string());
}

std::map<std::string, argument_def> argument_defs(const json::value& list) {
    std::map<std::string, argument_def> out;
    if (!list.is_array()) {
        return out;
    }
    for (const auto& a : list.get_array()) {
        const auto& o = a.as_object();
        const auto* d = o.if_contains("defaultValue");
        out[std::string(o.at("name").as_string())] = {type_text(o.at("type")), d && !d->is_null()};
    }
    return out;
}

bool non_null(std::string_view t) { return t.ends_with('!'); }
std::string_view nullable(std::string_view t) { return non_null(t) ? t.substr(0, t.size() - 1) : t; }
bool is_list(std::string_view t) { return nullable(t).starts_with('['); }
std::string_view item_type(std::string_view t) {
    const auto inner = nullable(t);
    return inner.substr(1, inner.size() - 2);
}

// §5.8.5 "All Variable Usages Are Allowed": is a variable of type `sub` usable where `super` is expected?
bool is_subtype(std::string_view sub, std::string_view super) {
    if (non_null(super)) {
        return non_null(sub) && is_subtype(nullable(sub), nullable(super));
    }
    if (non_null(sub)) {
        return is_subtype(nullable(sub), super);
    }
    if (is_list(super)) {
        return is_list(sub) && is_subtype(item_type(sub), item_type(super));
    }
    return !is_list(sub) && sub == super;
}

std::string print(const value& v) {
    switch (v.k) {
        case value::kind::variable: return "$" + v.text;
        case value::kind::string: return json::serialize(json::value(v.text));
        case value::kind::list: {
            std::string out = "[";
            for (const auto& i : v.items) {
                out += (out.size() > 1 ? ", " : "") + print(i);
            }
            return out + "]";
        }
        case value::kind::object: {
            std::string out = "{";
            for (const auto& [n, f] : v.fields) {
                out += (out.size() > 1 ? ", " : "") + n + ": " + print(f);
            }
            return out + "}";
        }
        default: return v.text;
    }
}

struct variable_info {
    std::string type;
    bool has_default = false;
};

/// The rules of §5 over one document.
class validator {
public:
    validator(const schema& s, const document& d) : schema_(s), doc_(d) {}

    std::vector<std::string> run() {
        std::set<std::string> names;
        for (const auto& op : doc_.operations) {
            if (op.name.empty() && doc_.operations.size() > 1) {
                errors_.push_back("This anonymous operation must be the only defined operation.");
            }
            if (!op.name.empty() && !names.insert(op.name).second) {
                errors_.push_back(fmt::format("There can be only one operation named \"{}\".", op.name));
            }
            operation_(op);
        }
        for (const auto& f : doc_.fragments) {
            if (!used_fragments_.contains(f.name)) {
                errors_.push_back(fmt::format("Fragment \"{}\" is never used.", f.name));
            }
        }
        return std::move(errors_);
    }

private:
    void operation_(const operation& op) {
        variables_.clear();
        used_variables_.clear();
        for (const auto& v : op.variables) {
            const auto* t = schema_.find_type(named_type(v.type));
            if (!t) {
                errors_.push_back(fmt::format("Unknown type \"{}\".", named_type(v.type)));
            } else if (t->kind != "SCALAR" && t->kind != "ENUM" && t->kind != "INPUT_OBJECT") {
                errors_.push_back(fmt::format("Variable \"${}\" cannot be non-input type \"{}\".", v.name, v.type));
            }
            if (variables_.contains(v.name)) {
                errors_.push_back(fmt::format("There can be only one variable named \"${}\".", v.name));
            }
            variables_[v.name] = {v.type, v.default_value && v.default_value->k != value::kind::null};
            if (v.default_value && t) {
                check_value(*v.default_value, v.type, false);
            }
        }
        const auto root = schema_.root_type(op.type);
        if (root.empty()) {
            errors_.push_back(fmt::format("Schema is not configured to execute {} operation.", op.type));
            return;
        }
        directives(op.directives);
        fragments_in_progress_.clear();
        selection_set(op.selections, root);
        const auto label = op.name.empty() ? std::string() : fmt::format(" in operation \"{}\"", op.name);
        for (const auto& v : op.variables) {
            if (!used_variables_.contains(v.name)) {
                errors_.push_back(fmt::format("Variable \"${}\" is never used{}.", v.name, label));
            }
        }
    }

    void selection_set(const std::vector<selection>& selections, const std::string& parent) {
        const auto* type = schema_.find_type(parent);
        std::map<std::string, const selection*> seen;  // response name -> field, for §5.3.2 (same name, same field)
        for (const auto& s : selections) {
            directives(s.directives);
            if (s.k == selection::kind::fragment_spread) {
                fragment_spread(s.name);
            } else if (s.k == selection::kind::inline_fragment) {
                const auto on = s.type_condition.empty() ? parent : s.type_condition;
                if (composite(on, "Fragment cannot condition on non composite type \"{}\".")) {
                    selection_set(s.selections, on);
                }
            } else {
                if (const auto [it, fresh] = seen.emplace(s.response_name(), &s);
                    !fresh && (it->second->name != s.name || it->second->arguments.size() != s.arguments.size())) {
                    errors_.push_back(fmt::format(
                        "Fields \"{}\" conflict because \"{}\" and \"{}\" are different fields. Use different "
                        "aliases on the fields to fetch both if this was intentional.",
                        s.response_name(), it->second->name, s.name));
                }
                field(s, parent, type);
            }
        }
    }

    void field(const selection& s, const std::string& parent, const type_def* type) {
        if (s.name == "__typename") {
            leaf(s, "String!");
            return;
        }
        const auto found = type ? type->fields.find(s.name) : std::map<std::string, field_def>::const_iterator{};
        if (!type || found == type->fields.end()) {
            errors_.push_back(fmt::format("Cannot query field \"{}\" on type \"{}\".{}", s.name, parent,
                                          type && type->kind == "UNION"
                                              ? " Did you mean to use an inline fragment?" : ""));
            for (const auto& [n, v] : s.arguments) {
                mark_variables(v);
            }
            return;
        }
        const auto& def = found->second;
        std::set<std::string> given;
        for (const auto& [n, v] : s.arguments) {
            if (!given.insert(n).second) {
                errors_.push_back(fmt::format("There can be only one argument named \"{}\".", n));
            }
            const auto a = def.arguments.find(n);
            if (a == def.arguments.end()) {
                errors_.push_back(fmt::format("Unknown argument \"{}\" on field \"{}.{}\".", n, parent, s.name));
                mark_variables(v);
                continue;
            }
            check_value(v, a->second.type, a->second.has_default);
        }
        for (const auto& [n, a] : def.arguments) {
            if (non_null(a.type) && !a.has_default && !given.contains(n)) {
                errors_.push_back(fmt::format(
                    "Field \"{}\" argument \"{}\" of type \"{}\" is required, but it was not provided.", s.name, n,
                    a.type));
            }
        }
        leaf(s, def.type);
    }

    // §5.3.3 Leaf Field Selections: scalars and enums select nothing, other types select something.
    void leaf(const selection& s, const std::string& field_type) {
        const auto name = named_type(field_type);
        const auto* t = schema_.find_type(name);
        const bool is_leaf = !t || t->kind == "SCALAR" || t->kind == "ENUM";
        if (is_leaf && !s.selections.empty()) {
            errors_.push_back(fmt::format("Field \"{}\" must not have a selection since type \"{}\" has no subfields.",
                                          s.name, field_type));
        } else if (!is_leaf && s.selections.empty()) {
            errors_.push_back(fmt::format(
                "Field \"{}\" of type \"{}\" must have a selection of subfields. Did you mean \"{} {{ ... }}\"?",
                s.name, field_type, s.name));
        } else if (!is_leaf) {
            selection_set(s.selections, name);
        }
    }

    void fragment_spread(const std::string& name) {
        const auto* f = doc_.find_fragment(name);
        if (!f) {
            errors_.push_back(fmt::format("Unknown fragment \"{}\".", name));
            return;
        }
        used_fragments_.insert(name);
        if (!fragments_in_progress_.insert(name).second) {
            errors_.push_back(fmt::format("Cannot spread fragment \"{}\" within itself.", name));
            return;
        }
        if (composite(f->type_condition, "Fragment \"" + name + "\" cannot condition on non composite type \"{}\".")) {
            selection_set(f->selections, f->type_condition);
        }
        fragments_in_progress_.erase(name);
    }

    bool composite(const std::string& type_name, const std::string& message) {
        const auto* t = schema_.find_type(type_name);
        if (!t) {
            errors_.push_back(fmt::format("Unknown type \"{}\".", type_name));
            return false;
        }
        if (t->kind != "OBJECT" && t->kind != "INTERFACE" && t->kind != "UNION") {
            errors_.push_back(fmt::vformat(message, fmt::make_format_args(type_name)));
            return false;
        }
        return true;
    }

    void directives(const std::vector<directive>& list) {
        for (const auto& d : list) {
            if (!schema_.has_directive(d.name)) {
                errors_.push_back(fmt::format("Unknown directive \"@{}\".", d.name));
            }
            for (const auto& [n, v] : d.arguments) {
                mark_variables(v);
            }
        }
    }

    void mark_variables(const value& v) {
        if (v.k == value::kind::variable) {
            use_variable(v.text);
        }
        for (const auto& i : v.items) {
            mark_variables(i);
        }
        for (const auto& [n, f] : v.fields) {
            mark_variables(f);
        }
    }

    const variable_info* use_variable(const std::string& name) {
        used_variables_.insert(name);
        const auto it = variables_.find(name);
        if (it == variables_.end()) {
            errors_.push_back(fmt::format("Variable \"${}\" is not defined.", name));
            return nullptr;
        }
        return &it->second;
    }

    // §5.6.1 Values of Correct Type and §5.8.5 All Variable Usages Are Allowed.
    void check_value(const value& v, std::string_view expected, bool location_has_default) {
        if (v.k == value::kind::variable) {
            const auto* var = use_variable(v.text);
            if (!var) {
                return;
            }
            // A nullable variable may fill a non-null position when either side has a default (§5.8.5).
            auto location = std::string(expected);
            if (non_null(location) && !non_null(var->type) && (var->has_default || location_has_default)) {
                location = std::string(nullable(location));
            }
            if (!is_subtype(var->type, location)) {
                errors_.push_back(fmt::format("Variable \"${}\" of type \"{}\" used in position expecting type \"{}\".",
                                              v.text, var->type, expected));
            }
            return;
        }
        const auto mismatch = [&] {
            errors_.push_back(fmt::format("Expected value of type \"{}\", found {}.", expected, print(v)));
        };
        if (v.k == value::kind::null) {
            if (non_null(expected)) {
                mismatch();
            }
            return;
        }
        const auto type = nullable(expected);
        if (is_list(type)) {
            if (v.k == value::kind::list) {
                for (const auto& i : v.items) {
                    check_value(i, item_type(type), false);
                }
            } else {
                check_value(v, item_type(type), false);  // input coercion wraps a single value in a list (§3.11)
            }
            return;
        }
        const auto* t = schema_.find_type(type);
        if (!t) {
            mismatch();
            return;
        }
        if (t->kind == "INPUT_OBJECT") {
            if (v.k != value::kind::object) {
                mismatch();
                return;
            }
            std::set<std::string> given;
            for (const auto& [n, f] : v.fields) {
                given.insert(n);
                const auto field = t->input_fields.find(n);
                if (field == t->input_fields.end()) {
                    errors_.push_back(fmt::format("Field \"{}\" is not defined by type \"{}\".", n, type));
                    mark_variables(f);
                    continue;
                }
                check_value(f, field->second.type, field->second.has_default);
            }
            for (const auto& [n, f] : t->input_fields) {
                if (non_null(f.type) && !f.has_default && !given.contains(n)) {
                    errors_.push_back(
                        fmt::format("Field \"{}.{}\" of required type \"{}\" was not provided.", type, n, f.type));
                }
            }
        } else if (t->kind == "ENUM") {
            if (v.k != value::kind::enumeration || !t->enum_values.contains(v.text)) {
                errors_.push_back(fmt::format("Value \"{}\" does not exist in \"{}\" enum.", print(v), type));
            }
        } else if (t->kind == "SCALAR") {
            const bool fits = type == "Int"       ? v.k == value::kind::integer
                              : type == "Float"   ? v.k == value::kind::integer || v.k == value::kind::floating
                              : type == "String"  ? v.k == value::kind::string
                              : type == "Boolean" ? v.k == value::kind::boolean
                              : type == "ID"      ? v.k == value::kind::string || v.k == value::kind::integer
                                                  : true;  // a custom scalar parses its own literals
            if (!fits) {
                mismatch();
            }
        } else {
            mismatch();  // an output type in an input position
        }
    }

    const schema& schema_;
    const document& doc_;
    std::vector<std::string> errors_;
    std::map<std::string, variable_info> variables_;
    std::set<std::string> used_variables_;
    std::set<std::string> used_fragments_;
    std::set<std::string> fragments_in_progress_;
};

}  // namespace

std::string named_type(std::string_view type) {
    std::string out;
    for (const char c : type) {
        if (c != '[' && c != ']' && c != '!') {
            out += c;
        }
    }
    return out;
}

std::expected<schema, std::string> schema::from_introspection(const json::value& introspection) {
    try {
        const auto& top = introspection.as_object();
        const auto& s = top.contains("data") ? top.at("data").at("__schema").as_object()
                                             : top.at("__schema").as_object();
        schema out;
        for (const auto& [operation, key] : {std::pair{"query", "queryType"}, {"mutation", "mutationType"},
                                             {"subscription", "subscriptionType"}}) {
            if (const auto* root = s.if_contains(key); root && root->is_object()) {
                out.roots_[operation] = std::string(root->at("name").as_string());
            }
        }
        for (const auto& t : s.at("types").as_array()) {
            const auto& o = t.as_object();
            type_def def;
            def.kind = std::string(o.at("kind").as_string());
            if (const auto* fields = o.if_contains("fields"); fields && fields->is_array()) {
                for (const auto& f : fields->get_array()) {
                    const auto& fo = f.as_object();
                    def.fields[std::string(fo.at("name").as_string())] = {type_text(fo.at("type")),
                                                                          argument_defs(fo.at("args"))};
                }
            }
            if (const auto* inputs = o.if_contains("inputFields")) {
                def.input_fields = argument_defs(*inputs);
            }
            if (const auto* values = o.if_contains("enumValues"); values && values->is_array()) {
                for (const auto& v : values->get_array()) {
                    def.enum_values.insert(std::string(v.at("name").as_string()));
                }
            }
            out.types_[std::string(o.at("name").as_string())] = std::move(def);
        }
        if (const auto* directives = s.if_contains("directives"); directives && directives->is_array()) {
            for (const auto& d : directives->get_array()) {
                out.directives_.insert(std::string(d.at("name").as_string()));
            }
        }
        if (!out.roots_.contains("query")) {
            return std::unexpected("introspection result has no queryType");
        }
        return out;
    } catch (const std::exception& e) {
        return std::unexpected(std::string("not an introspection result: ") + e.what());
    }
}

std::expected<schema, std::string> schema::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::unexpected("cannot read " + path);
    }
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto parsed = json::parse(text.str(), ec);
    if (ec) {
        return std::unexpected(path + ": " + ec.message());
    }
    return from_introspection(parsed);
}

std::vector<std::string> schema::validate(std::string_view text) const {
    const auto doc = parse(text);
    if (!doc) {
        return {doc.error()};
    }
    return validate(*doc);
}

std::vector<std::string> schema::validate(const document& doc) const { return validator(*this, doc).run(); }

namespace {

// Does the JSON `v` coerce to `type` (§3.5 scalars, §3.9 enums, §3.10 input objects, §3.11 lists)?
bool coerces(const schema& s, const json::value& v, std::string_view type) {
    if (v.is_null()) {
        return !non_null(type);
    }
    const auto t = nullable(type);
    if (is_list(t)) {
        if (!v.is_array()) {
            return coerces(s, v, item_type(t));
        }
        for (const auto& i : v.get_array()) {
            if (!coerces(s, i, item_type(t))) {
                return false;
            }
        }
        return true;
    }
    const auto* def = s.find_type(t);
    if (!def) {
        return false;
    }
    if (def->kind == "INPUT_OBJECT") {
        if (!v.is_object()) {
            return false;
        }
        for (const auto& [n, f] : v.get_object()) {
            const auto field = def->input_fields.find(std::string(n));
            if (field == def->input_fields.end() || !coerces(s, f, field->second.type)) {
                return false;
            }
        }
        for (const auto& [n, f] : def->input_fields) {
            if (non_null(f.type) && !f.has_default && !v.get_object().contains(n)) {
                return false;
            }
        }
        return true;
    }
    if (def->kind == "ENUM") {
        return v.is_string() && def->enum_values.contains(std::string(v.get_string()));
    }
    if (t == "Int") {
        return v.is_int64() || v.is_uint64();
    }
    if (t == "Float") {
        return v.is_number();
    }
    if (t == "String") {
        return v.is_string();
    }
    if (t == "Boolean") {
        return v.is_bool();
    }
    if (t == "ID") {
        return v.is_string() || v.is_int64() || v.is_uint64();
    }
    return def->kind == "SCALAR";  // a custom scalar takes any JSON
}

}  // namespace

std::vector<std::string> schema::check_variables(const operation& op, const json::object& values) const {
    std::vector<std::string> errors;
    for (const auto& v : op.variables) {
        const auto* sent = values.if_contains(v.name);
        if (!sent) {
            if (non_null(v.type) && !v.default_value) {
                errors.push_back(
                    fmt::format("Variable \"${}\" of required type \"{}\" was not provided.", v.name, v.type));
            }
        } else if (!coerces(*this, *sent, v.type)) {
            errors.push_back(fmt::format("Variable \"${}\" got invalid value {}; Expected type \"{}\".", v.name,
                                         json::serialize(*sent), v.type));
        }
    }
    return errors;
}

namespace {

/// Checks an answer against the selections that asked for it (schema::check_data).
class data_checker {
public:
    data_checker(const schema& s, const document& d) : schema_(s), doc_(d) {}

    void object(const json::value& v, const std::vector<selection>& selections, const std::string& type,
                const std::string& where) {
        if (!v.is_object()) {
            errors_.push_back(
                fmt::format("{}: {} is not an object", where.empty() ? "data" : where, json::serialize(v)));
            return;
        }
        std::map<std::string, std::pair<std::string, const selection*>> expected;  // response name -> type, field
        collect(selections, type, expected);
        for (const auto& [key, value] : v.get_object()) {
            const auto path = where.empty() ? std::string(key) : where + "." + std::string(key);
            const auto it = expected.find(std::string(key));
            if (it == expected.end()) {
                errors_.push_back(fmt::format("{}: answered but not selected", path));
                continue;
            }
            typed(value, it->second.first, it->second.second->selections, path);
        }
        for (const auto& [key, field] : expected) {
            if (!v.get_object().contains(key)) {
                const auto path = where.empty() ? key : where + "." + key;
                errors_.push_back(fmt::format("{}: selected but not answered", path));
            }
        }
    }

    std::vector<std::string> take() { return std::move(errors_); }

private:
    void collect(const std::vector<selection>& selections, const std::string& type,
                 std::map<std::string, std::pair<std::string, const selection*>>& out) {
        const auto* t = schema_.find_type(type);
        for (const auto& s : selections) {
            if (s.k == selection::kind::inline_fragment) {
                collect(s.selections, s.type_condition.empty() ? type : s.type_condition, out);
            } else if (s.k == selection::kind::fragment_spread) {
                if (const auto* f = doc_.find_fragment(s.name)) {
                    collect(f->selections, f->type_condition, out);
                }
            } else if (s.name == "__typename") {
                out[s.response_name()] = {"String!", &s};
            } else if (t) {
                if (const auto it = t->fields.find(s.name); it != t->fields.end()) {
                    out[s.response_name()] = {it->second.type, &s};
                }
            }
        }
    }

    void typed(const json::value& v, std::string_view type, const std::vector<selection>& selections,
               const std::string& where) {
        if (v.is_null()) {
            if (non_null(type)) {
                errors_.push_back(fmt::format("{}: null for the non-null type {}", where, type));
            }
            return;
        }
        const auto t = nullable(type);
        if (is_list(t)) {
            if (!v.is_array()) {
                errors_.push_back(fmt::format("{}: not a list ({})", where, t));
                return;
            }
            for (const auto& item : v.get_array()) {
                typed(item, item_type(t), selections, where + "[]");
            }
            return;
        }
        const auto* def = schema_.find_type(t);
        if (!def) {
            return;
        }
        if (def->kind == "OBJECT" || def->kind == "INTERFACE" || def->kind == "UNION") {
            object(v, selections, std::string(t), where);
        } else if (def->kind == "ENUM") {
            if (!v.is_string() || !def->enum_values.contains(std::string(v.get_string()))) {
                errors_.push_back(fmt::format("{}: {} is not a value of enum {}", where, json::serialize(v), t));
            }
        } else {
            const bool fits = t == "Int"       ? v.is_int64() || v.is_uint64()
                              : t == "Float"   ? v.is_number()
                              : t == "String"  ? v.is_string()
                              : t == "Boolean" ? v.is_bool()
                              : t == "ID"      ? v.is_string()  // an ID is serialised as a String (§3.5.5)
                                               : true;
            if (!fits) {
                errors_.push_back(fmt::format("{}: {} is not a {}", where, json::serialize(v), t));
            }
        }
    }

    const schema& schema_;
    const document& doc_;
    std::vector<std::string> errors_;
};

}  // namespace

std::vector<std::string> schema::check_data(const document& doc, const operation& op, const json::value& data) const {
    data_checker checker(*this, doc);
    checker.object(data, op.selections, root_type(op.type), "");
    return checker.take();
}

const type_def* schema::find_type(std::string_view name) const {
    const auto it = types_.find(name);
    return it == types_.end() ? nullptr : &it->second;
}

std::string schema::root_type(std::string_view operation_type) const {
    const auto it = roots_.find(operation_type);
    return it == roots_.end() ? std::string() : it->second;
}

bool schema::has_directive(std::string_view name) const { return directives_.contains(name); }

}  // namespace opsbot::testing::graphql
