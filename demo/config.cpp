#include "demo/demo.hpp"
#include "demo/sandbox_platforms.hpp"
#include "demo/sandbox_secret_providers.hpp"

namespace opsbot::demo {

stack_config demo_config(const std::string& api_url, const std::string& database_path) {
    stack_config c;
    c.slack.app_token_env = "OPSBOT_DEMO_APP_TOKEN";
    c.slack.bot_token_env = "OPSBOT_DEMO_BOT_TOKEN";
    c.slack.api_url = api_url;
    c.slack.ops_channel = "C0OPS";
    c.slack.incident_channel = "C0INCIDENT";
    c.database = database_path;
    c.groups["deployers"] = {"U01", "U02", "U03"};
    c.groups["approvers"] = {"U02", "U03"};
    policy_config run_only;
    run_only.run = "deployers";
    policy_config approved = run_only;
    approved.approve = "approvers";
    approved.approvals = 1;
    approved.expires_after = std::chrono::minutes{15};
    for (const char* family : {"backup", "audit", "incident"}) {
        c.policies[family] = run_only;
    }
    // Production deploys need a second person too.
    for (const char* family : {"deploy", "rollback", "rotate", "migrate"}) {
        c.policies[family] = approved;
    }
    c.services = sandbox_service_configs();
    c.secrets = sandbox_secret_configs();
    return c;
}

}  // namespace opsbot::demo
