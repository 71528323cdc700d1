/* sim's implementation of the world port: time is the simulation clock,
 * waiting runs events, observing returns the last closed window. */
#include <string.h>

#include "sim/sim.h"

static enum eng_status world_now(void *ctx, int64_t *t_ns)
{
	*t_ns = sim_now_ns(ctx);
	return ENG_OK;
}

static enum eng_status world_wait_until(void *ctx, int64_t t_ns)
{
	return sim_run_until(ctx, t_ns) ? ENG_OK : ENG_ENOMEM;
}

static enum eng_status world_observe(void *ctx, struct eng_observation *obs)
{
	if (!sim_seen_window(ctx, obs))
		memset(obs, 0, sizeof(*obs)); /* window_ns 0: nothing closed yet */
	return ENG_OK;
}

static enum eng_status world_apply(void *ctx, const struct eng_action *act)
{
	return sim_apply(ctx, act) ? ENG_OK : ENG_ENOMEM;
}

static enum eng_status world_truth(void *ctx, struct eng_observation *obs)
{
	if (sim_has_metrics_faults(ctx))
		sim_last_window(ctx, obs);
	return ENG_OK;
}

static enum eng_status world_notify(void *ctx, const struct eng_event *ev)
{
	return sim_notify(ctx, ev) ? ENG_OK : ENG_ENOMEM;
}

static enum eng_status world_approved(void *ctx, const char *gate, bool *yes)
{
	*yes = sim_approved(ctx, gate);
	return ENG_OK;
}

static enum eng_status world_smoke_test(void *ctx, const char *name,
				       uint32_t attempt, bool *passed)
{
	*passed = sim_smoke_passes(ctx, name, attempt);
	return ENG_OK;
}

static enum eng_status world_command(void *ctx, int64_t after_ns,
				     enum eng_command *cmd, int64_t *at_ns)
{
	sim_command(ctx, after_ns, cmd, at_ns);
	return ENG_OK;
}

const struct eng_world_ops sim_world_ops = {
	.name = "sim",
	.now = world_now,
	.wait_until = world_wait_until,
	.observe = world_observe,
	.apply = world_apply,
	.approved = world_approved,
	.smoke_test = world_smoke_test,
	.command = world_command,
	.notify = world_notify,
	.truth = world_truth,
};
