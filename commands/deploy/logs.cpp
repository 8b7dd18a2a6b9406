#include "commands/deploy/logs.hpp"

#include "commands/deploy/status.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "commands/plan/concurrent_call.hpp"
#include "core/mrkdwn.hpp"
#include "core/redactor.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace opsbot::commands {
namespace {

/// Room for the lines in one section block (Slack: 3000 characters) after the heading and the note.
constexpr std::size_t lines_budget = 2600;
constexpr std::size_t line_max_chars = 300;

reply error_of(std::string text) { return reply{std::move(text), false, true}; }

/// One log line as shown: redacted whole first (it is the service's own output; cutting first could leave half a
/// secret the redactor no longer recognises), then cut, then escaped; a "```" in it would end the code block.
std::string shown_line(const adapters::railway_log_line& line) {
    std::string raw = line.timestamp.substr(0, 19);  // to the second: "2026-11-26T11:00:00"
    if (!line.severity.empty()) {
        raw += " " + line.severity;
    }
    std::string text = global_redactor().redact(raw + " " + line.message);
    if (count_chars(text) > line_max_chars) {
        text = text.substr(0, head_cut(text, line_max_chars)) + "\xE2\x80\xA6";
    }
    for (auto at = text.find("```"); at != std::string::npos; at = text.find("```", at)) {
        text.replace(at, 3, "'''");
    }
    return escape_mrkdwn(text);
}

}  // namespace

reply deploy_logs_reply(const parsed_command& command, const command_context& context,
                        std::chrono::milliseconds timeout) {
    const std::string name = command.arg("service").value_or("");
    auto service = find_service(context.config, name);
    if (!service) {
        return error_of(service.error().message);
    }
    int lines = deploy_logs_default_lines;
    if (auto n = command.arg("lines")) {
        const auto [end, ec] = std::from_chars(n->data(), n->data() + n->size(), lines);
        if (ec != std::errc{} || end != n->data() + n->size() || lines < 1 || lines > deploy_logs_max_lines) {
            return error_of(fmt::format("Show 1 to {} lines: `/deploy logs {} {}` at most (got {}).",
                                        deploy_logs_max_lines, name, deploy_logs_max_lines, code_span(*n)));
        }
    }
    if ((*service)->platform != platform_kind::railway) {
        return error_of(fmt::format("`/deploy logs` reads Railway's deployment logs; {} runs on {}, whose logs opsbot "
                                    "does not read: see them in its dashboard.",
                                    code_span(name), display_name((*service)->platform)));
    }
    auto* railway = context.platforms.railway_of(name);
    if (railway == nullptr) {
        return error_of(fmt::format("No Railway adapter for {} (is {} set?).", code_span(name),
                                    (*service)->token_env));
    }
    const bool errors = command.has_flag("errors");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto live_call = start_call([railway] { return railway->live("production"); });
    auto live = await(live_call, deadline);
    if (!live) {
        return error_of(escape_mrkdwn(no_answer_text("Railway", timeout)) + ".");
    }
    if (!*live) {
        return error_of("No live production deployment of " + code_span(name) + ": " +
                        escape_mrkdwn(live->error().message));
    }
    const std::string id = (*live)->id;
    auto logs_call = start_call([railway, id, errors, lines] {
        return railway->deployment_logs(id, errors ? deploy_logs_errors_filter : "", lines);
    });
    auto got = await(logs_call, deadline);
    if (!got) {
        return error_of(escape_mrkdwn(no_answer_text("Railway", timeout)) + ".");
    }
    if (!*got) {
        return error_of("Could not read the logs of " + code_span(name) + ": " +
                        escape_mrkdwn(global_redactor().redact(got->error().message)));
    }
    const auto& read = **got;
    std::string heading = fmt::format("*Logs of {}*, live production deployment {}: {}", escape_mrkdwn(name),
                                      code_span(id),
                                      errors ? fmt::format("the last {} error line(s) asked for ({})", lines,
                                                           code_span(deploy_logs_errors_filter))
                                             : fmt::format("the last {} line(s) asked for", lines));
    if (read.empty()) {
        return reply{heading + "\n_No lines._", false, false};
    }
    // Newest kept first, so what is cut to fit is the oldest.
    std::vector<std::string> kept;
    std::size_t used = 0;
    for (auto it = read.rbegin(); it != read.rend(); ++it) {
        std::string line = shown_line(*it);
        used += count_chars(line) + 1;
        if (used > lines_budget && !kept.empty()) {
            break;
        }
        kept.push_back(std::move(line));
    }
    std::string text = heading + "\n```";
    for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
        text += "\n" + *it;
    }
    text += "\n```";
    if (kept.size() < read.size()) {
        text += fmt::format("\n_{} older line(s) not shown: one Slack message holds about 3000 characters._",
                            read.size() - kept.size());
    }
    return reply{text, false, false};
}

reply deploy_logs_reply(const parsed_command& command, const command_context& context) {
    return deploy_logs_reply(command, context, std::chrono::seconds{8});
}

}  // namespace opsbot::commands
