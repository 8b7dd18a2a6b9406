#include "config/walk.hpp"

#include "core/redactor.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

namespace opsbot::config_detail {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            size_t substitute = diagonal + (std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                                    std::tolower(static_cast<unsigned char>(b[j - 1]))
                                                ? 0
                                                : 1);
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
            diagonal = above;
        }
    }
    return row[b.size()];
}

bool is_loopback_host(std::string_view host) {
    if (host == "localhost" || host == "[::1]") {
        return true;
    }
    // 127.0.0.0/8: "127." followed by digits and dots only.
    if (!host.starts_with("127.")) {
        return false;
    }
    return std::ranges::all_of(host, [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

}  // namespace

std::string join_path(const std::string& parent, std::string_view key) {
    if (parent.empty()) {
        return std::string(key);
    }
    return parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

std::string_view type_name(const json::value& v) {
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
    }
    return "a value";
}

std::string suggest(std::string_view key, const std::vector<std::string_view>& candidates) {
    std::string best;
    size_t best_distance = std::numeric_limits<size_t>::max();
    size_t limit = std::max<size_t>(1, std::min<size_t>(3, key.size() / 3));
    for (auto candidate : candidates) {
        size_t d = edit_distance(key, candidate);
        if (d <= limit && d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

bool is_env_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) {
        return false;
    }
    return std::ranges::all_of(name, [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
    });
}

void walker::problem(std::string path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
}

const json::object* walker::as_object(const json::value& v, const std::string& path) {
    if (!v.is_object()) {
        problem(path, fmt::format("must be an object {{ … }}, not {}", type_name(v)));
        return nullptr;
    }
    return &v.get_object();
}

bool walker::walk_object(const json::value& v, const std::string& path, std::span<const field> fields) {
    const json::object* obj = as_object(v, path);
    if (obj == nullptr) {
        return false;
    }
    std::vector<std::string_view> allowed;
    for (const auto& f : fields) {
        if (f.not_here.empty()) {
            allowed.push_back(f.key);
        }
    }
    for (const auto& [key, value] : *obj) {
        std::string key_path = join_path(path, key);
        auto it = std::ranges::find_if(fields, [&](const field& f) { return f.key == std::string_view(key); });
        if (it == fields.end()) {
            std::string hint = suggest(key, allowed);
            problem(key_path, hint.empty() ? std::string("unknown key")
                                           : fmt::format("unknown key (did you mean {}?)", hint));
            continue;
        }
        if (!it->not_here.empty()) {
            problem(key_path, std::string(it->not_here));
            continue;
        }
        if (it->read) {
            it->read(value, key_path);
        }
    }
    for (const auto& f : fields) {
        if (f.required && f.not_here.empty() && !obj->contains(f.key)) {
            problem(join_path(path, f.key), f.missing_hint.empty() ? std::string("required key is missing")
                                                                   : fmt::format("required: {}", f.missing_hint));
        }
    }
    return true;
}

bool walker::read_string(const json::value& v, const std::string& path, std::string& out, bool allow_empty) {
    if (!v.is_string()) {
        problem(path, fmt::format("must be a string, not {}", type_name(v)));
        return false;
    }
    if (!allow_empty && v.get_string().empty()) {
        problem(path, "must not be empty");
        return false;
    }
    out = std::string(v.get_string());
    return true;
}

bool walker::read_bool(const json::value& v, const std::string& path, bool& out) {
    if (!v.is_bool()) {
        problem(path, fmt::format("must be true or false, not {}", type_name(v)));
        return false;
    }
    out = v.get_bool();
    return true;
}

bool walker::read_int(const json::value& v, const std::string& path, int& out, int min_value) {
    std::optional<std::int64_t> n;
    if (v.is_int64()) {
        n = v.get_int64();
    } else if (v.is_uint64() && v.get_uint64() <= 1'000'000) {
        n = static_cast<std::int64_t>(v.get_uint64());
    }
    if (!n || *n > 1'000'000) {
        problem(path, fmt::format("must be a whole number, not {}", type_name(v)));
        return false;
    }
    if (*n < min_value) {
        problem(path, fmt::format("must be at least {} (got {})", min_value, *n));
        return false;
    }
    out = static_cast<int>(*n);
    return true;
}

bool walker::read_duration(const json::value& v, const std::string& path, std::chrono::seconds& out) {
    std::string text;
    if (!read_string(v, path, text)) {
        return false;
    }
    auto d = parse_duration(text);
    if (!d || d->count() <= 0) {
        problem(path, fmt::format("\"{}\" is not a duration: use a number and a unit, like \"30s\", \"15m\", "
                                  "\"2h\" or \"1d\"",
                                  text));
        return false;
    }
    out = *d;
    return true;
}

bool walker::read_string_array(const json::value& v, const std::string& path, std::vector<std::string>& out,
                               bool allow_empty) {
    if (!v.is_array()) {
        problem(path, fmt::format("must be an array of strings, not {}", type_name(v)));
        return false;
    }
    const auto& arr = v.get_array();
    if (!allow_empty && arr.empty()) {
        problem(path, "must not be empty");
        return false;
    }
    bool ok = true;
    std::vector<std::string> items;
    for (size_t i = 0; i < arr.size(); ++i) {
        std::string item;
        if (read_string(arr[i], index_path(path, i), item)) {
            items.push_back(std::move(item));
        } else {
            ok = false;
        }
    }
    if (ok) {
        out = std::move(items);
    }
    return ok;
}

bool walker::read_env_name(const json::value& v, const std::string& path, std::string& out) {
    if (!v.is_string()) {
        problem(path, fmt::format("must be the name of an environment variable (a string), not {}", type_name(v)));
        return false;
    }
    std::string name(v.get_string());
    if (!is_env_name(name)) {
        // Never echo it: a user may have pasted the secret itself here.
        problem(path, "must name an environment variable (A-Z, 0-9, _ — e.g. RAILWAY_TOKEN); put the secret "
                      "in that variable, never in this file");
        return false;
    }
    out = name;
    auto value = env_(name);
    if (!value) {
        problem(path, fmt::format("{} is not set — export it before starting opsbot", name));
        return false;
    }
    if (value->empty()) {
        problem(path, fmt::format("{} is set but empty — export its value before starting opsbot", name));
        return false;
    }
    return true;
}

bool walker::read_url(const json::value& v, const std::string& path, std::string& out) {
    std::string url;
    if (!read_string(v, path, url)) {
        return false;
    }
    bool https = url.starts_with("https://");
    bool http = url.starts_with("http://");
    if (!https && !http) {
        problem(path, fmt::format("\"{}\" is not an http(s) URL: it must start with https://",
                                  redact_token_shapes(url)));
        return false;
    }
    std::string_view rest = std::string_view(url).substr(https ? 8 : 7);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) {
        problem(path, "must not carry credentials (user:password@): name a token_env instead");
        return false;
    }
    std::string_view host = authority;
    if (host.starts_with('[')) {
        host = host.substr(0, host.find(']') == std::string_view::npos ? host.size() : host.find(']') + 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    bool bad_char = std::ranges::any_of(authority, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    if (host.empty() || bad_char) {
        problem(path, fmt::format("\"{}\" has no valid host name", url));
        return false;
    }
    if (http && !is_loopback_host(host)) {
        problem(path, fmt::format("plain http is allowed only for loopback hosts (127.0.0.1, localhost, [::1]); "
                                  "use https://{}",
                                  rest));
        return false;
    }
    out = url;
    return true;
}

}  // namespace opsbot::config_detail
