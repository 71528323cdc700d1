#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario/json_read.h"
#include "scenario/load.h"
#include "scenario/patch.h"
#include "scenario/study.h"

void scn_study_free(struct scn_study *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n; i++)
		scn_free(st->sc[i]);
	free(st);
}

/* path's folder joined with rel, unless rel is absolute. */
static void join_dir(char *buf, size_t n, const char *path, const char *rel)
{
	const char *slash = strrchr(path, '/');

	if (rel[0] == '/' || slash == NULL)
		snprintf(buf, n, "%s", rel);
	else
		snprintf(buf, n, "%.*s/%s", (int)(slash - path), path, rel);
}

/* The file's stem: "mixes/demo.json" gives "demo". */
static void stem(char *buf, size_t n, const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	snprintf(buf, n, "%.*s", (int)(dot && dot != base ? (size_t)(dot - base) : strlen(base)),
		 base);
}

/* path with "dir/../" and "./" taken out, into buf: how a built-in file
 * is found from a mix's relative path. */
static void normalise(char *buf, size_t n, const char *path)
{
	const char *seg[64];
	size_t len[64], k = 0, used = 0;

	for (const char *p = path; *p != '\0';) {
		size_t l = strcspn(p, "/");

		if (l == 2 && strncmp(p, "..", 2) == 0 && k > 0 &&
		    !(len[k - 1] == 2 && strncmp(seg[k - 1], "..", 2) == 0))
			k--;
		else if (!(l == 1 && p[0] == '.') && l > 0 && k < 64) {
			seg[k] = p;
			len[k++] = l;
		}
		p += l;
		if (*p == '/')
			p++;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < k && used + len[i] + 2 < n; i++) {
		used += (size_t)snprintf(buf + used, n - used, "%s%.*s", i ? "/" : "", (int)len[i],
					 seg[i]);
	}
}

/* path's text: from files when given (a built-in table), else read from
 * disk into *buf (owned, free()); *text and *len say where it is. */
static enum scn_status read_any(const char *path, const struct scn_file *files, const char *what,
				struct scn_diag *diag, char **buf, const char **text, size_t *len)
{
	char norm[4096];
	enum scn_status s;

	*buf = NULL;
	if (files == NULL) {
		s = scn_read_file(path, MAX_SCENARIO_BYTES, what, diag, buf, len);
		*text = *buf;
		return s;
	}
	normalise(norm, sizeof(norm), path);
	for (const struct scn_file *f = files; f->path != NULL; f++)
		if (strcmp(f->path, norm) == 0) {
			*text = f->text;
			*len = f->len;
			return SCN_OK;
		}
	scn_diag_addf(diag, "%s: not among the built-in files; expected %s", path, what);
	return SCN_EIO;
}

/* Loads one scenario from file (text NULL) or from text (len bytes, named
 * source), with the patches applied to its JSON first. */
static enum scn_status load_one(const char *file, const char *text, size_t len,
				const char *source, const struct scn_patch *patches,
				size_t npatches, const struct scn_file *files,
				struct scn_diag *diag, struct scn_scenario **out)
{
	struct scn_reader r = { file ? file : source, diag };
	enum scn_status s = SCN_OK;
	char *buf = NULL, *printed = NULL;
	cJSON *root = NULL;

	*out = NULL;
	if (file != NULL) {
		s = read_any(file, files, "a scenario file", diag, &buf, &text, &len);
		if (s != SCN_OK)
			return s;
		source = file;
	}
	if (npatches == 0) {
		s = scn_load_text(text, len, source, diag, out);
		free(buf);
		return s;
	}
	root = scn_parse_json(&r, text, len);
	if (root == NULL) {
		s = scn_diag_empty(diag) ? SCN_ENOMEM : SCN_EINVAL;
		goto done;
	}
	for (size_t i = 0; i < npatches; i++) {
		char err[SCN_PATH_MAX + 256];

		if (!scn_patch_apply(root, &patches[i], err, sizeof(err))) {
			if (strcmp(err, "out of memory") == 0) {
				s = SCN_ENOMEM;
				goto done;
			}
			scn_diag_addf(diag, "%s: --set %s: %s", source, patches[i].path, err);
			s = SCN_EINVAL;
		}
	}
	if (s != SCN_OK)
		goto done;
	printed = cJSON_PrintUnformatted(root);
	if (printed == NULL) {
		s = SCN_ENOMEM;
		goto done;
	}
	s = scn_load_text(printed, strlen(printed), source, diag, out);
done:
	cJSON_free(printed);
	cJSON_Delete(root);
	free(buf);
	return s;
}

/* {"name": N, "scenarios": [{"file": F, "weight": W}, ...]} */
static enum scn_status load_mix(const char *path, const cJSON *root,
				const struct scn_patch *patches, size_t npatches,
				const struct scn_file *files, struct scn_diag *diag,
				struct scn_study *st)
{
	static const char *const keys[] = { "name", "scenarios", NULL };
	static const char *const entry_keys[] = { "file", "weight", NULL };
	struct scn_reader r = { path, diag };
	const char *name = NULL;
	const cJSON *arr, *e;
	size_t i = 0;
	bool oom = false;

	scn_check_keys(&r, root, "", keys);
	if (scn_get_string(&r, root, "", "name", false, &name) && name != NULL) {
		if (name[0] == '\0' || strlen(name) >= SCN_NAME_MAX ||
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
			    strlen(name))
			scn_report(&r, "name", "\"%s\" is not a name; expected 1 to %d of A-Z a-z 0-9 . _ -",
				   name, SCN_NAME_MAX - 1);
		else
			snprintf(st->name, sizeof(st->name), "%s", name);
	}
	if (st->name[0] == '\0')
		stem(st->name, sizeof(st->name), path);
	arr = scn_get_array(&r, root, "", "scenarios", true);
	if (arr == NULL)
		return SCN_EINVAL;
	if (cJSON_GetArraySize(arr) == 0 || cJSON_GetArraySize(arr) > SCN_STUDY_MAX) {
		scn_report(&r, "scenarios", "%d entries; expected 1 to %d", cJSON_GetArraySize(arr),
			   SCN_STUDY_MAX);
		return SCN_EINVAL;
	}
	cJSON_ArrayForEach(e, arr) {
		char p[SCN_PATH_MAX], file[4096];
		const char *rel = NULL;
		double w = 1.0;
		struct scn_diag sub;
		enum scn_status s;

		scn_path_index(p, sizeof(p), "scenarios", i);
		if (!cJSON_IsObject(e)) {
			scn_report(&r, p, "found %s, expected an object", scn_json_type_name(e));
			i++;
			continue;
		}
		scn_check_keys(&r, e, p, entry_keys);
		scn_get_number(&r, e, p, "weight", false, (struct scn_range){ 0.0, 1e9, true }, &w);
		st->weight[i] = w;
		if (!scn_get_string(&r, e, p, "file", true, &rel) || rel == NULL) {
			i++;
			continue;
		}
		join_dir(file, sizeof(file), path, rel);
		scn_diag_init(&sub);
		s = load_one(file, NULL, 0, NULL, patches, npatches, files, &sub, &st->sc[i]);
		if (s == SCN_ENOMEM)
			oom = true;
		else if (s != SCN_OK)
			scn_report(&r, p, "\"%s\" does not load (%s)", rel, scn_strerror(s));
		for (size_t k = 0; k < sub.count; k++)
			scn_diag_addf(diag, "%s", sub.lines[k]);
		scn_diag_free(&sub);
		i++;
	}
	st->n = i;
	if (oom)
		return SCN_ENOMEM;
	for (size_t a = 0; a < st->n; a++)
		for (size_t b = 0; b < a; b++)
			if (st->sc[a] && st->sc[b] && strcmp(st->sc[a]->name, st->sc[b]->name) == 0) {
				char p[SCN_PATH_MAX];

				scn_path_index(p, sizeof(p), "scenarios", a);
				scn_report(&r, p, "scenario \"%s\" is already in the mix; expected each scenario once (weights say how often)",
					   st->sc[a]->name);
			}
	return scn_diag_empty(diag) ? SCN_OK : SCN_EINVAL;
}

static enum scn_status load_study(const char *path, const char *text, size_t len,
				  const char *source, const struct scn_patch *patches,
				  size_t npatches, const struct scn_file *files,
				  struct scn_diag *diag, struct scn_study **out);

enum scn_status scn_study_load(const char *path, const char *text, size_t len,
			       const char *source, struct scn_diag *diag,
			       struct scn_study **out)
{
	return scn_study_load_patched(path, text, len, source, NULL, 0, diag, out);
}

enum scn_status scn_study_load_patched(const char *path, const char *text, size_t len,
				       const char *source, const struct scn_patch *patches,
				       size_t npatches, struct scn_diag *diag,
				       struct scn_study **out)
{
	return load_study(path, text, len, source, patches, npatches, NULL, diag, out);
}

enum scn_status scn_study_load_files(const char *path, const struct scn_file *files,
				     struct scn_diag *diag, struct scn_study **out)
{
	return load_study(path, NULL, 0, NULL, NULL, 0, files, diag, out);
}

static enum scn_status load_study(const char *path, const char *text, size_t len,
				  const char *source, const struct scn_patch *patches,
				  size_t npatches, const struct scn_file *files,
				  struct scn_diag *diag, struct scn_study **out)
{
	struct scn_study *st = calloc(1, sizeof(*st));
	enum scn_status s;
	char *buf = NULL;
	const char *rtext = NULL;

	*out = NULL;
	if (st == NULL)
		return SCN_ENOMEM;
	if (path == NULL) {
		s = load_one(NULL, text, len, source, patches, npatches, NULL, diag, &st->sc[0]);
	} else {
		struct scn_reader r = { path, diag };
		cJSON *root;

		s = read_any(path, files, "a scenario or mix file", diag, &buf, &rtext, &len);
		if (s != SCN_OK)
			goto done;
		root = scn_parse_json(&r, rtext, len);
		if (root == NULL) {
			s = scn_diag_empty(diag) ? SCN_ENOMEM : SCN_EINVAL;
			goto done;
		}
		if (cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "scenarios")) {
			s = load_mix(path, root, patches, npatches, files, diag, st);
			cJSON_Delete(root);
			goto done;
		}
		cJSON_Delete(root);
		s = load_one(NULL, rtext, len, path, patches, npatches, NULL, diag, &st->sc[0]);
	}
	if (s == SCN_OK) {
		st->n = 1;
		st->weight[0] = 1.0;
		snprintf(st->name, sizeof(st->name), "%s", st->sc[0]->name);
	}
done:
	free(buf);
	if (s != SCN_OK) {
		if (st->n == 0 && st->sc[0] != NULL)
			st->n = 1;
		scn_study_free(st);
		return s;
	}
	*out = st;
	return SCN_OK;
}

void scn_study_allocate(const struct scn_study *st, size_t nruns, size_t *counts)
{
	double total = 0.0, rem[SCN_STUDY_MAX];
	size_t given = 0;

	for (size_t i = 0; i < st->n; i++)
		total += st->weight[i];
	for (size_t i = 0; i < st->n; i++) {
		double share = (double)nruns * st->weight[i] / total;

		counts[i] = (size_t)share;
		rem[i] = share - (double)counts[i];
		given += counts[i];
	}
	while (given < nruns) { /* at most n - 1 times */
		size_t best = 0;

		for (size_t i = 1; i < st->n; i++)
			if (rem[i] > rem[best])
				best = i;
		counts[best]++;
		rem[best] = -1.0;
		given++;
	}
}

uint32_t scn_study_entry_of(const size_t *counts, size_t n, size_t i)
{
	for (size_t e = 0; e < n; e++) {
		if (i < counts[e])
			return (uint32_t)e;
		i -= counts[e];
	}
	return (uint32_t)(n - 1);
}

/* What the threads share. */
struct job {
	struct scn_study *st;
	size_t counts[SCN_STUDY_MAX];
	size_t nruns;
	size_t last;              /* runs first..last - 1 are this job's */
	uint64_t seed;
	enum scn_fidelity fidelity;
	struct rpt_study_run *runs;
	struct rpt_weight_track *tracks; /* the first ntracks runs' weights, or NULL */
	size_t ntracks;
	atomic_size_t next;       /* the next run to take */
	atomic_size_t done;       /* runs finished */
	atomic_int failed;        /* an eng_status, ENG_OK while none failed */
};

static void *worker(void *arg)
{
	struct job *j = arg;
	struct scn_runner *runner[SCN_STUDY_MAX] = { 0 };
	enum eng_status est = ENG_OK;
	struct eng_record rec; /* one for every run, its memory kept */

	eng_record_init(&rec);
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		uint32_t e;
		struct rpt_run_meta meta;
		struct rpt_study_run *out;

		if (i >= j->last || atomic_load(&j->failed) != ENG_OK)
			break;
		e = scn_study_entry_of(j->counts, j->st->n, i);
		if (runner[e] == NULL) {
			runner[e] = scn_runner_create(j->st->sc[e], j->fidelity, SCN_DETAIL_STUDY);
			if (runner[e] == NULL) {
				est = ENG_ENOMEM;
				break;
			}
		}
		out = &j->runs[i];
		out->entry = e;
		out->seed = j->seed + (uint64_t)i;
		eng_record_clear(&rec);
		est = scn_runner_run(runner[e], out->seed, &rec);
		if (est == ENG_OK) {
			scn_run_meta(j->st->sc[e], out->seed, &meta);
			rpt_summarize(&rec, &meta, &out->sum);
			out->sum.nflags = 0; /* their names are the record's */
			if (i < j->ntracks)
				rpt_weight_track_of(&rec, &j->tracks[i]);
		}
		if (est != ENG_OK)
			break;
		atomic_fetch_add(&j->done, 1);
	}
	eng_record_free(&rec);
	if (est != ENG_OK) {
		int ok = ENG_OK;

		atomic_compare_exchange_strong(&j->failed, &ok, (int)est);
	}
	for (size_t e = 0; e < j->st->n; e++)
		scn_runner_free(runner[e]);
	return NULL;
}

enum eng_status scn_study_run(struct scn_study *st, size_t nruns, unsigned threads,
			      uint64_t seed, enum scn_fidelity fidelity,
			      struct rpt_study_run *runs, scn_progress_fn progress,
			      void *ctx)
{
	return scn_study_run_tracks(st, nruns, threads, seed, fidelity, runs, NULL, 0, progress,
				    ctx);
}

enum eng_status scn_study_run_tracks(struct scn_study *st, size_t nruns, unsigned threads,
				     uint64_t seed, enum scn_fidelity fidelity,
				     struct rpt_study_run *runs, struct rpt_weight_track *tracks,
				     size_t ntracks, scn_progress_fn progress, void *ctx)
{
	return scn_study_run_part(st, nruns, 0, nruns, threads, seed, fidelity, runs, tracks,
				  ntracks, progress, ctx);
}

enum eng_status scn_study_run_part(struct scn_study *st, size_t nruns, size_t first,
				   size_t last, unsigned threads, uint64_t seed,
				   enum scn_fidelity fidelity, struct rpt_study_run *runs,
				   struct rpt_weight_track *tracks, size_t ntracks,
				   scn_progress_fn progress, void *ctx)
{
	struct job *j;
	pthread_t tid[64];
	unsigned started = 0;
	enum eng_status est;
	size_t mine;

	if (first > last || last > nruns)
		return ENG_EINVAL;
	mine = last - first;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return ENG_ENOMEM;
	if (threads < 1)
		threads = 1;
	if (threads > 64)
		threads = 64;
	if (fidelity == SCN_FIDELITY_WINDOW)
		for (size_t e = 0; e < st->n; e++)
			if (scn_prepare_window(st->sc[e]) != SCN_OK) {
				free(j);
				return ENG_ENOMEM;
			}
	j->st = st;
	scn_study_allocate(st, nruns, j->counts);
	j->nruns = nruns;
	j->last = last;
	j->seed = seed;
	j->fidelity = fidelity;
	j->runs = runs;
	j->tracks = tracks;
	j->ntracks = tracks != NULL ? ntracks : 0;
	atomic_init(&j->next, first);
	atomic_init(&j->done, 0);
	atomic_init(&j->failed, ENG_OK);
	for (; started < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, j) != 0)
			break;
	if (started == 0) {
		worker(j); /* no thread to be had: run them here */
	} else if (progress != NULL) {
		const struct timespec tick = { 0, 100000000 };

		while (atomic_load(&j->done) < mine && atomic_load(&j->failed) == ENG_OK &&
		       atomic_load(&j->next) < last + started) {
			progress(atomic_load(&j->done), mine, ctx);
			nanosleep(&tick, NULL);
		}
	}
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	est = (enum eng_status)atomic_load(&j->failed);
	if (progress != NULL && est == ENG_OK)
		progress(atomic_load(&j->done), mine, ctx);
	free(j);
	return est;
}
