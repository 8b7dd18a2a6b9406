/*
 * The approval protocol of opsbot, for SPIN. model/README.md says what is modelled, what is abstracted and
 * why, and how to run it; tests/model/ runs it from ctest.
 *
 * Two actions, a requester and two approvers, one opsbot process (NR = 1 replica) that may crash once at any
 * point and start again. Each SQLite IMMEDIATE transaction of the code is one `atomic` block; between two
 * transactions (Slack calls, re-planning, a step acting on a platform) other processes interleave and the
 * crash may strike.
 *
 *   a0: a rotation of two services: locks L0 and L1, 1 approval, steps: act, wait for a person, act
 *   a1: a rollback of one service: lock L1, 2 approvals, one step; the requester may run it by break-glass
 *
 * Mutants (-DMUTANT_...) each break one rule of the code; tests/model/run_model.sh checks that SPIN finds a
 * counterexample for every one, so that the green run means something.
 */

#ifndef MAX_CRASHES
#define MAX_CRASHES 1
#endif
#ifndef MAX_DB_FAILURES
#define MAX_DB_FAILURES 1     /* a write that fails (disk full, I/O error): its transaction changes nothing */
#endif

/* Replicas (issue 14, PostgreSQL). Today one process owns one SQLite database (an flock): NR is 1 and the
 * model is exact for it. Replicas with leases are modelled in replicas.pml (two replicas, kills, slow
 * replicas, the takeover, the owner check). What this model would need for them: with NR > 1 each replica
 * has its own Socket Mode link (a click goes to any live replica: `r` of record_decision), an action gets an
 * owner and a lease in the database (owner[] below is that column; 0 today), start-up recovery may interrupt
 * only actions whose owner's lease expired (not every running one: another replica may be running it), and
 * an executor renews its lease and checks it before each step. Then the executor, go[] and up/alive/epoch
 * become per replica. A lease expiring while its owner is only slow is modelled here for the lock leases
 * (SLOW_OWNER). */
#define NR 1

#define NA 2                  /* actions */
#define NL 2                  /* locks: rows of the `locks` table (service + environment) */
#define REQUESTER 0           /* user 0 requests both actions and is in the approver group; users 1, 2 approve */
#define FREE 255              /* no row in `locks` */

/* ---- The action states, with the names and in the order of storage/action_state.hpp (checked) ---- */
/* BEGIN action_states */
#define awaiting_approval 0
#define approved 1
#define running 2
#define succeeded 3
#define failed 4
#define denied 5
#define cancelled 6
#define expired 7
#define interrupted 8
#define stopped 9
/* END action_states */
#define unrequested 10        /* model only: no row yet */

/* ---- The transition table. tests/model/model_transitions_test.cpp checks, both ways, that it equals
 *      can_transition() and is_terminal() of storage/action_state.cpp. ---- */
/* BEGIN can_transition */
#define can_transition(f, t) ( \
    (f == awaiting_approval && (t == approved || t == denied || t == cancelled || t == expired)) || \
    (f == approved && (t == running || t == failed || t == interrupted)) || \
    (f == running && (t == succeeded || t == failed || t == interrupted || t == stopped)) )
/* END can_transition */
/* BEGIN is_terminal */
#define is_terminal(s) (s == succeeded || s == failed || s == denied || s == cancelled || s == expired || \
                        s == interrupted || s == stopped)
/* END is_terminal */

/* ---- The two actions ---- */
#define REQUIRED(a)    (a == 0 -> 1 : 2)
#define NSTEPS(a)      (a == 0 -> 3 : 1)
#define IS_WAIT(a, i)  (a == 0 && i == 1)       /* manual.wait: a person runs `/rotate SECRET --continue` */
#define WANTS(a, l)    (a == 0 || l == 1)       /* lock_subjects(plan) */
#define OTHER(a)       (1 - a)
#define BIT(n)         (1 << (n))
#define OTHERS(m)      (((m) >> 1 & 1) + ((m) >> 2 & 1))   /* approvers in the mask other than the requester */

/* ---- The database: survives a crash ---- */
byte state[NA];
bit  digest[NA];              /* plan_digest: what was live when the plan was made */
byte approvals[NA];           /* users with an 'approve' row: what count_approvers counts */
byte approvals_ok[NA];        /* ghost: those whose row carries the action's digest (what may count) */
byte decided[NA];             /* users with any row: UNIQUE (action_seq, user_id) */
byte lock_owner[NL];          /* the owner of a `locks` row, or FREE */
bit  lease_expired[NL];       /* its expires_at_ms has passed */
bit  audit_break_glass[NA];   /* the `break_glass` row and its `break_glass.used` entry (one transaction) */
byte audit_started[NA];       /* `step.started` entries, a bit per step */
byte owner[NA];               /* ISSUE-14: the replica running the action (always 0 with NR = 1) */

/* ---- The world ---- */
bit  platform;                /* what is live; a deploy by someone else changes it, and so a new plan's digest */
bit  past_expiry[NA];         /* the clock passed the action's expires_at */

/* ---- The process: in memory, wiped by a crash ---- */
bit  alive[NR];               /* the process exists */
bit  up[NR];                  /* ... and serves: its Socket Mode link delivers clicks and commands */
byte epoch[NR];               /* its incarnation; an executor of an older one is dead */
byte go[NA];                  /* execute() called for it in this incarnation: 1 run, 2 resume (a mutant) */
bit  stop_req[NA];            /* run_controls: Stop was pressed */
bit  live[NA];                /* an executor of the live process is running it */
bit  bg_pending[NA];          /* a break-glass request between its two transactions */

/* ---- Ghosts, for the invariants ---- */
byte started[NA];             /* steps started, a bit each */
bit  acting[NA];              /* a step acts on a platform now */
bit  orphan[NA];              /* its process died while it was approved or running */
byte starts_after_stop[NA];   /* steps started while a Stop was pending */
bit  posted[NA];              /* its plan message (with buttons) is in Slack */
byte crashes;
byte db_failures;

#define DB_MAY_FAIL (db_failures < MAX_DB_FAILURES)

/* A lock a live executor holds does not expire under it: a run ends within its lease (the sum of its steps'
 * timeouts + 5 minutes, action_flow::claim_locks). SLOW_OWNER drops that assumption: the owner is slow. */
#ifdef SLOW_OWNER
#define LEASE_MAY_EXPIRE(a) true
#else
#define LEASE_MAY_EXPIRE(a) (!live[a])
#endif

#ifdef MUTANT_NO_EXPIRY_CHECK
#define EXPIRY_CHECKED false
#else
#define EXPIRY_CHECKED true
#endif
#ifdef MUTANT_REQUESTER_APPROVES
#define REQUESTER_CHECKED false
#else
#define REQUESTER_CHECKED true
#endif
#ifdef MUTANT_SKIP_CLICK_DIGEST
#define CLICK_DIGEST_CHECKED false
#else
#define CLICK_DIGEST_CHECKED true
#endif
#ifdef MUTANT_IGNORE_STOP
#define STOP_CHECKED false
#else
#define STOP_CHECKED true
#endif

/* ==== Pieces of transactions: call them inside an atomic block ==== */

/* lock_store::release_owned_in: every lock row the action owns is deleted. */
inline release_locks(a) {
    if
    :: lock_owner[0] == a -> lock_owner[0] = FREE; lease_expired[0] = 0
    :: else
    fi;
    if
    :: lock_owner[1] == a -> lock_owner[1] = FREE; lease_expired[1] = 0
    :: else
    fi
}

/* detail::transition_in: UPDATE … WHERE seq = ? AND state = from, which the trigger refuses unless the table
 * allows it; an ended action's locks go in the same transaction. The code only ever asks for legal moves. */
inline transition(a, from, to, ok) {
    assert(can_transition(from, to));
    if
    :: state[a] == from && can_transition(from, to) ->
        state[a] = to;
        if
        :: is_terminal(to) -> release_locks(a)
        :: else
        fi;
        ok = 1
    :: else -> ok = 0
    fi
}

/* ==== The executor: action_flow::execute, claim_locks, run_steps and finish (bot/action_execute.cpp,
 *      bot/action_flow_finish.cpp) ==== */

/* lock_store::claim, one transaction: free, ours (renewed), or another's whose lease expired (taken over);
 * the primary key makes it atomic. */
inline claim_one(a, l, ok) {
#ifdef MUTANT_LOCK_NOT_ATOMIC
    /* a read, then the write in another statement, and no unique key to refuse the second one */
    seen = (lock_owner[l] == FREE || lock_owner[l] == a || lease_expired[l]);
    if
    :: seen -> lock_owner[l] = a; lease_expired[l] = 0
    :: else -> ok = 0
    fi;
    seen = 0
#else
    atomic {
        if
        :: lock_owner[l] == FREE || lock_owner[l] == a || lease_expired[l] -> lock_owner[l] = a; lease_expired[l] = 0
        :: else -> ok = 0
        fi
    }
#endif
}

/* In name order; the first refusal releases what was claimed (release_for_action). */
inline claim_locks(a, ok) {
    ok = 1;
    if
    :: WANTS(a, 0) -> claim_one(a, 0, ok)
    :: else
    fi;
    if
    :: ok && WANTS(a, 1) -> claim_one(a, 1, ok)
    :: else
    fi;
    if
    :: !ok -> atomic { release_locks(a) }
    :: else
    fi
}

/* What must hold when an action starts running (approved -> running). */
inline check_start(a, fresh) {
    /* the two-person rule: enough approvals of this plan by people other than the requester, or break-glass,
     * which is always audited as such */
    assert(OTHERS(approvals_ok[a]) >= REQUIRED(a) || audit_break_glass[a]);
    /* the plan that runs is the plan that was approved */
    assert(fresh == digest[a])
}

/* What must hold when a step starts. */
inline check_step(a, i) {
    assert(!(started[a] & BIT(i)));            /* no step runs twice, across a crash too */
    assert(audit_started[a] & BIT(i));         /* audit before act */
    assert(!orphan[a]);                        /* an action whose process died never runs again */
    assert(state[a] == running);               /* it runs while the database says so (not ended, not interrupted) */
    if
    :: stop_req[a] -> starts_after_stop[a]++
    :: else
    fi;
    assert(starts_after_stop[a] <= 1);         /* Stop: at most the step already on its way when it came */
    if
    :: !IS_WAIT(a, i) ->
        /* an acting step holds each lock it needs, and no other action acts under one of them */
        assert(!WANTS(a, 0) || lock_owner[0] == a);
        assert(!WANTS(a, 1) || lock_owner[1] == a);
        assert(!acting[OTHER(a)]);             /* a0 and a1 share L1 */
        acting[a] = 1
    :: else
    fi;
    started[a] = started[a] | BIT(i)
}

/* One per action, idle until execute() is called for it (go[a]); a crash kills the run wherever it is. */
proctype executor(byte a) {
    byte ep;
    bit resume;
    byte i;
    bit ok;
    bit fresh;
    bit seen;
    byte outcome;
end_idle:
    do
    :: atomic { go[a] != 0 && alive[0] -> ep = epoch[0]; resume = (go[a] == 2); go[a] = 0; live[a] = 1 };
       {
            if
            :: resume -> goto steps                /* only MUTANT_RERUN_AT_STARTUP resumes */
            :: else
            fi;
            /* Re-plan right before running: an approval holds only for the plan that was approved. */
            fresh = platform;
#ifndef MUTANT_SKIP_DIGEST
            if
            :: fresh != digest[a] -> atomic { transition(a, approved, failed, ok); live[a] = 0 }; goto done
            :: else
            fi;
#endif
            claim_locks(a, ok);
            if
            :: !ok -> atomic { transition(a, approved, failed, ok); live[a] = 0 }; goto done
            :: else
            fi;
            atomic {
                if
                :: transition(a, approved, running, ok)
                :: DB_MAY_FAIL -> db_failures++; ok = 0
                fi;
                if
                :: ok -> check_start(a, fresh)
                :: else
                fi
            }
            if
            :: !ok ->
                /* Nothing ran: it stays approved until the next start reports it interrupted. */
                atomic { release_locks(a); live[a] = 0 }; goto done
            :: else
            fi;
steps:
            outcome = succeeded;
            do
            :: i < NSTEPS(a) ->
                atomic {
                    /* Stop: the step before this one finished; nothing after it runs. */
                    if
                    :: STOP_CHECKED && stop_req[a] -> outcome = stopped; goto finish
                    :: else
                    fi;
                    /* Fail closed: a step whose `step.started` cannot be written does not run. */
                    if
                    :: audit_started[a] = audit_started[a] | BIT(i)
                    :: DB_MAY_FAIL -> db_failures++;
#ifndef MUTANT_AUDIT_NOT_FAIL_CLOSED
                        outcome = failed; goto finish
#else
                        skip
#endif
                    fi;
                    /* A person may take hours: the services stay free meanwhile, and are taken again below. */
                    if
                    :: IS_WAIT(a, i) -> release_locks(a)
                    :: else
                    fi;
                    check_step(a, i)
                }
                /* The step acts (or waits): others interleave here, and a crash may come. */
                atomic {
                    if
                    :: IS_WAIT(a, i) ->
                        if
                        :: skip                                       /* the person went on */
                        :: outcome = failed; goto finish              /* it timed out */
                        :: stop_req[a] -> outcome = stopped; goto finish   /* Stop ends the wait at once */
                        fi
                    :: else ->
                        acting[a] = 0;
                        if
                        :: skip                                       /* it worked */
                        :: outcome = failed; goto finish              /* it failed, or production changed */
                        fi
                    fi
                }
                /* After a wait: the locks again, or nothing more runs. */
                if
                :: IS_WAIT(a, i) && i + 1 < NSTEPS(a) ->
#ifndef MUTANT_NO_RECLAIM
                    claim_locks(a, ok);
                    if
                    :: !ok -> outcome = failed; goto finish
                    :: else
                    fi
#else
                    skip
#endif
                :: else
                fi;
                i++
            :: else -> break
            od;
finish:
            /* The final state, retried; if every attempt fails it stays running, with its locks, until the next
             * start (and the incident channel is told). */
            atomic {
                if
                :: transition(a, running, outcome, ok)
                :: DB_MAY_FAIL -> db_failures++
                fi;
                live[a] = 0
            }
done:
            skip
       } unless { !alive[0] || epoch[0] != ep };
       atomic { ep = 0; resume = 0; i = 0; ok = 0; fresh = 0; seen = 0; outcome = 0 }
    od
}

/* ==== Clicks: approval_store::record_decision, one IMMEDIATE transaction; execute() follows in the same
 *      job when the click approved it ==== */

inline record_decision(u, a, approve, right, r) {
    if
    :: state[a] != awaiting_approval -> skip                      /* already decided: a conflict, nothing changes */
    :: else ->
        /* in the order of the code: expiry, the requester, a second decision, the digest */
        if
        :: EXPIRY_CHECKED && past_expiry[a] ->
            transition(a, awaiting_approval, expired, ok)         /* a decision after expiry expires it */
        :: else -> if
        :: REQUESTER_CHECKED && u == REQUESTER -> skip            /* refused ("your own request"), audited */
        :: else -> if
        :: decided[a] & BIT(u) -> skip                            /* "you already decided" */
        :: else -> if
        :: CLICK_DIGEST_CHECKED && approve && !right -> skip      /* "the plan changed since it was posted" */
        :: else ->
            decided[a] = decided[a] | BIT(u);
            if
            :: approve ->
                approvals[a] = approvals[a] | BIT(u);
                if
                :: right -> approvals_ok[a] = approvals_ok[a] | BIT(u)
                :: else
                fi
            :: else
            fi;
            if
            :: !approve -> transition(a, awaiting_approval, denied, ok)
            :: approve && (approvals[a] & 1) + OTHERS(approvals[a]) >= REQUIRED(a) ->
                assert(!past_expiry[a]);                          /* approved only before it expires */
                transition(a, awaiting_approval, approved, ok);
                owner[a] = r;
                go[a] = 1                                         /* execute(), in the same job */
            :: else
            fi
        fi fi fi fi
    fi
}

/* A click on approve (with the digest on the button: the action's, or another for a stale or forged one) or
 * deny. A refused click changes nothing, so it is only a self-loop of the state graph. */
#define CLICK(U, A) \
    :: atomic { up[0] && posted[A] && state[A] == awaiting_approval && !(decided[A] & BIT(U)) -> \
           if \
           :: approve = 1; right = 1 \
           :: approve = 1; right = 0 \
           :: approve = 0; right = 1 \
           fi; \
           record_decision(U, A, approve, right, 0); \
           approve = 0; right = 0; ok = 0 }

/* The Stop button (bot/action_flow_stop.cpp), pressed by the requester or an approver while it runs. */
#define STOP(A) \
    :: atomic { up[0] && state[A] == running && live[A] && !stop_req[A] -> stop_req[A] = 1 }

/* The approvers, and the requester (whose own approval is refused), click. */
proctype people() {
    bit approve;
    bit right;
    bit ok;
end_people:
    do
    CLICK(0, 0)
    CLICK(1, 0)
    CLICK(2, 0)
    CLICK(0, 1)
    CLICK(1, 1)
    CLICK(2, 1)
    STOP(0)
    STOP(1)
    od
}

/* ==== The requester: action_flow::request (create, then post), or break-glass (create, then approve by
 *      break-glass: two transactions of one job), and Cancel ==== */
proctype requester() {
    bit ok;
    byte ep;
end_requester:
    do
    :: atomic { up[0] && state[0] == unrequested ->
           state[0] = awaiting_approval; digest[0] = platform; posted[0] = 1 }
    :: atomic { up[0] && state[1] == unrequested ->
           state[1] = awaiting_approval; digest[1] = platform; posted[1] = 1 }
    :: atomic { up[0] && state[1] == unrequested ->
           state[1] = awaiting_approval; digest[1] = platform; bg_pending[1] = 1; ep = epoch[0] };
       if
       :: atomic { alive[0] && epoch[0] == ep ->
              /* break_glass_store::approve_by_break_glass: the transition, the row and its audit entry */
              transition(1, awaiting_approval, approved, ok);
              if
              :: ok -> audit_break_glass[1] = 1; owner[1] = 0; go[1] = 1
              :: else
              fi;
              bg_pending[1] = 0; ok = 0; ep = 0 }
       :: atomic { !(alive[0] && epoch[0] == ep) -> ep = 0 }     /* the job died with its process */
       fi
    :: atomic { up[0] && posted[0] && state[0] == awaiting_approval ->
           transition(0, awaiting_approval, cancelled, ok); ok = 0 }
    :: atomic { up[0] && posted[1] && state[1] == awaiting_approval ->
           transition(1, awaiting_approval, cancelled, ok); ok = 0 }
    od
}

/* ==== Start-up recovery: action_flow::recover_at_startup ==== */

/* action_store::mark_interrupted_at_startup, one transaction: what a dead process left approved or running
 * is marked interrupted (with its audit entry, and its locks released). */
inline mark_interrupted(ok) {
#if defined(MUTANT_NO_RECOVERY)
    skip
#elif defined(MUTANT_RERUN_AT_STARTUP)
    /* "resume" what was running instead */
    if
    :: state[0] == running -> go[0] = 2
    :: else
    fi;
    if
    :: state[1] == running -> go[1] = 2
    :: else
    fi
#else
    if
    :: state[0] == approved -> transition(0, approved, interrupted, ok)
    :: state[0] == running -> transition(0, running, interrupted, ok)
    :: else
    fi;
    if
    :: state[1] == approved -> transition(1, approved, interrupted, ok)
    :: state[1] == running -> transition(1, running, interrupted, ok)
    :: else
    fi;
    ok = 0
#endif
}

#ifdef OLD_STARTUP_ORDER
/* Before the fix, runtime::run() posted the recovery to the worker pool and opened the Socket Mode link at
 * the same time: clicks of the new process could come first. */
proctype late_recovery(byte ep) {
    bit ok;
    atomic { alive[0] && epoch[0] == ep -> mark_interrupted(ok) }
}
#endif

/* ==== The process: its expiry sweeper, its crash (at any point) and its start ==== */
proctype replica() {
    bit ok;
end_replica:
    do
    /* action_store::sweep_expired, a thread of the process */
    :: atomic { up[0] && state[0] == awaiting_approval && past_expiry[0] ->
           transition(0, awaiting_approval, expired, ok); ok = 0 }
    :: atomic { up[0] && state[1] == awaiting_approval && past_expiry[1] ->
           transition(1, awaiting_approval, expired, ok); ok = 0 }
    /* kill -9, OOM, power: what is in memory is gone; the database stays */
    :: atomic { alive[0] && crashes < MAX_CRASHES ->
           crashes++;
           alive[0] = 0;
           up[0] = 0;
           orphan[0] = orphan[0] | (owner[0] == 0 && (state[0] == approved || state[0] == running));
           orphan[1] = orphan[1] | (owner[1] == 0 && (state[1] == approved || state[1] == running));
           go[0] = 0; go[1] = 0;
           stop_req[0] = 0; stop_req[1] = 0;
           live[0] = 0; live[1] = 0;
           acting[0] = 0; acting[1] = 0;
           bg_pending[0] = 0; bg_pending[1] = 0 };
       /* systemd starts it again: runtime::run() marks what the dead process left and reports it (Slack only,
        * not modelled), on its own thread, then opens the Socket Mode link */
#ifdef OLD_STARTUP_ORDER
       atomic { epoch[0]++; alive[0] = 1; up[0] = 1; run late_recovery(epoch[0]) }
#else
       atomic { epoch[0]++; alive[0] = 1; mark_interrupted(ok); up[0] = 1 }
#endif
    od
}

/* ==== Time and the platforms ==== */
proctype world() {
end_world:
    do
    :: atomic { platform == 0 -> platform = 1 }       /* someone deploys: a plan made now differs */
    :: atomic { state[0] == awaiting_approval && !past_expiry[0] -> past_expiry[0] = 1 }
    :: atomic { state[1] == awaiting_approval && !past_expiry[1] && !bg_pending[1] -> past_expiry[1] = 1 }
    :: atomic { lock_owner[0] != FREE && !lease_expired[0] && LEASE_MAY_EXPIRE(lock_owner[0]) -> lease_expired[0] = 1 }
    :: atomic { lock_owner[1] != FREE && !lease_expired[1] && LEASE_MAY_EXPIRE(lock_owner[1]) -> lease_expired[1] = 1 }
    od
}

init {
    atomic {
        state[0] = unrequested;
        state[1] = unrequested;
        lock_owner[0] = FREE;
        lock_owner[1] = FREE;
        alive[0] = 1;
        up[0] = 1;
        run world();
        run replica();
        run requester();
        run people();
        run executor(0);
        run executor(1)
    }
}

/* An action whose process died is eventually reported interrupted (its state and audit entry, in one
 * transaction); checked for acceptance cycles under weak fairness (pan -a -f -N orphan_reported). */
ltl orphan_reported {
    [] ((orphan[0] -> <> (state[0] == interrupted)) && (orphan[1] -> <> (state[1] == interrupted)))
}

/* An approved action ends (or is interrupted) unless a write failed: no run is stuck, waits included; checked
 * the same way (pan -a -f -N runs_end). A write that failed leaves it running until the next start. */
ltl runs_end {
    [] (((state[0] == approved || state[0] == running) -> <> (is_terminal(state[0]) || db_failures > 0)) &&
        ((state[1] == approved || state[1] == running) -> <> (is_terminal(state[1]) || db_failures > 0)))
}
