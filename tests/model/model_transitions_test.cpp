// The SPIN models' state machine is the code's (model/README.md, "Tied to the code"): the states of
// model/approval.pml and model/replicas.pml, their can_transition and is_terminal, read from their delimited blocks, against
// storage/action_state.cpp, both ways. The SQLite trigger is checked against the same table by
// tests/unit/storage/action_state_test.cpp.
#include <catch2/catch.hpp>

#include "storage/action_state.hpp"

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using opsbot::storage::action_state;
using opsbot::storage::all_action_states;

/// The model files that carry the state machine's blocks.
const std::vector<std::string> model_files{"approval.pml", "replicas.pml"};

std::string read_model(const std::string& file = "approval.pml") {
    std::ifstream in(std::string(OPSBOT_SOURCE_DIR) + "/model/" + file);
    REQUIRE(in.good());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The text between "/* BEGIN name */" and "/* END name */"; empty when either is missing.
std::string block(const std::string& model, const std::string& name) {
    const std::string begin = "/* BEGIN " + name + " */";
    const std::string end = "/* END " + name + " */";
    auto from = model.find(begin);
    auto to = model.find(end);
    if (from == std::string::npos || to == std::string::npos || to < from) {
        return {};
    }
    return model.substr(from + begin.size(), to - from - begin.size());
}

/// `#define name N` lines: name -> N.
std::map<std::string, int> model_states(const std::string& model) {
    std::map<std::string, int> out;
    const std::string text = block(model, "action_states");
    const std::regex define(R"(#define\s+(\w+)\s+(\d+))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), define); it != std::sregex_iterator(); ++it) {
        out[(*it)[1].str()] = std::stoi((*it)[2].str());
    }
    return out;
}

using relation = std::set<std::pair<std::string, std::string>>;

/// The pairs of `(f == FROM && (t == A || t == B ...))` clauses.
relation model_transitions(const std::string& model) {
    relation out;
    const std::string text = block(model, "can_transition");
    const std::regex clause(R"(\(f == (\w+) && \(([^)]*)\)\))");
    const std::regex target(R"(t == (\w+))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), clause); it != std::sregex_iterator(); ++it) {
        const std::string from = (*it)[1].str();
        const std::string targets = (*it)[2].str();
        for (auto t = std::sregex_iterator(targets.begin(), targets.end(), target); t != std::sregex_iterator(); ++t) {
            out.insert({from, (*t)[1].str()});
        }
    }
    return out;
}

std::set<std::string> model_terminal(const std::string& model) {
    std::set<std::string> out;
    const std::string text = block(model, "is_terminal");
    const std::regex term(R"(s == (\w+))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), term); it != std::sregex_iterator(); ++it) {
        out.insert((*it)[1].str());
    }
    return out;
}

relation code_transitions() {
    relation out;
    for (action_state from : all_action_states) {
        for (action_state to : all_action_states) {
            if (opsbot::storage::can_transition(from, to)) {
                out.insert({std::string(to_string(from)), std::string(to_string(to))});
            }
        }
    }
    return out;
}

std::set<std::string> code_terminal() {
    std::set<std::string> out;
    for (action_state s : all_action_states) {
        if (opsbot::storage::is_terminal(s)) {
            out.insert(std::string(to_string(s)));
        }
    }
    return out;
}

/// Every difference between the model's table and the code's, one line each ("model only: a -> b").
std::vector<std::string> differences(const std::string& model) {
    std::vector<std::string> out;
    const relation in_model = model_transitions(model);
    const relation in_code = code_transitions();
    for (const auto& [from, to] : in_model) {
        if (!in_code.contains({from, to})) {
            out.push_back("model only: " + from + " -> " + to);
        }
    }
    for (const auto& [from, to] : in_code) {
        if (!in_model.contains({from, to})) {
            out.push_back("code only: " + from + " -> " + to);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("the model's action states are the code's, by name and in order") {
    for (const auto& file : model_files) {
        INFO(file);
        const auto states = model_states(read_model(file));
        REQUIRE(states.size() == all_action_states.size());
        for (std::size_t i = 0; i < all_action_states.size(); ++i) {
            const std::string name(to_string(all_action_states[i]));
            INFO(name);
            REQUIRE(states.contains(name));
            CHECK(states.at(name) == static_cast<int>(i));
        }
    }
}

TEST_CASE("the model's can_transition is the code's, both ways") {
    for (const auto& file : model_files) {
        INFO(file);
        const std::string model = read_model(file);
        const relation in_model = model_transitions(model);
        INFO("transitions read from the model: " << in_model.size());
        REQUIRE(in_model.size() >= 10);  // the block was found and parsed
        for (const auto& d : differences(model)) {
            FAIL_CHECK(d);
        }
        CHECK(in_model == code_transitions());
    }
}

TEST_CASE("the model's is_terminal is the code's") {
    for (const auto& file : model_files) {
        INFO(file);
        const std::string model = read_model(file);
        REQUIRE(!model_terminal(model).empty());
        CHECK(model_terminal(model) == code_terminal());
    }
}

TEST_CASE("the comparison notices a table that drifted") {
    std::string model = read_model();
    // Drop running -> stopped from the model, and let it allow approved -> succeeded.
    const std::string running_clause = "t == succeeded || t == failed || t == interrupted || t == stopped";
    const std::string approved_clause = "t == running || t == failed || t == interrupted";
    auto at = model.find(running_clause);
    REQUIRE(at != std::string::npos);
    model.replace(at, running_clause.size(), "t == succeeded || t == failed || t == interrupted");
    at = model.find(approved_clause);
    REQUIRE(at != std::string::npos);
    model.replace(at, approved_clause.size(), approved_clause + " || t == succeeded");
    const auto found = differences(model);
    CHECK(found == std::vector<std::string>{"model only: approved -> succeeded", "code only: running -> stopped"});
}
