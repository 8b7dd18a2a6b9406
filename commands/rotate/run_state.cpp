#include "commands/rotate/run_state.hpp"

#include "commands/plan/step_runner.hpp"
#include "commands/rotate/report.hpp"
#include "commands/rotate/secret_vault.hpp"

namespace opsbot::commands {
namespace {

class rotation_state final : public run_state {
public:
    void attach(step_environment& env) override { env.vault = &vault_; }

    void describe_success(const plan_step& step, boost::json::object& detail) const override {
        if (step.kind == "secret.generate") {
            detail["fingerprint"] = vault_.new_fingerprint();  // never the value (issue #6)
        }
    }

    std::string report_mrkdwn(const stack_config& config, const plan& p, bool ended_badly) const override {
        return rotate_state_mrkdwn(config, p, vault_, ended_badly);
    }

    std::string next_step_after_success() const override {
        return "Check the services work with the new value (health, web, Sentry); any checklist step above is left "
               "for a human.";
    }

private:
    secret_vault vault_;
};

}  // namespace

std::unique_ptr<run_state> make_rotation_state() { return std::make_unique<rotation_state>(); }

}  // namespace opsbot::commands
