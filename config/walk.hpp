#pragma once

// Internal to config/*.cpp: walks the parsed stack description in document order and records
// problems with their JSON path. Not a public interface.

#include "config/config.hpp"

#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::config_detail {

namespace json = boost::json;

/// One key an object may hold. `read` is called with the value and its path when the key is present.
struct field {
    using reader = std::function<void(const json::value&, const std::string&)>;

    field(std::string_view key_, reader read_, bool required_ = false, std::string_view missing_hint_ = {},
          std::string_view not_here_ = {})
        : key(key_), read(std::move(read_)), required(required_), missing_hint(missing_hint_), not_here(not_here_) {}

    std::string_view key;
    reader read;
    bool required = false;
    std::string_view missing_hint;  ///< appended to "required" when the key is absent
    std::string_view not_here;      ///< non-empty: the key is known but not allowed here; this says why
};

std::string join_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, size_t index);
std::string_view type_name(const json::value& v);

/// The closest candidate within a small edit distance, or empty.
std::string suggest(std::string_view key, const std::vector<std::string_view>& candidates);

/// True for names like RAILWAY_TOKEN: upper-case letters, digits and underscores, not starting with a digit.
bool is_env_name(std::string_view name);

class walker {
public:
    explicit walker(env_lookup env) : env_(env) {}

    void problem(std::string path, std::string message);
    std::vector<config_problem> take_problems() { return std::move(problems_); }

    /// Visits the keys of an object in document order: known keys are read, unknown keys are reported
    /// (with a suggestion), then missing required keys are reported. False when `v` is not an object.
    bool walk_object(const json::value& v, const std::string& path, std::span<const field> fields);

    const json::object* as_object(const json::value& v, const std::string& path);
    bool read_string(const json::value& v, const std::string& path, std::string& out, bool allow_empty = false);
    bool read_bool(const json::value& v, const std::string& path, bool& out);
    bool read_int(const json::value& v, const std::string& path, int& out, int min_value);
    bool read_duration(const json::value& v, const std::string& path, std::chrono::seconds& out);
    bool read_string_array(const json::value& v, const std::string& path, std::vector<std::string>& out,
                           bool allow_empty);
    /// An environment variable name that must be set and non-empty; its value is never read into messages.
    bool read_env_name(const json::value& v, const std::string& path, std::string& out);
    /// An http(s) URL; plain http only for loopback hosts.
    bool read_url(const json::value& v, const std::string& path, std::string& out);

private:
    env_lookup env_;
    std::vector<config_problem> problems_;
};

/// Names defined elsewhere in the document, collected before the walk so references can be checked in
/// document order whatever the order of the sections.
struct known_names {
    std::vector<std::string> groups;
    std::vector<std::string> services;
};

/// Every key that appears twice in one object (Boost.JSON would silently keep the last).
std::vector<config_problem> find_duplicate_keys(std::string_view text, const json::parse_options& options);

/// Reads every section of the root object into `config`; problems go to `w`.
void read_root(const json::value& root, walker& w, stack_config& config);
void read_http(const json::value& v, const std::string& path, walker& w, stack_config& config);
void read_services(const json::value& v, const std::string& path, walker& w, stack_config& config);
void read_secrets(const json::value& v, const std::string& path, walker& w, const known_names& names,
                  stack_config& config);
/// After the walk (it needs every section): the `env_passthrough` lists name variables, and none of them
/// holds a secret the config names (a token, another database's URL, a secret's value).
void check_env_passthrough(walker& w, const stack_config& config);

}  // namespace opsbot::config_detail
