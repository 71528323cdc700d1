/* sim_bench: how fast the simulator runs and how much memory a long run
 * holds, printed one figure a line as `name value unit`, for comparing
 * commits. A benchmark, not a test: a figure that misses its target is
 * printed with the target beside it, and the exit status only says whether
 * the simulator itself failed.
 *
 *   sim_bench speed          requests simulated per second of wall time
 *   sim_bench memory HOURS   peak resident memory of an HOURS-long run
 *   sim_bench fidelity FILE  the time of a whole run of a scenario at request
 *                            and at window level as a study runs them (the
 *                            window level drawing what the study reads), their
 *                            ratio, and the window level drawing every figure
 *
 * The model (one version; the canary takes no traffic): Poisson arrivals,
 * instances of concurrency 1 with least-loaded routing and unbounded FIFO
 * queues, lognormal service (median 10 ms, sigma 0.5), 1% Bernoulli errors,
 * 10 s windows with p50/p95/p99. Linked with --wrap=sim_event_queue_pop to
 * count the events the simulator handles. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario/simulate.h"
#include "scenario/study.h"
#include "sim/event_queue.h"
#include "sim/sim.h"

#ifndef BENCH_OPT
#define BENCH_OPT "unknown"
#endif

#define SERVICE_MEDIAN_MS 10.0
#define SERVICE_SIGMA 0.5
#define ERROR_FRAC 0.01
#define TARGET_UTIL_FRAC 0.7
#define WINDOW_S 10

#define SPEED_INSTANCES 8
#define SPEED_REPS 3
#define SPEED_MIN_WALL_S 3.0     /* each repetition runs at least this long */
#define SPEED_CHUNK_S 60         /* simulated time between clock reads, s */

#define MEMORY_RATE_RPS 1000.0
#define MEMORY_TARGET_MB 64.0

/* Events the simulator has popped off its queue (see the wrapper below). */
static uint64_t events_popped;

bool __real_sim_event_queue_pop(struct sim_event_queue *q, struct sim_event *out);
bool __wrap_sim_event_queue_pop(struct sim_event_queue *q, struct sim_event *out);

bool __wrap_sim_event_queue_pop(struct sim_event_queue *q, struct sim_event *out)
{
	events_popped++;
	return __real_sim_event_queue_pop(q, out);
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Mean of the lognormal: median * exp(sigma^2 / 2), ms. */
static double service_mean_ms(void)
{
	return SERVICE_MEDIAN_MS * exp(SERVICE_SIGMA * SERVICE_SIGMA / 2.0);
}

/* Arrival rate that loads `instances` servers to TARGET_UTIL_FRAC:
 * lambda = rho * c / E[S] (M/M/c utilisation). */
static double rate_for_instances(uint32_t instances)
{
	return TARGET_UTIL_FRAC * instances / (service_mean_ms() / 1e3);
}

/* Instances that keep rate_rps at about TARGET_UTIL_FRAC: c = lambda E[S] / rho. */
static uint32_t instances_for_rate(double rate_rps)
{
	return (uint32_t)lround(rate_rps * service_mean_ms() / 1e3 / TARGET_UTIL_FRAC);
}

static void model_config(struct sim_config *cfg, double rate_rps, uint32_t instances)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	cfg->window_ns = WINDOW_S * ENG_NS_PER_S;
	cfg->traffic.profile = SIM_PROFILE_CONSTANT;
	cfg->traffic.rate_rps = rate_rps;
	cfg->initial_weight_pct = 0.0; /* only the stable version takes traffic */
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		struct sim_version_config *v = &cfg->version[i];

		sim_version_config_defaults(v);
		v->instances = instances;
		v->concurrency = 1;
		v->service.kind = SIM_DIST_LOGNORMAL;
		v->service.median_ms = SERVICE_MEDIAN_MS;
		v->service.sigma = SERVICE_SIGMA;
		v->errors.model = SIM_ERRORS_BERNOULLI;
		v->errors.rate_frac = ERROR_FRAC;
	}
}

static uint64_t requests_done(const struct sim *s)
{
	struct sim_totals st, ca;

	sim_totals(s, ENG_STABLE, &st);
	sim_totals(s, ENG_CANARY, &ca);
	return st.requests + ca.requests;
}

struct speed_rep {
	double rps;               /* requests simulated per wall second */
	uint64_t requests;
	uint64_t events;
	double sim_s;             /* simulated time covered, s */
};

/* One repetition: runs from time 0 until at least SPEED_MIN_WALL_S of
 * wall time has passed. sim_create is outside the timed part. */
static int speed_once(struct speed_rep *out)
{
	struct sim_config cfg;
	struct sim *s;
	int64_t t_ns = 0;
	uint64_t ev0;
	double t0, dt;

	model_config(&cfg, rate_for_instances(SPEED_INSTANCES), SPEED_INSTANCES);
	s = sim_create(&cfg);
	if (s == NULL) {
		fprintf(stderr, "sim_bench: sim_create failed\n");
		return -1;
	}
	ev0 = events_popped;
	t0 = wall_s();
	do {
		t_ns += SPEED_CHUNK_S * ENG_NS_PER_S;
		if (!sim_run_until(s, t_ns)) {
			fprintf(stderr, "sim_bench: sim_run_until failed (out of memory)\n");
			sim_free(s);
			return -1;
		}
		dt = wall_s() - t0;
	} while (dt < SPEED_MIN_WALL_S);
	out->requests = requests_done(s);
	out->events = events_popped - ev0;
	out->rps = (double)out->requests / dt;
	out->sim_s = (double)t_ns / 1e9;
	sim_free(s);
	return 0;
}

static int cmp_rep(const void *a, const void *b)
{
	double x = ((const struct speed_rep *)a)->rps;
	double y = ((const struct speed_rep *)b)->rps;

	return (x > y) - (x < y);
}

static int cmd_speed(void)
{
	struct speed_rep rep[SPEED_REPS];

	for (int i = 0; i < SPEED_REPS; i++)
		if (speed_once(&rep[i]) != 0)
			return 1;
	qsort(rep, SPEED_REPS, sizeof(rep[0]), cmp_rep);
	const struct speed_rep *best = &rep[SPEED_REPS - 1];

	printf("sim_requests_per_s %.4g req/s (best of %d, %.0f s simulated, "
	       "%u instances, %.1f req/s offered)\n", best->rps, SPEED_REPS,
	       best->sim_s, SPEED_INSTANCES, rate_for_instances(SPEED_INSTANCES));
	printf("sim_requests_per_s_median %.4g req/s\n", rep[SPEED_REPS / 2].rps);
	printf("sim_events_per_request %.4f events/req (OPT=%s, cc %s)\n",
	       (double)best->events / (double)best->requests, BENCH_OPT, __VERSION__);
	return 0;
}

/* The child: runs the model for hours of simulated time; prints how many
 * requests it simulated so the figure can be checked. */
static int memory_child(long hours, uint32_t instances)
{
	struct sim_config cfg;
	struct sim *s;
	bool ok;

	model_config(&cfg, MEMORY_RATE_RPS, instances);
	s = sim_create(&cfg);
	if (s == NULL)
		return 1;
	ok = sim_run_until(s, (int64_t)hours * 3600 * ENG_NS_PER_S);
	if (ok)
		printf("sim_%ldh_requests %llu req (%.0f req/s offered, %u instances)\n",
		       hours, (unsigned long long)requests_done(s), MEMORY_RATE_RPS,
		       instances);
	sim_free(s);
	return ok ? 0 : 1;
}

/* Runs the child and reports its peak resident set. This process has no
 * other child, so RUSAGE_CHILDREN is the child's own. */
static int cmd_memory(long hours)
{
	uint32_t instances = instances_for_rate(MEMORY_RATE_RPS);
	struct rusage ru;
	double t0, dt, mb;
	pid_t pid;
	int status;

	fflush(stdout);
	t0 = wall_s();
	pid = fork();
	if (pid < 0) {
		perror("sim_bench: fork");
		return 1;
	}
	if (pid == 0) {
		int rc = memory_child(hours, instances);

		fflush(stdout);
		_exit(rc);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("sim_bench: waitpid");
		return 1;
	}
	dt = wall_s() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "sim_bench: the %ld h run failed\n", hours);
		return 1;
	}
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0) {
		perror("sim_bench: getrusage");
		return 1;
	}
	mb = (double)ru.ru_maxrss / 1024.0; /* Linux: KB */
	printf("sim_%ldh_peak_rss_mb %.1f MB (target < %.0f)\n", hours, mb,
	       MEMORY_TARGET_MB);
	printf("sim_%ldh_wall_s %.2f s\n", hours, dt);
	return 0;
}

/* Seconds of wall time per run of sc at fidelity f and detail, over at
 * least min_wall_s and `min_runs` runs (seeds 1, 2, ...), through one
 * runner as a study uses it; the runner's set-up is inside the timed
 * part. */
static double seconds_per_run(const struct scn_scenario *sc, enum scn_fidelity f,
			      enum scn_detail detail, int min_runs, double min_wall_s)
{
	double t0 = wall_s(), dt;
	struct scn_runner *r = scn_runner_create(sc, f, detail);
	struct eng_record rec; /* one for every run, as a study's worker keeps it */
	int n = 0;

	if (r == NULL)
		return -1.0;
	eng_record_init(&rec);
	do {
		eng_record_clear(&rec);
		if (scn_runner_run(r, (uint64_t)n + 1, &rec) != ENG_OK) {
			eng_record_free(&rec);
			scn_runner_free(r);
			return -1.0;
		}
		n++;
		dt = wall_s() - t0;
	} while (n < min_runs || dt < min_wall_s);
	eng_record_free(&rec);
	scn_runner_free(r);
	return dt / n;
}

/* Whole runs of one scenario at both fidelity levels, one after the other,
 * as a study runs them, then at window level with every figure drawn; the
 * window level's shared tables are built once, as rollsim run does. */
static int cmd_fidelity(const char *path)
{
	struct scn_scenario *sc;
	struct scn_diag d;
	double req_s, win_s, full_s;

	scn_diag_init(&d);
	if (scn_load_file(path, &d, &sc) != SCN_OK) {
		for (size_t i = 0; i < d.count; i++)
			fprintf(stderr, "%s\n", d.lines[i]);
		scn_diag_free(&d);
		return 1;
	}
	scn_diag_free(&d);
	if (scn_prepare_window(sc) != SCN_OK) {
		scn_free(sc);
		return 1;
	}
	req_s = seconds_per_run(sc, SCN_FIDELITY_REQUEST, SCN_DETAIL_STUDY, 20, 2.0);
	win_s = seconds_per_run(sc, SCN_FIDELITY_WINDOW, SCN_DETAIL_STUDY, 2000, 2.0);
	full_s = seconds_per_run(sc, SCN_FIDELITY_WINDOW, SCN_DETAIL_FULL, 2000, 2.0);
	if (req_s < 0.0 || win_s < 0.0 || full_s < 0.0) {
		scn_free(sc);
		return 1;
	}
	printf("run_request_level_us %.1f us/run (%s)\n", req_s * 1e6, sc->name);
	printf("run_window_level_us %.2f us/run (%s; a study's run: what it reads)\n",
	       win_s * 1e6, sc->name);
	printf("window_level_speedup %.0f ratio (target >= 1000)\n", req_s / win_s);
	printf("run_window_level_full_us %.2f us/run (%s; every figure, as rollsim run"
	       " --fidelity window draws them)\n", full_s * 1e6, sc->name);
	printf("window_level_full_speedup %.0f ratio\n", req_s / full_s);
	scn_free(sc);
	return 0;
}

/* A Monte Carlo study of `runs` runs of the scenario at path on `threads`
 * threads, at both fidelity levels, as rollsim mc runs it (loading and
 * writing the files excluded: run.sh times rollsim mc whole), with the
 * mean deployment a run lasted and how many runs rolled back, so that a
 * policy that cuts its runs short shows. */
static int cmd_mc(const char *path, size_t runs, unsigned threads)
{
	static const struct {
		enum scn_fidelity f;
		const char *name;
	} levels[] = { { SCN_FIDELITY_REQUEST, "request" }, { SCN_FIDELITY_WINDOW, "window" } };
	struct scn_study *st;
	struct scn_diag d;
	struct rpt_study_run *out = calloc(runs, sizeof(*out));

	scn_diag_init(&d);
	if (out == NULL || scn_study_load(path, NULL, 0, NULL, &d, &st) != SCN_OK) {
		for (size_t i = 0; i < d.count; i++)
			fprintf(stderr, "%s\n", d.lines[i]);
		scn_diag_free(&d);
		free(out);
		return 1;
	}
	scn_diag_free(&d);
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		double t0 = wall_s(), dt, deploy_s = 0.0;
		size_t rolled_back = 0;

		if (scn_study_run(st, runs, threads, 1, levels[l].f, out, NULL, NULL) != ENG_OK) {
			scn_study_free(st);
			free(out);
			return 1;
		}
		dt = wall_s() - t0;
		for (size_t i = 0; i < runs; i++) {
			deploy_s += out[i].sum.duration_s;
			rolled_back += out[i].sum.outcome == ENG_OUTCOME_ROLLED_BACK;
		}
		printf("mc_%zu_%s_wall_s %.3f s (simulation only; %s, %u threads, %.1f simulated min of "
		       "deployment a run, %zu rolled back)\n",
		       runs, levels[l].name, dt, st->name, threads, deploy_s / 60.0 / (double)runs,
		       rolled_back);
		printf("mc_%s_runs_per_s %.0f runs/s\n", levels[l].name, (double)runs / dt);
	}
	scn_study_free(st);
	free(out);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: sim_bench speed\n"
			"       sim_bench memory HOURS   (1..8760)\n"
			"       sim_bench fidelity SCENARIO\n"
			"       sim_bench mc SCENARIO RUNS THREADS\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "speed") == 0)
		return cmd_speed();
	if (argc == 3 && strcmp(argv[1], "fidelity") == 0)
		return cmd_fidelity(argv[2]);
	if (argc == 5 && strcmp(argv[1], "mc") == 0) {
		long runs = strtol(argv[3], NULL, 10), threads = strtol(argv[4], NULL, 10);

		if (runs < 1 || runs > 1000000 || threads < 1 || threads > 64)
			return usage();
		return cmd_mc(argv[2], (size_t)runs, (unsigned)threads);
	}
	if (argc == 3 && strcmp(argv[1], "memory") == 0) {
		char *end;
		long hours = strtol(argv[2], &end, 10);

		if (end == argv[2] || *end != '\0' || hours < 1 || hours > 8760)
			return usage();
		return cmd_memory(hours);
	}
	return usage();
}
