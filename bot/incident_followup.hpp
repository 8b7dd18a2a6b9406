#pragma once

#include "bot/action_flow.hpp"
#include "bot/incident_notifier.hpp"
#include "commands/plan/plan.hpp"
#include "storage/action_store.hpp"

#include <string>

namespace opsbot::bot {

/// What action_flow::execute knows when a plan has run.
struct finished_run {
    const storage::action_record& action;
    const commands::plan& plan;
    bool succeeded = false;
    std::string outcome;  ///< "all 4 steps succeeded" / "step 2 failed: …"
};

/// The `/incident` follow-ups once its plan has run; nothing for other plans. Called at the end of
/// action_flow::execute. Blocking; every failure is logged, never thrown.
/// - site-down that succeeded: each rolled-back web service's URL must answer HTTP 200 (runbook §8 step 2, "site
///   load"); the result goes to the thread, a failure to the incident channel too.
/// - secret-leaked (success or failure): the incident record (commands/incident_record.hpp) is filled in, kept in
///   the audit log as "incident.record", posted in the thread and to the incident channel.
void follow_up_incident(const action_flow_deps& deps, const finished_run& run);

/// `/incident secret-leaked`: the rotation's incident notice (the only post to the incident channel for it) is
/// named for the leak, and on success points to the checklist and the record in the thread. Other plans: unchanged.
void name_leak_notice(const commands::plan& plan, bool failed, incident_notice& notice);

/// The moment an `/incident` plan is posted (for approval or under break-glass): for secret-leaked, the
/// leaked-secret checklist goes into the plan's thread so people start on it while the rotation waits or runs.
void on_incident_plan_posted(const action_flow_deps& deps, const commands::plan& plan, const std::string& channel,
                             const std::string& thread_ts);

}  // namespace opsbot::bot
