# rollsim — one non-recursive Makefile.
#   make            build ./rollsim (installs missing Debian packages first)
#   make test       build and run every test
#   make test SANITIZE=address,undefined   the same under the sanitizers
#   make demo       run the built-in default scenario, then the demo study
#   make bench      measure the simulator's speed and memory (not a test)
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
OPT ?= -O2 -g

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

.PHONY: all deps test-deps test testsvc-test live-test unit-test cli-test schema-test demo bench clean

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

$(BUILD)/tests/unit/run_tests: $(UNIT_OBJS) $(BUILD)/librollsim.a
	$(CC) $(ALL_LDFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
		-o $@ $^ $(PKG_LIBS) $(CUNIT_LIBS)

rollsim: $(BUILD)/rollsim
	cp $< $@

test: unit-test cli-test schema-test testsvc-test live-test

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

bench: $(BENCH)
	sh tools/bench/run.sh $(BENCH)
# --- end bench ----------------------------------------------------------

# --- testsvc: HTTP test service on 127.0.0.1 for live-mode tests. -------
# `make test` checks it (testsvc-test); its script needs curl (test-deps).
TESTSVC := $(BUILD)/tools/testsvc/testsvc

$(TESTSVC): tools/testsvc/testsvc.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(PKG_LIBS)

testsvc-test: $(TESTSVC) | test-deps
	sh tests/live/testsvc.sh $(TESTSVC)

# rollsim live against two testsvc instances behind HAProxy, and Prometheus
# scraping them, all on loopback (tests/live/live.sh; about 75 s).
live-test: $(BUILD)/rollsim $(TESTSVC) | test-deps
	sh tests/live/live.sh $(BUILD)/rollsim $(TESTSVC)
# --- end testsvc --------------------------------------------------------

clean:
	rm -rf build rollsim out

-include $(shell find build -name '*.d' 2>/dev/null)
