/* Traffic profiles: the arrival rate as a function of time (constant, step,
 * ramp, diurnal, spike, or a recorded trace interpolated linearly). Arrivals
 * are a Poisson process with this rate; sim.c draws them by thinning
 * (Lewis and Shedler, 1979) against the profile's peak rate. Arrays are
 * borrowed from whoever built the profile (the scenario loader). */
#ifndef SIM_TRAFFIC_H
#define SIM_TRAFFIC_H

#include <stdbool.h>
#include <stddef.h>

#define SIM_PROFILE_LIST(X)                        \
	X(SIM_PROFILE_CONSTANT, "constant")        \
	X(SIM_PROFILE_STEP, "step")                \
	X(SIM_PROFILE_RAMP, "ramp")                \
	X(SIM_PROFILE_DIURNAL, "diurnal")          \
	X(SIM_PROFILE_SPIKE, "spike")              \
	X(SIM_PROFILE_TRACE, "trace")

enum sim_profile {
#define SIM_PROFILE_ENUM(name, str) name,
	SIM_PROFILE_LIST(SIM_PROFILE_ENUM)
#undef SIM_PROFILE_ENUM
	SIM_NPROFILES
};

struct sim_traffic {
	enum sim_profile profile;
	double rate_rps;          /* constant; step: before the first change; ramp: from;
				     diurnal: mean; spike: base; requests/s */
	double to_rps;            /* ramp: the rate reached; spike: the peak; requests/s */
	double start_s;           /* ramp, spike: when it begins, s */
	double duration_s;        /* ramp: how long it takes; spike: how long it lasts, s */
	double amplitude_frac;    /* diurnal: swing around the mean, 0..1 */
	double period_s;          /* diurnal: period, s */
	double phase_s;           /* diurnal: shift, s: rate(t) uses sin(2 pi (t + phase) / period) */
	const double *times_s;    /* step: change times; trace: sample times; ascending, borrowed */
	const double *rates_rps;  /* the rate from (step) or at (trace) each time, borrowed */
	size_t npoints;
};

const char *sim_profile_name(enum sim_profile p);

/* The arrival rate at t_s, requests/s. */
double sim_traffic_rate_rps(const struct sim_traffic *t, double t_s);
/* An upper bound of the rate over all time (the thinning envelope). */
double sim_traffic_peak_rps(const struct sim_traffic *t);
/* True when the rate never changes (no thinning needed). */
bool sim_traffic_is_constant(const struct sim_traffic *t);

#endif
