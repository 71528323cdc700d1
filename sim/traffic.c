#include <math.h>

#include "sim/traffic.h"

#define TWO_PI 6.283185307179586476925286766559

static const char *const profile_names[] = {
#define SIM_PROFILE_STR(name, str) [name] = str,
	SIM_PROFILE_LIST(SIM_PROFILE_STR)
#undef SIM_PROFILE_STR
};

const char *sim_profile_name(enum sim_profile p)
{
	if ((unsigned)p < SIM_NPROFILES)
		return profile_names[p];
	return "unknown";
}

/* Index of the last time <= t, or npoints when t is before the first. */
static size_t last_at_or_before(const struct sim_traffic *t, double t_s)
{
	size_t lo = 0, hi = t->npoints;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->times_s[mid] <= t_s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? t->npoints : lo - 1;
}

static double trace_rate(const struct sim_traffic *t, double t_s)
{
	size_t i = last_at_or_before(t, t_s);
	double f;

	if (i == t->npoints)
		return t->rates_rps[0];
	if (i + 1 == t->npoints)
		return t->rates_rps[i];
	f = (t_s - t->times_s[i]) / (t->times_s[i + 1] - t->times_s[i]);
	return t->rates_rps[i] + f * (t->rates_rps[i + 1] - t->rates_rps[i]);
}

double sim_traffic_rate_rps(const struct sim_traffic *t, double t_s)
{
	size_t i;
	double f;

	switch (t->profile) {
	case SIM_PROFILE_CONSTANT:
		return t->rate_rps;
	case SIM_PROFILE_STEP:
		i = last_at_or_before(t, t_s);
		return i == t->npoints ? t->rate_rps : t->rates_rps[i];
	case SIM_PROFILE_RAMP:
		if (t_s <= t->start_s)
			return t->rate_rps;
		if (t_s >= t->start_s + t->duration_s)
			return t->to_rps;
		f = (t_s - t->start_s) / t->duration_s;
		return t->rate_rps + f * (t->to_rps - t->rate_rps);
	case SIM_PROFILE_DIURNAL:
		return t->rate_rps * (1.0 + t->amplitude_frac *
				      sin(TWO_PI * (t_s + t->phase_s) / t->period_s));
	case SIM_PROFILE_SPIKE:
		if (t_s >= t->start_s && t_s < t->start_s + t->duration_s)
			return t->to_rps;
		return t->rate_rps;
	case SIM_PROFILE_TRACE:
		return trace_rate(t, t_s);
	case SIM_NPROFILES:
		break;
	}
	return 0.0;
}

double sim_traffic_peak_rps(const struct sim_traffic *t)
{
	double m = t->rate_rps;

	switch (t->profile) {
	case SIM_PROFILE_CONSTANT:
		return m;
	case SIM_PROFILE_RAMP:
	case SIM_PROFILE_SPIKE:
		return fmax(m, t->to_rps);
	case SIM_PROFILE_DIURNAL:
		return m * (1.0 + t->amplitude_frac);
	case SIM_PROFILE_STEP:
	case SIM_PROFILE_TRACE:
		if (t->profile == SIM_PROFILE_TRACE)
			m = 0.0;
		for (size_t i = 0; i < t->npoints; i++)
			m = fmax(m, t->rates_rps[i]);
		return m;
	case SIM_NPROFILES:
		break;
	}
	return m;
}

bool sim_traffic_is_constant(const struct sim_traffic *t)
{
	return t->profile == SIM_PROFILE_CONSTANT;
}
