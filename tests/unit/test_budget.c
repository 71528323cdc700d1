/* engine/budget: budget remaining, burn rates, the Workbook's multiwindow
 * alerts and the deployment gate, driven by hand-written windows. Every
 * expected number is worked out next to its assertion. */
#include <math.h>

#include "engine/budget.h"
#include "engine/budget_state.h"
#include "engine/rollout.h"
#include "tools/failalloc/failalloc.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

/* S, 10 s windows, a period of period_s and no alerts. */
static struct eng_budget_config plain_config(double slo, int period_s)
{
	struct eng_budget_config cfg;

	eng_budget_config_init(&cfg);
	cfg.slo_frac = slo;
	cfg.period_ns = S(period_s);
	cfg.alerts = NULL;
	cfg.nalerts = 0;
	return cfg;
}

/* Feeds the 10 s window ending at t_s; it must be accepted. */
static void feed(struct eng_budget *b, int64_t t_s, uint64_t total, uint64_t bad)
{
	T_ASSERT_EQ_INT(eng_budget_feed(b, S(t_s), S(10), total, bad), ENG_OK);
}

static struct eng_burn_alert_status alert(const struct eng_budget *b, size_t i)
{
	struct eng_burn_alert_status st;

	eng_budget_alert_status(b, i, &st);
	return st;
}

static void test_defaults(void)
{
	struct eng_budget_config cfg;
	struct eng_budget *b;
	struct eng_burn_alert_status st;

	eng_budget_config_init(&cfg);
	T_ASSERT_NEAR(cfg.slo_frac, 0.999, 0.0);
	T_ASSERT_EQ_INT(cfg.period_ns, S(30 * 86400));
	T_ASSERT_EQ_INT(cfg.window_ns, S(10));
	T_ASSERT_NEAR(cfg.warn_below_frac, 0.25, 0.0);
	T_ASSERT_NEAR(cfg.freeze_below_frac, 0.10, 0.0);
	T_ASSERT_NEAR(cfg.critical_floor_frac, 0.05, 0.0);
	T_ASSERT_NEAR(cfg.unfreeze_above_frac, 0.15, 0.0);
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	T_ASSERT_EQ_INT(eng_budget_alert_count(b), 3);
	st = alert(b, 0);
	T_ASSERT_STR_EQ(st.alert->name, "page_1h");
	T_ASSERT_EQ_INT(st.alert->long_ns, S(3600));
	T_ASSERT_EQ_INT(st.alert->short_ns, S(300));
	T_ASSERT_NEAR(st.alert->burn_rate, 14.4, 0.0);
	T_ASSERT_STR_EQ(eng_alert_severity_name(st.alert->severity), "page");
	st = alert(b, 1);
	T_ASSERT_STR_EQ(st.alert->name, "page_6h");
	T_ASSERT_EQ_INT(st.alert->long_ns, S(6 * 3600));
	T_ASSERT_EQ_INT(st.alert->short_ns, S(1800));
	T_ASSERT_NEAR(st.alert->burn_rate, 6.0, 0.0);
	st = alert(b, 2);
	T_ASSERT_STR_EQ(st.alert->name, "ticket_3d");
	T_ASSERT_EQ_INT(st.alert->long_ns, S(3 * 86400));
	T_ASSERT_EQ_INT(st.alert->short_ns, S(6 * 3600));
	T_ASSERT_NEAR(st.alert->burn_rate, 1.0, 0.0);
	T_ASSERT_STR_EQ(eng_alert_severity_name(st.alert->severity), "ticket");
	/* nothing fed: nothing spent, no burn rate, no alert, gate open */
	T_ASSERT_NEAR(eng_budget_remaining_frac(b), 1.0, 0.0);
	CU_ASSERT(isnan(st.long_burn) && isnan(st.short_burn));
	CU_ASSERT_FALSE(st.firing);
	T_ASSERT_EQ_INT(st.firing_since_ns, -1);
	T_ASSERT_STR_EQ(eng_gate_state_name(eng_budget_gate(b)), "open");
	CU_ASSERT(eng_budget_may_start(b, false));
	eng_budget_free(b);
	eng_budget_free(NULL);
}

static void test_rejects_invalid_config(void)
{
	struct eng_burn_alert a[1] = {
		{ "a", ENG_ALERT_PAGE, S(3600), S(300), 14.4 }
	};
	struct eng_budget_config ok = plain_config(0.99, 60), cfg;
	struct eng_budget *b;

	ok.alerts = a;
	ok.nalerts = 1;
	b = eng_budget_create(&ok);
	CU_ASSERT_PTR_NOT_NULL(b); /* the baseline is valid */
	eng_budget_free(b);

#define REJECT(field, value)                                  \
	do {                                                  \
		cfg = ok;                                     \
		cfg.field = (value);                          \
		CU_ASSERT_PTR_NULL(eng_budget_create(&cfg));  \
	} while (0)
	REJECT(slo_frac, 1.0);
	REJECT(slo_frac, 0.0);
	REJECT(slo_frac, NAN);
	REJECT(window_ns, 0);
	REJECT(period_ns, S(65));          /* not whole 10 s windows */
	REJECT(period_ns, 0);
	REJECT(alerts, NULL);              /* with nalerts 1 */
	REJECT(warn_below_frac, 0.05);     /* below freeze 0.10 */
	REJECT(warn_below_frac, 1.5);
	REJECT(freeze_below_frac, 0.2);    /* above unfreeze 0.15 */
	REJECT(critical_floor_frac, 0.11); /* above freeze 0.10 */
	REJECT(critical_floor_frac, NAN);
	REJECT(unfreeze_above_frac, 1.0);  /* never reachable */
	REJECT(unfreeze_above_frac, NAN);
#undef REJECT
	cfg = ok;
	a[0].short_ns = S(7200); /* short longer than long */
	CU_ASSERT_PTR_NULL(eng_budget_create(&cfg));
	a[0].short_ns = S(305);  /* not whole windows */
	CU_ASSERT_PTR_NULL(eng_budget_create(&cfg));
	a[0].short_ns = S(300);
	a[0].burn_rate = 0.0;
	CU_ASSERT_PTR_NULL(eng_budget_create(&cfg));
	a[0].burn_rate = 14.4;
	cfg.critical_floor_frac = -INFINITY; /* allowed: never close */
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL(b);
	eng_budget_free(b);
}

/* S = 0.99 over 60 s (six 10 s windows): the budget is 1% of requests. */
static void test_remaining_after_known_counts(void)
{
	struct eng_budget_config cfg = plain_config(0.99, 60);
	struct eng_budget *b = eng_budget_create(&cfg);
	uint64_t total, bad;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 1000, 5);
	/* budget 0.01 x 1000 = 10; 1 - 5/10 */
	T_ASSERT_NEAR(eng_budget_remaining_frac(b), 0.5, 1e-12);
	feed(b, 20, 1000, 25);
	/* budget 0.01 x 2000 = 20; 1 - 30/20: overspent, reported as is */
	T_ASSERT_NEAR(eng_budget_remaining_frac(b), -0.5, 1e-12);
	T_ASSERT_NEAR(eng_budget_remaining_clamped_frac(b), 0.0, 0.0);
	eng_budget_period_counts(b, &total, &bad);
	T_ASSERT_EQ_INT(total, 2000);
	T_ASSERT_EQ_INT(bad, 30);
	for (int t = 30; t <= 60; t += 10)
		feed(b, t, 1000, 0);
	/* six windows in the period: budget 60; 1 - 30/60 */
	T_ASSERT_NEAR(eng_budget_remaining_frac(b), 0.5, 1e-12);
	T_ASSERT_NEAR(eng_budget_remaining_clamped_frac(b), 0.5, 1e-12);
	feed(b, 70, 1000, 0);
	/* the window ending at 10 s leaves: 1 - 25/60 = 7/12 */
	T_ASSERT_NEAR(eng_budget_remaining_frac(b), 7.0 / 12.0, 1e-12);
	eng_budget_period_counts(b, &total, &bad);
	T_ASSERT_EQ_INT(total, 6000);
	T_ASSERT_EQ_INT(bad, 25);
	feed(b, 80, 1000, 0);
	/* the one ending at 20 s leaves: nothing bad in the period */
	T_ASSERT_NEAR(eng_budget_remaining_frac(b), 1.0, 0.0);
	eng_budget_free(b);
}

/* S = 0.99, so burn = (bad / total) / 0.01. */
static void test_burn_rate_over_windows(void)
{
	struct eng_budget_config cfg = plain_config(0.99, 60);
	struct eng_budget *b = eng_budget_create(&cfg);

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(isnan(eng_budget_burn_rate(b, S(10)))); /* no requests yet */
	feed(b, 10, 1000, 10);
	feed(b, 20, 1000, 30);
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(10)), 3.0, 1e-12); /* 0.03 / 0.01 */
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(20)), 2.0, 1e-12); /* 40/2000 / 0.01 */
	/* 60 s reaches before the first window: the rate over what was seen */
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(60)), 2.0, 1e-12);
	CU_ASSERT(isnan(eng_budget_burn_rate(b, S(15))));  /* not whole windows */
	CU_ASSERT(isnan(eng_budget_burn_rate(b, 0)));
	CU_ASSERT(isnan(eng_budget_burn_rate(b, -S(10))));
	CU_ASSERT(isnan(eng_budget_burn_rate(b, S(70))));  /* beyond what is kept */
	feed(b, 30, 0, 0);
	CU_ASSERT(isnan(eng_budget_burn_rate(b, S(10))));  /* a window without requests */
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(20)), 3.0, 1e-12); /* 30/1000 / 0.01 */
	for (int t = 40; t <= 70; t += 10)
		feed(b, t, 1000, 0);
	/* the last 60 s: windows 20..70 s, 5000 requests, 30 bad */
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(60)), 0.6, 1e-12);
	eng_budget_free(b);
}

/* Skipped windows count as windows without requests; bad input changes
 * nothing. */
static void test_gaps_and_bad_input(void)
{
	struct eng_budget_config cfg = plain_config(0.99, 60);
	struct eng_budget *b = eng_budget_create(&cfg);
	uint64_t total, bad;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 1000, 10);
	feed(b, 40, 1000, 20); /* windows ending 20 s and 30 s are empty */
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(10)), 2.0, 1e-12);  /* 0.02 / 0.01 */
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(30)), 2.0, 1e-12);  /* only 40 s */
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(40)), 1.5, 1e-12);  /* 30/2000 / 0.01 */
	/* budget 0.01 x 2000 = 20; 1 - 30/20 */
	T_ASSERT_NEAR(eng_budget_remaining_frac(b), -0.5, 1e-12);
	feed(b, 1000, 1000, 0); /* a gap far longer than the period */
	eng_budget_period_counts(b, &total, &bad);
	T_ASSERT_EQ_INT(total, 1000);
	T_ASSERT_EQ_INT(bad, 0);
	T_ASSERT_NEAR(eng_budget_burn_rate(b, S(60)), 0.0, 0.0);

	T_ASSERT_EQ_INT(eng_budget_feed(b, S(1000), S(10), 10, 0), ENG_EINVAL); /* again */
	T_ASSERT_EQ_INT(eng_budget_feed(b, S(990), S(10), 10, 0), ENG_EINVAL);  /* older */
	T_ASSERT_EQ_INT(eng_budget_feed(b, S(1015), S(10), 10, 0), ENG_EINVAL); /* off grid */
	T_ASSERT_EQ_INT(eng_budget_feed(b, S(1010), S(5), 10, 0), ENG_EINVAL);  /* length */
	/* bad > total */
	T_ASSERT_EQ_INT(eng_budget_feed(b, S(1010), S(10), 10, 11), ENG_EINVAL);
	eng_budget_period_counts(b, &total, &bad);
	T_ASSERT_EQ_INT(total, 1000);
	T_ASSERT_EQ_INT(bad, 0);
	feed(b, 1010, 10, 10); /* the grid is still 1000 + 10k */
	eng_budget_period_counts(b, &total, &bad);
	T_ASSERT_EQ_INT(total, 1010);
	T_ASSERT_EQ_INT(bad, 10);
	eng_budget_free(b);
}

/* Feeds `history` clean windows of 1000 requests (ending 10 s, 20 s, ...),
 * then up to max_k windows of 1000 with bad_per_window bad, and stores in
 * first_k[i] the error window (1-based) at which alert i first fires, 0
 * when it never does. Checks that an alert that fires keeps firing, with
 * firing_since_ns at that window's end. */
static void first_firing(struct eng_budget *b, int history, uint64_t bad_per_window,
			 int max_k, int *first_k)
{
	size_t n = eng_budget_alert_count(b);
	int64_t t0_s = 10 * (int64_t)history;

	for (int i = 1; i <= history; i++)
		feed(b, 10 * (int64_t)i, 1000, 0);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_FALSE(alert(b, i).firing); /* clean so far */
		first_k[i] = 0;
	}
	for (int k = 1; k <= max_k; k++) {
		feed(b, t0_s + 10 * (int64_t)k, 1000, bad_per_window);
		for (size_t i = 0; i < n; i++) {
			struct eng_burn_alert_status st = alert(b, i);

			if (first_k[i] == 0 && st.firing)
				first_k[i] = k;
			if (first_k[i] != 0) {
				CU_ASSERT(st.firing);
				T_ASSERT_EQ_INT(st.firing_since_ns,
						S(t0_s + 10 * (int64_t)first_k[i]));
			}
		}
	}
}

/* Detection time of each default alert for a constant error ratio e
 * against S = 0.999, 1000 requests per 10 s window.
 *
 * Derivation. Errors start at t0 after at least 3 days of clean windows,
 * so every alert window is full of clean traffic at t0. After k error
 * windows (t = t0 + 10k s), a window of n windows with k <= n holds
 * 1000n requests of which 1000ek are bad, so its burn rate is
 * (ek / n) / (1 - S). The long window (n_L = L / 10 s) is above b iff
 *   k > b (1 - S) n_L / e,   i.e.   10k s > L b (1 - S) / e,
 * the formula; the first window that fires is that time rounded
 * up to the next window end (strictly above: a time that lands exactly on
 * a window end would fire one window later). The short window is full of
 * errors once k >= n_S, burn e / (1 - S) > b; before that its burn is
 * (ek / n_S) / (1 - S).
 *
 * e = 0.025 (25 bad a window) keeps every crossing off a window end:
 *   page_1h:   3600 x 14.4 x 0.001 / 0.025 =  2073.6 s -> k =  208, 2080 s
 *   page_6h:  21600 x 6    x 0.001 / 0.025 =  5184   s -> k =  519, 5190 s
 *   ticket:  259200 x 1    x 0.001 / 0.025 = 10368   s -> k = 1037, 10370 s
 * (e = 0.02 would put page_6h at 6480 s and the ticket at 12960 s, exactly
 * on window ends, where rounding in 1 - S decides; see the next test.) */
static void test_default_alert_detection_times(void)
{
	struct eng_budget_config cfg;
	struct eng_budget *b;
	struct eng_burn_alert_status st;
	int first_k[3];
	int history = 3 * 8640; /* 3 days of 10 s windows */

	eng_budget_config_init(&cfg);
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	first_firing(b, history, 25, 1100, first_k);
	T_ASSERT_EQ_INT(first_k[0], 208);  /* 2080 s after t0 */
	T_ASSERT_EQ_INT(first_k[1], 519);  /* 5190 s */
	T_ASSERT_EQ_INT(first_k[2], 1037); /* 10370 s */
	eng_budget_free(b);

	/* Burn rates on each side of the crossing, in a fresh run stopped at
	 * k - 1 and k for each alert. */
	static const struct {
		size_t alert;
		int k;
		double long_burn, short_burn;
		bool firing;
	} at[] = {
		/* 0.025 k / 360 / 0.001; short full: 25 */
		{ 0, 207, 0.025 * 207 / 360 / 0.001, 25.0, false }, /* 14.375 */
		{ 0, 208, 0.025 * 208 / 360 / 0.001, 25.0, true },  /* 14.444 */
		/* 0.025 k / 2160 / 0.001; short full: 25 */
		{ 1, 518, 0.025 * 518 / 2160 / 0.001, 25.0, false }, /* 5.9954 */
		{ 1, 519, 0.025 * 519 / 2160 / 0.001, 25.0, true },  /* 6.0069 */
		/* 0.025 k / 25920 / 0.001; short (2160 windows) not yet full:
		 * 0.025 k / 2160 / 0.001 = 11.99 and 12.00, well above 1 */
		{ 2, 1036, 0.025 * 1036 / 25920 / 0.001, 0.025 * 1036 / 2160 / 0.001, false },
		{ 2, 1037, 0.025 * 1037 / 25920 / 0.001, 0.025 * 1037 / 2160 / 0.001, true },
	};
	for (size_t j = 0; j < sizeof(at) / sizeof(at[0]); j += 2) {
		b = eng_budget_create(&cfg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		for (int i = 1; i <= history; i++)
			feed(b, 10 * (int64_t)i, 1000, 0);
		for (int k = 1; k <= at[j + 1].k; k++) {
			feed(b, 10 * (int64_t)(history + k), 1000, 25);
			for (size_t m = j; m <= j + 1; m++) {
				if (k != at[m].k)
					continue;
				st = alert(b, at[m].alert);
				T_ASSERT_NEAR(st.long_burn, at[m].long_burn, 1e-9);
				T_ASSERT_NEAR(st.short_burn, at[m].short_burn, 1e-9);
				T_ASSERT_EQ_INT(st.firing, at[m].firing);
				CU_ASSERT(st.short_burn > st.alert->burn_rate);
			}
		}
		eng_budget_free(b);
	}
}

/* The example: e = 0.02 against S = 0.999 pages (1 h / 5 min at
 * 14.4) after 3600 x 14.4 x 0.001 / 0.02 = 2592 s, first seen at the
 * window ending 2600 s after t0 (k = 260: 259.2 rounded up). One clean
 * hour of history is enough for this alert's long window. */
static void test_page_detection_at_two_percent(void)
{
	struct eng_burn_alert fast = { "page_1h", ENG_ALERT_PAGE, S(3600), S(300), 14.4 };
	struct eng_budget_config cfg;
	struct eng_budget *b;
	int first_k[1];

	eng_budget_config_init(&cfg);
	cfg.alerts = &fast;
	cfg.nalerts = 1;
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	first_firing(b, 360, 20, 400, first_k);
	T_ASSERT_EQ_INT(first_k[0], 260); /* 2600 s */
	eng_budget_free(b);
}

/* The short window lets an alert reset soon after the errors stop, and a
 * short spike alone does not page. One alert, 1 h / 5 min at 14.4,
 * S = 0.999, after a clean hour. */
static void test_short_window_resets_and_spikes(void)
{
	struct eng_burn_alert fast = { "page_1h", ENG_ALERT_PAGE, S(3600), S(300), 14.4 };
	struct eng_budget_config cfg;
	struct eng_budget *b;
	struct eng_burn_alert_status st;
	int first_k[1];
	int64_t t = 360 + 208; /* windows fed so far, after first_firing */

	eng_budget_config_init(&cfg);
	cfg.alerts = &fast;
	cfg.nalerts = 1;
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	first_firing(b, 360, 25, 208, first_k);
	T_ASSERT_EQ_INT(first_k[0], 208); /* as in the default-alerts test */
	/* Errors stop. After j clean windows the short window holds 30 - j
	 * error windows: burn 25 (30 - j) / 30 > 14.4 iff j < 12.72. The hour
	 * still holds all 208: long burn 14.44 throughout. */
	for (int j = 1; j <= 12; j++)
		feed(b, 10 * ++t, 1000, 0);
	st = alert(b, 0);
	T_ASSERT_NEAR(st.short_burn, 25.0 * 18 / 30, 1e-9); /* 15 */
	CU_ASSERT(st.firing);
	feed(b, 10 * ++t, 1000, 0);
	st = alert(b, 0);
	T_ASSERT_NEAR(st.short_burn, 25.0 * 17 / 30, 1e-9); /* 14.17 */
	T_ASSERT_NEAR(st.long_burn, 0.025 * 208 / 360 / 0.001, 1e-9); /* 14.44 */
	CU_ASSERT_FALSE(st.firing);
	T_ASSERT_EQ_INT(st.firing_since_ns, -1);
	eng_budget_free(b);

	/* A clean hour, then one window with every request failing: short
	 * burn 1000 / 30000 / 0.001 = 33.3, long 1000 / 360000 / 0.001 = 2.78. */
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (int i = 1; i <= 359; i++)
		feed(b, 10 * (int64_t)i, 1000, 0);
	feed(b, 3600, 1000, 1000);
	st = alert(b, 0);
	T_ASSERT_NEAR(st.short_burn, 1000.0 / 30000 / 0.001, 1e-9);
	T_ASSERT_NEAR(st.long_burn, 1000.0 / 360000 / 0.001, 1e-9);
	CU_ASSERT_FALSE(st.firing);
	eng_budget_free(b);
}

/* Rule: before an alert's windows are full, they hold what has been seen.
 * A fresh default budget whose first window has 2% errors sees burn
 * 0.02 / 0.001 = 20 over every window, above 14.4, 6 and 1: all three fire
 * at once. At 1% (burn 10) the 1 h page does not. */
static void test_windows_longer_than_data_use_what_was_seen(void)
{
	struct eng_budget_config cfg;
	struct eng_budget *b;
	struct eng_burn_alert_status out[3];

	eng_budget_config_init(&cfg);
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 1000, 20);
	T_ASSERT_EQ_INT(eng_budget_firing(b, out, 3), 3);
	for (int i = 0; i < 3; i++) {
		T_ASSERT_EQ_INT(out[i].index, i);
		T_ASSERT_NEAR(out[i].long_burn, 20.0, 1e-9);
		T_ASSERT_NEAR(out[i].short_burn, 20.0, 1e-9);
		T_ASSERT_EQ_INT(out[i].firing_since_ns, S(10));
	}
	/* the count is the number firing, even past cap */
	T_ASSERT_EQ_INT(eng_budget_firing(b, out, 1), 3);
	T_ASSERT_EQ_INT(eng_budget_firing(b, NULL, 0), 3);
	eng_budget_free(b);

	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 1000, 10);
	T_ASSERT_EQ_INT(eng_budget_firing(b, out, 3), 2);
	T_ASSERT_STR_EQ(out[0].alert->name, "page_6h");
	T_ASSERT_NEAR(out[0].long_burn, 10.0, 1e-9);
	T_ASSERT_STR_EQ(out[1].alert->name, "ticket_3d");
	eng_budget_free(b);
}

/* An alert fires only strictly above its threshold, on both windows.
 * S = 0.875 makes 1 - S = 0.125 exact, so a tie is exact: alert 20 s /
 * 10 s at burn 2. */
static void test_alert_fires_strictly_above(void)
{
	struct eng_burn_alert a = { "a", ENG_ALERT_PAGE, S(20), S(10), 2.0 };
	struct eng_budget_config cfg = plain_config(0.875, 60);
	struct eng_budget *b;
	struct eng_burn_alert_status st;

	cfg.alerts = &a;
	cfg.nalerts = 1;
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 1000, 250);
	feed(b, 20, 1000, 250);
	st = alert(b, 0);
	T_ASSERT_NEAR(st.long_burn, 2.0, 0.0);  /* 500/2000 / 0.125 */
	T_ASSERT_NEAR(st.short_burn, 2.0, 0.0); /* 250/1000 / 0.125 */
	CU_ASSERT_FALSE(st.firing);
	feed(b, 30, 1000, 251);
	st = alert(b, 0);
	T_ASSERT_NEAR(st.long_burn, 501.0 / 2000 / 0.125, 1e-12);  /* 2.004 */
	T_ASSERT_NEAR(st.short_burn, 251.0 / 1000 / 0.125, 1e-12); /* 2.008 */
	CU_ASSERT(st.firing);
	T_ASSERT_EQ_INT(st.firing_since_ns, S(30));
	feed(b, 40, 1000, 249);
	/* long 500/2000: exactly 2 again, short 1.992: both fail to exceed */
	CU_ASSERT_FALSE(alert(b, 0).firing);
	eng_budget_free(b);
}

struct gate_step {
	uint64_t bad;             /* of 4000 requests */
	enum eng_gate_state state;
	bool ordinary, critical;  /* may a release start */
};

/* S = 0.875 and a period of one 10 s window: each window of 4000 requests
 * alone sets the budget, 0.125 x 4000 = 500 exactly, so remaining is
 * 1 - bad / 500. Default thresholds: warn < 0.25, freeze < 0.10, critical
 * floor < 0.05, unfreeze > 0.15. */
static const struct gate_step ladder[] = {
	{ 0, ENG_GATE_OPEN, true, true },      /*  1.00 */
	{ 370, ENG_GATE_OPEN, true, true },    /*  0.26: above warn */
	{ 375, ENG_GATE_OPEN, true, true },    /*  0.25 exactly: not below */
	{ 380, ENG_GATE_WARN, true, true },    /*  0.24: warn */
	{ 445, ENG_GATE_WARN, true, true },    /*  0.11: above freeze */
	{ 455, ENG_GATE_FROZEN, false, true }, /*  0.09: frozen, critical may */
	{ 470, ENG_GATE_FROZEN, false, true }, /*  0.06: above the floor */
	{ 480, ENG_GATE_CLOSED, false, false }, /* 0.04: closed */
	{ 470, ENG_GATE_CLOSED, false, false }, /* 0.06: recovering, still closed */
	{ 455, ENG_GATE_CLOSED, false, false }, /* 0.09 */
	{ 445, ENG_GATE_FROZEN, false, true }, /*  0.11: above freeze: critical again */
	{ 430, ENG_GATE_FROZEN, false, true }, /*  0.14: through 10%, not above 15% */
	{ 420, ENG_GATE_WARN, true, true },    /*  0.16: unfrozen */
	{ 445, ENG_GATE_WARN, true, true },    /*  0.11: below 15% again, not frozen */
	{ 370, ENG_GATE_OPEN, true, true },    /*  0.26 */
	{ 480, ENG_GATE_CLOSED, false, false }, /* 0.04: straight down, one move */
	{ 0, ENG_GATE_OPEN, true, true },      /*  1.00: straight up, one move */
	{ 455, ENG_GATE_FROZEN, false, true }, /*  0.09 */
	{ 600, ENG_GATE_CLOSED, false, false }, /* -0.20: overspent */
	{ 370, ENG_GATE_OPEN, true, true },    /*  0.26: from closed to open */
	{ 455, ENG_GATE_FROZEN, false, true }, /*  0.09 */
	{ 370, ENG_GATE_OPEN, true, true },    /*  0.26: from frozen to open */
};

static const struct eng_gate_event ladder_events[] = {
	/* t_ns, from, to, remaining, threshold crossed */
	{ S(40), ENG_GATE_OPEN, ENG_GATE_WARN, 0.24, 0.25 },
	{ S(60), ENG_GATE_WARN, ENG_GATE_FROZEN, 0.09, 0.10 },
	{ S(80), ENG_GATE_FROZEN, ENG_GATE_CLOSED, 0.04, 0.05 },
	{ S(110), ENG_GATE_CLOSED, ENG_GATE_FROZEN, 0.11, 0.10 },
	{ S(130), ENG_GATE_FROZEN, ENG_GATE_WARN, 0.16, 0.15 },
	{ S(150), ENG_GATE_WARN, ENG_GATE_OPEN, 0.26, 0.25 },
	{ S(160), ENG_GATE_OPEN, ENG_GATE_CLOSED, 0.04, 0.05 },
	{ S(170), ENG_GATE_CLOSED, ENG_GATE_OPEN, 1.00, 0.15 },
	{ S(180), ENG_GATE_OPEN, ENG_GATE_FROZEN, 0.09, 0.10 },
	{ S(190), ENG_GATE_FROZEN, ENG_GATE_CLOSED, -0.20, 0.05 },
	{ S(200), ENG_GATE_CLOSED, ENG_GATE_OPEN, 0.26, 0.15 },
	{ S(210), ENG_GATE_OPEN, ENG_GATE_FROZEN, 0.09, 0.10 },
	{ S(220), ENG_GATE_FROZEN, ENG_GATE_OPEN, 0.26, 0.15 },
};

static void test_gate_hysteresis(void)
{
	struct eng_budget_config cfg = plain_config(0.875, 10);
	struct eng_budget *b = eng_budget_create(&cfg);
	const struct eng_gate_event *ev;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++) {
		char msg[T_MSG_MAX];

		feed(b, 10 * (int64_t)(i + 1), 4000, ladder[i].bad);
		T_ASSERT_NEAR(eng_budget_remaining_frac(b),
			      1.0 - (double)ladder[i].bad / 500.0, 1e-12);
		snprintf(msg, sizeof(msg), "step %zu (bad %llu): gate %s, expected %s",
			 i, (unsigned long long)ladder[i].bad,
			 eng_gate_state_name(eng_budget_gate(b)),
			 eng_gate_state_name(ladder[i].state));
		CU_assertImplementation(eng_budget_gate(b) == ladder[i].state, __LINE__,
					msg, __FILE__, "", CU_FALSE);
		T_ASSERT_EQ_INT(eng_budget_may_start(b, false), ladder[i].ordinary);
		T_ASSERT_EQ_INT(eng_budget_may_start(b, true), ladder[i].critical);
	}
	ev = eng_budget_gate_events(b, &n);
	T_ASSERT_EQ_INT(n, sizeof(ladder_events) / sizeof(ladder_events[0]));
	for (size_t i = 0; i < n && i < sizeof(ladder_events) / sizeof(ladder_events[0]); i++) {
		T_ASSERT_EQ_INT(ev[i].t_ns, ladder_events[i].t_ns);
		T_ASSERT_EQ_INT(ev[i].from, ladder_events[i].from);
		T_ASSERT_EQ_INT(ev[i].to, ladder_events[i].to);
		T_ASSERT_NEAR(ev[i].remaining_frac, ladder_events[i].remaining_frac, 1e-12);
		T_ASSERT_NEAR(ev[i].threshold_frac, ladder_events[i].threshold_frac, 0.0);
	}
	eng_budget_free(b);
}

/* Other thresholds: unfreeze above warn lifts a freeze straight to open;
 * a critical floor of -INFINITY never closes, however overspent. Same
 * S = 0.875, one-window period, 4000 requests: remaining 1 - bad / 500. */
static void test_gate_other_thresholds(void)
{
	struct eng_budget_config cfg = plain_config(0.875, 10);
	struct eng_budget *b;

	cfg.unfreeze_above_frac = 0.30;
	cfg.critical_floor_frac = -INFINITY;
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 4000, 1000);                       /* -1.00 */
	T_ASSERT_EQ_INT(eng_budget_gate(b), ENG_GATE_FROZEN);
	CU_ASSERT(eng_budget_may_start(b, true));
	CU_ASSERT_FALSE(eng_budget_may_start(b, false));
	feed(b, 20, 4000, 355);                        /* 0.29: not above 0.30 */
	T_ASSERT_EQ_INT(eng_budget_gate(b), ENG_GATE_FROZEN);
	feed(b, 30, 4000, 345);                        /* 0.31 */
	T_ASSERT_EQ_INT(eng_budget_gate(b), ENG_GATE_OPEN);
	eng_budget_free(b);
}

/* Every allocation of create fails cleanly in turn; a feed that cannot
 * grow the gate's log fails with ENG_ENOMEM and changes nothing. */
static void test_allocation_failures(void)
{
	struct eng_budget_config cfg;
	struct eng_budget *b = NULL;
	size_t n;

	eng_budget_config_init(&cfg);
	for (n = 1; n < 100; n++) {
		failalloc_at(n);
		b = eng_budget_create(&cfg);
		int hit = failalloc_failed();

		failalloc_at(0);
		if (!hit)
			break;
		CU_ASSERT_PTR_NULL(b);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(n > 1); /* some allocation was failed */
	eng_budget_free(b);

	/* Alternate remaining 0.04 and 1.00 (S = 0.875, one-window period):
	 * every window moves the gate and needs room in the log. */
	struct eng_budget_config gc = plain_config(0.875, 10);
	int enomem = 0;

	b = eng_budget_create(&gc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (int i = 1; i <= 40; i++) {
		uint64_t bad = i % 2 ? 480 : 0;
		enum eng_gate_state before = eng_budget_gate(b);
		double r = eng_budget_remaining_frac(b);
		size_t count;
		enum eng_status st;

		eng_budget_gate_events(b, &count);
		failalloc_at(1);
		st = eng_budget_feed(b, S(10 * i), S(10), 4000, bad);
		failalloc_at(0);
		if (st == ENG_ENOMEM) {
			size_t after;

			enomem++;
			T_ASSERT_EQ_INT(eng_budget_gate(b), before);
			T_ASSERT_NEAR(eng_budget_remaining_frac(b), r, 0.0);
			eng_budget_gate_events(b, &after);
			T_ASSERT_EQ_INT(after, count);
			st = eng_budget_feed(b, S(10 * i), S(10), 4000, bad);
		}
		T_ASSERT_EQ_INT(st, ENG_OK);
		T_ASSERT_EQ_INT(eng_budget_gate(b), bad ? ENG_GATE_CLOSED : ENG_GATE_OPEN);
	}
	eng_budget_gate_events(b, &n);
	T_ASSERT_EQ_INT(n, 40);
	CU_ASSERT(enomem > 0);
	eng_budget_free(b);
}

/* The budgets wired into a rollout (the fixture's canary, engine_fixtures.h):
 * S = 0.999 for errors, 0.99 for latency, a 30-day period, one page alert
 * 1 h / 5 min at burn rate 14.4, nothing spent before. Windows of 1,000
 * requests, no errors. The budgets' history lies before every alert
 * window, so from the first window each burn rate is the ratio seen:
 * slow / 1000 / 0.01. Returns the rollout after the window at 10 s. */
static struct eng_rollout *budgeted(bool latency, uint64_t slow)
{
	static struct eng_burn_alert page = { "page_1h", ENG_ALERT_PAGE, S(3600), S(300), 14.4 };
	static struct fx_config f;
	struct eng_observation o = fx_window(10, 1000, 0, 100);
	struct eng_action act;
	struct eng_rollout *ro;

	fx_config_init(&f);
	eng_budget_config_init(&f.cfg.budget);
	f.cfg.budget.slo_frac = 0.999;
	f.cfg.budget.alerts = &page;
	f.cfg.budget.nalerts = 1;
	f.cfg.has_budget = true;
	f.cfg.rollback_on_burn = true;
	f.cfg.budget_history_total = 1000000;
	f.cfg.has_latency_budget = latency;
	f.cfg.latency_target_frac = 0.99;
	ro = fx_started(&f.cfg, &act);
	o.all.requests = 1000;
	o.all.errors = 0;
	o.all.slow = slow;
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(10), &o, &act), ENG_OK);
	return ro;
}

/* 200 slow of 1,000: a latency burn of 0.2 / 0.01 = 20 > 14.4 in both
 * windows rolls back at 10 s, with an event on the slow rate; 100 slow
 * (burn 10) does not; and without the latency budget nothing burns. */
static void test_latency_budget_rolls_back(void)
{
	struct eng_rollout *ro = budgeted(true, 200);
	const struct eng_event_log *log = eng_rollout_events(ro);
	const struct eng_event *last = &log->events[log->count - 1];

	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(10));
	T_ASSERT_EQ_INT(last->rule, ENG_RULE_BURN_RATE);
	T_ASSERT_STR_EQ(last->metric, "slow_rate");
	T_ASSERT_NEAR(last->observed, 20.0, 1e-9);
	T_ASSERT_NEAR(last->threshold, 14.4, 0.0);
	eng_rollout_free(ro);
	ro = budgeted(true, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	eng_rollout_free(ro);
	ro = budgeted(false, 200);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	eng_rollout_free(ro);
}

/* Ten alerts firing at once, the page alert last: nine tickets at burn
 * rate 1 and one page 1 h / 5 min at 14.4. 20 errors of 1,000 burn
 * 0.02 / 0.001 = 20 over both windows: all ten fire, and the tenth rolls
 * back (the rollout once read the firing alerts into a list of eight and
 * went past its end with more). */
static void test_page_alert_after_eight_others(void)
{
	static struct eng_burn_alert alerts[10];
	static const char *const names[10] = { "t0", "t1", "t2", "t3", "t4", "t5", "t6",
					       "t7", "t8", "page" };
	static struct fx_config f;
	struct eng_observation o = fx_window(10, 1000, 20, 100);
	struct eng_action act;
	struct eng_rollout *ro;
	const struct eng_event_log *log;

	for (int i = 0; i < 10; i++)
		alerts[i] = (struct eng_burn_alert){ "", i < 9 ? ENG_ALERT_TICKET : ENG_ALERT_PAGE,
						     S(3600), S(300), i < 9 ? 1.0 : 14.4 };
	for (int i = 0; i < 10; i++)
		snprintf(alerts[i].name, sizeof(alerts[i].name), "%s", names[i]);
	fx_config_init(&f);
	eng_budget_config_init(&f.cfg.budget);
	f.cfg.budget.slo_frac = 0.999;
	f.cfg.budget.alerts = alerts;
	f.cfg.budget.nalerts = 10;
	f.cfg.has_budget = true;
	f.cfg.rollback_on_burn = true;
	f.cfg.budget_history_total = 1000000;
	ro = fx_started(&f.cfg, &act);
	o.all.requests = 1000;
	o.all.errors = 20;
	o.all.slow = 0;
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(10), &o, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	log = eng_rollout_events(ro);
	T_ASSERT_EQ_INT(log->events[log->count - 1].rule, ENG_RULE_BURN_RATE);
	T_ASSERT_STR_EQ(log->events[log->count - 1].check, "page");
	T_ASSERT_NEAR(log->events[log->count - 1].observed, 20.0, 1e-9);
	eng_rollout_free(ro);
}

/* A latency budget already spent blocks the start as the error budget
 * does: 9,200 slow of 1,000,000 requests before the start, against a
 * budget of 1% = 10,000, leaves 8%, below the default freeze_below of
 * 10%: an ordinary release is refused, by the latency budget's gate. */
static void test_latency_budget_gates_the_start(void)
{
	static struct fx_config f;
	struct eng_action act;
	struct eng_rollout *ro;
	const struct eng_event_log *log;

	fx_config_init(&f);
	eng_budget_config_init(&f.cfg.budget);
	f.cfg.budget.slo_frac = 0.999;
	f.cfg.has_budget = true;
	f.cfg.budget_history_total = 1000000;
	f.cfg.has_latency_budget = true;
	f.cfg.latency_target_frac = 0.99;
	f.cfg.latency_history_bad = 9200; /* 8% of the budget left */
	ro = fx_started(&f.cfg, &act);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_BLOCKED);
	log = eng_rollout_events(ro);
	T_ASSERT_EQ_INT(log->events[0].rule, ENG_RULE_ERROR_BUDGET);
	T_ASSERT_STR_EQ(log->events[0].metric, "slow_rate");
	T_ASSERT_NEAR(log->events[0].observed, 0.08, 1e-9);
	T_ASSERT_CONTAINS(log->events[0].detail, "latency budget gate is frozen");
	eng_rollout_free(ro);
}

/* A start the gate lets through is an event too, before the first step:
 * S = 0.999, 1,000,000 requests before the start, a budget of 1,000 bad.
 * 800 bad leave 1 - 800 / 1,000 = 20%: below warn_below 0.25, above
 * freeze_below 0.10: warn, an ordinary release goes on. 940 bad leave 6%:
 * frozen (not below the critical floor of 5%), and only a critical release
 * goes on. Nothing spent: open. Each time event 0 is error_budget /
 * continue with the budget remaining, and event 1 the first step. */
static void test_gate_lets_the_start_through(void)
{
	static const struct {
		uint64_t bad;
		bool critical;
		double remaining;
		const char *says;
	} cases[] = {
		{ 800, false, 0.20, "the budget gate is warn" },
		{ 940, true, 0.06, "the budget gate is frozen, but a critical release goes through" },
		{ 0, false, 1.0, "the budget gate is open" },
	};
	static struct fx_config f;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct eng_event_log *log;
		struct eng_action act;
		struct eng_rollout *ro;

		fx_config_init(&f);
		eng_budget_config_init(&f.cfg.budget);
		f.cfg.budget.slo_frac = 0.999;
		f.cfg.has_budget = true;
		f.cfg.budget_history_total = 1000000;
		f.cfg.budget_history_bad = cases[i].bad;
		f.cfg.critical = cases[i].critical;
		ro = fx_started(&f.cfg, &act);
		T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
		log = eng_rollout_events(ro);
		CU_ASSERT_FATAL(log->count >= 2);
		T_ASSERT_EQ_INT(log->events[0].rule, ENG_RULE_ERROR_BUDGET);
		T_ASSERT_EQ_INT(log->events[0].action, ENG_DECIDE_CONTINUE);
		T_ASSERT_STR_EQ(log->events[0].metric, "error_rate");
		T_ASSERT_NEAR(log->events[0].observed, cases[i].remaining, 1e-9);
		T_ASSERT_STR_EQ(log->events[0].detail, cases[i].says);
		T_ASSERT_EQ_INT(log->events[1].rule, ENG_RULE_STEP);
		T_ASSERT_EQ_INT(log->events[1].action, ENG_DECIDE_SET_WEIGHT);
		eng_rollout_free(ro);
	}
}

/* A budget frozen before the period's windows were fed: its freeze lifts
 * only above unfreeze_above (0.15). S = 0.99, one window of 1,000,000
 * requests: 8,800 bad leave 1 - 8,800 / 10,000 = 12%, which keeps it
 * frozen (a never-frozen budget would only warn at 12%); 8,400 bad leave
 * 16%, above 0.15: warn (below warn_below 0.25), and releases may start. */
static void test_gate_frozen_before(void)
{
	struct eng_budget_config cfg = plain_config(0.99, 3600);
	struct eng_budget *b;

	cfg.initial_gate = ENG_GATE_FROZEN;
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 1000000, 8800);
	T_ASSERT_EQ_INT(eng_budget_gate(b), ENG_GATE_FROZEN);
	CU_ASSERT_FALSE(eng_budget_may_start(b, false));
	eng_budget_free(b);
	cfg.initial_gate = ENG_GATE_OPEN;
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 1000000, 8800);
	T_ASSERT_EQ_INT(eng_budget_gate(b), ENG_GATE_WARN);
	eng_budget_free(b);
	cfg.initial_gate = ENG_GATE_FROZEN;
	b = eng_budget_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	feed(b, 10, 1000000, 8400);
	T_ASSERT_EQ_INT(eng_budget_gate(b), ENG_GATE_WARN);
	CU_ASSERT(eng_budget_may_start(b, false));
	eng_budget_free(b);
}

/* b's state as text (owned, free with cJSON_free()). */
static char *budget_text(const struct eng_budget *b)
{
	cJSON *o = eng_budget_save(b);
	char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	return text;
}

/* b's state as a restore reads it: saved, printed and parsed again
 * (owned, free with cJSON_Delete()); NULL when out of memory. */
static cJSON *budget_state(const struct eng_budget *b)
{
	cJSON *o = eng_budget_save(b), *back = NULL;
	char *text = o != NULL ? cJSON_PrintUnformatted(o) : NULL;

	if (text != NULL)
		back = cJSON_Parse(text);
	cJSON_free(text);
	cJSON_Delete(o);
	return back;
}

/* S = 0.99 over 600 s, one page alert "a" over 60 s and 20 s at burn
 * rate 2; windows of 100 requests. */
static struct eng_budget_config spell_config(struct eng_burn_alert *a)
{
	struct eng_budget_config cfg = plain_config(0.99, 600);

	*a = (struct eng_burn_alert){ "a", ENG_ALERT_PAGE, S(60), S(20), 2.0 };
	cfg.alerts = a;
	cfg.nalerts = 1;
	return cfg;
}

/* Saved while its alert fires and restored into a fresh budget of the same
 * configuration, a budget goes on as the original. Three windows with 10
 * bad of 100 (10 .. 30 s): from the first, both burn rates are
 * 0.1 / 0.01 = 10 > 2, so the alert fires since 10 s; and the gate closes
 * at 10 s (remaining 1 - 10 / (0.01 x 100) = -9). Saved at 30 s. Then a
 * clean window at 40 s: short window (30, 40 s) 10 / 200 / 0.01 = 5 > 2,
 * still firing since 10 s (a restored budget that forgot the spell would
 * say since 40 s); remaining 1 - 30 / (0.01 x 400) = -6.5. At 50 s the
 * short window is clean: the spell ends. */
static void test_save_and_restore(void)
{
	struct eng_burn_alert a;
	struct eng_budget_config cfg = spell_config(&a);
	struct eng_budget *b = eng_budget_create(&cfg), *c = eng_budget_create(&cfg);
	struct eng_budget *both[2];
	cJSON *o;
	char *tb, *tc, err[200];

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (int t = 10; t <= 30; t += 10)
		feed(b, t, 100, 10);
	o = budget_state(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	T_ASSERT_EQ_INT(eng_budget_restore(c, o, "budget", err, sizeof(err)), ENG_OK);
	cJSON_Delete(o);
	both[0] = b;
	both[1] = c;
	for (int i = 0; i < 2; i++) {
		size_t n;
		const struct eng_gate_event *ev;

		feed(both[i], 40, 100, 0);
		T_ASSERT_NEAR(alert(both[i], 0).short_burn, 5.0, 1e-12);
		CU_ASSERT(alert(both[i], 0).firing);
		T_ASSERT_EQ_INT(alert(both[i], 0).firing_since_ns, S(10));
		T_ASSERT_NEAR(eng_budget_remaining_frac(both[i]), -6.5, 1e-12);
		T_ASSERT_EQ_INT(eng_budget_gate(both[i]), ENG_GATE_CLOSED);
		ev = eng_budget_gate_events(both[i], &n);
		T_ASSERT_EQ_INT(n, 1);
		T_ASSERT_EQ_INT(ev[0].t_ns, S(10));
		feed(both[i], 50, 100, 0);
		CU_ASSERT_FALSE(alert(both[i], 0).firing);
		T_ASSERT_EQ_INT(alert(both[i], 0).firing_since_ns, -1);
	}
	tb = budget_text(b);
	tc = budget_text(c);
	T_ASSERT_STR_EQ(tc, tb);
	cJSON_free(tb);
	cJSON_free(tc);
	eng_budget_free(b);
	eng_budget_free(c);
}

/* A restore that fails, for a bad state or for memory, leaves the budget
 * as it was; every allocation of save and restore fails cleanly in turn. */
static void test_failed_restore_changes_nothing(void)
{
	struct eng_burn_alert a;
	struct eng_budget_config cfg = spell_config(&a), other = plain_config(0.99, 300);
	struct eng_budget *b = eng_budget_create(&cfg), *c = eng_budget_create(&cfg);
	struct eng_budget *d = eng_budget_create(&other);
	char err[200], *before, *after;
	cJSON *o = NULL, *bad;
	enum eng_status st = ENG_OK;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	feed(b, 10, 100, 10);
	feed(c, 10, 100, 0);
	before = budget_text(c);
	for (n = 1; n < 100; n++) {
		failalloc_at(n);
		o = budget_state(b);
		int hit = failalloc_failed();

		failalloc_at(0);
		if (!hit)
			break;
		CU_ASSERT_PTR_NULL(o);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(n > 1);
	for (n = 1; n < 100; n++) {
		failalloc_at(n);
		st = eng_budget_restore(c, o, "budget", err, sizeof(err));
		int hit = failalloc_failed();

		failalloc_at(0);
		if (!hit)
			break;
		T_ASSERT_EQ_INT(st, ENG_ENOMEM);
		T_ASSERT_STR_EQ(err, "out of memory");
		after = budget_text(c);
		T_ASSERT_STR_EQ(after, before);
		cJSON_free(after);
	}
	T_ASSERT_EQ_INT(st, ENG_OK);
	CU_ASSERT(n > 1);
	/* another configuration: 300 s of 10 s windows are 30, not 60 */
	T_ASSERT_EQ_INT(eng_budget_restore(d, o, "budget", err, sizeof(err)), ENG_EINVAL);
	T_ASSERT_STR_EQ(err, "budget.nwindows: the state was saved for another configuration (expected 30)");
	/* a bad state into a budget that has been fed */
	after = budget_text(c);
	bad = cJSON_Duplicate(o, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	cJSON_ReplaceItemInObject(bad, "gate_events", cJSON_CreateNumber(1));
	T_ASSERT_EQ_INT(eng_budget_restore(c, bad, "b", err, sizeof(err)), ENG_EINVAL);
	T_ASSERT_STR_EQ(err, "b.gate_events: expected an array");
	cJSON_free(before);
	before = budget_text(c);
	T_ASSERT_STR_EQ(before, after);
	cJSON_Delete(bad);
	cJSON_Delete(o);
	cJSON_free(before);
	cJSON_free(after);
	eng_budget_free(b);
	eng_budget_free(c);
	eng_budget_free(d);
}

int t_suite_budget(void)
{
	static const struct t_case cases[] = {
		{ "defaults", test_defaults },
		{ "invalid configurations are refused", test_rejects_invalid_config },
		{ "budget remaining after known counts", test_remaining_after_known_counts },
		{ "burn rate over a window", test_burn_rate_over_windows },
		{ "skipped windows; bad input", test_gaps_and_bad_input },
		{ "detection time of the default alerts", test_default_alert_detection_times },
		{ "page detection at 2% errors", test_page_detection_at_two_percent },
		{ "the short window resets; a spike does not page",
		  test_short_window_resets_and_spikes },
		{ "windows longer than the data", test_windows_longer_than_data_use_what_was_seen },
		{ "an alert fires strictly above its threshold", test_alert_fires_strictly_above },
		{ "gate thresholds and hysteresis", test_gate_hysteresis },
		{ "gate with other thresholds", test_gate_other_thresholds },
		{ "a gate frozen before lifts only above unfreeze", test_gate_frozen_before },
		{ "allocation failures", test_allocation_failures },
		{ "saved and restored, a budget goes on as before", test_save_and_restore },
		{ "a failed restore changes nothing", test_failed_restore_changes_nothing },
		{ "a latency budget burning rolls back", test_latency_budget_rolls_back },
		{ "a spent latency budget gates the start", test_latency_budget_gates_the_start },
		{ "a start let through is an event", test_gate_lets_the_start_through },
		{ "a page alert after eight others firing", test_page_alert_after_eight_others },
		{ NULL, NULL }
	};

	return t_add_suite("budget", cases);
}
