/* Random streams: one independent GSL generator per purpose, each seeded
 * from the run seed and the purpose by a fixed splitting function, so that
 * drawing more from one stream never shifts another (common random numbers).
 * Stream identifiers are appended, never renumbered: they fix the output. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

enum sim_stream {
	SIM_STREAM_ARRIVALS = 0,
	SIM_STREAM_ROUTING = 1,
	SIM_STREAM_SERVICE_STABLE = 2,
	SIM_STREAM_SERVICE_CANARY = 3,
	SIM_STREAM_ERRORS_STABLE = 4,
	SIM_STREAM_ERRORS_CANARY = 5,
	SIM_STREAM_THINNING = 6,         /* accepting arrivals of a varying rate */
	SIM_STREAM_DEPENDENCY_FIRST = 7, /* one per dependency, 7..14 */
	SIM_STREAM_LATENCY_BINS = 15,    /* the window level's latency bins */
	SIM_STREAM_MIRROR = 16,          /* the window level's mirrored copies */
	SIM_STREAM_SLOW = 17,            /* the window level's slow requests */
	SIM_STREAM_FLAGS = 18,           /* feature flags: who has each on, and
					    the window level's flag groups */
	SIM_STREAM_FAULTS = 19,          /* which requests the faults hit */
	SIM_STREAM_QUANTILES_STABLE = 20, /* the window level's latency order */
	SIM_STREAM_QUANTILES_CANARY = 21, /* statistics: each version's, and */
	SIM_STREAM_QUANTILES_ALL = 22,    /* what users saw */
	SIM_NSTREAMS = 23
};

#define SIM_STREAM_DEPENDENCIES 8

/* The 32-bit seed of stream `stream` for run seed `run_seed`: a bijective
 * 32-bit hash of the run seed (its halves folded) xor a constant per
 * stream. For run seeds below 2^32 it is one to one in the run seed, so two
 * runs of a study never share a stream's sequence, and within a run the
 * streams' seeds differ. (The generator reads seed 0 as 1: the one run seed
 * per stream that hashes to 0 shares its sequence with the one that
 * hashes to 1.) */
uint64_t sim_stream_seed(uint64_t run_seed, uint32_t stream);

/* Returns an owned generator for the stream, free with gsl_rng_free();
 * NULL when out of memory. The generator is GSL's taus2, L'Ecuyer's
 * maximally equidistributed combined Tausworthe generator (Math. Comp. 65,
 * 1996; period 2^88): simulation quality and among GSL's fastest, which the
 * simulator's hot loop needs. It takes a 32-bit seed: the low 32 bits of
 * sim_stream_seed(). */
gsl_rng *sim_rng_create(uint64_t run_seed, uint32_t stream);

/* The generators of one run, one per purpose; dep[i] serves dependency i. */
struct sim_streams {
	gsl_rng *arrivals, *thinning, *routing, *bins, *mirror, *slow, *flags, *faults;
	gsl_rng *service[2];      /* by enum eng_version: stable, canary */
	gsl_rng *errors[2];
	gsl_rng *dep[SIM_STREAM_DEPENDENCIES];
};

/* Creates every stream of run_seed, and ndeps dependency streams (at most
 * SIM_STREAM_DEPENDENCIES). False when out of memory, with nothing left
 * allocated. Free with sim_streams_free(). */
bool sim_streams_create(struct sim_streams *st, uint64_t run_seed, uint32_t ndeps);
void sim_streams_free(struct sim_streams *st);
/* Seeds every stream of st afresh from run_seed, as sim_streams_create()
 * would have: a world reused for another run draws what a new one would. */
void sim_streams_reseed(struct sim_streams *st, uint64_t run_seed);
/* Seeds generator r as stream `stream` of run_seed, as the above do. */
void sim_rng_reseed(gsl_rng *r, uint64_t run_seed, uint32_t stream);

/* A generator seeded afresh for each draw of a keyed stream: draw
 * `index` (a window, say) of stream `stream` of run_seed gets a sequence
 * of its own, so that what one index draws, or whether it draws at all,
 * changes no other. Seeding a GSL generator costs more than such a draw
 * (taus2 fills its state by an LCG and takes six warm-up steps), so this
 * one is SplitMix64 (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), seeded by assignment:
 * a Weyl sequence through a 64-bit finaliser, which passes BigCrush. It
 * gives 32-bit integers (as taus2 does) and 53-bit doubles. Returns an
 * owned generator, free with gsl_rng_free(); NULL when out of memory. */
gsl_rng *sim_keyed_rng_create(void);
void sim_keyed_rng_set(gsl_rng *r, uint64_t run_seed, uint32_t stream, uint64_t index);

#endif
