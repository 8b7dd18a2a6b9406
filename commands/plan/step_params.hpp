#pragma once
// Typed step parameters (docs/design.md "Actions and steps"): a step kind names its parameter type, a plain struct
// described with BOOST_DESCRIBE_STRUCT. The plan writes it into plan_step::params with params_of() (what is stored,
// shown and digested stays JSON), and the kind's run function receives the struct, read back by read_params(), which
// names the member that is missing or of the wrong type. A plan whose parameters do not fit its step kinds never
// runs (step_kind::check_params, used by the executor before the first step). A kind's precondition takes the
// same struct.

#include "commands/plan/plan.hpp"
#include "commands/plan/step_kind.hpp"
#include "config/vocabulary.hpp"
#include "core/error.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::commands {

namespace step_params_detail {

template <class T>
constexpr bool is_described = boost::describe::has_describe_members<T>::value;

template <class Params>
std::string read_object(const boost::json::object& object, Params& out);
template <class Params>
boost::json::object write_object(const Params& params);

// One member from JSON; false when the value has another type. Absent members are handled by the caller.
inline bool read(const boost::json::value& v, std::string& out) {
    if (!v.is_string()) {
        return false;
    }
    out = std::string(v.as_string());
    return true;
}
inline bool read(const boost::json::value& v, bool& out) {
    if (!v.is_bool()) {
        return false;
    }
    out = v.as_bool();
    return true;
}
inline bool read(const boost::json::value& v, std::int64_t& out) {
    if (v.is_int64()) {
        out = v.as_int64();
        return true;
    }
    if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        out = static_cast<std::int64_t>(v.as_uint64());
        return true;
    }
    return false;
}
inline bool read(const boost::json::value& v, secret_generator& out) {
    auto parsed = v.is_string() ? parse_generator(v.as_string()) : std::nullopt;
    if (parsed) {
        out = *parsed;
    }
    return parsed.has_value();
}
inline bool read(const boost::json::value& v, std::vector<std::string>& out) {
    if (!v.is_array()) {
        return false;
    }
    out.clear();
    for (const auto& item : v.as_array()) {
        if (!item.is_string()) {
            return false;
        }
        out.emplace_back(item.as_string());
    }
    return true;
}
inline bool read(const boost::json::value& v, boost::json::object& out) {
    if (!v.is_object()) {
        return false;
    }
    out = v.as_object();
    return true;
}
inline bool read(const boost::json::value& v, boost::json::array& out) {
    if (!v.is_array()) {
        return false;
    }
    out = v.as_array();
    return true;
}
template <class T>
    requires is_described<T>
bool read(const boost::json::value& v, T& out) {
    return v.is_object() && read_object(v.as_object(), out).empty();
}
template <class T>
    requires is_described<T>
bool read(const boost::json::value& v, std::vector<T>& out) {
    if (!v.is_array()) {
        return false;
    }
    out.clear();
    for (const auto& item : v.as_array()) {
        T one{};
        if (!read(item, one)) {
            return false;
        }
        out.push_back(std::move(one));
    }
    return true;
}
template <class T>
bool read(const boost::json::value& v, std::optional<T>& out) {
    if (v.is_null()) {
        out.reset();
        return true;
    }
    T inner{};
    if (!read(v, inner)) {
        return false;
    }
    out = std::move(inner);
    return true;
}

template <class T>
constexpr bool is_optional = false;
template <class T>
constexpr bool is_optional<std::optional<T>> = true;

inline void write(boost::json::object& o, const char* name, const std::string& v) { o[name] = v; }
inline void write(boost::json::object& o, const char* name, bool v) { o[name] = v; }
inline void write(boost::json::object& o, const char* name, std::int64_t v) { o[name] = v; }
inline void write(boost::json::object& o, const char* name, secret_generator v) { o[name] = to_string(v); }
inline void write(boost::json::object& o, const char* name, const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) {
        a.emplace_back(s);
    }
    o[name] = std::move(a);
}
inline void write(boost::json::object& o, const char* name, const boost::json::object& v) { o[name] = v; }
inline void write(boost::json::object& o, const char* name, const boost::json::array& v) { o[name] = v; }
template <class T>
    requires is_described<T>
void write(boost::json::object& o, const char* name, const std::vector<T>& v) {
    boost::json::array a;
    for (const auto& item : v) {
        a.emplace_back(write_object(item));
    }
    o[name] = std::move(a);
}
template <class T>
void write(boost::json::object& o, const char* name, const std::optional<T>& v) {
    if (v) {
        write(o, name, *v);
    }  // absent rather than null: plans made before the member existed read the same
}

template <class Params>
boost::json::object write_object(const Params& params) {
    boost::json::object out;
    boost::mp11::mp_for_each<boost::describe::describe_members<Params, boost::describe::mod_public>>(
        [&](auto member) { write(out, member.name, params.*member.pointer); });
    return out;
}

/// Reads every member of `out` from `object`; what is wrong, or empty.
template <class Params>
std::string read_object(const boost::json::object& object, Params& out) {
    std::string problem;
    boost::mp11::mp_for_each<boost::describe::describe_members<Params, boost::describe::mod_public>>([&](auto member) {
        if (!problem.empty()) {
            return;
        }
        using member_type = std::remove_cvref_t<decltype(out.*member.pointer)>;
        const boost::json::value* found = object.if_contains(member.name);
        if (found == nullptr) {
            if (!is_optional<member_type>) {
                problem = fmt::format("its parameter `{}` is missing", member.name);
            }
            return;
        }
        if (!read(*found, out.*member.pointer)) {
            problem = fmt::format("its parameter `{}` is not of the type the step reads", member.name);
        }
    });
    return problem;
}

}  // namespace step_params_detail

/// `params` as plan_step::params: every member under its own name, in declaration order; empty optionals left out.
template <class Params>
boost::json::object params_of(const Params& params) {
    return step_params_detail::write_object(params);
}

/// The step's parameters as `Params`, or invalid_input naming the step kind and the member that is missing or not
/// of its type. Members not in `Params` are ignored (a step's JSON may carry notes for people).
template <class Params>
result<Params> read_params(const plan_step& step) {
    Params out{};
    if (std::string problem = step_params_detail::read_object(step.params, out); !problem.empty()) {
        return fail(error_kind::invalid_input, fmt::format("step `{}`: {}", step.kind, problem));
    }
    return out;
}

/// check_params for a kind built by hand (one that waits for a person reads its parameters in its own hooks).
template <class Params>
std::function<result<void>(const plan_step&)> params_checker() {
    return [](const plan_step& step) -> result<void> {
        auto params = read_params<Params>(step);
        if (!params) {
            return std::unexpected(params.error());
        }
        return {};
    };
}

template <class Params>
using typed_run_fn = result<std::string> (*)(const Params&, const plan_step&, const step_environment&);
template <class Params>
using typed_precondition_fn = result<void> (*)(const Params&, const plan_step&, const step_environment&);

/// step_kind::precondition from a function taking the kind's parameters typed; unset for nullptr.
template <class Params>
step_precondition_fn typed_precondition(typed_precondition_fn<Params> check) {
    if (check == nullptr) {
        return {};
    }
    return [check](const plan_step& step, const step_environment& env) -> result<void> {
        auto params = read_params<Params>(step);
        if (!params) {
            return std::unexpected(params.error());
        }
        return check(*params, step, env);
    };
}

/// A step kind whose run function takes its parameters typed; check_params reads them without running.
/// `precondition`: what must hold right before it acts (step_kind::precondition), typed too.
template <class Params>
step_kind typed_step(std::string name, step_role role, bool idempotent, typed_run_fn<Params> run,
                     typed_precondition_fn<Params> precondition = nullptr) {
    step_kind kind;
    kind.name = std::move(name);
    kind.role = role;
    kind.idempotent = idempotent;
    kind.run = [run](const plan_step& step, const step_environment& env) -> result<std::string> {
        auto params = read_params<Params>(step);
        if (!params) {
            return std::unexpected(params.error());
        }
        return run(*params, step, env);
    };
    kind.precondition = typed_precondition<Params>(precondition);
    kind.check_params = params_checker<Params>();
    return kind;
}

template <class Params>
using typed_act_fn = result<act_outcome> (*)(const Params&, const plan_step&, const step_environment&);

/// A step kind that acts, then waits for the platform (step_kind::act / poll_check): its act part takes its
/// parameters typed; the poll reads the memo its act part stored (and may read_params() what it needs).
template <class Params>
step_kind typed_polled_step(std::string name, step_role role, bool idempotent, typed_act_fn<Params> act,
                            poll_check_fn poll_check, typed_precondition_fn<Params> precondition = nullptr) {
    step_kind kind;
    kind.name = std::move(name);
    kind.role = role;
    kind.idempotent = idempotent;
    kind.act = [act](const plan_step& step, const step_environment& env) -> result<act_outcome> {
        auto params = read_params<Params>(step);
        if (!params) {
            return std::unexpected(params.error());
        }
        return act(*params, step, env);
    };
    kind.poll_check = std::move(poll_check);
    kind.precondition = typed_precondition<Params>(precondition);
    kind.check_params = params_checker<Params>();
    return kind;
}

}  // namespace opsbot::commands
