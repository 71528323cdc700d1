/* The live world's configuration: where its observations come from (HTTP
 * health probes, HAProxy's statistics or Prometheus queries), how it acts
 * (HAProxy's runtime API or a command hook), whom it tells of decisions, the
 * game-day faults it runs with their undo commands, and what it does on a
 * signal or a restart. Plain data; scenario/load_live.c reads it from a
 * scenario file's "live" block (docs/live.md). */
#ifndef LIVE_LIVE_H
#define LIVE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/metrics.h"
#include "replay/field.h"

#define LIVE_NAME_MAX 64
#define LIVE_TEXT_MAX 1024        /* URLs, socket paths, addresses */
#define LIVE_MAX_PROBES 16
#define LIVE_MAX_FAULTS 32
#define LIVE_MAX_ARGS 64

/* An argv template: its words, borrowed from the configuration's storage.
 * Words may hold placeholders such as {weight} (docs/live.md), replaced
 * word by word: never a shell. argc 0: none given. */
struct live_argv {
	const char *const *argv;
	size_t argc;
};

/* A HAProxy runtime API endpoint: a Unix socket path, or host:port. */
struct live_haproxy_api {
	char socket[LIVE_TEXT_MAX];   /* "" when an address is given */
	char host[LIVE_NAME_MAX];     /* TCP: host (IPv4 literal or name) */
	uint16_t port;                /* TCP: port; 0 with a socket */
};

enum live_source {
	LIVE_SOURCE_HAPROXY,          /* show stat counters' differences */
	LIVE_SOURCE_PROMETHEUS        /* instant queries per metric and version */
};

enum live_actuator {
	LIVE_ACT_HAPROXY,             /* set weight on both servers */
	LIVE_ACT_COMMAND              /* run the hook's argv */
};

enum live_on_signal {
	LIVE_SIGNAL_ROLLBACK,         /* all traffic back to the stable version */
	LIVE_SIGNAL_HOLD              /* leave the weights as they are */
};

enum live_on_resume {
	LIVE_RESUME_CONTINUE,         /* go on from the recorded step */
	LIVE_RESUME_ROLLBACK          /* roll back at once */
};

struct live_probe {
	char name[LIVE_NAME_MAX];
	char url[LIVE_TEXT_MAX];
	long expect_status;           /* HTTP status that means healthy */
	int64_t timeout_ns;
	int64_t interval_ns;
	int version;                  /* ENG_STABLE, ENG_CANARY, or -1: a smoke test only */
};

struct live_fault {
	char name[LIVE_NAME_MAX];
	int64_t at_ns;                /* run time it starts */
	int64_t duration_ns;          /* then its undo runs; < 0: at the end */
	struct live_argv start, undo; /* undo may be empty */
};

struct live_config {
	enum live_source source;
	/* HAProxy: the API (observations and the actuator share it), the
	 * backend and each version's server in it, the weight total. */
	struct live_haproxy_api haproxy;
	bool has_haproxy;
	char stats_url[LIVE_TEXT_MAX]; /* the stats page's CSV (";csv"): read
					 instead of show stat; "" : none */
	char backend[LIVE_NAME_MAX];
	char server[ENG_NVERSIONS][LIVE_NAME_MAX];
	uint32_t weight_total;        /* stable + canary weights, 1..256 */
	/* Prometheus: base URL, each metric's PromQL template (NULL: not
	 * queried), each version's value for {version}. */
	char prom_url[LIVE_TEXT_MAX];
	const char *prom_query[REPLAY_NFIELDS];
	char prom_version[ENG_NVERSIONS][LIVE_NAME_MAX];
	/* Actions. */
	enum live_actuator actuator;
	struct live_argv hook;        /* LIVE_ACT_COMMAND */
	struct live_argv approve;     /* a gate is approved when this exits 0
				     ({gate}, {name}); argc 0: never */
	int64_t approve_interval_ns;  /* how often it is asked while a gate waits */
	char notify_url[LIVE_TEXT_MAX]; /* "" : none */
	struct live_argv notify_cmd;  /* argc 0: none */
	/* Observations besides the source. */
	struct live_probe probes[LIVE_MAX_PROBES];
	size_t nprobes;
	struct live_fault faults[LIVE_MAX_FAULTS];
	size_t nfaults;
	/* Safety. */
	int64_t call_timeout_ns;      /* every network call and command */
	enum live_on_signal on_signal;
	enum live_on_resume on_resume;
};

/* Fills c with the defaults of docs/live.md. */
void live_config_defaults(struct live_config *c);

#endif
