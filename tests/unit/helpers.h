/* Assertion helpers for the CUnit suites: on failure they print both values
 * (CUnit's own macros print only the expression), and one registration
 * function per suite. */
#ifndef TESTS_UNIT_HELPERS_H
#define TESTS_UNIT_HELPERS_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#define T_MSG_MAX 512

/* |actual - expected| <= tol, printing both on failure. */
#define T_ASSERT_NEAR(actual, expected, tol)                                   \
	do {                                                                   \
		double a_ = (actual), e_ = (expected), t_ = (tol);             \
		char m_[T_MSG_MAX];                                            \
		snprintf(m_, sizeof(m_), "%s = %.12g, expected %.12g +- %.3g", \
			 #actual, a_, e_, t_);                                 \
		CU_assertImplementation(fabs(a_ - e_) <= t_, __LINE__, m_,     \
					__FILE__, "", CU_FALSE);               \
	} while (0)

/* Integer equality, printing both on failure. */
#define T_ASSERT_EQ_INT(actual, expected)                                      \
	do {                                                                   \
		long long a_ = (long long)(actual), e_ = (long long)(expected); \
		char m_[T_MSG_MAX];                                            \
		snprintf(m_, sizeof(m_), "%s = %lld, expected %lld", #actual,  \
			 a_, e_);                                              \
		CU_assertImplementation(a_ == e_, __LINE__, m_, __FILE__, "",  \
					CU_FALSE);                             \
	} while (0)

/* String equality, printing both on failure. */
#define T_ASSERT_STR_EQ(actual, expected)                                      \
	do {                                                                   \
		const char *a_ = (actual), *e_ = (expected);                   \
		char m_[T_MSG_MAX];                                            \
		snprintf(m_, sizeof(m_), "%s = \"%s\", expected \"%s\"",       \
			 #actual, a_ ? a_ : "(null)", e_);                     \
		CU_assertImplementation(a_ && strcmp(a_, e_) == 0, __LINE__,   \
					m_, __FILE__, "", CU_FALSE);           \
	} while (0)

/* haystack contains needle, printing both on failure. */
#define T_ASSERT_CONTAINS(haystack, needle)                                    \
	do {                                                                   \
		const char *h_ = (haystack), *n_ = (needle);                   \
		char m_[T_MSG_MAX];                                            \
		snprintf(m_, sizeof(m_), "\"%s\" should contain \"%s\"",       \
			 h_ ? h_ : "(null)", n_);                              \
		CU_assertImplementation(h_ && strstr(h_, n_) != NULL,          \
					__LINE__, m_, __FILE__, "", CU_FALSE); \
	} while (0)

/* Adds a suite named `name` with the NULL-terminated tests; returns false
 * when CUnit could not register it. */
struct t_case {
	const char *name;
	void (*fn)(void);
};
int t_add_suite(const char *name, const struct t_case *cases);

int t_suite_event_queue(void);
int t_suite_rng(void);
int t_suite_histogram(void);
int t_suite_sim(void);
int t_suite_sim_model(void);
int t_suite_analysis(void);
int t_suite_rollout(void);
int t_suite_run(void);
int t_suite_run_summary(void);
int t_suite_scenario(void);
int t_suite_determinism(void);
int t_suite_alloc_fail(void);
int t_suite_fidelity(void);
int t_suite_crn(void);
int t_suite_variates(void);
int t_suite_latency_bins(void);
int t_suite_window_world(void);
int t_suite_operator(void);
int t_suite_dependency_calls(void);
int t_suite_faults(void);
int t_suite_trigger(void);
int t_suite_gate(void);
int t_suite_state(void);
int t_suite_budget(void);
int t_suite_judges(void);
int t_suite_bluegreen(void);
int t_suite_flags(void);
int t_suite_sim_flags(void);
int t_suite_replay(void);
int t_suite_haproxy_stat(void);
int t_suite_prom_query(void);
int t_suite_live_parts(void);
int t_suite_check(void);
/* dir/name's bytes, NUL-ended (owned, free()), their count in *len
 * (when not NULL); NULL when the file cannot be read whole. */
char *t_slurp(const char *dir, const char *name, size_t *len);
/* A fresh directory under /tmp into buf (at least 64 bytes); false when
 * it cannot be made. */
bool t_temp_dir(char *buf);
/* Removes path and, when it is a directory, everything in it. */
void t_remove_tree(const char *path);
/* The entries of dir (not . and ..) in *total, and how many are neither
 * NAME.svg nor NAME.png of names (NULL-ended) nor `extra` (NULL: none),
 * each said on stderr: a .tmp left behind is one. */
size_t t_stray_files(const char *dir, const char *const *names, const char *extra, size_t *total);
/* Occurrences of needle in hay; opening tags "<name" followed by '>',
 * ' ', '/' or a newline. */
size_t t_count_of(const char *hay, const char *needle);
size_t t_opened(const char *hay, const char *name);
/* Asserts that each tag a report page uses opens as often as it closes,
 * and that its two meta elements are self-closed. */
void t_assert_page_balanced(const char *html);
/* Sets PATH to dir, the old value into *old (owned; NULL when unset);
 * puts it back and frees it. */
void t_set_path(const char *dir, char **old);
void t_restore_path(char *old);

int t_suite_stats(void);
int t_suite_parallel(void);
int t_suite_study(void);
int t_suite_plots(void);
int t_suite_sweep(void);
int t_suite_sweep_report(void);

#endif
