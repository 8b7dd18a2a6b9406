#include "commands/deploy/verify_logs.hpp"

#include "commands/deploy/status.hpp"
#include "commands/plan/concurrent_call.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace opsbot::commands {
namespace {

/// At most this many matches are read per line: one is enough to call it found.
constexpr int matches_read = 5;

bool contains_ci(std::string_view text, std::string_view needle) {
    return std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           }) != text.end();
}

}  // namespace

std::string log_line_filter(const std::string& line) { return "\"" + line + "\""; }

std::vector<log_line_search> start_log_line_searches(const service_config& service, const platform_registry& platforms,
                                                     const std::string& deployment_id, const std::string& why_not) {
    std::vector<log_line_search> out;
    auto* railway = platforms.railway_of(service.name);
    for (const auto& line : service.verify_log_lines) {
        log_line_search search{service.name, line, deployment_id, why_not, {}};
        if (railway == nullptr) {
            search.deployment.clear();
            search.why_not = fmt::format("no Railway adapter for {} (is {} set?)", service.name, service.token_env);
        } else if (!deployment_id.empty()) {
            search.call = start_call([railway, deployment_id, filter = log_line_filter(line)] {
                return railway->deployment_logs(deployment_id, filter, matches_read);
            });
        }
        out.push_back(std::move(search));
    }
    return out;
}

void add_log_line(checklist& list, log_line_search& search, std::chrono::steady_clock::time_point deadline,
                  std::chrono::milliseconds waited) {
    const std::string label = fmt::format("{} logs: {}", search.service, search.line);
    if (search.deployment.empty()) {
        list.add(check_mark::warn, label, "could not be read: " + search.why_not);
        return;
    }
    auto got = await(search.call, deadline);
    if (!got) {
        list.add(check_mark::warn, label, no_answer_text("Railway's logs", waited));
        return;
    }
    if (!*got) {
        list.add(check_mark::warn, label, "could not be read: " + got->error().message);
        return;
    }
    // The filter is Railway's search; the text itself decides, so a loose match is not taken for the line.
    const auto& lines = **got;
    const auto found = std::find_if(lines.begin(), lines.end(),
                                     [&](const auto& l) { return contains_ci(l.message, search.line); });
    if (found == lines.end()) {
        list.add(check_mark::fail, label,
                 fmt::format("missing from the logs of deployment {}: has that worker started?", search.deployment));
        return;
    }
    list.add(check_mark::ok, label,
             fmt::format("found in deployment {}{}", search.deployment,
                         found->timestamp.empty() ? "" : " at " + found->timestamp));
}

void add_manual_checks(checklist& list, const stack_config& config, const std::string& environment) {
    std::string logs = "the API's logs";
    for (const auto& [name, service] : config.services) {
        if (service.platform == platform_kind::railway) {
            logs = "`/deploy logs " + name + "`";
            break;
        }
    }
    list.manual.push_back(fmt::format("if webhooks changed: send a test WhatsApp message and check it is processed "
                                      "(the webhook event and the worker processing show in {}) (runbook §7)",
                                      logs));
    const auto db = config.databases.find(environment);
    const std::string url_env = db != config.databases.end() ? db->second.url_env : "DATABASE_URL";
    list.manual.push_back(fmt::format("if a migration ran: spot-check the affected data via API requests or Prisma "
                                      "Studio: DATABASE_URL=\"${}\" npx prisma studio (runbook §7)",
                                      url_env));
}

}  // namespace opsbot::commands
