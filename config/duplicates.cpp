// Boost.JSON keeps the last of two equal keys silently; in a stack description that hides a mistake
// (two "api" services, two "timeout"s), so a second, SAX-style pass reports every repeated key.

#include "config/walk.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <set>

namespace opsbot::config_detail {
namespace {

using boost::system::error_code;
using json::string_view;

class duplicate_key_handler {
public:
    static constexpr std::size_t max_array_size = -1;
    static constexpr std::size_t max_object_size = -1;
    static constexpr std::size_t max_string_size = -1;
    static constexpr std::size_t max_key_size = -1;

    std::vector<config_problem> problems;

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_array_begin(error_code&) { return push(false); }
    bool on_array_end(std::size_t, error_code&) { return pop(); }
    bool on_object_begin(error_code&) { return push(true); }
    bool on_object_end(std::size_t, error_code&) { return pop(); }
    bool on_string_part(string_view, std::size_t, error_code&) { return true; }
    bool on_string(string_view, std::size_t, error_code&) { return scalar(); }
    bool on_key_part(string_view s, std::size_t, error_code&) {
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        key_.append(s.data(), s.size());
        auto& f = stack_.back();
        f.key_path = join_path(f.path, key_);
        if (!f.keys.insert(key_).second) {
            problems.push_back({f.key_path, "duplicate key: only the last one would count; keep one"});
        }
        key_.clear();
        return true;
    }
    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t, string_view, error_code&) { return scalar(); }
    bool on_uint64(std::uint64_t, string_view, error_code&) { return scalar(); }
    bool on_double(double, string_view, error_code&) { return scalar(); }
    bool on_bool(bool, error_code&) { return scalar(); }
    bool on_null(error_code&) { return scalar(); }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

private:
    struct frame {
        bool is_object = false;
        std::string path;
        std::set<std::string> keys;
        std::size_t next_index = 0;
        std::string key_path;
    };

    // The path of the value that starts now (and, inside an array, moves to the next index).
    std::string value_path() {
        if (stack_.empty()) {
            return {};
        }
        auto& f = stack_.back();
        return f.is_object ? f.key_path : index_path(f.path, f.next_index++);
    }
    bool push(bool is_object) {
        frame f;
        f.is_object = is_object;
        f.path = value_path();
        stack_.push_back(std::move(f));
        return true;
    }
    bool pop() {
        stack_.pop_back();
        return true;
    }
    bool scalar() {
        value_path();
        return true;
    }

    std::vector<frame> stack_;
    std::string key_;
};

}  // namespace

std::vector<config_problem> find_duplicate_keys(std::string_view text, const json::parse_options& options) {
    json::basic_parser<duplicate_key_handler> parser(options);
    error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    return std::move(parser.handler().problems);
}

}  // namespace opsbot::config_detail
