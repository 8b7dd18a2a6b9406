#include "commands/deploy/plan.hpp"

#include "commands/deploy/steps.hpp"
#include "commands/plan/step_params.hpp"

#include "commands/grammar/format.hpp"
#include "commands/grammar/mrkdwn.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

namespace opsbot::commands {
namespace {

constexpr std::string_view vercel_next_step =
    "Runbook §2/§8: Vercel keeps the previous deployment live when a build fails; read the build log "
    "(Project > Deployments), fix and push again, or `/rollback web`.";
constexpr std::string_view railway_next_step =
    "Runbook §3/§8: Railway keeps the previous healthy deployment when a deploy fails; read the build log "
    "(API service > Deployments), or `/rollback api`.";

plan_step verify_step(const std::string& environment) {
    plan_step verify;
    verify.kind = "verify.run";
    verify.description = fmt::format("Run the post-deploy checklist (`/deploy verify {}`) and record it", environment);
    verify.params = params_of(verify_run_params{environment});
    verify.timeout = std::chrono::minutes{1};
    return verify;
}

result<plan> plan_vercel(const service_config& service, adapters::vercel_platform& vercel, const clock& clk) {
    auto current = vercel.current_production();
    if (!current) {
        return std::unexpected(current.error());
    }
    plan p;
    p.family = "deploy";
    p.service = service.name;
    p.environment = "production";
    p.title = fmt::format("Deploy {} (production, Vercel)", service.name);
    p.next_step_on_failure = std::string(vercel_next_step);
    plan_step redeploy;
    redeploy.kind = "vercel.redeploy";
    redeploy.description = fmt::format(
        "Deploy the latest commit of {} to {} production (it may include commits not yet released): a new build "
        "of that branch's newest commit with the live `{}` ({}, {}) as the template (POST /v13/deployments, "
        "withLatestCommit), and wait until the new deployment is READY",
        current->commit_ref.empty() ? std::string("the production branch") : "branch `" + current->commit_ref + "`",
        service.name, current->id, short_sha(current->commit_sha), age_of_ms(current->created_ms, clk));
    redeploy.params = params_of(vercel_redeploy_params{service.name, current->id,
                                                       current->name.empty() ? service.name : current->name,
                                                       "production", true, std::nullopt});
    redeploy.timeout = std::chrono::minutes{15};
    p.steps.push_back(std::move(redeploy));
    p.steps.push_back(verify_step("production"));
    return p;
}

result<plan> plan_railway(const service_config& service, adapters::railway_platform& railway,
                          const std::string& environment, const clock& clk) {
    auto deployments = railway.list_deployments(environment, 20);
    if (!deployments) {
        return std::unexpected(deployments.error());
    }
    auto live = adapters::pick_railway_live(*deployments);
    plan p;
    p.family = "deploy";
    p.service = service.name;
    p.environment = environment;
    p.title = fmt::format("Deploy {} ({}, Railway)", service.name, environment);
    p.next_step_on_failure = std::string(railway_next_step);
    plan_step redeploy;
    redeploy.kind = "railway.redeploy";
    redeploy.description =
        live ? fmt::format("Deploy {} in {} again (serviceInstanceDeployV2), replacing `{}` ({}, {}), and wait for "
                           "SUCCESS",
                           service.name, environment, live->id, short_sha(live->commit_hash),
                           age_of_iso(live->created_at, clk))
             : fmt::format("Deploy {} in {} (serviceInstanceDeployV2; nothing is live yet) and wait for SUCCESS",
                           service.name, environment);
    redeploy.params =
        params_of(railway_redeploy_params{service.name, environment, live ? live->id : std::string{}, std::nullopt});
    redeploy.timeout = std::chrono::minutes{20};
    p.steps.push_back(std::move(redeploy));
    if (auto health = service.health_url.find(environment); health != service.health_url.end()) {
        p.steps.push_back(health_check_step(health->second));
    }
    p.steps.push_back(verify_step(environment));
    return p;
}

}  // namespace

result<plan> plan_deploy(const stack_config& config, const platform_registry& platforms,
                         const deploy_request& request, const clock& clk) {
    auto found = find_service(config, request.service);
    if (!found) {
        return std::unexpected(found.error());
    }
    const service_config& service = **found;
    if (service.platform == platform_kind::vercel && request.environment != "production") {
        return fail(error_kind::unavailable,
                    fmt::format("`{}` runs on Vercel, where staging builds come from git pushes; /deploy only "
                                "redeploys Vercel production.",
                                service.name));
    }
    auto platform = deploy_adapter(platforms, service);
    if (!platform) {
        return std::unexpected(platform.error());
    }
    // The one place /deploy differs per platform: which step kind redeploys (adapters/deploy_platform.hpp).
    if (auto* vercel = (*platform)->as_vercel()) {
        return plan_vercel(service, *vercel, clk);
    }
    if (auto* railway = (*platform)->as_railway()) {
        return plan_railway(service, *railway, request.environment, clk);
    }
    return fail(error_kind::unavailable, fmt::format("Service `{}` runs on `{}`, which /deploy does not support.",
                                                     service.name, display_name((*platform)->kind())));
}

reply deploy_now_reply(const parsed_command& command, const command_context& context) {
    deploy_request request{command.arg("service").value_or(""), command.arg("env").value_or("production")};
    if (request.environment == "production") {
        return reply{"`/deploy … production` needs a plan and a second person's approval.", false, true};
    }
    auto planned = plan_deploy(context.config, context.platforms, request, context.clk);
    if (!planned) {
        return reply{escape_mrkdwn(planned.error().message), false, true};
    }
    std::string text = "*" + escape_mrkdwn(planned->title) + "*";
    if (command.dry_run()) {
        for (const auto& step : planned->steps) {
            text += "\n• " + escape_mrkdwn(step.description);
        }
        return reply{text + "\n_Dry run: nothing was changed._", false, false};
    }
    step_environment env{context.platforms, context.clk,
                         [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }};
    env.steps = context.steps;
    for (const auto& step : planned->steps) {
        auto outcome = run_step(step, env);
        if (!outcome) {
            spdlog::warn("{}: step {} failed: {}", planned->title, step.kind, outcome.error().message);
            text += "\n:x: " + escape_mrkdwn(outcome.error().message) + "\n" +
                    escape_mrkdwn(planned->next_step_on_failure);
            return reply{text, true, true};
        }
        text += "\n:white_check_mark: " + escape_mrkdwn(*outcome);
    }
    return reply{text, true, false};
}

}  // namespace opsbot::commands
