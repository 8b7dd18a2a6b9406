#include "storage/canonical_json.hpp"

#include <boost/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace opsbot::storage {
namespace {

void append_canonical(const boost::json::value& value, std::string& out) {
    if (value.is_object()) {
        const auto& object = value.get_object();
        std::vector<const boost::json::key_value_pair*> members;
        members.reserve(object.size());
        for (const auto& member : object) {
            members.push_back(&member);
        }
        std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) { return a->key() < b->key(); });
        out.push_back('{');
        for (size_t i = 0; i < members.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            out += boost::json::serialize(boost::json::string_view{members[i]->key()});
            out.push_back(':');
            append_canonical(members[i]->value(), out);
        }
        out.push_back('}');
        return;
    }
    if (value.is_array()) {
        const auto& array = value.get_array();
        out.push_back('[');
        for (size_t i = 0; i < array.size(); ++i) {
            if (i > 0) {
                out.push_back(',');
            }
            append_canonical(array[i], out);
        }
        out.push_back(']');
        return;
    }
    out += boost::json::serialize(value);
}

}  // namespace

std::string canonical_json(const boost::json::value& value) {
    std::string out;
    append_canonical(value, out);
    return out;
}

namespace {

// The value with every double whose text does not read back as itself written as that text, in a string.
boost::json::value readable(const boost::json::value& value) {
    if (value.is_double()) {
        std::string text = boost::json::serialize(value);
        boost::system::error_code ec;
        return boost::json::parse(text, ec) == value ? value : boost::json::value(boost::json::string(text));
    }
    if (value.is_array()) {
        boost::json::array out;
        for (const auto& item : value.get_array()) {
            out.push_back(readable(item));
        }
        return out;
    }
    if (value.is_object()) {
        boost::json::object out;
        for (const auto& member : value.get_object()) {
            out[member.key()] = readable(member.value());
        }
        return out;
    }
    return value;
}

}  // namespace

std::string stable_canonical_json(const boost::json::value& value) { return canonical_json(readable(value)); }

}  // namespace opsbot::storage
