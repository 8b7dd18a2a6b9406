// OpenAPI 3.0/3.1 descriptions as checkers of concrete requests and answers (tests/support/openapi_spec.hpp).
#include "tests/support/openapi_spec.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace opsbot::testing {

namespace json = boost::json;

namespace {

std::vector<std::string> split_segments(std::string_view path) {
    std::vector<std::string> out;
    size_t start = path.starts_with('/') ? 1 : 0;
    while (true) {
        const auto slash = path.find('/', start);
        out.emplace_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) {
            return out;
        }
        start = slash + 1;
    }
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// One way a schema can be satisfied, with allOf merged and each oneOf/anyOf branch its own view.
struct view {
    std::map<std::string, std::vector<const json::value*>> properties;
    bool declares_properties = false;
    bool open = false;  ///< additionalProperties allowed (true, or a schema), or a free-form object
    std::vector<const json::value*> additional;
    std::set<std::string> types;
    bool nullable = false;
    std::vector<const json::value*> items;
    const json::array* enumeration = nullptr;
};

void merge(view& into, const view& from) {
    for (const auto& [n, s] : from.properties) {
        auto& list = into.properties[n];
        list.insert(list.end(), s.begin(), s.end());
    }
    into.declares_properties = into.declares_properties || from.declares_properties;
    into.open = into.open || from.open;
    into.additional.insert(into.additional.end(), from.additional.begin(), from.additional.end());
    if (!from.types.empty()) {
        into.types.insert(from.types.begin(), from.types.end());
    }
    into.nullable = into.nullable || from.nullable;
    into.items.insert(into.items.end(), from.items.begin(), from.items.end());
    if (from.enumeration) {
        into.enumeration = from.enumeration;
    }
}

bool type_fits(const json::value& v, const view& w) {
    if (v.is_null()) {
        return w.nullable || w.types.empty() || w.types.contains("null");
    }
    if (w.types.empty()) {
        return true;
    }
    if (v.is_string()) {
        return w.types.contains("string");
    }
    if (v.is_bool()) {
        return w.types.contains("boolean");
    }
    if (v.is_int64() || v.is_uint64()) {
        return w.types.contains("integer") || w.types.contains("number");
    }
    if (v.is_double()) {
        return w.types.contains("number");
    }
    if (v.is_array()) {
        return w.types.contains("array");
    }
    return w.types.contains("object");
}

std::string kind_of(const json::value& v) {
    if (v.is_null()) {
        return "null";
    }
    if (v.is_string()) {
        return "string";
    }
    if (v.is_bool()) {
        return "boolean";
    }
    if (v.is_number()) {
        return "number";
    }
    return v.is_array() ? "array" : "object";
}

}  // namespace

class openapi_views {
public:
    explicit openapi_views(const json::value& doc) : doc_(doc) {}

    const json::value& deref(const json::value& v, int depth = 0) const {
        if (depth > 32 || !v.is_object()) {
            return v;
        }
        const auto* ref = v.get_object().if_contains("$ref");
        if (!ref || !ref->is_string()) {
            return v;
        }
        const std::string_view pointer = ref->get_string();
        if (!pointer.starts_with("#")) {
            throw std::runtime_error("external $ref " + std::string(pointer));
        }
        boost::system::error_code ec;
        const auto* target = doc_.find_pointer(pointer.substr(1), ec);
        if (!target) {
            throw std::runtime_error("dangling $ref " + std::string(pointer));
        }
        return deref(*target, depth + 1);
    }

    std::vector<view> views(const json::value& schema, int depth = 0) const {
        const auto& s = deref(schema);
        if (depth > 24 || !s.is_object()) {
            view any;
            any.open = true;
            return {any};
        }
        const auto& o = s.get_object();
        view base;
        if (const auto* t = o.if_contains("type")) {
            if (t->is_string()) {
                base.types.insert(std::string(t->get_string()));
            } else if (t->is_array()) {
                for (const auto& one : t->get_array()) {
                    base.types.insert(std::string(one.as_string()));
                }
            }
        }
        if (const auto* n = o.if_contains("nullable"); n && n->is_bool() && n->get_bool()) {
            base.nullable = true;
        }
        if (const auto* p = o.if_contains("properties"); p && p->is_object()) {
            base.declares_properties = true;
            for (const auto& [name, sub] : p->get_object()) {
                base.properties[std::string(name)].push_back(&sub);
            }
        }
        if (const auto* a = o.if_contains("additionalProperties")) {
            if (a->is_object()) {
                base.open = true;
                base.additional.push_back(a);
            } else if (a->is_bool() && a->get_bool()) {
                base.open = true;
            }
        }
        if (const auto* i = o.if_contains("items")) {
            base.items.push_back(i);
        }
        if (const auto* e = o.if_contains("enum"); e && e->is_array()) {
            base.enumeration = &e->get_array();
        }
        std::vector<view> out{base};
        if (const auto* all = o.if_contains("allOf"); all && all->is_array()) {
            for (const auto& member : all->get_array()) {
                std::vector<view> next;
                for (const auto& left : out) {
                    for (const auto& right : views(member, depth + 1)) {
                        view merged = left;
                        merge(merged, right);
                        next.push_back(std::move(merged));
                    }
                }
                out = std::move(next);
            }
        }
        for (const auto* key : {"oneOf", "anyOf"}) {
            if (const auto* branches = o.if_contains(key); branches && branches->is_array()) {
                std::vector<view> next;
                for (const auto& left : out) {
                    for (const auto& branch : branches->get_array()) {
                        for (const auto& right : views(branch, depth + 1)) {
                            view merged = left;
                            merge(merged, right);
                            next.push_back(std::move(merged));
                        }
                    }
                }
                out = std::move(next);
            }
        }
        // An object schema that names no properties is free-form (JSON Schema's default).
        for (auto& w : out) {
            if (!w.declares_properties && w.additional.empty()) {
                w.open = true;
            }
        }
        return out;
    }

    void check(const json::value& v, const json::value& schema, const std::string& where,
               std::vector<std::string>& errors, int depth) const {
        if (depth > 40) {
            return;
        }
        std::vector<std::string> best;
        bool first = true;
        for (const auto& w : views(schema)) {
            std::vector<std::string> mine;
            check_view(v, w, where, mine, depth);
            if (mine.empty()) {
                return;  // one way to satisfy the schema is enough
            }
            if (first || mine.size() < best.size()) {
                best = std::move(mine);
                first = false;
            }
        }
        errors.insert(errors.end(), best.begin(), best.end());
    }

    void check_view(const json::value& v, const view& w, const std::string& where, std::vector<std::string>& errors,
                    int depth) const {
        if (!type_fits(v, w)) {
            std::string types;
            for (const auto& t : w.types) {
                types += (types.empty() ? "" : "|") + t;
            }
            errors.push_back(fmt::format("{}: {} where the description says {}", where, kind_of(v), types));
            return;
        }
        if (w.enumeration && !v.is_null() && !v.is_object() && !v.is_array() &&
            std::find(w.enumeration->begin(), w.enumeration->end(), v) == w.enumeration->end()) {
            errors.push_back(fmt::format("{}: {} is not one of the declared values", where, json::serialize(v)));
            return;
        }
        if (v.is_array()) {
            for (size_t i = 0; i < v.get_array().size(); ++i) {
                for (const auto* item : w.items) {
                    check(v.get_array()[i], *item, where + "[]", errors, depth + 1);
                }
            }
            return;
        }
        if (!v.is_object()) {
            return;
        }
        for (const auto& [name, field] : v.get_object()) {
            const auto path = where.empty() ? std::string(name) : where + "." + std::string(name);
            const auto it = w.properties.find(std::string(name));
            if (it != w.properties.end()) {
                for (const auto* sub : it->second) {
                    check(field, *sub, path, errors, depth + 1);
                }
            } else if (!w.additional.empty()) {
                for (const auto* sub : w.additional) {
                    check(field, *sub, path, errors, depth + 1);
                }
            } else if (!w.open) {
                errors.push_back(fmt::format("{}: not declared", path));
            }
        }
    }

    /// The schemas a field path leads to; empty when a step is not declared (and not open).
    std::vector<const json::value*> walk(const json::value& schema, const std::string& path) const {
        std::vector<const json::value*> current{&schema};
        std::string rest = path;
        while (!rest.empty()) {
            const auto dot = rest.find('.');
            std::string step = rest.substr(0, dot);
            rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
            bool into_items = false;
            if (step.ends_with("[]")) {
                into_items = true;
                step.resize(step.size() - 2);
            }
            std::vector<const json::value*> next;
            bool open = false;
            for (const auto* s : current) {
                for (const auto& w : views(*s)) {
                    if (step.empty()) {
                        next.push_back(s);
                        break;
                    }
                    if (const auto it = w.properties.find(step); it != w.properties.end()) {
                        next.insert(next.end(), it->second.begin(), it->second.end());
                    } else if (!w.additional.empty()) {
                        next.insert(next.end(), w.additional.begin(), w.additional.end());
                    } else if (w.open) {
                        open = true;
                    }
                }
            }
            if (next.empty()) {
                return open ? std::vector<const json::value*>{&free_form_} : std::vector<const json::value*>{};
            }
            if (into_items) {
                std::vector<const json::value*> items;
                for (const auto* s : next) {
                    for (const auto& w : views(*s)) {
                        items.insert(items.end(), w.items.begin(), w.items.end());
                    }
                }
                if (items.empty()) {
                    return {};
                }
                next = std::move(items);
            }
            current = std::move(next);
        }
        return current;
    }

private:
    const json::value& doc_;
    json::value free_form_ = json::object{};
};

std::expected<openapi_spec, std::string> openapi_spec::load(const std::string& path, std::string base_path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::unexpected("cannot read " + path);
    }
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    auto parsed = json::parse(text.str(), ec);
    if (ec || !parsed.is_object() || !parsed.get_object().contains("paths")) {
        return std::unexpected(path + ": not an OpenAPI document");
    }
    openapi_spec out;
    out.doc_ = std::move(parsed);
    out.base_path_ = std::move(base_path);
    return out;
}

std::optional<std::string> openapi_spec::match_path(std::string_view concrete_path) const {
    if (!base_path_.empty() && concrete_path.starts_with(base_path_)) {
        concrete_path.remove_prefix(base_path_.size());
    }
    const auto wanted = split_segments(concrete_path);
    std::optional<std::string> best;
    int best_literals = -1;
    std::vector<std::string> templates;
    for (const auto& [key, item] : doc_.at("paths").get_object()) {
        templates.emplace_back(key);
    }
    for (const auto& [operation, sdk] : sdk_operations()) {
        templates.push_back(operation.substr(operation.find(' ') + 1));
    }
    for (const auto& key : templates) {
        const auto segments = split_segments(key);
        if (segments.size() != wanted.size()) {
            continue;
        }
        int literals = 0;
        bool fits = true;
        for (size_t i = 0; i < segments.size() && fits; ++i) {
            const auto& s = segments[i];
            if (s.size() > 2 && s.front() == '{' && s.back() == '}') {
                fits = !wanted[i].empty();
            } else {
                fits = s == wanted[i];
                ++literals;
            }
        }
        if (fits && literals > best_literals) {
            best = key;
            best_literals = literals;
        }
    }
    return best;
}

const json::object& openapi_spec::sdk_operations() const {
    // Vercel's file adds `x-sdk-head`: the METHOD path and query names of the SDK's generated functions, newer
    // than its OpenAPI paths (tests/api_specs/README.md). Other files have none.
    static const json::object none;
    const auto* head = doc_.get_object().if_contains("x-sdk-head");
    return head ? head->at("operations").as_object() : none;
}

const json::object* openapi_spec::operation(std::string_view method, std::string_view path_template) const {
    const auto* item = doc_.at("paths").get_object().if_contains(path_template);
    if (!item || !item->is_object()) {
        return nullptr;
    }
    const auto* op = item->get_object().if_contains(lower(method));
    return op && op->is_object() ? &op->get_object() : nullptr;
}

const json::value& openapi_spec::deref(const json::value& v) const { return openapi_views(doc_).deref(v); }

const json::value* openapi_spec::response_schema(const json::object& op, int status) const {
    const auto* responses = op.if_contains("responses");
    if (!responses || !responses->is_object()) {
        return nullptr;
    }
    const auto& r = responses->get_object();
    const auto code = std::to_string(status);
    const json::value* chosen = r.if_contains(code);
    if (!chosen) {
        chosen = r.if_contains(code.substr(0, 1) + "XX");
    }
    if (!chosen) {
        chosen = r.if_contains("default");
    }
    if (!chosen) {
        return nullptr;
    }
    const auto& response = deref(*chosen);
    const auto* content = response.is_object() ? response.get_object().if_contains("content") : nullptr;
    if (!content || !content->is_object()) {
        return nullptr;  // documented without a body
    }
    for (const auto& [type, media] : content->get_object()) {
        if (type.find("json") != std::string_view::npos && media.is_object()) {
            if (const auto* schema = media.get_object().if_contains("schema")) {
                return schema;
            }
        }
    }
    return nullptr;
}

std::vector<std::string> openapi_spec::check_request(std::string_view method, std::string_view concrete_path,
                                                     const std::map<std::string, std::string>& query,
                                                     const json::value* body) const {
    const auto path = match_path(concrete_path);
    if (!path) {
        return {fmt::format("{} {}: no such path in the description", method, concrete_path)};
    }
    const auto label = fmt::format("{} {}", method, *path);
    const auto* op = operation(method, *path);
    const auto* sdk = sdk_operations().if_contains(label);
    if (!op && !sdk) {
        return {fmt::format("{} {}: the description has no {} on this path", method, *path, method)};
    }
    if (!op) {
        // Declared by the SDK head only: its query names are known, its body schema is not.
        std::vector<std::string> errors;
        std::set<std::string> declared;
        for (const auto& name : sdk->at("query").as_array()) {
            declared.insert(std::string(name.as_string()));
        }
        for (const auto& [name, value] : query) {
            if (!declared.contains(name)) {
                errors.push_back(fmt::format("{}: query parameter `{}` not declared", label, name));
            }
        }
        if (body && !(body->is_object() && body->get_object().empty())) {
            errors.push_back(fmt::format("{}: body fields cannot be checked (the SDK head has no schema)", label));
        }
        return errors;
    }
    std::vector<std::string> errors;
    std::set<std::string> declared;
    const auto collect = [&](const json::value* params) {
        if (!params || !params->is_array()) {
            return;
        }
        for (const auto& p : params->get_array()) {
            const auto& param = deref(p).as_object();
            if (param.at("in") == "query") {
                declared.insert(std::string(param.at("name").as_string()));
            }
        }
    };
    collect(op->if_contains("parameters"));
    collect(doc_.at("paths").at(*path).get_object().if_contains("parameters"));
    // Vercel's file adds the query names of the SDK's generated functions (tests/api_specs/README.md).
    if (sdk) {
        for (const auto& name : sdk->at("query").as_array()) {
            declared.insert(std::string(name.as_string()));
        }
    }
    for (const auto& [name, value] : query) {
        if (!declared.contains(name)) {
            errors.push_back(fmt::format("{}: query parameter `{}` not declared", label, name));
        }
    }
    if (body) {
        const auto* request_body = op->if_contains("requestBody");
        const json::value* schema = nullptr;
        if (request_body) {
            const auto& rb = deref(*request_body);
            if (const auto* content = rb.get_object().if_contains("content")) {
                for (const auto& [type, media] : content->get_object()) {
                    if (type.find("json") != std::string_view::npos) {
                        schema = media.get_object().if_contains("schema");
                    }
                }
            }
        }
        if (!schema) {
            errors.push_back(fmt::format("{}: sends a JSON body the operation does not take", label));
        } else {
            std::vector<std::string> found;
            openapi_views(doc_).check(*body, *schema, "", found, 0);
            for (const auto& e : found) {
                errors.push_back(fmt::format("{} request body {}", label, e));
            }
        }
    }
    return errors;
}

std::vector<std::string> openapi_spec::check_response(std::string_view method, std::string_view concrete_path,
                                                      int status, const json::value& body) const {
    const auto path = match_path(concrete_path);
    if (!path) {
        return {fmt::format("{} {}: no such operation in the description", method, concrete_path)};
    }
    return check_answer(method, *path, status, body);
}

bool openapi_spec::describes_answer(std::string_view method, std::string_view concrete_path, int status) const {
    const auto path = match_path(concrete_path);
    const auto* op = path ? operation(method, *path) : nullptr;
    return op && response_schema(*op, status);
}

bool openapi_spec::lists_status(std::string_view method, std::string_view concrete_path, int status) const {
    const auto path = match_path(concrete_path);
    const auto* op = path ? operation(method, *path) : nullptr;
    const auto* responses = op ? op->if_contains("responses") : nullptr;
    if (!responses || !responses->is_object()) {
        return false;
    }
    const auto code = std::to_string(status);
    const auto& r = responses->get_object();
    return r.contains(code) || r.contains(code.substr(0, 1) + "XX") || r.contains("default");
}

std::vector<std::string> openapi_spec::check_answer(std::string_view method, std::string_view path_template,
                                                    int status, const json::value& body) const {
    const auto* op = operation(method, path_template);
    if (!op) {
        return {fmt::format("{} {}: the description has no response schema for it", method, path_template)};
    }
    const auto label = fmt::format("{} {} answer {}", method, path_template, status);
    const auto* schema = response_schema(*op, status);
    if (!schema) {
        return {fmt::format("{}: status not documented with a JSON body", label)};
    }
    std::vector<std::string> found;
    openapi_views(doc_).check(body, *schema, "", found, 0);
    std::vector<std::string> errors;
    for (const auto& e : found) {
        errors.push_back(fmt::format("{} {}", label, e));
    }
    return errors;
}

std::vector<std::string> openapi_spec::check_read_fields(std::string_view method, std::string_view path_template,
                                                         int status,
                                                         const std::vector<std::string>& field_paths) const {
    const auto* op = operation(method, path_template);
    if (!op) {
        return {fmt::format("{} {}: no such operation in the description", method, path_template)};
    }
    const auto* schema = response_schema(*op, status);
    if (!schema) {
        return {fmt::format("{} {} answer {}: not documented with a JSON body", method, path_template, status)};
    }
    std::vector<std::string> errors;
    const openapi_views views(doc_);
    for (const auto& p : field_paths) {
        if (views.walk(*schema, p).empty()) {
            errors.push_back(fmt::format("{} {} answer {}: `{}` is read but not declared", method, path_template,
                                         status, p));
        }
    }
    return errors;
}

const openapi_spec& published_openapi(std::string_view provider) {
    static const std::map<std::string, openapi_spec, std::less<>> all = [] {
        std::map<std::string, openapi_spec, std::less<>> out;
        // servers[0] of each file: only OpenAI's has a path ("https://api.openai.com/v1").
        for (const auto& [name, base] : std::vector<std::pair<std::string, std::string>>{
                 {"vercel", ""}, {"sentry", ""}, {"github", ""}, {"openai", "/v1"}, {"resend", ""},
                 {"betterstack", ""}, {"posthog", ""}}) {
            auto spec = openapi_spec::load(std::string(OPSBOT_API_SPECS_DIR "/") + name + ".json", base);
            if (!spec) {
                throw std::runtime_error(spec.error());
            }
            out.emplace(name, std::move(*spec));
        }
        return out;
    }();
    const auto it = all.find(provider);
    if (it == all.end()) {
        throw std::invalid_argument("no API description for " + std::string(provider));
    }
    return it->second;
}

}  // namespace opsbot::testing
