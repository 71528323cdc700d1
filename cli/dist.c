/* Studies shared among processes with MPI (make MPI=1; docs/cluster.md).
 * Each process (rank) runs a contiguous block of the runs with its own
 * threads; run i keeps its seed (seed + i), so rank 0 gathers exactly the
 * runs a single process makes, and writes the same files. Without MPI
 * there is one process and these are pass-throughs. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

const char *cli_dist_where(int failed_rank, char *buf, size_t n)
{
	if (cli_dist_size() > 1 && failed_rank >= 0)
		snprintf(buf, n, " (on rank %d of %d)", failed_rank, cli_dist_size());
	else if (n > 0)
		buf[0] = '\0';
	return buf;
}

#ifdef ROLLSIM_MPI
#include <mpi.h>

static int rank_, size_ = 1, started_;

int cli_dist_init(int *argc, char ***argv)
{
	int provided = 0;

	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
		return -1;
	started_ = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
	MPI_Comm_size(MPI_COMM_WORLD, &size_);
	/* rank 0 speaks for all: the others' output would repeat it */
	if (rank_ != 0) {
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			return -1;
	}
	return 0;
}

void cli_dist_finalize(void)
{
	if (started_)
		MPI_Finalize();
	started_ = 0;
}

int cli_dist_rank(void)
{
	return rank_;
}

int cli_dist_size(void)
{
	return size_;
}

enum eng_status cli_dist_agree(enum eng_status st, int *failed_rank)
{
	int mine = st != ENG_OK ? rank_ : INT_MAX, first = INT_MAX, status = (int)st;

	/* the lowest failing rank, then its status from it */
	MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	*failed_rank = -1;
	if (first == INT_MAX)
		return ENG_OK;
	MPI_Bcast(&status, 1, MPI_INT, first, MPI_COMM_WORLD);
	*failed_rank = first;
	return (enum eng_status)status;
}

/* Runs first..last - 1 of rank r of n ranks, of nruns: contiguous blocks. */
static void block(size_t nruns, int r, int n, size_t *first, size_t *last)
{
	*first = (size_t)((unsigned long long)nruns * (unsigned)r / (unsigned)n);
	*last = (size_t)((unsigned long long)nruns * (unsigned)(r + 1) / (unsigned)n);
}

/* Gathers every rank's block of items (each `size` bytes; rank r's block
 * is items from[r]..to[r] - 1 of base) on rank 0, in place. */
static int gather(void *base, size_t size, const size_t *from, const size_t *to)
{
	MPI_Datatype item;
	int *counts = calloc((size_t)size_, sizeof(*counts));
	int *displs = calloc((size_t)size_, sizeof(*displs));
	int rc = -1;

	if (counts != NULL && displs != NULL &&
	    MPI_Type_contiguous((int)size, MPI_BYTE, &item) == MPI_SUCCESS) {
		MPI_Type_commit(&item);
		for (int r = 0; r < size_; r++) {
			counts[r] = (int)(to[r] - from[r]);
			displs[r] = (int)from[r];
		}
		if (rank_ == 0)
			rc = MPI_Gatherv(MPI_IN_PLACE, 0, item, base, counts, displs, item, 0,
					 MPI_COMM_WORLD);
		else
			rc = MPI_Gatherv((char *)base + from[rank_] * size, counts[rank_], item,
					 NULL, NULL, NULL, item, 0, MPI_COMM_WORLD);
		rc = rc == MPI_SUCCESS ? 0 : -1;
		MPI_Type_free(&item);
	}
	free(counts);
	free(displs);
	return rc;
}

enum eng_status cli_dist_study_run(struct scn_study *st, size_t nruns, unsigned threads,
				   uint64_t seed, enum scn_fidelity fidelity,
				   struct rpt_study_run *runs, struct rpt_weight_track *tracks,
				   size_t ntracks, scn_progress_fn progress, void *ctx,
				   int *failed_rank)
{
	size_t *from = calloc((size_t)size_ * 4, sizeof(*from));
	size_t *to = NULL, *tfrom = NULL, *tto = NULL;
	size_t first, last;
	enum eng_status est;

	*failed_rank = -1;
	if (from == NULL) {
		est = ENG_ENOMEM;
	} else {
		to = from + size_;
		tfrom = to + size_;
		tto = tfrom + size_;
		if (tracks == NULL)
			ntracks = 0;
		for (int r = 0; r < size_; r++) {
			block(nruns, r, size_, &from[r], &to[r]);
			tfrom[r] = from[r] < ntracks ? from[r] : ntracks;
			tto[r] = to[r] < ntracks ? to[r] : ntracks;
		}
		first = from[rank_];
		last = to[rank_];
		est = scn_study_run_part(st, nruns, first, last, threads, seed, fidelity, runs,
					 tracks, ntracks, progress, ctx);
	}
	est = cli_dist_agree(est, failed_rank);
	if (est == ENG_OK &&
	    (gather(runs, sizeof(*runs), from, to) != 0 ||
	     (ntracks > 0 && gather(tracks, sizeof(*tracks), tfrom, tto) != 0)))
		est = ENG_EWORLD;
	free(from);
	return est;
}

#else /* one process */

int cli_dist_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

void cli_dist_finalize(void)
{
}

int cli_dist_rank(void)
{
	return 0;
}

int cli_dist_size(void)
{
	return 1;
}

enum eng_status cli_dist_agree(enum eng_status st, int *failed_rank)
{
	*failed_rank = st == ENG_OK ? -1 : 0;
	return st;
}

enum eng_status cli_dist_study_run(struct scn_study *st, size_t nruns, unsigned threads,
				   uint64_t seed, enum scn_fidelity fidelity,
				   struct rpt_study_run *runs, struct rpt_weight_track *tracks,
				   size_t ntracks, scn_progress_fn progress, void *ctx,
				   int *failed_rank)
{
	enum eng_status est = scn_study_run_part(st, nruns, 0, nruns, threads, seed, fidelity,
						 runs, tracks, ntracks, progress, ctx);

	*failed_rank = est == ENG_OK ? -1 : 0;
	return est;
}

#endif
