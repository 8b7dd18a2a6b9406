/*
 * The approval protocol with REPLICAS WITH LEASES (issue 14: several opsbot processes on one PostgreSQL), for
 * SPIN. model/README.md ("Replicas with leases") says what is modelled and why; tests/model/ runs it from ctest.
 * approval.pml models one process in depth (digests, expiry, break-glass, Stop, failed writes, restarts); this
 * model keeps the approvals, locks and steps of it and adds what replicas change: who owns an action.
 *
 * Two replicas R0 and R1. Each has a lease in the `replicas` table, renewed by its heartbeat. A replica may be
 * killed at any point (kill -9: it never comes back under the same id) or be only SLOW (its heartbeat late, so
 * its lease expires while it still runs). Every write of a replica is one transaction (writers are serialised:
 * an advisory lock), modelled as one `atomic` block:
 *   - a click reaches any live replica; record_decision decides once; the approving replica owns the action;
 *   - the owner's start (locks claimed, approved -> running), every step start and finish, and the final state
 *     check actions.owner = me and that my lease is valid, in the same transaction; a replica that finds the
 *     action no longer its own stops working on it;
 *   - take_over_expired (every lease/3, one transaction): approved or running actions whose owner's lease
 *     expired are taken: a WAITING step gets owner = the taker, which resumes the wait; anything else (the step
 *     was ACTING, or the action had not started or was between steps) is marked interrupted, its locks released.
 *
 *   a0: a rotation: locks L0 and L1, 1 approval, steps: act, wait for a person, act
 *   a1: a rollback: lock L1, 2 approvals, one step
 *
 * Mutants (-DMUTANT_...) each break one rule; tests/model/run_model.sh checks that SPIN catches every one.
 */

#ifndef MAX_CRASHES
#define MAX_CRASHES 1         /* kills in the whole run: one replica always survives */
#endif
#ifndef MAX_SLOW
#define MAX_SLOW 1            /* leases that expire while their replica lives */
#endif

#define NR 2                  /* replicas */
#define NA 2                  /* actions */
#define NL 2                  /* locks */
#define REQUESTER 0           /* user 0 requests both actions; users 1 and 2 approve */
#define FREE 255              /* no row in `locks` */
#define NOBODY 255            /* actions.owner is NULL */

/* ---- The action states: the same blocks as approval.pml, checked against storage/action_state.cpp by
 *      tests/model/model_transitions_test.cpp ---- */
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
#define WAIT_STEP      1                          /* a0's step 1: a person runs `/rotate … --continue` */
#define IS_WAIT(a, i)  (a == 0 && i == WAIT_STEP)
#define WANTS(a, l)    (a == 0 || l == 1)
#define OTHER(a)       (1 - a)
#define BIT(n)         (1 << (n))
#define OTHERS(m)      (((m) >> 1 & 1) + ((m) >> 2 & 1))   /* approvers in the mask other than the requester */

/* The phase of an action's current step, as its step rows say */
#define BETWEEN 0             /* no step, or the last one finished */
#define ACTING 1
#define WAITING 2

/* ---- The database (PostgreSQL): survives every kill ---- */
byte state[NA];
byte approvals[NA];           /* users with an 'approve' row */
byte decided[NA];             /* users with any row: UNIQUE (action_seq, user_id) */
byte lock_owner[NL];          /* the action of a `locks` row, or FREE */
byte owner[NA];               /* actions.owner: a replica, or NOBODY */
byte phase[NA];               /* BETWEEN, ACTING or WAITING */
byte audit_started[NA];       /* `step.started` entries, a bit per step */
bit  lease_expired[NR];       /* replicas.lease_until has passed */

/* ---- The replicas: in memory ---- */
bit  alive[NR];
byte go[NR * NA];             /* execute() for (replica, action): 1 run it, 2 resume its wait (a takeover) */
#define GO(r, a) go[(r) * NA + (a)]

/* ---- Ghosts, for the invariants ---- */
byte started[NA];             /* steps started, a bit each */
byte acting_by[NA];           /* the replicas whose step of the action acts on a platform now, a bit each */
bit  orphan[NA];              /* its owner was killed while it was approved or running */
bit  resumed[NA];             /* a takeover gave it to another replica */
byte crashes;
byte slowdowns;
bit  locks_kept[NA];          /* KEEP_LOCKS_ON_TAKEOVER: an interrupted action's locks wait for their lease */

#ifdef MUTANT_NO_OWNER_CHECK
#define STEP_OWNER_CHECKED false
#else
#define STEP_OWNER_CHECKED true
#endif

/* The owner check of a replica's write: the action is in the state the write expects and this replica owns it.
 * OWNER_CHECK_ONLY (a gap configuration) leaves out the lease: the check is actions.owner = me alone. */
#define MINE(r, a, s) (state[a] == s && owner[a] == r)
#ifdef OWNER_CHECK_ONLY
#define LEASE_OK(r) true
#else
#define LEASE_OK(r) (!lease_expired[r])
#endif
/* A replica whose lease expired writes nothing for the action until its heartbeat renews the lease, or until the
 * action is no longer its own (taken over, or interrupted). Modelled as the guard of its next transaction. */
#define MAY_WRITE(r, a, s) (LEASE_OK(r) || !MINE(r, a, s))

/* ==== Pieces of transactions: call them inside an atomic block ==== */

inline release_locks(a) {
    if
    :: lock_owner[0] == a -> lock_owner[0] = FREE
    :: else
    fi;
    if
    :: lock_owner[1] == a -> lock_owner[1] = FREE
    :: else
    fi
}

#define FREE_FOR(a, l) (!WANTS(a, l) || lock_owner[l] == FREE || lock_owner[l] == a)

/* All the locks of the action, or none (one transaction: the primary key refuses a second holder). */
inline claim_locks(a, ok) {
    if
    :: FREE_FOR(a, 0) && FREE_FOR(a, 1) ->
        if
        :: WANTS(a, 0) -> lock_owner[0] = a
        :: else
        fi;
        if
        :: WANTS(a, 1) -> lock_owner[1] = a
        :: else
        fi;
        ok = 1
    :: else -> ok = 0
    fi
}

/* detail::transition_in: the trigger refuses what the table does not allow; an ended action's locks go with it. */
inline transition(a, from, to, ok) {
    assert(can_transition(from, to));
    if
    :: state[a] == from && can_transition(from, to) ->
        state[a] = to;
        if
        :: is_terminal(to) -> release_locks(a); phase[a] = BETWEEN
        :: else
        fi;
        ok = 1
    :: else -> ok = 0
    fi
}

/* What must hold when an action starts running (approved -> running). */
inline check_start(r, a) {
    assert(OTHERS(approvals[a]) >= REQUIRED(a));   /* the two-person rule: approvers other than the requester */
    assert(owner[a] == r)
}

/* What must hold when replica r starts step i of action a. */
inline check_step(r, a, i) {
    assert(!(started[a] & BIT(i)));          /* no step starts twice: never re-run, across kills and takeovers */
    assert(audit_started[a] & BIT(i));       /* every started step has its audit entry */
    assert(state[a] == running);             /* not ended, not interrupted under it */
    assert(owner[a] == r);                   /* only the owner starts a step ... */
    assert(!lease_expired[r]);               /* ... and a slow owner whose lease expired never does */
    if
    :: !IS_WAIT(a, i) ->
        /* an acting step holds each lock it needs: two actions never hold one lock */
        assert(!WANTS(a, 0) || lock_owner[0] == a);
        assert(!WANTS(a, 1) || lock_owner[1] == a);
#ifdef CHECK_PHYSICAL_OVERLAP
        /* and nothing else acts under one of them, not even a slow replica whose action was interrupted */
        assert(acting_by[OTHER(a)] == 0);
#endif
        acting_by[a] = acting_by[a] | BIT(r)
    :: else
    fi;
    started[a] = started[a] | BIT(i)
}

/* ==== The executor of replica r for action a: action_flow::execute with the owner checks ==== */
proctype executor(byte r; byte a) {
    byte i;
    bit ok;
    bit resume;
end_idle:
    do
    :: atomic { GO(r, a) != 0 && alive[r] -> resume = (GO(r, a) == 2); GO(r, a) = 0 };
       {
            if
            :: resume -> i = WAIT_STEP; goto wait_end      /* a takeover: the wait goes on here */
            :: else
            fi;
            /* The start, one transaction: the owner check, the locks, approved -> running. */
            atomic {
                MAY_WRITE(r, a, approved);
                if
                :: !(MINE(r, a, approved) && LEASE_OK(r)) -> goto done   /* no longer ours: stop */
                :: else
                fi;
                claim_locks(a, ok);
                if
                :: ok -> transition(a, approved, running, ok); check_start(r, a)
                :: else -> transition(a, approved, failed, ok); goto done  /* a lock is held: nothing ran */
                fi
            }
            do
            :: i < NSTEPS(a) ->
                /* A step starts: the owner check, `step.started`, the step row, one transaction. */
                atomic {
                    !STEP_OWNER_CHECKED || MAY_WRITE(r, a, running);
                    if
                    :: STEP_OWNER_CHECKED && !(MINE(r, a, running) && LEASE_OK(r)) -> goto done
                    :: else
                    fi;
                    audit_started[a] = audit_started[a] | BIT(i);
                    if
                    :: IS_WAIT(a, i) -> phase[a] = WAITING; release_locks(a)   /* a waiting person holds none */
                    :: else -> phase[a] = ACTING
                    fi;
                    check_step(r, a, i)
                }
                /* The step acts or waits: others interleave; the replica may be slow or killed here. */
                if
                :: IS_WAIT(a, i) ->
wait_end:
                    /* The person went on (`--continue`, through any replica) or the wait timed out: the owner
                     * writes it, with the locks claimed again. */
                    atomic {
                        MAY_WRITE(r, a, running);
                        if
                        :: !(MINE(r, a, running) && LEASE_OK(r)) -> goto done
                        :: else
                        fi;
                        if
                        :: claim_locks(a, ok);
                           if
                           :: ok -> phase[a] = BETWEEN
                           :: else -> transition(a, running, failed, ok); goto done
                           fi
                        :: transition(a, running, failed, ok); goto done       /* it timed out */
                        fi
                    }
                :: else ->
                    /* The platform call returns (a slow replica's returns late); the step's end is written. */
                    atomic {
                        acting_by[a] = acting_by[a] & ~BIT(r);
                        MAY_WRITE(r, a, running);
                        if
                        :: !(MINE(r, a, running) && LEASE_OK(r)) -> goto done
                        :: else
                        fi;
                        if
                        :: phase[a] = BETWEEN                                    /* it worked */
                        :: transition(a, running, failed, ok); goto done         /* it failed */
                        fi
                    }
                fi;
                i++
            :: else -> break
            od;
            /* The final state, with the owner check. */
            atomic {
                MAY_WRITE(r, a, running);
                if
                :: MINE(r, a, running) && LEASE_OK(r) -> transition(a, running, succeeded, ok)
                :: else
                fi
            }
done:
            skip
       } unless { !alive[r] };
       atomic { i = 0; ok = 0; resume = 0 }
    od
}

/* ==== Clicks: record_decision, one transaction, at whichever replica Slack delivered the click to ==== */

inline record_decision(u, a, approve, r) {
    if
    :: u == REQUESTER -> skip                                   /* "your own request": refused, audited */
    :: else ->
        decided[a] = decided[a] | BIT(u);
        if
        :: approve ->
            approvals[a] = approvals[a] | BIT(u);
            if
            :: OTHERS(approvals[a]) >= REQUIRED(a) ->
                transition(a, awaiting_approval, approved, ok);
                owner[a] = r;                                   /* execute() follows in the same job */
                GO(r, a) = 1
            :: else
            fi
        :: else -> transition(a, awaiting_approval, denied, ok)
        fi
    fi
}

#define CLICK(U, A, R) \
    :: atomic { alive[R] && state[A] == awaiting_approval && !(decided[A] & BIT(U)) -> \
           if \
           :: approve = 1 \
           :: approve = 0 \
           fi; \
           record_decision(U, A, approve, R); \
           approve = 0; ok = 0 }

proctype people() {
    bit approve;
    bit ok;
end_people:
    do
    CLICK(0, 0, 0)
    CLICK(1, 0, 0)
    CLICK(2, 0, 0)
    CLICK(0, 1, 0)
    CLICK(1, 1, 0)
    CLICK(2, 1, 0)
    CLICK(1, 0, 1)
    CLICK(2, 0, 1)
    CLICK(1, 1, 1)
    CLICK(2, 1, 1)
    od
}

/* ==== take_over_expired ==== */

/* What replica t may take: approved or running, owned by another replica whose lease expired. */
#define TAKEABLE(t, a) ((state[a] == approved || state[a] == running) && owner[a] < NR && owner[a] != t && \
                        lease_expired[owner[a]])

/* The write for one action, given what was read of it (its state and phase). */
inline take(t, a, was_state, was_phase, ok) {
    if
    :: was_state == running && was_phase == WAITING ->
        owner[a] = t; GO(t, a) = 2; resumed[a] = 1              /* the wait goes on at the taker */
#ifdef KEEP_LOCKS_ON_TAKEOVER
    /* The proposed fix of the overlap (model/README.md, finding 3): an ACTING step may still act on a slow
     * replica, so its locks stay until their own lease runs out (world below). */
    :: was_state == running && was_phase == ACTING && state[a] == running ->
        assert(can_transition(running, interrupted));
        state[a] = interrupted; phase[a] = BETWEEN; locks_kept[a] = 1
#endif
    :: else -> transition(a, was_state, interrupted, ok)         /* reported; never re-run; locks released */
    fi
}

#ifndef MUTANT_TAKEOVER_NOT_ATOMIC
/* One transaction for all of them: what is read is what is written. */
inline take_over_expired(t, ok) {
    if
    :: TAKEABLE(t, 0) -> take(t, 0, state[0], phase[0], ok)
    :: else
    fi;
    if
    :: TAKEABLE(t, 1) -> take(t, 1, state[1], phase[1], ok)
    :: else
    fi
}
#endif

/* ==== A replica: its heartbeat, its takeover sweep, its death ==== */
proctype replica(byte r) {
    bit ok;
#ifdef MUTANT_TAKEOVER_NOT_ATOMIC
    byte a;
    byte was_state;
    byte was_phase;
#endif
end_replica:
    do
    /* the heartbeat: lease_until = now + lease (late, for a slow replica) */
    :: atomic { alive[r] && lease_expired[r] -> lease_expired[r] = 0 }
#if defined(MUTANT_NO_TAKEOVER)
    /* nobody takes over what a dead replica owned */
#elif !defined(MUTANT_TAKEOVER_NOT_ATOMIC)
    :: atomic { alive[r] && (TAKEABLE(r, 0) || TAKEABLE(r, 1)) -> take_over_expired(r, ok); ok = 0 }
#else
    /* The expired actions are read in one statement and written in others, with no lock held between. */
    :: atomic { alive[r] && (TAKEABLE(r, 0) || TAKEABLE(r, 1)) ->
           if
           :: TAKEABLE(r, 0) -> a = 0
           :: TAKEABLE(r, 1) -> a = 1
           fi;
           was_state = state[a]; was_phase = phase[a] };
       atomic { alive[r] -> take(r, a, was_state, was_phase, ok); ok = 0; a = 0; was_state = 0; was_phase = 0 }
#endif
    /* kill -9: what is in memory is gone; the database stays; the lease runs out */
    :: atomic { alive[r] && crashes < MAX_CRASHES ->
           crashes++;
           alive[r] = 0;
           orphan[0] = orphan[0] | (owner[0] == r && (state[0] == approved || state[0] == running));
           orphan[1] = orphan[1] | (owner[1] == r && (state[1] == approved || state[1] == running));
           GO(r, 0) = 0; GO(r, 1) = 0;
           acting_by[0] = acting_by[0] & ~BIT(r);
           acting_by[1] = acting_by[1] & ~BIT(r) }
    od
}

/* ==== Time: a lease runs out ==== */
proctype world() {
end_world:
    do
    :: atomic { !alive[0] && !lease_expired[0] -> lease_expired[0] = 1 }     /* a dead replica's */
    :: atomic { !alive[1] && !lease_expired[1] -> lease_expired[1] = 1 }
    :: atomic { alive[0] && !lease_expired[0] && slowdowns < MAX_SLOW -> slowdowns++; lease_expired[0] = 1 }
    :: atomic { alive[1] && !lease_expired[1] && slowdowns < MAX_SLOW -> slowdowns++; lease_expired[1] = 1 }
#ifdef KEEP_LOCKS_ON_TAKEOVER
    /* A lock's lease (the remaining steps' timeouts + 5 minutes, action_flow::claim_locks) runs out after the
     * step stopped acting: a step ends within its timeout (approval.pml's gap.slow_owner drops that). */
    :: atomic { locks_kept[0] && acting_by[0] == 0 -> release_locks(0); locks_kept[0] = 0 }
    :: atomic { locks_kept[1] && acting_by[1] == 0 -> release_locks(1); locks_kept[1] = 0 }
#endif
    od
}

init {
    atomic {
        state[0] = awaiting_approval;
        state[1] = awaiting_approval;
        lock_owner[0] = FREE;
        lock_owner[1] = FREE;
        owner[0] = NOBODY;
        owner[1] = NOBODY;
        alive[0] = 1;
        alive[1] = 1;
        run world();
        run people();
        run replica(0);
        run replica(1);
        run executor(0, 0);
        run executor(0, 1);
        run executor(1, 0);
        run executor(1, 1)
    }
}

#define ENDED_OR_RESUMED(a) (state[a] == interrupted || (resumed[a] && owner[a] < NR && alive[owner[a]]))

/* An action whose owner was killed is eventually reported interrupted, or resumed by a live replica. */
ltl owner_death_handled {
    [] ((orphan[0] -> <> ENDED_OR_RESUMED(0)) && (orphan[1] -> <> ENDED_OR_RESUMED(1)))
}

/* An approved action ends (or is interrupted), whoever owns it, killed, slow or taken over. */
ltl runs_end {
    [] (((state[0] == approved || state[0] == running) -> <> is_terminal(state[0])) &&
        ((state[1] == approved || state[1] == running) -> <> is_terminal(state[1])))
}
