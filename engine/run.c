#include <stdbool.h>
#include <stddef.h>

#include "engine/run.h"

/* Keeps each flag's moments up to date: first on, back off. */
static void note_flags(const struct eng_action *act, int64_t t_ns, struct eng_record *rec)
{
	for (size_t i = 0; i < ENG_MAX_FLAGS; i++) {
		struct eng_flag_record *f = &rec->flags[i];
		double pct = act->flag_pct[i];

		if (pct > 0.0 && f->first_on_ns < 0)
			f->first_on_ns = t_ns;
		if (pct == 0.0 && f->first_on_ns >= 0 && f->off_ns < 0)
			f->off_ns = t_ns;
		if (pct > 0.0)
			f->off_ns = -1;
		f->final_pct = pct;
	}
}

/* The flags' names and verdicts, once the rollout is done. */
static void record_flags(const struct eng_rollout *ro, struct eng_record *rec)
{
	struct eng_flag_result r;

	rec->nflags = eng_rollout_nflags(ro);
	for (size_t i = 0; i < rec->nflags && eng_rollout_flag(ro, i, &r); i++) {
		eng_copy_text(rec->flags[i].name, sizeof(rec->flags[i].name), r.name);
		rec->flags[i].outcome = r.outcome;
		rec->flags[i].decision_ns = r.decision_ns;
	}
}

/* Tells the world of the rollout's decisions it has not been told of
 * (rec->told counts those it has), before the world moves on. */
static enum eng_status tell(const struct eng_rollout *ro, const struct eng_world *world,
			    struct eng_record *rec)
{
	const struct eng_event_log *log = eng_rollout_events(ro);
	enum eng_status st = ENG_OK;

	while (st == ENG_OK && rec->told < log->count)
		st = eng_world_notify(world, &log->events[rec->told++]);
	return st;
}

/* Tells the world of ro's new decisions, carries out act and keeps the
 * record's traffic moments up to date. */
static enum eng_status apply(const struct eng_world *world, const struct eng_rollout *ro,
			     const struct eng_action *act, int64_t t_ns,
			     struct eng_record *rec)
{
	enum eng_status st = tell(ro, world, rec);

	if (st != ENG_OK)
		return st;
	st = eng_world_apply(world, act);

	if (st == ENG_OK && act->kind == ENG_ACT_SET_FLAGS)
		note_flags(act, t_ns, rec);
	if (st != ENG_OK || act->kind != ENG_ACT_SET_WEIGHT)
		return st;
	eng_note_weight(&rec->first_traffic_ns, &rec->weight_zero_ns, act->weight_pct, t_ns);
	rec->final_weight_pct = act->weight_pct;
	return ENG_OK;
}

/* Advances the world to t_ns and records the window that closed there, if
 * any. *fresh tells whether a new window was recorded. */
static enum eng_status advance_to(const struct eng_world *world, int64_t t_ns,
				  struct eng_record *rec,
				  struct eng_observation *obs, bool *fresh)
{
	enum eng_status st = eng_world_wait_until(world, t_ns);

	*fresh = false;
	if (st != ENG_OK)
		return st;
	st = eng_world_observe(world, obs);
	if (st != ENG_OK)
		return st;
	if (obs->window_ns <= 0 || obs->t_ns <= rec->end_ns)
		return ENG_OK;
	*fresh = true;
	if (!eng_world_has_truth(world))
		return eng_record_add_window(rec, obs);
	/* the record keeps what happened; the rollout judges what it saw */
	struct eng_observation truth = *obs;

	st = eng_world_truth(world, &truth);
	return st == ENG_OK ? eng_record_add_window(rec, &truth) : st;
}


/* Passes the world's answer on the gate the rollout waits for, if any:
 * approvals are the world's, decisions the engine's. */
static enum eng_status ask_approval(struct eng_rollout *ro,
				    const struct eng_world *world, int64_t t_ns)
{
	const char *gate = eng_rollout_waiting_gate(ro);
	enum eng_status st;
	bool yes = false;

	if (gate == NULL)
		return ENG_OK;
	st = eng_world_approved(world, gate, &yes);
	if (st == ENG_OK && yes)
		eng_rollout_approve(ro, gate, t_ns);
	return st;
}

/* Runs the rollout's smoke tests through the world, attempt by attempt,
 * at t_ns, until the rollout needs no more; *ran tells whether any ran.
 * The world is told of each attempt's verdict before the next attempt, so
 * a world that saves the rollout's state on every decision (live) holds
 * its place among the tests. */
static enum eng_status run_smoke_tests(struct eng_rollout *ro,
				       const struct eng_world *world, int64_t t_ns,
				       struct eng_record *rec, bool *ran)
{
	const struct eng_smoke_test *tst;
	enum eng_status st = ENG_OK;
	uint32_t attempt;

	*ran = false;
	while (st == ENG_OK && (tst = eng_rollout_next_smoke(ro, &attempt)) != NULL) {
		bool passed = false;

		*ran = true;
		st = eng_world_smoke_test(world, tst->name, attempt, &passed);
		if (st == ENG_OK)
			st = eng_rollout_smoke_result(ro, t_ns, passed);
		if (st == ENG_OK)
			st = tell(ro, world, rec);
	}
	return st;
}

static int64_t next_window_end(int64_t start_ns, int64_t t_ns, int64_t window_ns)
{
	return start_ns + ((t_ns - start_ns) / window_ns + 1) * window_ns;
}

/* Carries out the start (or a retry's restart, or a resumed rollout's
 * routing) at t_ns whose action is act: the action, the smoke tests still
 * to run, and the first steps once they pass. */
static enum eng_status begin(struct eng_rollout *ro, const struct eng_world *world,
			     int64_t t_ns, struct eng_action *act, struct eng_record *rec)
{
	enum eng_status st = apply(world, ro, act, t_ns, rec);
	bool smoked = false;

	if (st == ENG_OK)
		st = run_smoke_tests(ro, world, t_ns, rec, &smoked);
	if (st == ENG_OK && smoked && !eng_rollout_done(ro)) {
		/* the smoke tests passed: the first steps at once */
		st = eng_rollout_step(ro, t_ns, NULL, act);
		if (st == ENG_OK)
			st = apply(world, ro, act, t_ns, rec);
	}
	return st;
}

/* Carries out, at t_ns, the operator's commands issued after *last_ns
 * (which moves on to the last one's time). *retried tells whether a retry
 * started the rollout again. */
static enum eng_status obey(struct eng_rollout *ro, const struct eng_world *world,
			    int64_t t_ns, int64_t *last_ns, struct eng_record *rec,
			    bool *retried)
{
	enum eng_status st;

	for (;;) {
		struct eng_action act;
		enum eng_command cmd;
		bool was_done = eng_rollout_done(ro);
		int64_t at;

		st = eng_world_command(world, *last_ns, &cmd, &at);
		if (st != ENG_OK || cmd == ENG_CMD_NONE)
			return st;
		*last_ns = at;
		st = eng_rollout_command(ro, t_ns, cmd, &act);
		if (st == ENG_OK && was_done && !eng_rollout_done(ro)) {
			*retried = true;
			st = begin(ro, world, t_ns, &act, rec);
		} else if (st == ENG_OK) {
			st = apply(world, ro, &act, t_ns, rec);
		}
		if (st != ENG_OK)
			return st;
	}
}

/* Moves *t back to the world's time when it woke early. */
static enum eng_status woke_at(const struct eng_world *world, int64_t *t)
{
	int64_t now;
	enum eng_status st = eng_world_now(world, &now);

	if (st == ENG_OK && now < *t)
		*t = now;
	return st;
}

/* The start of a restored rollout: the world routes as ro stands, and
 * smoke tests under way go on from the test and attempt ro stands at. */
static enum eng_status resume(struct eng_rollout *ro, const struct eng_world *world,
			      int64_t t_ns, struct eng_record *rec)
{
	struct eng_action act = { .kind = ENG_ACT_SET_WEIGHT };

	act.weight_pct = eng_rollout_weight_pct(ro);
	act.mirror_pct = eng_rollout_mirror_pct(ro);
	rec->told = eng_rollout_events(ro)->count;
	/* the deployment began when the rollout did, not at the restart */
	if (eng_rollout_start_ns(ro) >= 0 && eng_rollout_start_ns(ro) < rec->start_ns)
		rec->start_ns = eng_rollout_start_ns(ro);
	return begin(ro, world, t_ns, &act, rec);
}

/* Steps ro, from *t, until it is done. */
static enum eng_status run_until_done(struct eng_rollout *ro, const struct eng_world *world,
				      const struct eng_run_opts *opts, int64_t start,
				      int64_t *t, int64_t *last_cmd_ns,
				      struct eng_record *rec)
{
	struct eng_observation obs;
	struct eng_action act;
	enum eng_status st = ENG_OK;
	bool fresh, retried = false;

	while (st == ENG_OK && !eng_rollout_done(ro)) {
		int64_t wake = eng_rollout_next_wakeup_ns(ro);
		int64_t win = next_window_end(start, *t, opts->window_ns);

		*t = wake < win ? wake : win;
		st = advance_to(world, *t, rec, &obs, &fresh);
		if (st == ENG_OK)
			st = woke_at(world, t);
		if (st == ENG_OK)
			st = obey(ro, world, *t, last_cmd_ns, rec, &retried);
		if (st != ENG_OK || eng_rollout_done(ro))
			break;
		st = ask_approval(ro, world, *t);
		if (st == ENG_OK)
			st = eng_rollout_step(ro, *t, fresh ? &obs : NULL, &act);
		if (st == ENG_OK)
			st = apply(world, ro, &act, *t, rec);
	}
	return st;
}

enum eng_status eng_run(struct eng_rollout *ro, const struct eng_world *world,
			const struct eng_run_opts *opts, struct eng_record *rec)
{
	struct eng_observation obs;
	struct eng_action act;
	enum eng_status st;
	int64_t t, start, last_cmd_ns;
	bool fresh, retried;

	if (opts->window_ns <= 0 || opts->observe_after_ns < 0)
		return ENG_EINVAL;
	st = eng_world_now(world, &start);
	if (st != ENG_OK)
		return st;
	rec->start_ns = start;
	rec->end_ns = start;
	last_cmd_ns = start - 1; /* a command at the start counts */
	if (opts->resumed) {
		st = resume(ro, world, start, rec);
	} else {
		st = eng_rollout_start(ro, start, &act);
		if (st == ENG_OK)
			st = begin(ro, world, start, &act, rec);
	}
	t = start;
	do {
		if (st == ENG_OK)
			st = run_until_done(ro, world, opts, start, &t, &last_cmd_ns, rec);
		if (st == ENG_EEND)
			break; /* the world ended before the rollout did */
		if (st != ENG_OK)
			return st;
		rec->outcome = eng_rollout_outcome(ro);
		rec->decision_ns = eng_rollout_decision_ns(ro);
		record_flags(ro, rec);
		/* observe from when the rollout is done: after a gradual
		 * rollback's last step, not its decision; a retry meanwhile
		 * starts it again */
		int64_t done_ns = t;

		retried = false;
		while (st == ENG_OK && !retried && t < done_ns + opts->observe_after_ns) {
			t = next_window_end(start, t, opts->window_ns);
			st = advance_to(world, t, rec, &obs, &fresh);
			if (st == ENG_OK)
				st = obey(ro, world, t, &last_cmd_ns, rec, &retried);
		}
	} while (st == ENG_OK && retried);
	if (st == ENG_EEND) {
		st = ENG_OK;
		rec->outcome = eng_rollout_outcome(ro);
		rec->decision_ns = eng_rollout_decision_ns(ro);
		record_flags(ro, rec);
	}
	if (st != ENG_OK)
		return st;
	st = tell(ro, world, rec);
	if (st != ENG_OK)
		return st;
	if (opts->keep_events) {
		const struct eng_event_log *log = eng_rollout_events(ro);

		for (size_t i = 0; i < log->count && st == ENG_OK; i++)
			st = eng_event_log_append(&rec->events, &log->events[i]);
		return st;
	}
	/* The record takes the decisions over: the rollout may be freed first. */
	eng_rollout_take_events(ro, &rec->events);
	return st;
}
