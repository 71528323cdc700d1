#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/load.h"

/* At most 8 alerts: the SRE Workbook's policies have two to four, and a
 * bound keeps a mistyped list from growing the budget's work per window. */
#define MAX_ALERTS 8
/* An alert's long window: at most 100 days. The budget's history is fed
 * as a window before the longest one, and a saved state holds times as
 * JSON numbers, exact only up to 2^53 ns (about 104 days). */
#define MAX_ALERT_WINDOW_S (100 * 86400.0)

/* obj.key, a required span of time in whole windows (window_ns), into
 * *ns; false when missing or reported. */
static bool get_window_span(struct scn_reader *r, const cJSON *obj, const char *path,
			    const char *key, int64_t window_ns, int64_t *ns)
{
	double v = 0.0, window_s = (double)window_ns / 1e9;
	char p[SCN_PATH_MAX];

	if (!scn_get_number(r, obj, path, key, true,
			    (struct scn_range){ 0.0, MAX_ALERT_WINDOW_S, true }, &v))
		return false;
	*ns = scn_s_to_ns(v);
	if (*ns % window_ns == 0 && *ns > 0)
		return true;
	/* a burn rate is summed over whole windows, as the budget keeps them */
	scn_path_key(p, sizeof(p), path, key);
	scn_report(r, p, "%g is not a whole number of windows (run.window_s = %g); expected %g, %g, %g, ...",
		   v, window_s, window_s, 2 * window_s, 3 * window_s);
	return false;
}

/* One alert at obj into a; its burn rate must be reachable against the
 * SLO target slo_frac: a burn rate is at most 1 / (1 - S), when every
 * request fails, and an alert fires strictly above its own. */
static void load_alert(struct scn_reader *r, const cJSON *obj, const char *path,
		       int64_t window_ns, double slo_frac, struct eng_burn_alert *a)
{
	static const char *const keys[] = {
		"name", "severity", "long_s", "short_s", "burn_rate", NULL
	};
	static const char *const severities[] = {
#define SCN_SEVERITY_NAME(name, str) str,
		ENG_ALERT_SEVERITY_LIST(SCN_SEVERITY_NAME)
#undef SCN_SEVERITY_NAME
		NULL
	};
	size_t severity = ENG_ALERT_PAGE;
	const char *name = NULL;
	bool long_ok, short_ok;
	char p[SCN_PATH_MAX];

	scn_check_keys(r, obj, path, keys);
	if (scn_get_string(r, obj, path, "name", true, &name) && name != NULL) {
		scn_path_key(p, sizeof(p), path, "name");
		if (!scn_name_ok(name) || strlen(name) >= sizeof(a->name))
			scn_report(r, p, "\"%s\" is not a valid name; expected 1..%zu of A-Z a-z 0-9 . _ -",
				   name, sizeof(a->name) - 1);
		else
			snprintf(a->name, sizeof(a->name), "%s", name);
	}
	scn_get_choice(r, obj, path, "severity", false, severities, &severity);
	a->severity = (enum eng_alert_severity)severity;
	long_ok = get_window_span(r, obj, path, "long_s", window_ns, &a->long_ns);
	short_ok = get_window_span(r, obj, path, "short_s", window_ns, &a->short_ns);
	if (long_ok && short_ok && a->short_ns > a->long_ns)
		scn_report(r, path, "short_s %g is longer than long_s %g; expected short_s <= long_s",
			   (double)a->short_ns / 1e9, (double)a->long_ns / 1e9);
	if (scn_get_number(r, obj, path, "burn_rate", true,
			   (struct scn_range){ 0.0, 1e6, true }, &a->burn_rate) &&
	    slo_frac < 1.0 && !(a->burn_rate * (1.0 - slo_frac) < 1.0)) {
		scn_path_key(p, sizeof(p), path, "burn_rate");
		scn_report(r, p, "%g can never fire: with slo.availability %g the burn rate is at most 1 / (1 - %g) = %g; expected less",
			   a->burn_rate, slo_frac, slo_frac, 1.0 / (1.0 - slo_frac));
	}
}

/* deployment.error_budget.alerts (array arr at path) into b: 0..8 alerts
 * with unique names, in storage owned by s. */
static void load_alerts(struct scn_reader *r, const cJSON *arr, const char *path,
			struct scn_scenario *s, struct eng_budget_config *b)
{
	int n = cJSON_GetArraySize(arr);
	struct eng_burn_alert *al;
	const cJSON *x;
	size_t i = 0;

	if (n > MAX_ALERTS) {
		scn_report(r, path, "%d alerts; expected 0..%d", n, MAX_ALERTS);
		return;
	}
	b->alerts = NULL;
	b->nalerts = 0;
	if (n == 0)
		return; /* no alerts: the budget only gates the start */
	al = scn_own(s, calloc((size_t)n, sizeof(*al)));
	if (al == NULL)
		return;
	cJSON_ArrayForEach(x, arr) {
		char p[SCN_PATH_MAX], q[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), path, i);
		if (!cJSON_IsObject(x)) {
			scn_report(r, p, "found %s, expected an object such as {\"name\": \"page_1h\", \"long_s\": 3600, \"short_s\": 300, \"burn_rate\": 14.4}",
				   scn_json_type_name(x));
			i++;
			continue;
		}
		load_alert(r, x, p, s->sim.window_ns, s->slo.availability_frac, &al[i]);
		for (size_t k = 0; k < i && al[i].name[0] != '\0'; k++) {
			if (strcmp(al[k].name, al[i].name) != 0)
				continue;
			scn_path_key(q, sizeof(q), p, "name");
			scn_path_index(p, sizeof(p), path, k);
			scn_report(r, q, "\"%s\" is the name of %s too; expected a new name",
				   al[i].name, p);
			break;
		}
		i++;
	}
	b->alerts = al;
	b->nalerts = (size_t)n;
}

/* The error budget: the SLO is the scenario's (slo.availability); the
 * history before the start is the traffic's rate over the period with
 * spent_frac of the budget already used. */
void scn_load_error_budget(struct scn_reader *r, const cJSON *obj, const char *path,
			   struct scn_scenario *s)
{
	static const char *const keys[] = {
		"period_s", "spent_frac", "critical", "rollback_on_burn",
		"warn_below", "freeze_below", "unfreeze_above", "critical_floor",
		"latency", "frozen_before", "alerts", NULL
	};
	struct eng_rollout_config *rc = &s->rollout;
	struct eng_budget_config *b = &rc->budget;
	const struct scn_range frac = { 0.0, 1.0, false };
	double period_s = 30 * 86400.0, spent = 0.0, history;

	eng_budget_config_init(b);
	rc->has_budget = true;
	rc->rollback_on_burn = true;
	scn_check_keys(r, obj, path, keys);
	scn_get_number(r, obj, path, "period_s", false,
		       (struct scn_range){ 60.0, 366 * 86400.0, false }, &period_s);
	scn_get_number(r, obj, path, "spent_frac", false,
		       (struct scn_range){ 0.0, 10.0, false }, &spent);
	scn_get_bool(r, obj, path, "critical", false, &rc->critical);
	scn_get_bool(r, obj, path, "rollback_on_burn", false, &rc->rollback_on_burn);
	scn_get_number(r, obj, path, "warn_below", false, frac, &b->warn_below_frac);
	scn_get_number(r, obj, path, "freeze_below", false, frac, &b->freeze_below_frac);
	scn_get_number(r, obj, path, "unfreeze_above", false, frac, &b->unfreeze_above_frac);
	scn_get_number(r, obj, path, "critical_floor", false, frac, &b->critical_floor_frac);
	if (!(b->critical_floor_frac <= b->freeze_below_frac &&
	      b->freeze_below_frac <= b->warn_below_frac &&
	      b->freeze_below_frac <= b->unfreeze_above_frac && b->unfreeze_above_frac < 1.0))
		scn_report(r, path, "expected critical_floor <= freeze_below <= warn_below, and freeze_below <= unfreeze_above < 1");
	b->slo_frac = s->slo.availability_frac;
	if (!(b->slo_frac < 1.0))
		scn_report(r, path, "slo.availability is 1: there is no error budget; expected below 1");
	b->window_ns = s->sim.window_ns;
	b->period_ns = (int64_t)llround(period_s / ((double)s->sim.window_ns / 1e9)) *
		       s->sim.window_ns;
	/* the history: requests over the period at the traffic's starting rate */
	history = sim_traffic_rate_rps(&s->sim.traffic, 0.0) * period_s;
	rc->budget_history_total = (uint64_t)llround(history);
	rc->budget_history_bad = (uint64_t)llround(spent * (1.0 - b->slo_frac) * history);
	/* the latency budget: slow successes against slo.latency_quantile,
	 * spent as much before the start */
	scn_get_bool(r, obj, path, "latency", false, &rc->has_latency_budget);
	bool frozen = false;

	scn_get_bool(r, obj, path, "frozen_before", false, &frozen);
	b->initial_gate = frozen ? ENG_GATE_FROZEN : ENG_GATE_OPEN;
	rc->latency_target_frac = s->slo.latency_quantile;
	rc->latency_history_bad =
		(uint64_t)llround(spent * (1.0 - rc->latency_target_frac) * history);
	/* the burn-rate alerts: the SRE Workbook's three unless stated */
	const cJSON *alerts = scn_get_array(r, obj, path, "alerts", false);

	if (alerts != NULL) {
		char p[SCN_PATH_MAX];

		scn_path_key(p, sizeof(p), path, "alerts");
		load_alerts(r, alerts, p, s, b);
	}
	/* the history lies inside the period but before every long window:
	 * a long window longer than the period would drop it, and what was
	 * spent with it, after the first window */
	for (size_t i = 0; i < b->nalerts; i++)
		if (b->alerts[i].long_ns > b->period_ns)
			scn_report(r, path, "alert \"%s\" has a long window of %g s, longer than period_s %g; expected alerts whose windows fit in the period",
				   b->alerts[i].name, (double)b->alerts[i].long_ns / 1e9, period_s);
}
