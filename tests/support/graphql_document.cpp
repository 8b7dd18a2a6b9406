// GraphQL executable documents: a recursive-descent parser after the GraphQL specification (October 2021) §2.
#include "tests/support/graphql_document.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cctype>
#include <stdexcept>

namespace opsbot::testing::graphql {

namespace json = boost::json;

namespace {

struct syntax_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class parser {
public:
    explicit parser(std::string_view text) : text_(text) {}

    document parse_document() {
        document doc;
        skip_ignored();
        if (at_end()) {
            fail("Unexpected <EOF>");
        }
        while (!at_end()) {
            if (peek() == '{') {
                operation op;
                op.selections = selection_set();
                doc.operations.push_back(std::move(op));
            } else {
                const auto keyword = name();
                if (keyword == "fragment") {
                    doc.fragments.push_back(fragment_definition());
                } else if (keyword == "query" || keyword == "mutation" || keyword == "subscription") {
                    doc.operations.push_back(operation_definition(keyword));
                } else {
                    fail(fmt::format("Unexpected Name \"{}\"", keyword));
                }
            }
            skip_ignored();
        }
        return doc;
    }

private:
    operation operation_definition(std::string type) {
        operation op;
        op.type = std::move(type);
        if (is_name_start(peek())) {
            op.name = name();
        }
        if (accept('(')) {
            while (!accept(')')) {
                expect('$');
                variable_definition def;
                def.name = name();
                expect(':');
                def.type = type_reference();
                if (accept('=')) {
                    def.default_value = std::make_unique<value>(value_literal(true));
                }
                directives();  // variable directives are allowed and carry nothing we check
                op.variables.push_back(std::move(def));
            }
        }
        op.directives = directives();
        op.selections = selection_set();
        return op;
    }

    fragment fragment_definition() {
        fragment f;
        f.name = name();
        if (f.name == "on") {
            fail("Unexpected Name \"on\"");
        }
        if (name() != "on") {
            fail("Expected \"on\"");
        }
        f.type_condition = name();
        directives();
        f.selections = selection_set();
        return f;
    }

    std::vector<selection> selection_set() {
        expect('{');
        std::vector<selection> out;
        while (!accept('}')) {
            out.push_back(one_selection());
        }
        if (out.empty()) {
            fail("Expected Name, found \"}\"");
        }
        return out;
    }

    selection one_selection() {
        selection s;
        if (accept_spread()) {
            if (is_name_start(peek())) {
                const auto word = name();
                if (word != "on") {
                    s.k = selection::kind::fragment_spread;
                    s.name = word;
                    s.directives = directives();
                    return s;
                }
                s.type_condition = name();
            }
            s.k = selection::kind::inline_fragment;
            s.directives = directives();
            s.selections = selection_set();
            return s;
        }
        s.name = name();
        if (accept(':')) {
            s.alias = std::move(s.name);
            s.name = name();
        }
        if (peek() == '(') {
            s.arguments = arguments(false);
        }
        s.directives = directives();
        if (peek() == '{') {
            s.selections = selection_set();
        }
        return s;
    }

    std::vector<std::pair<std::string, value>> arguments(bool constant) {
        expect('(');
        std::vector<std::pair<std::string, value>> out;
        while (!accept(')')) {
            auto n = name();
            expect(':');
            out.emplace_back(std::move(n), value_literal(constant));
        }
        if (out.empty()) {
            fail("Expected Name, found \")\"");
        }
        return out;
    }

    std::vector<directive> directives() {
        std::vector<directive> out;
        while (accept('@')) {
            directive d;
            d.name = name();
            if (peek() == '(') {
                d.arguments = arguments(false);
            }
            out.push_back(std::move(d));
        }
        return out;
    }

    std::string type_reference() {
        std::string out;
        if (accept('[')) {
            out = "[" + type_reference() + "]";
            expect(']');
        } else {
            out = name();
        }
        if (accept('!')) {
            out += "!";
        }
        return out;
    }

    value value_literal(bool constant) {
        value v;
        const char c = peek();
        if (c == '$') {
            if (constant) {
                fail("Unexpected variable in a constant value");
            }
            advance();
            v.k = value::kind::variable;
            v.text = name();
        } else if (c == '[') {
            advance();
            skip_ignored();
            v.k = value::kind::list;
            while (!accept(']')) {
                v.items.push_back(value_literal(constant));
            }
        } else if (c == '{') {
            advance();
            skip_ignored();
            v.k = value::kind::object;
            while (!accept('}')) {
                auto n = name();
                expect(':');
                v.fields.emplace_back(std::move(n), value_literal(constant));
            }
        } else if (c == '"') {
            v.k = value::kind::string;
            v.text = string_literal();
        } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            number(v);
        } else if (is_name_start(c)) {
            v.text = name();
            v.k = v.text == "true" || v.text == "false" ? value::kind::boolean
                  : v.text == "null"                    ? value::kind::null
                                                        : value::kind::enumeration;
        } else {
            fail(fmt::format("Unexpected \"{}\"", at_end() ? std::string("<EOF>") : std::string(1, c)));
        }
        return v;
    }

    void number(value& v) {
        const auto start = pos_;
        if (peek() == '-') {
            ++pos_;
        }
        const auto digits = [&] {
            const auto from = pos_;
            while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
                ++pos_;
            }
            if (pos_ == from) {
                fail("Invalid number, expected digit");
            }
        };
        digits();
        v.k = value::kind::integer;
        if (pos_ < text_.size() && text_[pos_] == '.') {
            ++pos_;
            digits();
            v.k = value::kind::floating;
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
                ++pos_;
            }
            digits();
            v.k = value::kind::floating;
        }
        v.text = std::string(text_.substr(start, pos_ - start));
        skip_ignored();
    }

    std::string string_literal() {
        if (text_.substr(pos_, 3) == "\"\"\"") {
            pos_ += 3;
            const auto end = text_.find("\"\"\"", pos_);
            if (end == std::string_view::npos) {
                fail("Unterminated string");
            }
            std::string out(text_.substr(pos_, end - pos_));
            pos_ = end + 3;
            skip_ignored();
            return out;
        }
        ++pos_;
        std::string out;
        while (true) {
            if (pos_ >= text_.size() || text_[pos_] == '\n') {
                fail("Unterminated string");
            }
            const char c = text_[pos_++];
            if (c == '"') {
                break;
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= text_.size()) {
                fail("Unterminated string");
            }
            const char e = text_[pos_++];
            switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'u': {
                    if (pos_ + 4 > text_.size()) {
                        fail("Invalid Unicode escape sequence");
                    }
                    const auto code = std::stoul(std::string(text_.substr(pos_, 4)), nullptr, 16);
                    pos_ += 4;
                    out += code < 0x80 ? static_cast<char>(code) : '?';  // tests send ASCII
                    break;
                }
                case '"': case '\\': case '/': out += e; break;
                default: fail(fmt::format("Invalid character escape sequence: \"\\{}\"", e));
            }
        }
        skip_ignored();
        return out;
    }

    std::string name() {
        if (!is_name_start(peek())) {
            fail(fmt::format("Expected Name, found {}",
                             at_end() ? std::string("<EOF>") : fmt::format("\"{}\"", peek())));
        }
        const auto start = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
            ++pos_;
        }
        std::string out(text_.substr(start, pos_ - start));
        skip_ignored();
        return out;
    }

    bool accept_spread() {
        if (text_.substr(pos_, 3) != "...") {
            return false;
        }
        pos_ += 3;
        skip_ignored();
        return true;
    }

    bool accept(char c) {
        if (peek() != c) {
            return false;
        }
        advance();
        return true;
    }

    void expect(char c) {
        if (!accept(c)) {
            fail(fmt::format("Expected \"{}\", found {}", c,
                             at_end() ? std::string("<EOF>") : fmt::format("\"{}\"", peek())));
        }
    }

    void advance() {
        ++pos_;
        skip_ignored();
    }

    // Ignored tokens (§2.1.7): white space, line terminators, commas, comments, a byte-order mark.
    void skip_ignored() {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
                ++pos_;
            } else if (c == '#') {
                while (pos_ < text_.size() && text_[pos_] != '\n') {
                    ++pos_;
                }
            } else if (text_.substr(pos_, 3) == "\xEF\xBB\xBF") {
                pos_ += 3;
            } else {
                break;
            }
        }
    }

    static bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }

    [[noreturn]] void fail(const std::string& what) const {
        size_t line = 1;
        size_t column = 1;
        for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        throw syntax_error(fmt::format("Syntax Error: {} ({}:{})", what, line, column));
    }

    std::string_view text_;
    size_t pos_ = 0;
};

void select_into(json::object& out, const json::object& data, const std::vector<selection>& selections,
                 const document& doc) {
    for (const auto& s : selections) {
        if (s.k == selection::kind::field) {
            const auto* field = data.if_contains(s.name);
            out[s.response_name()] =
                !field ? json::value(nullptr) : s.selections.empty() ? *field : select(*field, s.selections, doc);
        } else if (s.k == selection::kind::inline_fragment) {
            select_into(out, data, s.selections, doc);
        } else if (const auto* f = doc.find_fragment(s.name)) {
            select_into(out, data, f->selections, doc);
        }
    }
}

}  // namespace

const fragment* document::find_fragment(std::string_view name) const {
    for (const auto& f : fragments) {
        if (f.name == name) {
            return &f;
        }
    }
    return nullptr;
}

const operation* document::find_operation(std::string_view name) const {
    if (name.empty()) {
        return operations.size() == 1 ? &operations.front() : nullptr;
    }
    for (const auto& op : operations) {
        if (op.name == name) {
            return &op;
        }
    }
    return nullptr;
}

std::expected<document, std::string> parse(std::string_view text) {
    try {
        return parser(text).parse_document();
    } catch (const syntax_error& e) {
        return std::unexpected(std::string(e.what()));
    }
}

json::value resolve(const value& v, const json::object& variables) {
    switch (v.k) {
        case value::kind::variable: {
            const auto* found = variables.if_contains(v.text);
            return found ? *found : json::value(nullptr);
        }
        case value::kind::integer: return json::value(std::stoll(v.text));
        case value::kind::floating: return json::value(std::stod(v.text));
        case value::kind::string:
        case value::kind::enumeration: return json::value(v.text);
        case value::kind::boolean: return json::value(v.text == "true");
        case value::kind::null: return json::value(nullptr);
        case value::kind::list: {
            json::array out;
            for (const auto& item : v.items) {
                out.push_back(resolve(item, variables));
            }
            return out;
        }
        case value::kind::object: {
            json::object out;
            for (const auto& [name, field] : v.fields) {
                if (field.k != value::kind::variable || variables.contains(field.text)) {
                    out[name] = resolve(field, variables);
                }
            }
            return out;
        }
    }
    return nullptr;
}

json::object resolve_arguments(const selection& field, const json::object& variables) {
    json::object out;
    for (const auto& [name, v] : field.arguments) {
        if (v.k != value::kind::variable || variables.contains(v.text)) {
            out[name] = resolve(v, variables);
        }
    }
    return out;
}

json::value select(const json::value& data, const std::vector<selection>& selections, const document& doc) {
    if (data.is_array()) {
        json::array out;
        for (const auto& item : data.get_array()) {
            out.push_back(select(item, selections, doc));
        }
        return out;
    }
    if (!data.is_object()) {
        return data;  // null (or a scalar where the schema check would have refused a selection)
    }
    json::object out;
    select_into(out, data.get_object(), selections, doc);
    return out;
}

}  // namespace opsbot::testing::graphql
