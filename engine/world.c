#include <stddef.h>

#include "engine/world.h"

enum eng_status eng_world_now(const struct eng_world *w, int64_t *t_ns)
{
	return w->ops->now(w->ctx, t_ns);
}

enum eng_status eng_world_wait_until(const struct eng_world *w, int64_t t_ns)
{
	return w->ops->wait_until(w->ctx, t_ns);
}

enum eng_status eng_world_observe(const struct eng_world *w,
				  struct eng_observation *obs)
{
	return w->ops->observe(w->ctx, obs);
}

enum eng_status eng_world_apply(const struct eng_world *w,
				const struct eng_action *act)
{
	if (act->kind == ENG_ACT_NONE)
		return ENG_OK;
	if (w->ops->apply == NULL)
		return ENG_ENOTSUP;
	return w->ops->apply(w->ctx, act);
}

enum eng_status eng_world_approved(const struct eng_world *w, const char *gate,
				   bool *yes)
{
	*yes = false;
	if (w->ops->approved == NULL)
		return ENG_OK;
	return w->ops->approved(w->ctx, gate, yes);
}

enum eng_status eng_world_smoke_test(const struct eng_world *w, const char *name,
				     uint32_t attempt, bool *passed)
{
	*passed = true;
	if (w->ops->smoke_test == NULL)
		return ENG_OK;
	return w->ops->smoke_test(w->ctx, name, attempt, passed);
}

enum eng_status eng_world_command(const struct eng_world *w, int64_t after_ns,
				  enum eng_command *cmd, int64_t *at_ns)
{
	*cmd = ENG_CMD_NONE;
	*at_ns = after_ns;
	if (w->ops->command == NULL)
		return ENG_OK;
	return w->ops->command(w->ctx, after_ns, cmd, at_ns);
}

enum eng_status eng_world_notify(const struct eng_world *w, const struct eng_event *ev)
{
	if (w->ops->notify == NULL)
		return ENG_OK;
	return w->ops->notify(w->ctx, ev);
}

enum eng_status eng_world_truth(const struct eng_world *w, struct eng_observation *obs)
{
	if (w->ops->truth == NULL)
		return ENG_OK;
	return w->ops->truth(w->ctx, obs);
}

bool eng_world_has_truth(const struct eng_world *w)
{
	return w->ops->truth != NULL;
}
