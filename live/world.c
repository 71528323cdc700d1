#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "engine/state.h"
#include "live/clock.h"
#include "live/haproxy_api.h"
#include "live/haproxy_stat.h"
#include "live/http.h"
#include "live/prom_query.h"
#include "live/spawn.h"
#include "live/state_file.h"
#include "live/world.h"
#include "reports/run_report.h"

#define MAX_SLEEP_NS INT64_C(100000000) /* a wait looks at signals this often */

struct live_world {
	struct live_world_opts o;
	const struct live_config *cfg;
	const struct eng_rollout *ro;     /* borrowed, for state saves */
	int64_t mono0;                    /* monotonic time at create */
	int64_t run0_ns;                  /* run time at mono0 */
	int64_t origin_wall_ns;
	bool started;                     /* the engine asked the time */
	int64_t start_ns;                 /* the whole window it fell in: windows
					     close at start + k * window */
	int64_t last_window_ns;           /* end of the last window observed */
	struct eng_observation obs;       /* the last complete window */
	/* HAProxy: the last snapshot of each version's server */
	struct live_server_stat snap[ENG_NVERSIONS];
	bool have_snap[ENG_NVERSIONS];
	uint32_t source_failures;         /* in a row */
	/* probes: next due run time, last result, ran at least once */
	int64_t probe_due[LIVE_MAX_PROBES];
	bool probe_ok[LIVE_MAX_PROBES];
	uint64_t faults_started, faults_undone;
	/* routing */
	double weight_pct, mirror_pct;
	double pending_pct;               /* NaN: nothing being carried out */
	bool routed;                      /* a weight has been carried out */
	bool warned_mirror;
	int64_t approve_due_ns;           /* the approval command's next run */
	/* safety */
	int signal;
	bool abort_sent, resume_abort;
	bool failed;
};

/* ---- time ---------------------------------------------------------------- */

static int64_t run_now(const struct live_world *w)
{
	return w->run0_ns + (live_mono_ns() - w->mono0);
}

static void logf_(struct live_world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(struct live_world *w, const char *fmt, ...)
{
	va_list ap;

	if (w->o.log == NULL)
		return;
	fprintf(w->o.log, "%9.3f s  ", (double)run_now(w) / 1e9);
	va_start(ap, fmt);
	vfprintf(w->o.log, fmt, ap);
	va_end(ap);
	fputc('\n', w->o.log);
	fflush(w->o.log);
}

/* ---- commands ------------------------------------------------------------ */

/* Runs tpl with vars; logs and returns -1 on failure. */
static int run_argv(struct live_world *w, const char *what, const struct live_argv *tpl,
		    const struct live_vars *vars)
{
	char **argv = live_argv_expand(tpl, vars);
	char err[512];
	int rc;

	if (argv == NULL) {
		logf_(w, "%s: out of memory", what);
		return -1;
	}
	rc = live_run_command(argv, w->cfg->call_timeout_ns, err, sizeof(err));
	if (rc != 0)
		logf_(w, "%s failed: %s", what, err);
	live_argv_free(argv);
	return rc;
}

/* ---- state --------------------------------------------------------------- */

int live_world_save(struct live_world *w, const char *phase)
{
	struct live_state st = { 0 };
	char err[512];
	int rc;

	if (w->o.state_path == NULL || w->ro == NULL)
		return 0;
	snprintf(st.name, sizeof(st.name), "%s", w->o.name);
	snprintf(st.config, sizeof(st.config), "%s", w->o.config_path);
	snprintf(st.phase, sizeof(st.phase), "%s", phase);
	st.origin_wall_ns = w->origin_wall_ns;
	st.t_s = (double)run_now(w) / 1e9;
	st.dry_run = w->o.dry_run;
	st.weight_pct = w->weight_pct;
	st.pending_weight_pct = w->pending_pct;
	st.faults_started = w->faults_started;
	st.faults_undone = w->faults_undone;
	st.rollout = eng_rollout_save(w->ro);
	if (st.rollout == NULL) {
		logf_(w, "state: out of memory; %s not written", w->o.state_path);
		w->failed = true;
		return -1;
	}
	rc = live_state_write(w->o.state_path, &st, err, sizeof(err));
	free(st.rollout);
	if (rc != 0) {
		logf_(w, "state: %s", err);
		w->failed = true;
	}
	return rc;
}

/* ---- faults and probes --------------------------------------------------- */

static void fault_vars(const struct live_fault *f, struct live_vars *v, const char **vals)
{
	static const char *const keys[] = { "name" };

	vals[0] = f->name;
	*v = (struct live_vars){ keys, vals, 1 };
}

static void undo_fault(struct live_world *w, size_t i)
{
	const struct live_fault *f = &w->cfg->faults[i];
	struct live_vars v;
	const char *vals[1];

	w->faults_undone |= UINT64_C(1) << i;
	if (f->undo.argc == 0)
		return;
	if (w->o.dry_run) {
		logf_(w, "dry run: would undo fault %s", f->name);
		return;
	}
	fault_vars(f, &v, vals);
	if (run_argv(w, "fault undo", &f->undo, &v) == 0)
		logf_(w, "fault %s undone", f->name);
	live_world_save(w, "running");
}

/* Starts the faults due by now and undoes those whose time is over. */
static void run_faults(struct live_world *w, int64_t now)
{
	for (size_t i = 0; i < w->cfg->nfaults; i++) {
		const struct live_fault *f = &w->cfg->faults[i];
		uint64_t bit = UINT64_C(1) << i;
		struct live_vars v;
		const char *vals[1];

		if (!(w->faults_started & bit) && now >= f->at_ns) {
			w->faults_started |= bit;
			fault_vars(f, &v, vals);
			if (w->o.dry_run)
				logf_(w, "dry run: would start fault %s", f->name);
			else if (run_argv(w, "fault", &f->start, &v) == 0)
				logf_(w, "fault %s started", f->name);
			live_world_save(w, "running");
		}
		if ((w->faults_started & bit) && !(w->faults_undone & bit) &&
		    f->duration_ns >= 0 && now >= f->at_ns + f->duration_ns)
			undo_fault(w, i);
	}
}

void live_world_undo_faults(struct live_world *w)
{
	for (size_t i = 0; i < w->cfg->nfaults; i++) {
		uint64_t bit = UINT64_C(1) << i;

		if ((w->faults_started & bit) && !(w->faults_undone & bit))
			undo_fault(w, i);
	}
}

/* Runs probe i once; true when it answered the expected status. */
static bool probe_once(struct live_world *w, size_t i)
{
	const struct live_probe *p = &w->cfg->probes[i];
	struct live_http_reply r;
	char err[512];
	bool ok;

	if (live_http_get(p->url, p->timeout_ns, &r, err, sizeof(err)) != 0) {
		logf_(w, "probe %s: %s", p->name, err);
		return false;
	}
	ok = r.status == p->expect_status;
	if (!ok)
		logf_(w, "probe %s: status %ld; expected %ld", p->name, r.status,
		      p->expect_status);
	free(r.body);
	return ok;
}

static void run_probes(struct live_world *w, int64_t now)
{
	for (size_t i = 0; i < w->cfg->nprobes; i++) {
		const struct live_probe *p = &w->cfg->probes[i];

		if (p->version < 0 || now < w->probe_due[i])
			continue;
		w->probe_ok[i] = probe_once(w, i);
		w->probe_due[i] = now + p->interval_ns;
	}
}

/* The earliest of t and the next probe or fault due after now. */
static int64_t next_due(const struct live_world *w, int64_t t)
{
	for (size_t i = 0; i < w->cfg->nprobes; i++) {
		if (w->cfg->probes[i].version >= 0 && w->probe_due[i] < t)
			t = w->probe_due[i];
	}
	for (size_t i = 0; i < w->cfg->nfaults; i++) {
		const struct live_fault *f = &w->cfg->faults[i];
		uint64_t bit = UINT64_C(1) << i;

		if (!(w->faults_started & bit) && f->at_ns < t)
			t = f->at_ns;
		else if ((w->faults_started & bit) && !(w->faults_undone & bit) &&
			 f->duration_ns >= 0 && f->at_ns + f->duration_ns < t)
			t = f->at_ns + f->duration_ns;
	}
	return t;
}

/* ---- observations -------------------------------------------------------- */

static void no_data(struct eng_window_metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->error_rate_frac = m->mean_ms = m->p50_ms = m->p95_ms = m->p99_ms = m->max_ms = NAN;
	m->cpu_frac = m->memory_mb = NAN;
}

/* A live version counts as one instance, ready when every probe of
 * version v passed last time and, with HAProxy as the source, its server
 * is UP (or has no health check). */
static void readiness(const struct live_world *w, int v, bool have_status, bool up,
		      struct eng_window_metrics *m)
{
	bool ready = !have_status || up;

	for (size_t i = 0; i < w->cfg->nprobes; i++) {
		if (w->cfg->probes[i].version == v && !w->probe_ok[i])
			ready = false;
	}
	m->instances = 1;
	m->ready_instances = ready ? 1 : 0;
}

/* Readiness as a source reported it, held to the probes of version v: a
 * failing probe makes none ready. */
static void probes_gate(const struct live_world *w, int v, struct eng_window_metrics *m)
{
	for (size_t i = 0; i < w->cfg->nprobes; i++) {
		if (w->cfg->probes[i].version == v && !w->probe_ok[i])
			m->ready_instances = 0;
	}
	if (m->instances < m->ready_instances)
		m->instances = m->ready_instances;
}

static void source_failed(struct live_world *w, const char *err)
{
	w->source_failures++;
	logf_(w, "metrics source failed (%" PRIu32 " in a row): %s; the window has no data",
	      w->source_failures, err);
}

/* HAProxy's statistics CSV: the stats page's (stats_url), or show stat's
 * on the runtime API. 0 with *text (owned), or -1 with err. */
static int stats_text(struct live_world *w, char **text, size_t *len, char *err, size_t errlen)
{
	const struct live_config *c = w->cfg;
	struct live_http_reply r;

	if (c->stats_url[0] == '\0')
		return live_haproxy_command(&c->haproxy, "show stat", c->call_timeout_ns, text, len,
					    err, errlen);
	*text = NULL;
	*len = 0;
	if (live_http_get(c->stats_url, c->call_timeout_ns, &r, err, errlen) != 0)
		return -1;
	if (r.status != 200) {
		snprintf(err, errlen, "%.300s: status %ld; expected 200", c->stats_url, r.status);
		free(r.body);
		return -1;
	}
	*text = r.body;
	*len = r.len;
	return 0;
}

/* The window from HAProxy's counters: the difference with the last
 * snapshot. HAProxy keeps no latency quantiles; its rtime (a mean over
 * the last 1024 requests) stands for the mean. */
static void observe_haproxy(struct live_world *w)
{
	const struct live_config *c = w->cfg;
	struct live_server_stat *rows = NULL;
	size_t n = 0, len = 0;
	char *text = NULL, err[512];

	if (stats_text(w, &text, &len, err, sizeof(err)) != 0 ||
	    live_haproxy_parse_stat(text, len, &rows, &n, err, sizeof(err)) != 0) {
		free(text);
		source_failed(w, err);
		for (int v = 0; v < ENG_NVERSIONS; v++) {
			no_data(&w->obs.version[v]);
			readiness(w, v, false, false, &w->obs.version[v]);
		}
		return;
	}
	free(text);
	w->source_failures = 0;
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		const struct live_server_stat *s =
			live_haproxy_find(rows, n, c->backend, c->server[v]);
		struct eng_window_metrics *m = &w->obs.version[v];
		struct live_window_counts wc =
			live_haproxy_window(w->have_snap[v] ? &w->snap[v] : NULL, s);

		no_data(m);
		if (wc.ok) {
			m->requests = wc.requests;
			m->errors = wc.errors > wc.requests ? wc.requests : wc.errors;
			if (m->requests > 0) {
				m->error_rate_frac = (double)m->errors / (double)m->requests;
				m->mean_ms = wc.rtime_ms;
			}
		}
		readiness(w, v, s != NULL,
			  s != NULL && (strncmp(s->status, "UP", 2) == 0 ||
					strcmp(s->status, "no check") == 0), m);
		if (s == NULL) {
			logf_(w, "HAProxy has no server %s/%s; no data for the %s version",
			      c->backend, c->server[v], eng_version_name((enum eng_version)v));
			w->have_snap[v] = false;
		} else {
			w->snap[v] = *s;
			w->have_snap[v] = true;
		}
	}
	free(rows);
}

/* "10s", or "1500ms" for a window of a fraction of a second. */
static void prom_duration(int64_t ns, char *buf, size_t n)
{
	if (ns % ENG_NS_PER_S == 0)
		snprintf(buf, n, "%" PRId64 "s", ns / ENG_NS_PER_S);
	else
		snprintf(buf, n, "%" PRId64 "ms", (ns + 999999) / 1000000);
}

/* One query's value into *v (NaN: no data or NaN); -1 with err when
 * Prometheus failed or answered an error. */
static int prom_value(struct live_world *w, const char *tpl, int version, double *v,
		      char *err, size_t errlen)
{
	static const char *const keys[] = { "version", "window" };
	char window[32], **q;
	const char *vals[2];
	struct live_argv one = { &tpl, 1 };
	struct live_http_reply r;
	struct live_prom_value pv;
	char *url;
	int rc = -1;

	prom_duration(w->o.window_ns, window, sizeof(window));
	vals[0] = w->cfg->prom_version[version];
	vals[1] = window;
	q = live_argv_expand(&one, &(struct live_vars){ keys, vals, 2 });
	url = q ? live_http_query_url(w->cfg->prom_url, q[0]) : NULL;
	live_argv_free(q);
	if (url == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (live_http_get(url, w->cfg->call_timeout_ns, &r, err, errlen) == 0) {
		if (live_prom_parse_instant(r.body, r.len, &pv) != 0 || pv.kind == LIVE_PROM_ERROR) {
			snprintf(err, errlen, "%.200s: status %ld: %.256s", w->cfg->prom_url, r.status,
				 pv.error);
		} else {
			*v = pv.kind == LIVE_PROM_VALUE ? pv.value : NAN;
			rc = 0;
		}
		free(r.body);
	}
	free(url);
	return rc;
}

static void observe_prometheus(struct live_world *w)
{
	char err[512];

	for (int ver = 0; ver < ENG_NVERSIONS; ver++) {
		struct eng_window_metrics *m = &w->obs.version[ver];
		double v[REPLAY_NFIELDS];
		enum replay_field limit;

		for (int f = 0; f < REPLAY_NFIELDS; f++) {
			v[f] = NAN;
			if (w->cfg->prom_query[f] == NULL)
				continue;
			if (prom_value(w, w->cfg->prom_query[f], ver, &v[f], err, sizeof(err)) != 0) {
				source_failed(w, err);
				for (int k = 0; k < ENG_NVERSIONS; k++) {
					no_data(&w->obs.version[k]);
					readiness(w, k, false, false, &w->obs.version[k]);
				}
				return;
			}
		}
		/* increase() extrapolates: counts are rounded, and the errors
		 * of a window can come out a little above its requests */
		if (v[REPLAY_F_ERRORS] > v[REPLAY_F_REQUESTS])
			v[REPLAY_F_ERRORS] = v[REPLAY_F_REQUESTS];
		for (int f = 0; f < REPLAY_NFIELDS; f++) {
			if (!isnan(v[f]) && !replay_field_value_ok((enum replay_field)f, v[f])) {
				logf_(w, "prometheus: %s of the %s version is %g; expected %s: no data",
				      replay_field_name((enum replay_field)f),
				      eng_version_name((enum eng_version)ver), v[f],
				      replay_field_expected((enum replay_field)f));
				v[f] = NAN;
			}
		}
		if (replay_metrics_from(v, m, &limit) != REPLAY_NFIELDS)
			no_data(m);
		if (w->cfg->prom_query[REPLAY_F_READY_INSTANCES] != NULL &&
		    !isnan(v[REPLAY_F_READY_INSTANCES]))
			probes_gate(w, ver, m); /* Prometheus says how many are ready */
		else
			readiness(w, ver, false, false, m);
	}
	w->source_failures = 0;
}

/* Both versions together, as users saw them: counts add up; quantiles
 * cannot be added and stay NaN. */
static void combine(struct eng_observation *obs)
{
	struct eng_window_metrics *a = &obs->all;
	const struct eng_window_metrics *s = &obs->version[ENG_STABLE];
	const struct eng_window_metrics *c = &obs->version[ENG_CANARY];

	no_data(a);
	a->requests = s->requests + c->requests;
	a->errors = s->errors + c->errors;
	a->instances = s->instances + c->instances;
	a->ready_instances = s->ready_instances + c->ready_instances;
	if (a->requests > 0)
		a->error_rate_frac = (double)a->errors / (double)a->requests;
}

/* ---- the world port -------------------------------------------------------- */

static enum eng_status op_now(void *ctx, int64_t *t_ns)
{
	struct live_world *w = ctx;
	int64_t now = run_now(w);

	if (!w->started) {
		/* A fresh run's time 0 is the engine's first question, so the
		 * rollout starts on the grid of whole windows from 0 that the
		 * engine wakes on and the error budget counts on; the windows
		 * close on it (after a resume the first may be short). */
		if (w->o.origin_wall_ns <= 0) {
			w->run0_ns -= now;
			w->origin_wall_ns += now;
			now = 0;
		}
		w->started = true;
		w->start_ns = now - now % w->o.window_ns;
		w->last_window_ns = w->start_ns;
	}
	*t_ns = now;
	return ENG_OK;
}

static enum eng_status op_wait_until(void *ctx, int64_t t_ns)
{
	struct live_world *w = ctx;

	for (;;) {
		int64_t now = run_now(w), next;

		if (*w->o.stop != 0) {
			w->signal = (int)*w->o.stop;
			/* a rollback first, through the engine (op_command) */
			if (w->cfg->on_signal == LIVE_SIGNAL_HOLD || w->abort_sent ||
			    w->ro == NULL || eng_rollout_done(w->ro))
				return ENG_EEND;
			return ENG_OK;
		}
		run_faults(w, now);
		run_probes(w, now);
		now = run_now(w);
		if (now >= t_ns)
			return ENG_OK;
		next = next_due(w, t_ns);
		if (next - now > MAX_SLEEP_NS)
			next = now + MAX_SLEEP_NS;
		if (next > now) {
			int64_t d = next - now;

			nanosleep(&(struct timespec){ (time_t)(d / ENG_NS_PER_S),
						      (long)(d % ENG_NS_PER_S) }, NULL);
		}
	}
}

static enum eng_status op_observe(void *ctx, struct eng_observation *obs)
{
	struct live_world *w = ctx;
	int64_t now = run_now(w), win = w->o.window_ns;
	int64_t end = w->start_ns + (now - w->start_ns) / win * win;

	if (w->started && end > w->last_window_ns) {
		if (w->cfg->source == LIVE_SOURCE_HAPROXY)
			observe_haproxy(w);
		else
			observe_prometheus(w);
		combine(&w->obs);
		w->obs.t_ns = end;
		w->obs.window_ns = win;
		w->obs.weight_pct = w->weight_pct;
		w->last_window_ns = end;
	}
	*obs = w->obs;
	return ENG_OK;
}

/* Carries out canary weight pct through HAProxy: the server whose weight
 * grows first, so the two are never both at 0. */
static int set_haproxy(struct live_world *w, double pct, char *err, size_t errlen)
{
	const struct live_config *c = w->cfg;
	uint32_t cw = (uint32_t)lround((double)c->weight_total * pct / 100.0);
	uint32_t sw = c->weight_total - cw;
	bool canary_first = !w->routed || pct > w->weight_pct;
	int first = canary_first ? ENG_CANARY : ENG_STABLE;
	uint32_t wt[ENG_NVERSIONS] = { sw, cw };

	for (int k = 0; k < ENG_NVERSIONS; k++) {
		int v = k == 0 ? first : 1 - first;

		if (live_haproxy_set_weight(&c->haproxy, c->backend, c->server[v], wt[v],
					    c->call_timeout_ns, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static void fmt_pct(double pct, char *buf, size_t n)
{
	snprintf(buf, n, "%.10g", pct);
}

static int set_command(struct live_world *w, double pct, double mirror)
{
	static const char *const keys[] = { "weight", "stable_weight", "mirror", "name" };
	char a[32], b[32], m[32];
	const char *vals[4] = { a, b, m, w->o.name };

	fmt_pct(pct, a, sizeof(a));
	fmt_pct(100.0 - pct, b, sizeof(b));
	fmt_pct(mirror, m, sizeof(m));
	return run_argv(w, "weight hook", &w->cfg->hook, &(struct live_vars){ keys, vals, 4 });
}

/* Carries out weight pct (and mirror share) as configured; logs. */
static int route(struct live_world *w, double pct, double mirror)
{
	char err[512];
	int rc;

	if (w->o.dry_run) {
		logf_(w, "dry run: would set the canary weight to %g%% (stable %g%%)", pct,
		      100.0 - pct);
		w->weight_pct = pct;
		w->mirror_pct = mirror;
		w->routed = true;
		return 0;
	}
	if (mirror > 0.0 && w->cfg->actuator == LIVE_ACT_HAPROXY && !w->warned_mirror) {
		logf_(w, "HAProxy's weights cannot mirror requests: mirroring %g%% is left out", mirror);
		w->warned_mirror = true;
	}
	w->pending_pct = pct;
	live_world_save(w, "running");
	if (w->cfg->actuator == LIVE_ACT_HAPROXY) {
		rc = set_haproxy(w, pct, err, sizeof(err));
		if (rc != 0)
			logf_(w, "set weight failed: %s", err);
	} else {
		rc = set_command(w, pct, mirror);
	}
	if (rc != 0) {
		w->failed = true;
		live_world_save(w, "failed");
		return -1;
	}
	w->weight_pct = pct;
	w->mirror_pct = mirror;
	w->pending_pct = NAN;
	w->routed = true;
	logf_(w, "canary weight set to %g%% (stable %g%%)", pct, 100.0 - pct);
	live_world_save(w, "running");
	return 0;
}

static enum eng_status op_apply(void *ctx, const struct eng_action *act)
{
	struct live_world *w = ctx;

	if (act->kind == ENG_ACT_SET_FLAGS)
		return ENG_ENOTSUP;
	if (act->kind != ENG_ACT_SET_WEIGHT)
		return ENG_OK;
	if (w->routed && act->weight_pct == w->weight_pct && act->mirror_pct == w->mirror_pct)
		return ENG_OK;
	return route(w, act->weight_pct, act->mirror_pct) == 0 ? ENG_OK : ENG_EWORLD;
}

/* A gate waits: the approval command, run at most every interval, says
 * whether it is approved (exit 0). Without one, no approval ever comes. */
static enum eng_status op_approved(void *ctx, const char *gate, bool *yes)
{
	static const char *const keys[] = { "gate", "name" };
	struct live_world *w = ctx;
	const char *vals[2] = { gate, w->o.name };
	char **argv, err[512];
	int64_t now = run_now(w);

	*yes = false;
	if (w->cfg->approve.argc == 0 || now < w->approve_due_ns)
		return ENG_OK;
	w->approve_due_ns = now + w->cfg->approve_interval_ns;
	argv = live_argv_expand(&w->cfg->approve, &(struct live_vars){ keys, vals, 2 });
	if (argv == NULL)
		return ENG_ENOMEM;
	*yes = live_run_command(argv, w->cfg->call_timeout_ns, err, sizeof(err)) == 0;
	live_argv_free(argv);
	if (*yes)
		logf_(w, "gate %s approved", gate);
	return ENG_OK;
}

static enum eng_status op_smoke_test(void *ctx, const char *name, uint32_t attempt,
				     bool *passed)
{
	struct live_world *w = ctx;

	*passed = false;
	for (size_t i = 0; i < w->cfg->nprobes; i++) {
		if (strcmp(w->cfg->probes[i].name, name) == 0) {
			*passed = probe_once(w, i);
			logf_(w, "smoke test %s (attempt %" PRIu32 "): %s", name, attempt,
			      *passed ? "passed" : "failed");
			return ENG_OK;
		}
	}
	logf_(w, "smoke test %s: no probe of that name; it fails", name);
	return ENG_OK;
}

static enum eng_status op_command(void *ctx, int64_t after_ns, enum eng_command *cmd,
				  int64_t *at_ns)
{
	struct live_world *w = ctx;
	int64_t now = run_now(w);

	(void)after_ns;
	*cmd = ENG_CMD_NONE;
	*at_ns = now;
	if (w->resume_abort) {
		w->resume_abort = false;
		logf_(w, "resumed with on_resume \"rollback\": rolling back");
		*cmd = ENG_CMD_ABORT;
	} else if (w->signal != 0 && !w->abort_sent && w->ro != NULL && !eng_rollout_done(w->ro) &&
		   w->cfg->on_signal == LIVE_SIGNAL_ROLLBACK) {
		w->abort_sent = true;
		logf_(w, "signal %d: rolling back to the stable version", w->signal);
		*cmd = ENG_CMD_ABORT;
	}
	return ENG_OK;
}

static char *event_text(const struct live_world *w, const struct eng_event *ev)
{
	cJSON *o = rpt_event_json(ev);
	char *s = NULL;

	if (o != NULL && cJSON_AddStringToObject(o, "rollout", w->o.name) != NULL &&
	    cJSON_AddBoolToObject(o, "dry_run", w->o.dry_run) != NULL)
		s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void tell_hooks(struct live_world *w, const struct eng_event *ev)
{
	char *json = event_text(w, ev), err[512];
	long status = 0;

	if (json == NULL) {
		logf_(w, "notify: out of memory");
		return;
	}
	if (w->cfg->notify_url[0] != '\0') {
		if (live_http_post_json(w->cfg->notify_url, json, w->cfg->call_timeout_ns,
					&status, err, sizeof(err)) != 0)
			logf_(w, "notify: %s", err);
		else if (status < 200 || status > 299)
			logf_(w, "notify: %s answered status %ld", w->cfg->notify_url, status);
	}
	if (w->cfg->notify_cmd.argc > 0) {
		static const char *const keys[] = {
			"event", "rule", "weight", "t_s", "name", "json"
		};
		char weight[32], t[32];
		const char *vals[6] = {
			eng_decision_name(ev->action), eng_rule_name(ev->rule), weight, t,
			w->o.name, json
		};

		fmt_pct(ev->weight_pct, weight, sizeof(weight));
		snprintf(t, sizeof(t), "%.3f", (double)ev->t_ns / 1e9);
		run_argv(w, "notify command", &w->cfg->notify_cmd,
			 &(struct live_vars){ keys, vals, 6 });
	}
	free(json);
}

static enum eng_status op_notify(void *ctx, const struct eng_event *ev)
{
	struct live_world *w = ctx;

	if (ev->action != ENG_DECIDE_CONTINUE || ev->result == ENG_RESULT_FAIL ||
	    ev->result == ENG_RESULT_ERROR) {
		if (ev->check[0] != '\0')
			logf_(w, "%s: %s %s (%s%s%s), weight %g%%", eng_rule_name(ev->rule),
			      ev->check, eng_result_name(ev->result),
			      ev->metric, isnan(ev->observed) ? "" : " ",
			      isnan(ev->observed) ? "" : "observed",
			      ev->weight_pct);
		else
			logf_(w, "%s: %s, weight %g%%%s%s", eng_rule_name(ev->rule),
			      eng_decision_name(ev->action), ev->weight_pct,
			      ev->detail[0] ? ": " : "", ev->detail);
	}
	tell_hooks(w, ev);
	live_world_save(w, "running");
	return ENG_OK;
}

const struct eng_world_ops live_world_ops = {
	.name = "live",
	.now = op_now,
	.wait_until = op_wait_until,
	.observe = op_observe,
	.apply = op_apply,
	.approved = op_approved,
	.smoke_test = op_smoke_test,
	.command = op_command,
	.notify = op_notify,
	.truth = NULL,
};

/* ---- life cycle ------------------------------------------------------------ */

struct live_world *live_world_create(const struct live_world_opts *o)
{
	struct live_world *w = calloc(1, sizeof(*w));
	int64_t wall = live_wall_ns();

	if (w == NULL)
		return NULL;
	w->o = *o;
	w->cfg = o->cfg;
	w->mono0 = live_mono_ns();
	w->origin_wall_ns = o->origin_wall_ns > 0 ? o->origin_wall_ns : wall;
	w->run0_ns = wall - w->origin_wall_ns;
	w->faults_started = o->faults_started;
	w->faults_undone = o->faults_undone;
	w->resume_abort = o->resume_rollback;
	w->pending_pct = NAN;
	for (int v = 0; v < ENG_NVERSIONS; v++)
		no_data(&w->obs.version[v]);
	combine(&w->obs);
	for (size_t i = 0; i < o->cfg->nprobes; i++)
		w->probe_due[i] = w->run0_ns;
	/* HAProxy: the counters' first snapshot, to take differences from */
	if (o->cfg->source == LIVE_SOURCE_HAPROXY) {
		observe_haproxy(w);
		for (int v = 0; v < ENG_NVERSIONS; v++)
			no_data(&w->obs.version[v]);
		combine(&w->obs);
	}
	return w;
}

void live_world_free(struct live_world *w)
{
	free(w);
}

void live_world_watch(struct live_world *w, const struct eng_rollout *ro)
{
	w->ro = ro;
}

int live_world_restore_stable(struct live_world *w)
{
	logf_(w, "restoring all traffic to the stable version");
	return route(w, 0.0, 0.0);
}

int live_world_signal(const struct live_world *w)
{
	return w->signal != 0 ? w->signal : (int)*w->o.stop;
}

bool live_world_failed(const struct live_world *w)
{
	return w->failed;
}

int64_t live_world_origin_wall_ns(const struct live_world *w)
{
	return w->origin_wall_ns;
}
