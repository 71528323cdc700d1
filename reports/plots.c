#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports/file_out.h"
#include "reports/parallel.h"
#include "reports/plots.h"
#include "reports/run_plot.h"
#include "reports/study.h"

extern char **environ;

/* The names of study_plots[] below, in its order. */
const char *const rpt_study_plot_names[] = { "ttr_hist", "ttr_ecdf", "ttd_ecdf", "outcomes",
					     "weight_fan", "run_timeline", NULL };

/* A fixed size and font: the same study gives the same bytes. noenhanced:
 * scenario names are text, not markup (an underscore is not a subscript). */
static const char svg_terminal[] =
	"set terminal svg size 640,400 fixed font 'sans,10' noenhanced background '#ffffff'\n"
	"set output\n";
static const char png_terminal[] =
	"set terminal pngcairo size 640,400 font 'sans,10' noenhanced background '#ffffff'\n"
	"set output\n";

/* The Okabe-Ito palette (without its yellow), then two of Tol's: told
 * apart by colour-blind readers. A plot gives them in turn to the scenarios
 * it draws (not to those it leaves out), so eight can be told apart. */
static const char *const scenario_colors[] = {
	"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#882255", "#44aa99",
};
#define NCOLORS (sizeof(scenario_colors) / sizeof(scenario_colors[0]))

/* An ECDF line keeps at most this many of its steps (exact points of the
 * ECDF, evenly spaced in rank): the files stay small for big studies. */
#define ECDF_MAX_POINTS 1000

/* --- gnuplot script text --------------------------------------------------- */

/* s inside a single-quoted gnuplot string: a quote doubled, control
 * characters (which would end the command) as spaces. No escapes or macros
 * are expanded inside single quotes. */
void rpt_gp_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\'')
			fputs("''", f);
		else if (c < 0x20 || c == 0x7f)
			fputc(' ', f);
		else
			fputc(c, f);
	}
}

void rpt_gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	rpt_gp_text(f, s);
	fputc('\'', f);
}

/* A plot with nothing to draw says so, in an empty frame. */
void rpt_gp_empty_plot(FILE *f, const char *why)
{
	fputs("set label 1 ", f);
	rpt_gp_string(f, why);
	fputs(" at graph 0.5,0.5 center\nset xrange [0:1]\nset yrange [0:1]\nplot -1 notitle\n", f);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The time to recovery (ttr) or to detect of run r; NaN when it has none. */
static double time_of(const struct rpt_study_run *r, bool ttr)
{
	if (ttr)
		return r->sum.has_ttr ? r->sum.ttr_s : NAN;
	return r->sum.has_ttd ? r->sum.ttd_s : NAN;
}

/* The times of entry `which` (SIZE_MAX: all), ascending, into buf (nruns
 * long); returns how many. */
static size_t sorted_times(const struct rpt_study *st, size_t which, bool ttr, double *buf)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nruns; i++) {
		double x = time_of(&st->runs[i], ttr);

		if ((which == SIZE_MAX || st->runs[i].entry == which) && !isnan(x))
			buf[n++] = x;
	}
	qsort(buf, n, sizeof(*buf), cmp_double);
	return n;
}

/* --- ttr_ecdf, ttd_ecdf ---------------------------------------------------- */

/* $E<g>: the ECDF of sorted[0..n-1] as (x, F(x)) points drawn `with steps`,
 * from (x_(1), 0). */
static void ecdf_block(FILE *f, size_t g, const double *sorted, size_t n)
{
	size_t m = n > ECDF_MAX_POINTS ? ECDF_MAX_POINTS : n;

	fprintf(f, "$E%zu << EOD\n%.17g 0\n", g, sorted[0]);
	for (size_t k = 1; k <= m; k++) {
		size_t i = m == n ? k : (k * n + m - 1) / m; /* rank ceil(k n / m) */

		fprintf(f, "%.17g %.17g\n", sorted[i - 1], (double)i / (double)n);
	}
	fputs("EOD\n", f);
}

static int ecdf_body(FILE *f, const struct rpt_study *st, bool ttr)
{
	/* groups: the entries, then all of them when there are several */
	size_t ngroups = st->nentries + (st->nentries > 1), drawn = 0;
	double *buf = malloc((st->nruns ? st->nruns : 1) * sizeof(*buf));
	size_t *count = calloc(ngroups ? ngroups : 1, sizeof(*count));
	const char *what = ttr ? "time to recovery" : "time to detect";

	if (buf == NULL || count == NULL) {
		free(buf);
		free(count);
		return -1;
	}
	for (size_t g = 0; g < ngroups; g++) {
		count[g] = sorted_times(st, g < st->nentries ? g : SIZE_MAX, ttr, buf);
		if (count[g] > 0)
			ecdf_block(f, g, buf, count[g]);
	}
	fprintf(f, "set encoding utf8\nset grid\nset key bottom right\n"
		   "set xlabel '%s, s'\nset ylabel 'fraction of the runs that have one'\n"
		   "set title 'ECDF of the %s'\n", what, what);
	fputs("set yrange [0:1]\nset xrange [0:*]\n", f);
	for (size_t g = 0; g < ngroups; g++) {
		bool all = g == st->nentries;

		if (count[g] == 0)
			continue;
		fputs(drawn++ ? ", \\\n     " : "plot ", f);
		fprintf(f, "$E%zu using 1:2 with steps lw %s lc rgb '%s' title '", g, all ? "2.5" : "1.5",
			all ? "#000000" : scenario_colors[(drawn - 1) % NCOLORS]);
		rpt_gp_text(f, all ? "all scenarios" : st->entries[g].name);
		fprintf(f, " (%zu)'", count[g]);
	}
	if (drawn > 0)
		fputc('\n', f);
	else
		rpt_gp_empty_plot(f, ttr ? "no run has a time to recovery" : "no run has a time to detect");
	free(buf);
	free(count);
	return 0;
}

static int ttr_ecdf_body(FILE *f, const void *ctx)
{
	const struct rpt_study *st = ctx;

	return ecdf_body(f, st, true);
}

static int ttd_ecdf_body(FILE *f, const void *ctx)
{
	const struct rpt_study *st = ctx;

	return ecdf_body(f, st, false);
}

/* --- ttr_hist -------------------------------------------------------------- */

/* A bin width near raw (> 0): 1, 2 or 5 times a power of ten, at least raw. */
static double nice_width(double raw)
{
	double p = pow(10.0, floor(log10(raw))), m = raw / p;

	return (m <= 1.0 ? 1.0 : m <= 2.0 ? 2.0 : m <= 5.0 ? 5.0 : 10.0) * p;
}

/* Bins of a nice width aligned on its multiples, about sqrt(n) of them
 * (5..30); each bin's runs stacked by scenario, the first at the bottom. */
static int hist_body(FILE *f, const void *ctx)
{
	const struct rpt_study *st = ctx;

	double *buf = malloc((st->nruns ? st->nruns : 1) * sizeof(*buf));
	size_t n, ne = st->nentries, nb, drawn = 0;
	uint64_t *cnt = NULL, *tot = NULL;
	double w, lo, range;
	int rc = -1;

	if (buf == NULL)
		return -1;
	n = sorted_times(st, SIZE_MAX, true, buf);
	fputs("set encoding utf8\nset grid\nset key top right\nset xlabel 'time to recovery, s'\n"
	      "set ylabel 'runs'\n", f);
	fprintf(f, "set title 'Time to recovery (%zu runs)'\n", n);
	if (n == 0) {
		rpt_gp_empty_plot(f, "no run has a time to recovery");
		rc = 0;
		goto out_free_buf;
	}
	range = buf[n - 1] - buf[0];
	if (!(range > 0.0))
		range = fabs(buf[0]) > 0.0 ? fabs(buf[0]) : 1.0;
	{
		double k = ceil(sqrt((double)n));

		w = nice_width(range / (k < 5.0 ? 5.0 : k > 30.0 ? 30.0 : k));
	}
	lo = floor(buf[0] / w);
	nb = (size_t)(floor(buf[n - 1] / w) - lo) + 1;
	cnt = calloc(nb * (ne ? ne : 1), sizeof(*cnt));
	tot = calloc(ne ? ne : 1, sizeof(*tot));
	if (cnt == NULL || tot == NULL)
		goto out_free_counts;
	for (size_t i = 0; i < st->nruns; i++) {
		double x = time_of(&st->runs[i], true), b;

		if (isnan(x))
			continue;
		b = floor(x / w) - lo;
		b = b < 0.0 ? 0.0 : b > (double)(nb - 1) ? (double)(nb - 1) : b;
		cnt[(size_t)b * ne + st->runs[i].entry]++;
		tot[st->runs[i].entry]++;
	}
	fputs("$H << EOD\n", f);
	for (size_t b = 0; b < nb; b++) {
		uint64_t cum = 0;

		fprintf(f, "%.17g", (lo + (double)b + 0.5) * w);
		for (size_t e = 0; e < ne; e++) {
			cum += cnt[b * ne + e];
			fprintf(f, " %llu", (unsigned long long)cum);
		}
		fputc('\n', f);
	}
	fputs("EOD\n", f);
	fprintf(f, "set xrange [%.17g:%.17g]\nset yrange [0:*]\n"
		   "set style fill solid 0.9 border lc rgb '#404040'\n",
		lo * w, (lo + (double)nb) * w);
	/* the highest layer first: each box hides the part of the next one
	 * below it that is not its own */
	for (size_t e = ne; e-- > 0;) {
		size_t shown = 0; /* the scenarios below e that have a box: e's colour */

		if (tot[e] == 0)
			continue;
		for (size_t k = 0; k < e; k++)
			shown += tot[k] > 0;
		fputs(drawn++ ? ", \\\n     " : "plot ", f);
		fprintf(f, "$H using 1:%zu:(%.17g) with boxes lc rgb '%s' title '", e + 2, w,
			scenario_colors[shown % NCOLORS]);
		rpt_gp_text(f, st->entries[e].name);
		fprintf(f, " (%llu)'", (unsigned long long)tot[e]);
	}
	fputc('\n', f);
	rc = 0;
out_free_counts:
	free(cnt);
	free(tot);
out_free_buf:
	free(buf);
	return rc;
}

/* --- outcomes -------------------------------------------------------------- */

/* The share of each entry's runs in each outcome, stacked to 100%. Good
 * outcomes at the bottom, then the mistakes, then the undecided. */
static int outcomes_body(FILE *f, const void *ctx)
{
	const struct rpt_study *st = ctx;

	static const struct {
		const char *title;
		const char *color;
	} cells[] = {
		{ "true rollbacks", "#2c7bb6" },
		{ "correct promotions", "#abd9e9" },
		{ "false rollbacks", "#fdae61" },
		{ "missed bad releases", "#d7191c" },
		{ "blocked", "#808080" },
		{ "other (timed out)", "#d9d9d9" },
	};
	size_t ne = st->nentries;
	struct rpt_confusion *c = calloc(ne ? ne : 1, sizeof(*c));

	if (c == NULL)
		return -1;
	for (size_t i = 0; i < st->nruns; i++)
		rpt_confusion_add(&c[st->runs[i].entry], &st->runs[i].sum);
	fputs("set encoding utf8\nset grid ytics\nset key outside right top\n"
	      "set title 'Outcomes per scenario'\n"
	      "set ylabel 'share of the scenario''s runs, %'\n", f);
	if (ne == 0) {
		rpt_gp_empty_plot(f, "no scenario");
		free(c);
		return 0;
	}
	fputs("$O << EOD\n", f);
	for (size_t e = 0; e < ne; e++) {
		const uint64_t v[6] = { c[e].true_rollbacks, c[e].correct_promotions,
					c[e].false_rollbacks, c[e].missed, c[e].blocked, c[e].other };
		uint64_t cum = 0;

		fprintf(f, "%zu", e);
		for (size_t k = 0; k < 6; k++) {
			cum += v[k];
			fprintf(f, " %.17g", c[e].runs ? 100.0 * (double)cum / (double)c[e].runs : 0.0);
		}
		fputc('\n', f);
	}
	/* slanted labels: scenario names are long and would run together */
	fputs("EOD\nset xtics nomirror", f);
	if (ne > 1)
		fputs(" rotate by 30 right", f);
	fputs(" (", f);
	for (size_t e = 0; e < ne; e++) {
		fputs(e ? ", '" : "'", f);
		rpt_gp_text(f, st->entries[e].name);
		fprintf(f, " (%llu)' %zu", (unsigned long long)c[e].runs, e);
	}
	fprintf(f, ")\nset xrange [-0.6:%.17g]\nset yrange [0:100]\nset boxwidth 0.6\n"
		   "set style fill solid 0.95 border lc rgb '#404040'\n",
		(double)ne - 0.4);
	for (size_t k = 6; k-- > 0;) {
		fputs(k == 5 ? "plot " : ", \\\n     ", f);
		fprintf(f, "$O using 1:%zu with boxes lc rgb '%s' title '%s'", k + 2, cells[k].color,
			cells[k].title);
	}
	fputc('\n', f);
	free(c);
	return 0;
}

/* The example run's timeline, or a frame saying there is none. */
static int example_body(FILE *f, const void *ctx)
{
	const struct rpt_study *st = ctx;
	const struct rpt_run_plot rp = { st->example_title ? st->example_title : "", st->example };

	if (st->example == NULL) {
		rpt_gp_empty_plot(f, "no run to show");
		return 0;
	}
	return rpt_run_plot_body(f, &rp);
}

/* The canary weight of the first runs as a fan chart. */
static int fan_body(FILE *f, const void *ctx)
{
	const struct rpt_study *st = ctx;
	char title[96];
	struct rpt_fan fan = { title, st->tracks, st->ntracks };

	if (st->tracks == NULL || st->ntracks == 0) {
		rpt_gp_empty_plot(f, "no run's weights were kept");
		return 0;
	}
	if (st->ntracks < st->nruns)
		snprintf(title, sizeof(title), "Canary weight of the first %zu of %zu runs", st->ntracks,
			 st->nruns);
	else
		snprintf(title, sizeof(title), "Canary weight of the %zu runs", st->ntracks);
	return rpt_fan_plot_body(f, &fan);
}

/* The study's plots, in rpt_study_plot_names' order. */
static const struct rpt_plot study_plots[] = {
	{ "ttr_hist", hist_body },
	{ "ttr_ecdf", ttr_ecdf_body },
	{ "ttd_ecdf", ttd_ecdf_body },
	{ "outcomes", outcomes_body },
	{ "weight_fan", fan_body },
	{ "run_timeline", example_body },
};

/* --- running gnuplot ------------------------------------------------------- */

/* Where gnuplot is: the first executable PATH/gnuplot, PATH unset meaning
 * "/bin:/usr/bin" (as execvp has it) and an empty entry the current
 * directory. */
static bool find_gnuplot(char *path, size_t n)
{
	const char *p = getenv("PATH");

	if (p == NULL)
		p = "/bin:/usr/bin";
	for (;;) {
		const char *end = strchr(p, ':');
		int len = (int)(end ? (size_t)(end - p) : strlen(p));
		struct stat sb;
		int w = len ? snprintf(path, n, "%.*s/gnuplot", len, p) : snprintf(path, n, "./gnuplot");

		if (w > 0 && (size_t)w < n && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    access(path, X_OK) == 0)
			return true;
		if (end == NULL)
			return false;
		p = end + 1;
	}
}

struct gp_job {
	const char *gnuplot;      /* its path */
	const char *script;       /* sent on its stdin */
	size_t len;
	char *msg;                /* why it failed, written by run_gnuplot */
	size_t msglen;
};

/* fd moved to a descriptor >= 3 (clear of stdin, stdout and stderr, so the
 * child's dup2s cannot clobber one another) with FD_CLOEXEC; -1 on error.
 * Takes ownership of fd. */
static int high_cloexec(int fd)
{
	int nfd;

	if (fd < 0)
		return -1;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Sends s[0..len-1] to *in (non-blocking) while reading *efd to its end,
 * so that neither side waits on a full pipe; keeps the first ecap - 1 bytes
 * read in ebuf. Closes both. Returns whether all of s was sent. MSG_NOSIGNAL:
 * a gnuplot that quits early gives EPIPE, not SIGPIPE. */
static bool pump(int *in, int *efd, const char *s, size_t len, char *ebuf, size_t ecap)
{
	size_t off = 0, elen = 0;

	if (len == 0)
		close_fd(in);
	while (*efd >= 0) {
		struct pollfd p[2] = { { *efd, POLLIN, 0 }, { *in, POLLOUT, 0 } };

		if (poll(p, *in >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (*in >= 0 && p[1].revents != 0) {
			ssize_t w = send(*in, s + off, len - off, MSG_NOSIGNAL);

			if (w > 0)
				off += (size_t)w;
			else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				close_fd(in);
			if (off == len)
				close_fd(in);
		}
		if (p[0].revents != 0) {
			char tmp[512];
			ssize_t r = read(*efd, tmp, sizeof(tmp));

			if (r > 0) {
				size_t k = (size_t)r < ecap - 1 - elen ? (size_t)r : ecap - 1 - elen;

				memcpy(ebuf + elen, tmp, k);
				elen += k;
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				close_fd(efd);
			}
		}
	}
	close_fd(in);
	close_fd(efd);
	ebuf[elen] = '\0';
	return off == len;
}

/* The line of gnuplot's stderr that says what went wrong: the first
 * "line N: ..." that is not a warning, else the first that says anything
 * (not the echoed command nor its caret). */
static void error_line(const char *ebuf, char *out, size_t n)
{
	const char *first = NULL, *best = NULL;
	size_t first_len = 0, best_len = 0;

	for (const char *p = ebuf; *p != '\0';) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len > 0 && strspn(p, " ^\t") < len && strncmp(p, "gnuplot>", 8) != 0) {
			const char *w = strstr(p, "warning:");
			bool warning = w != NULL && w < p + len;

			if (first == NULL) {
				first = p;
				first_len = len;
			}
			if (best == NULL && strncmp(p, "line ", 5) == 0 && !warning) {
				best = p;
				best_len = len;
			}
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (best == NULL) {
		best = first;
		best_len = first_len;
	}
	if (best == NULL)
		snprintf(out, n, "no error message");
	else
		snprintf(out, n, "%.*s", (int)(best_len > 200 ? 200 : best_len), best);
}

/* rpt_write_file's writer: runs gnuplot on the job's script with its
 * stdout on f's file. On failure, says why in job->msg. */
static int run_gnuplot(FILE *out, const void *ctx)
{
	const struct gp_job *job = ctx;
	static char arg0[] = "gnuplot", arg1[] = "-d"; /* -d: no init files */
	char *argv[] = { arg0, arg1, NULL };
	int sv[2] = { -1, -1 }, ep[2] = { -1, -1 }, ofd = -1, status, e, rc = -1;
	char ebuf[2048], line[256];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, pipe_sig;
	struct stat sb;
	bool sent;
	pid_t pid;

	if (fflush(out) != 0) {
		snprintf(job->msg, job->msglen, "cannot write: %s", strerror(errno));
		return -1;
	}
	/* every descriptor close-on-exec from its creation: a gnuplot that
	 * another thread starts meanwhile must not hold this one's pipes open,
	 * or each could wait for the other's end of file */
	ofd = fcntl(fileno(out), F_DUPFD_CLOEXEC, 3);
	if (ofd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ep) != 0) {
		snprintf(job->msg, job->msglen, "cannot make pipes for gnuplot: %s", strerror(errno));
		goto out_close;
	}
	for (int i = 0; i < 2; i++) {
		sv[i] = high_cloexec(sv[i]);
		ep[i] = high_cloexec(ep[i]);
	}
	if (sv[0] < 0 || sv[1] < 0 || ep[0] < 0 || ep[1] < 0 ||
	    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) != 0) {
		snprintf(job->msg, job->msglen, "cannot make pipes for gnuplot: %s", strerror(errno));
		goto out_close;
	}
	/* the child starts with no signal blocked and SIGPIPE at its default,
	 * whatever this process does with them */
	sigemptyset(&none);
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	if ((e = posix_spawn_file_actions_init(&fa)) != 0) {
		snprintf(job->msg, job->msglen, "cannot run gnuplot: %s", strerror(e));
		goto out_close;
	}
	if ((e = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		snprintf(job->msg, job->msglen, "cannot run gnuplot: %s", strerror(e));
		goto out_close;
	}
	if ((e = posix_spawn_file_actions_adddup2(&fa, sv[1], 0)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, ofd, 1)) == 0 &&
	    (e = posix_spawn_file_actions_adddup2(&fa, ep[1], 2)) == 0 &&
	    (e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (e = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (e = posix_spawnattr_setsigdefault(&attr, &pipe_sig)) == 0)
		e = posix_spawn(&pid, job->gnuplot, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close_fd(&sv[1]);
	close_fd(&ep[1]);
	close_fd(&ofd);
	if (e != 0) {
		snprintf(job->msg, job->msglen, "cannot run %s: %s", job->gnuplot, strerror(e));
		goto out_close;
	}
	sent = pump(&sv[0], &ep[0], job->script, job->len, ebuf, sizeof(ebuf));
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(job->msg, job->msglen, "cannot wait for gnuplot: %s", strerror(errno));
			goto out_close;
		}
	}
	error_line(ebuf, line, sizeof(line));
	if (WIFSIGNALED(status))
		snprintf(job->msg, job->msglen, "gnuplot was killed by signal %d: %s", WTERMSIG(status), line);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		snprintf(job->msg, job->msglen, "gnuplot exited with status %d: %s",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, line);
	else if (!sent)
		snprintf(job->msg, job->msglen, "gnuplot stopped reading its script: %s", line);
	else if (fstat(fileno(out), &sb) != 0 || sb.st_size == 0)
		snprintf(job->msg, job->msglen, "gnuplot wrote nothing: %s", line);
	else
		rc = 0;
out_close:
	close_fd(&sv[0]);
	close_fd(&sv[1]);
	close_fd(&ep[0]);
	close_fd(&ep[1]);
	close_fd(&ofd);
	return rc;
}

/* The plot's script for a terminal: returns owned text (free with free()),
 * its length in *len; NULL when out of memory or when the body fails. */
static char *plot_script(const struct rpt_plot *plot, const void *ctx, const char *terminal,
			 size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	int rc;

	if (f == NULL)
		return NULL;
	fputs(terminal, f);
	rc = plot->body(f, ctx);
	if (ferror(f))
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The formats each plot is drawn in. */
static const struct {
	const char *ext;
	const char *terminal;
} formats[] = { { "svg", svg_terminal }, { "png", png_terminal } };
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* Job i draws plot i / NFORMATS in format i % NFORMATS. A job is skipped
 * when one before it in order has failed; so the first job that fails
 * always runs (none before it failed), and its error is the one
 * reported, whatever the threads. */
struct plot_jobs {
	const char *dir;
	const struct rpt_plot *plots;
	const void *ctx;
	const char *gnuplot;
	atomic_size_t first_failed; /* the lowest job that failed; SIZE_MAX: none */
	struct plot_result {
		bool failed;
		char err[640];
	} *res;
};

static void plot_job(size_t i, void *arg)
{
	struct plot_jobs *pj = arg;
	const struct rpt_plot *plot = &pj->plots[i / NFORMATS];
	struct plot_result *res = &pj->res[i];
	char name[96], msg[512] = "";
	struct gp_job job = { pj->gnuplot, NULL, 0, msg, sizeof(msg) };
	char *script;
	int rc;

	if (atomic_load(&pj->first_failed) < i)
		return;
	snprintf(name, sizeof(name), "%s.%s", plot->name, formats[i % NFORMATS].ext);
	script = plot_script(plot, pj->ctx, formats[i % NFORMATS].terminal, &job.len);
	if (script == NULL) {
		snprintf(res->err, sizeof(res->err), "%s/%s: out of memory", pj->dir, name);
		rc = -1;
	} else {
		job.script = script;
		rc = rpt_write_file(pj->dir, name, run_gnuplot, &job, res->err, sizeof(res->err));
		free(script);
		if (rc != 0 && msg[0] != '\0')
			snprintf(res->err, sizeof(res->err), "%s/%s: %s", pj->dir, name, msg);
	}
	if (rc != 0) {
		size_t lowest = atomic_load(&pj->first_failed);

		res->failed = true;
		while (i < lowest && !atomic_compare_exchange_weak(&pj->first_failed, &lowest, i))
			;
	}
}

enum rpt_plots_status rpt_write_plots(const char *dir, const struct rpt_plot *plots, size_t n,
				      const void *ctx, unsigned threads, char *err, size_t errlen)
{
	char gnuplot[4096];
	struct plot_jobs pj = { .dir = dir, .plots = plots, .ctx = ctx, .gnuplot = gnuplot };

	if (!find_gnuplot(gnuplot, sizeof(gnuplot))) {
		snprintf(err, errlen, "gnuplot: not found on PATH");
		return RPT_PLOTS_NO_GNUPLOT;
	}
	if (rpt_make_dirs(dir) != 0) {
		snprintf(err, errlen, "%s: cannot create the directory: %s", dir, strerror(errno));
		return RPT_PLOTS_FAILED;
	}
	pj.res = calloc(n * NFORMATS, sizeof(*pj.res));
	if (pj.res == NULL) {
		snprintf(err, errlen, "%s: out of memory for the plots", dir);
		return RPT_PLOTS_FAILED;
	}
	atomic_init(&pj.first_failed, SIZE_MAX);
	rpt_parallel(n * NFORMATS, threads, plot_job, &pj);
	for (size_t i = 0; i < n * NFORMATS; i++)
		if (pj.res[i].failed) {
			snprintf(err, errlen, "%s", pj.res[i].err);
			free(pj.res);
			return RPT_PLOTS_FAILED;
		}
	free(pj.res);
	return RPT_PLOTS_OK;
}

enum rpt_plots_status rpt_write_study_plots(const char *dir, const struct rpt_study *st,
					    char *err, size_t errlen)
{
	return rpt_write_plots(dir, study_plots, sizeof(study_plots) / sizeof(study_plots[0]), st,
			       st->threads, err, errlen);
}
