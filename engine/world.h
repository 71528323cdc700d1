/* The world port: how the engine reaches a world (the simulator, or live
 * endpoints) without knowing which one it is. One static const ops table per
 * backend; the engine calls the wrappers below, never the pointers. */
#ifndef ENG_WORLD_H
#define ENG_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/event.h"
#include "engine/metrics.h"
#include "engine/status.h"

struct eng_world_ops {
	const char *name;
	/* Current world time, ns since the start of the run. */
	enum eng_status (*now)(void *ctx, int64_t *t_ns);
	/* Advance (a simulator) or sleep (the real world) until t_ns.
	 * ENG_EEND when the world cannot reach t_ns (a recording that ends
	 * before it): the run stops there, at the last time reached. */
	enum eng_status (*wait_until)(void *ctx, int64_t t_ns);
	/* Fill obs with the most recent complete window. */
	enum eng_status (*observe)(void *ctx, struct eng_observation *obs);
	/* Carry out act. Optional: NULL means the world takes no actions. */
	enum eng_status (*apply)(void *ctx, const struct eng_action *act);
	/* Whether approval gate `gate` has been granted by now. Optional:
	 * NULL means no approval ever comes. */
	enum eng_status (*approved)(void *ctx, const char *gate, bool *yes);
	/* Runs smoke test `name` (attempt 1, 2, ...) and says whether it
	 * passed. Optional: NULL means every smoke test passes. */
	enum eng_status (*smoke_test)(void *ctx, const char *name, uint32_t attempt,
				      bool *passed);
	/* The first operator command issued after after_ns and by now, in
	 * *cmd with its time in *at_ns; ENG_CMD_NONE when there is none.
	 * Optional: NULL means no operator ever commands. */
	enum eng_status (*command)(void *ctx, int64_t after_ns, enum eng_command *cmd,
				   int64_t *at_ns);
	/* Told of every decision the rollout takes, in order (a simulator
	 * starts faults at moments of the rollout; a live world may post it
	 * to a webhook). Optional. */
	enum eng_status (*notify)(void *ctx, const struct eng_event *ev);
	/* What really happened in the window observe() last gave, when the
	 * world knows it and it differs from what the controller sees (a
	 * simulated fault of the metrics source): the run record keeps it.
	 * Optional: NULL means the observation is the truth. */
	enum eng_status (*truth)(void *ctx, struct eng_observation *obs);
};

/* A world: its operations and the state they act on (borrowed). */
struct eng_world {
	const struct eng_world_ops *ops;
	void *ctx;
};

enum eng_status eng_world_now(const struct eng_world *w, int64_t *t_ns);
enum eng_status eng_world_wait_until(const struct eng_world *w, int64_t t_ns);
enum eng_status eng_world_observe(const struct eng_world *w,
				  struct eng_observation *obs);
enum eng_status eng_world_apply(const struct eng_world *w,
				const struct eng_action *act);
/* *yes tells whether gate is approved; false when the world has no
 * approvals. */
enum eng_status eng_world_approved(const struct eng_world *w, const char *gate,
				   bool *yes);
enum eng_status eng_world_smoke_test(const struct eng_world *w, const char *name,
				     uint32_t attempt, bool *passed);
enum eng_status eng_world_notify(const struct eng_world *w, const struct eng_event *ev);
bool eng_world_has_truth(const struct eng_world *w);
/* Fills obs with the truth of the last observed window when the world
 * has one; else leaves obs as it is. */
enum eng_status eng_world_truth(const struct eng_world *w, struct eng_observation *obs);
/* *cmd is ENG_CMD_NONE when the world has no operator. */
enum eng_status eng_world_command(const struct eng_world *w, int64_t after_ns,
				  enum eng_command *cmd, int64_t *at_ns);

#endif
