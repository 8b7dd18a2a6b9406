#pragma once

// An OpenAPI 3 description (tests/api_specs/<provider>.json) as a checker of concrete HTTP exchanges: does the
// operation exist (method + path template), are the query parameters and JSON body fields declared, is every field
// of an answer declared by the response schema, are the fields an adapter reads declared? Test tooling for issue 16
// item 4; $ref, allOf, oneOf, anyOf and additionalProperties are followed.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::testing {

class openapi_spec {
public:
    /// Reads tests/api_specs/<file>; `base_path` is the servers[0] path the templates hang under ("/v1" for
    /// OpenAI), stripped from concrete paths before matching.
    static std::expected<openapi_spec, std::string> load(const std::string& path, std::string base_path = "");

    /// The path template a concrete path (percent-decoded, without the query) matches, or nullopt. The template with
    /// the most literal segments wins ("/v9/projects/{idOrName}" vs a literal sibling).
    std::optional<std::string> match_path(std::string_view concrete_path) const;

    /// Errors of one request: unknown METHOD+path, undeclared query parameters, undeclared JSON body fields.
    std::vector<std::string> check_request(std::string_view method, std::string_view concrete_path,
                                           const std::map<std::string, std::string>& query,
                                           const boost::json::value* body) const;
    /// Errors of one answer: fields not declared by the response schema of `status` (or of "default"/"2XX"), and
    /// values whose JSON type the schema contradicts. An undocumented status is an error.
    std::vector<std::string> check_response(std::string_view method, std::string_view concrete_path, int status,
                                            const boost::json::value& body) const;
    /// Does the description give the answer of `status` (or of its "NXX" range or "default") to METHOD path a JSON
    /// schema? Error statuses often go undescribed (Resend's file describes only 200s).
    bool describes_answer(std::string_view method, std::string_view concrete_path, int status) const;
    /// Does the description list `status` (or its range, or "default") for METHOD path at all, body or not?
    bool lists_status(std::string_view method, std::string_view concrete_path, int status) const;
    /// check_response for a path template given directly (an answer checked against a sibling operation's schema).
    std::vector<std::string> check_answer(std::string_view method, std::string_view path_template, int status,
                                          const boost::json::value& body) const;
    /// Errors for field paths an adapter reads from the `status` answer of METHOD template: "deployments[].uid",
    /// "meta.githubCommitSha" ("[]" steps into an array's items). Each must be declared.
    std::vector<std::string> check_read_fields(std::string_view method, std::string_view path_template, int status,
                                               const std::vector<std::string>& field_paths) const;

private:
    const boost::json::object& sdk_operations() const;
    const boost::json::object* operation(std::string_view method, std::string_view path_template) const;
    const boost::json::value* response_schema(const boost::json::object& op, int status) const;
    const boost::json::value& deref(const boost::json::value& v) const;

    boost::json::value doc_;
    std::string base_path_;
};

/// The description of one provider, loaded once: "vercel", "sentry", "github", "openai", "resend",
/// "betterstack", "posthog" (tests/api_specs/README.md).
const openapi_spec& published_openapi(std::string_view provider);

}  // namespace opsbot::testing
