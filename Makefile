# rollsim — one non-recursive Makefile.
#   make            build ./rollsim (installs missing Debian packages first)
#   make test       build and run every test
#   make test SANITIZE=address,undefined   the same under the sanitizers
#   make demo       run the built-in default scenario, then the demo study
#   make bench      measure the simulator's speed and memory (not a test)
#   make fuzz       fuzz the readers of untrusted input (FUZZ_SECONDS each)
#   make valgrind   run rollsim under valgrind memcheck: no errors, no leaks
#   make deps       install the Debian packages rollsim needs (make test also
#                   installs chromium, to render report.html headless, and
#                   haproxy and prometheus for the live-mode tests)
# CI=1 (or any non-empty CI) turns warnings into errors.

.DELETE_ON_ERROR:
.SUFFIXES:

comma := ,

DEB_PKGS := libgsl-dev libcjson-dev libcsv-dev libcunit1-dev gnuplot-nox \
	libcurl4-openssl-dev pkg-config python3-jsonschema python3-simpy3
TEST_DEB_PKGS := chromium curl haproxy prometheus python3

CC ?= cc
SANITIZE ?=
# GCC's generic x86-64 tuning copies and clears a struct of a few hundred
# bytes (a window's observation, an event) with rep movsq / rep stosq,
# whose start-up costs more than the copy itself; calling the C library's
# memcpy and memset instead made window-level runs 1.2 times faster (sim_bench
# fidelity: 2.26 against 1.78 us a run) and left request level as it was.
# Added where the compiler takes the option (GCC on x86).
STRINGOP := $(shell $(CC) -mstringop-strategy=libcall -E -x c /dev/null >/dev/null 2>&1 && \
	echo -mstringop-strategy=libcall)
OPT ?= -O2 -g $(STRINGOP)

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wvla -fno-common
ifneq ($(CI),)
WARN += -Werror
endif

ifeq ($(SANITIZE),)
BUILD := build/default
SANFLAGS :=
else
BUILD := build/san-$(subst $(comma),-,$(SANITIZE))
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
# MPI=1: rollsim built with Open MPI (mpicc), so that mpirun -n K rollsim mc
# or sweep shares the runs among K processes (docs/cluster.md); its own
# build directory, and `make deps MPI=1` installs Open MPI.
MPI ?=
ifneq ($(MPI),)
CC := mpicc
CPPFLAGS += -DROLLSIM_MPI
DEB_PKGS += libopenmpi-dev openmpi-bin
BUILD := $(BUILD)-mpi
endif

# Recursive (=) so that pkg-config runs when a recipe needs it: after `deps`.
PKG_CFLAGS = $(shell pkg-config --cflags gsl libcjson libcurl)
PKG_LIBS = $(shell pkg-config --libs gsl libcjson libcurl) -lcsv -lm
CUNIT_LIBS = $(shell pkg-config --libs cunit)

CPPFLAGS += -I. -D_POSIX_C_SOURCE=200809L
ALL_CFLAGS = $(WARN) $(OPT) $(SANFLAGS) -pthread $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) -pthread $(LDFLAGS)

LIB_SRCS := $(wildcard engine/*.c sim/*.c scenario/*.c reports/*.c replay/*.c live/*.c)
CLI_SRCS := $(wildcard cli/*.c)
UNIT_SRCS := $(wildcard tests/unit/*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/default_scenario.o \
	$(BUILD)/gen/demo_files.o
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/%.o)

DEFAULT_SCENARIO := scenarios/canary-bad-errors.json
DEMO_STUDY := studies/demo.json

.PHONY: all deps test-deps test testsvc-test live-test fault-test mpi-test unit-test cli-test schema-test demo bench fuzz valgrind clean

all: rollsim

# Installs the Debian packages of $(1) that are missing (as root, or via sudo).
define install_missing
	@missing=""; \
	for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
			grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PKGS))

# What the tests need besides: a browser to render report.html headless.
test-deps: deps
	$(call install_missing,$(TEST_DEB_PKGS))

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The built-in default scenario, compiled into the binary from its file.
$(BUILD)/tools/embed: tools/embed.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(OPT) -o $@ $<

$(BUILD)/gen/default_scenario.c: $(DEFAULT_SCENARIO) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed scn_default_json scn_default_path $< > $@

$(BUILD)/gen/default_scenario.o: $(BUILD)/gen/default_scenario.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The built-in demo study (rollsim demo): its mix and every scenario file,
# compiled in from studies/ and scenarios/.
DEMO_FILES := $(DEMO_STUDY) $(sort $(wildcard scenarios/*.json))

$(BUILD)/gen/demo_files.c: $(DEMO_FILES) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed --table scn_demo_files $(DEMO_FILES) > $@

$(BUILD)/gen/demo_files.o: $(BUILD)/gen/demo_files.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/librollsim.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/rollsim: $(CLI_OBJS) $(BUILD)/librollsim.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/unit/run_tests: $(UNIT_OBJS) $(BUILD)/tools/failalloc/failalloc.o $(BUILD)/librollsim.a
	$(CC) $(ALL_LDFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
		-o $@ $^ $(PKG_LIBS) $(CUNIT_LIBS)

rollsim: $(BUILD)/rollsim
	cp $< $@

test: unit-test cli-test schema-test testsvc-test live-test fault-test

unit-test: $(BUILD)/tests/unit/run_tests
	$(BUILD)/tests/unit/run_tests

cli-test: $(BUILD)/rollsim | test-deps
	ROLLSIM=$(BUILD)/rollsim sh tests/cli/run.sh

schema-test: $(BUILD)/rollsim
	ROLLSIM=$(BUILD)/rollsim sh tests/schema/run.sh

demo: rollsim
	./rollsim run
	./rollsim run scenarios/canary-good.json
	./rollsim demo

# --- bench: speed and memory figures, one `name value unit` a line. -----
# Always the normal build (OPT as given, no sanitizers); the flags are
# compiled into the binary so that its figures say what they measured.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
ifneq ($(SANITIZE),)
$(error make bench measures the normal build: run it without SANITIZE)
endif
endif

BENCH := $(BUILD)/tools/bench/sim_bench

$(BUILD)/tools/bench/sim_bench.o: CPPFLAGS += -DBENCH_OPT='"$(OPT)"'

$(BENCH): $(BUILD)/tools/bench/sim_bench.o $(BUILD)/librollsim.a
	$(CC) $(ALL_LDFLAGS) -Wl,--wrap=sim_event_queue_pop -o $@ $^ $(PKG_LIBS)

# With Open MPI installed (make deps MPI=1), the MPI build is made too and
# the speed-up from 1 to 2 ranks measured.
bench: $(BENCH) $(BUILD)/rollsim
	@if command -v mpicc >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory MPI=1 OPT="$(OPT)" build/default-mpi/rollsim >/dev/null && \
		ROLLSIM_MPI=build/default-mpi/rollsim sh tools/bench/run.sh $(BENCH) $(BUILD)/rollsim; \
	else \
		sh tools/bench/run.sh $(BENCH) $(BUILD)/rollsim; \
	fi
# --- end bench ----------------------------------------------------------

# --- testsvc: HTTP test service on 127.0.0.1 for live-mode tests. -------
# `make test` checks it (testsvc-test); its script needs curl (test-deps).
TESTSVC := $(BUILD)/tools/testsvc/testsvc

$(TESTSVC): tools/testsvc/testsvc.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(PKG_LIBS)

testsvc-test: $(TESTSVC) | test-deps
	sh tests/live/testsvc.sh $(TESTSVC)

# --- end testsvc --------------------------------------------------------

# --- fault-test: the Nth allocation fails, for N = 1, 2, ... -------------
# rollsim-failalloc is rollsim linked with tools/failalloc's wrappers of
# malloc, calloc and realloc (ROLLSIM_FAIL_ALLOC=N fails the Nth);
# tests/faults/alloc.sh runs commands with every N until none fails. Leaks
# are caught under SANITIZE=address (LeakSanitizer), as CI runs it.
FAILALLOC := $(BUILD)/tools/failalloc/rollsim-failalloc

$(FAILALLOC): $(CLI_OBJS) $(BUILD)/tools/failalloc/failalloc.o $(BUILD)/librollsim.a
	$(CC) $(ALL_LDFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc -o $@ $^ $(PKG_LIBS)

fault-test: $(FAILALLOC)
	sh tests/faults/alloc.sh $(FAILALLOC)

# rollsim-failnet: rollsim whose Nth network call fails (ROLLSIM_FAIL_NET=N;
# tools/failalloc/failnet.c); tests/live/live.sh runs a rollout with each N.
FAILNET := $(BUILD)/tools/failalloc/rollsim-failnet
FAILNET_WRAP := -Wl,--wrap=live_haproxy_command,--wrap=live_haproxy_set_weight,--wrap=live_http_get,--wrap=live_http_post_json

$(FAILNET): $(CLI_OBJS) $(BUILD)/tools/failalloc/failnet.o $(BUILD)/librollsim.a
	$(CC) $(ALL_LDFLAGS) $(FAILNET_WRAP) -o $@ $^ $(PKG_LIBS)

# rollsim live against two testsvc instances behind HAProxy, and Prometheus
# scraping them, all on loopback (tests/live/live.sh; 68 checks, about 2 minutes).
live-test: $(BUILD)/rollsim $(TESTSVC) $(FAILNET) | test-deps
	sh tests/live/live.sh $(BUILD)/rollsim $(TESTSVC) $(FAILNET)
# --- end fault-test -----------------------------------------------------

# --- mpi-test: mpirun -n 2 gives the files of one process. ------------
# Needs MPI=1 (make mpi-test MPI=1): the MPI build's mc and sweep under
# mpirun --oversubscribe -n 2 (and --allow-run-as-root as root) against the
# same build run alone, file by file (tests/mpi/run.sh).
mpi-test: $(BUILD)/rollsim
ifeq ($(MPI),)
	@echo "make mpi-test needs the MPI build: make mpi-test MPI=1" >&2; exit 2
else
	sh tests/mpi/run.sh $(BUILD)/rollsim
endif
# --- end mpi-test -------------------------------------------------------

# --- valgrind: rollsim under memcheck, no errors and no leaks. ----------
# Always the normal build: memcheck and the sanitizers do not mix. Runs
# tests/valgrind/run.sh: run, run --fidelity window, mc and sweep with two
# threads, replay, a bad scenario and check, each with a timeout, with the
# suppressions of tests/valgrind/rollsim.supp (about 80 s in all).
ifneq ($(filter valgrind,$(MAKECMDGOALS)),)
ifneq ($(SANITIZE),)
$(error make valgrind checks the normal build: run it without SANITIZE)
endif
endif

VALGRIND_DEB_PKGS := valgrind

.PHONY: valgrind-deps

valgrind-deps: deps
	$(call install_missing,$(VALGRIND_DEB_PKGS))

valgrind: $(BUILD)/rollsim | valgrind-deps
	CC="$(CC)" sh tests/valgrind/run.sh $(BUILD)/rollsim
# --- end valgrind -------------------------------------------------------

# --- fuzz: libFuzzer drivers for the readers of untrusted input. --------
# tests/fuzz/fuzz_*.c, built with clang into build/fuzz/ (never the gcc
# objects): the library with fuzzer-no-link, each driver linked with the
# fuzzer. For each driver, every file of tests/fuzz/regress/DRIVER/ is run
# once, then it fuzzes for FUZZ_SECONDS from a scratch copy of
# tests/fuzz/corpus/DRIVER/ (the committed corpus never grows). A crash,
# leak, sanitizer report or timeout fails with the input's path.
# `make fuzz FUZZ_SECONDS=10` is the short form for CI.
FUZZ_DEB_PKGS := clang libclang-rt-14-dev
FUZZ_CC := clang
FUZZ_SECONDS ?= 60
FUZZ_DRIVERS := fuzz_scenario fuzz_replay_csv fuzz_prom_query fuzz_haproxy_stat
FUZZ_BUILD := build/fuzz
FUZZ_SAN := address,undefined
FUZZ_CFLAGS = $(WARN) -g -O1 -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-pthread $(PKG_CFLAGS) -MMD -MP
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BINS := $(FUZZ_DRIVERS:%=$(FUZZ_BUILD)/%)
FUZZ_RUNS := $(FUZZ_DRIVERS:%=fuzz-run-%)
FUZZ_OPTS = -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048

.PHONY: fuzz-deps $(FUZZ_RUNS)

fuzz-deps: deps
	$(call install_missing,$(FUZZ_DEB_PKGS))

$(FUZZ_BUILD)/%.o: %.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c -o $@ $<

$(FUZZ_BUILD)/librollsim.a: $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BINS): $(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_BUILD)/librollsim.a | fuzz-deps
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< \
		$(FUZZ_BUILD)/librollsim.a $(PKG_LIBS)

fuzz: $(FUZZ_RUNS)

$(FUZZ_RUNS): fuzz-run-%: $(FUZZ_BUILD)/%
	@for f in tests/fuzz/regress/$*/*; do \
		[ -f "$$f" ] || continue; \
		$< -timeout=10 -rss_limit_mb=2048 $$f >$(FUZZ_BUILD)/$*.regress.log 2>&1 || { \
			cat $(FUZZ_BUILD)/$*.regress.log; \
			echo "make fuzz: $*: regression input $$f fails"; exit 1; }; \
	done
	@work=$(FUZZ_BUILD)/work/$*; rm -rf $$work; \
	mkdir -p $$work/corpus $$work/crash; \
	cp tests/fuzz/corpus/$*/* $$work/corpus/; \
	echo "make fuzz: $*: $(FUZZ_SECONDS) s from a copy of tests/fuzz/corpus/$* (log: $$work/fuzz.log)"; \
	if UBSAN_OPTIONS=print_stacktrace=1 $< $(FUZZ_OPTS) -print_final_stats=1 \
		-artifact_prefix=$$work/crash/ $$work/corpus >$$work/fuzz.log 2>&1; then \
		grep -E 'DONE|^Done|^stat::' $$work/fuzz.log | sed 's/^/$*: /'; \
	else \
		awk '/==[0-9]+== ?ERROR|runtime error:/ { p = 1 } p' $$work/fuzz.log | grep . || \
			tail -n 40 $$work/fuzz.log; \
		echo "make fuzz: $*: failed on $$(ls $$work/crash/* 2>/dev/null || echo '(no input saved)')"; \
		exit 1; \
	fi
# --- end fuzz -----------------------------------------------------------

clean:
	rm -rf build rollsim out

-include $(shell find build -name '*.d' 2>/dev/null)
