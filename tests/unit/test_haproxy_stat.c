/* live/haproxy_stat: the hand-written HAProxy statistics CSV of tests/data
 * (header + FRONTEND + stable + canary + BACKEND, the 103 fields of the
 * management guide's section 9.1 list as HAProxy 2.5/2.6 print them, each
 * line ending with a comma), the windows between its two snapshots, and bad
 * inputs with their exact messages. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "live/haproxy_stat.h"
#include "tools/failalloc/failalloc.h"
#include "tests/unit/helpers.h"

static char err[256];

static struct live_server_stat *parse_str(const char *text, size_t *n, int *rc)
{
	struct live_server_stat *s = NULL;

	*rc = live_haproxy_parse_stat(text, strlen(text), &s, n, err, sizeof(err));
	return s;
}

static struct live_server_stat *parse_file(const char *name, size_t *n)
{
	size_t len;
	char *text = t_slurp("tests/data", name, &len);
	struct live_server_stat *s = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	T_ASSERT_EQ_INT(live_haproxy_parse_stat(text, len, &s, n, err, sizeof(err)), 0);
	T_ASSERT_STR_EQ(err, "");
	free(text);
	return s;
}

static void test_parse_fixture(void)
{
	size_t n = 0;
	struct live_server_stat *s = parse_file("haproxy-stat-before.csv", &n);

	/* FRONTEND and BACKEND skipped: the two servers remain, in file order. */
	T_ASSERT_EQ_INT(n, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_ASSERT_STR_EQ(s[0].proxy, "be_app");
	T_ASSERT_STR_EQ(s[0].server, "stable");
	T_ASSERT_EQ_INT(s[0].stot, 9000);
	T_ASSERT_EQ_INT(s[0].hrsp_2xx, 8950);
	T_ASSERT_EQ_INT(s[0].hrsp_4xx, 40);
	T_ASSERT_EQ_INT(s[0].hrsp_5xx, 10);
	T_ASSERT_EQ_INT(s[0].eresp, 0);
	T_ASSERT_EQ_INT(s[0].econ, 0);
	T_ASSERT_NEAR(s[0].rtime_ms, 42, 0);
	T_ASSERT_EQ_INT(s[0].weight, 90);
	T_ASSERT_STR_EQ(s[0].status, "UP");
	T_ASSERT_STR_EQ(s[1].server, "canary");
	T_ASSERT_EQ_INT(s[1].stot, 1000);
	T_ASSERT_EQ_INT(s[1].hrsp_2xx, 990);
	T_ASSERT_EQ_INT(s[1].hrsp_4xx, 8);
	T_ASSERT_EQ_INT(s[1].hrsp_5xx, 2);
	T_ASSERT_EQ_INT(s[1].eresp, 1);
	T_ASSERT_EQ_INT(s[1].econ, 0);
	T_ASSERT_NEAR(s[1].rtime_ms, 57, 0);
	T_ASSERT_EQ_INT(s[1].weight, 10);
	free(s);
}

static void test_find(void)
{
	size_t n = 0;
	struct live_server_stat *s = parse_file("haproxy-stat-before.csv", &n);

	CU_ASSERT_PTR_EQUAL(live_haproxy_find(s, n, "be_app", "canary"), &s[1]);
	CU_ASSERT_PTR_EQUAL(live_haproxy_find(s, n, "be_app", "stable"), &s[0]);
	/* The aggregates are not servers; the frontend has no "canary". */
	CU_ASSERT_PTR_NULL(live_haproxy_find(s, n, "be_app", "BACKEND"));
	CU_ASSERT_PTR_NULL(live_haproxy_find(s, n, "fe_http", "canary"));
	CU_ASSERT_PTR_NULL(live_haproxy_find(s, n, "be_app", "canar"));
	CU_ASSERT_PTR_NULL(live_haproxy_find(NULL, 0, "be_app", "canary"));
	free(s);
}

static void test_window(void)
{
	size_t nb = 0, na = 0;
	struct live_server_stat *b = parse_file("haproxy-stat-before.csv", &nb);
	struct live_server_stat *a = parse_file("haproxy-stat-after.csv", &na);
	struct live_window_counts w;

	/* canary: stot 1000 -> 1500, 5xx 2 -> 27, eresp 1 -> 1, econ 0 -> 0:
	 * 500 requests, 25 errors, 25 / 500 = 0.05; rtime is after's, 88 ms. */
	w = live_haproxy_window(live_haproxy_find(b, nb, "be_app", "canary"),
				live_haproxy_find(a, na, "be_app", "canary"));
	CU_ASSERT_TRUE(w.ok);
	T_ASSERT_EQ_INT(w.requests, 500);
	T_ASSERT_EQ_INT(w.errors, 25);
	T_ASSERT_NEAR(w.error_rate_frac, 0.05, 1e-15);
	T_ASSERT_NEAR(w.rtime_ms, 88, 0);
	/* stable: stot 9000 -> 13500, 5xx 10 -> 12, eresp 0 -> 1, econ 0 -> 2:
	 * 4500 requests, 2 + 1 + 2 = 5 errors, 5 / 4500 = 1/900. */
	w = live_haproxy_window(live_haproxy_find(b, nb, "be_app", "stable"),
				live_haproxy_find(a, na, "be_app", "stable"));
	CU_ASSERT_TRUE(w.ok);
	T_ASSERT_EQ_INT(w.requests, 4500);
	T_ASSERT_EQ_INT(w.errors, 5);
	T_ASSERT_NEAR(w.error_rate_frac, 1.0 / 900, 1e-15);
	T_ASSERT_NEAR(w.rtime_ms, 41, 0);
	/* Backwards (after, then before) every counter went down: no data. */
	w = live_haproxy_window(&a[1], &b[1]);
	CU_ASSERT_FALSE(w.ok);
	CU_ASSERT_TRUE(isnan(w.error_rate_frac));
	/* Two different servers, or a missing one: no data. */
	CU_ASSERT_FALSE(live_haproxy_window(&b[0], &a[1]).ok);
	CU_ASSERT_FALSE(live_haproxy_window(NULL, &a[1]).ok);
	CU_ASSERT_FALSE(live_haproxy_window(&b[1], NULL).ok);
	free(b);
	free(a);
}

static void test_window_edges(void)
{
	struct live_server_stat b = { "be", "canary", 1000, 2, 990, 8, 1, 0, 50, 10, "UP" };
	struct live_server_stat a = b;
	struct live_window_counts w;

	/* Reload: stot 1000 -> 20 while 5xx rises 2 -> 3: one counter down is enough. */
	a.stot = 20;
	a.hrsp_5xx = 3;
	w = live_haproxy_window(&b, &a);
	CU_ASSERT_FALSE(w.ok);
	T_ASSERT_EQ_INT(w.requests, 0);
	/* Only eresp went down (1 -> 0) while stot rose: still a reset. */
	a = b;
	a.stot = 1100;
	a.eresp = 0;
	CU_ASSERT_FALSE(live_haproxy_window(&b, &a).ok);
	/* No traffic: the counters agree (ok), 0 requests, 0 errors, and the rate
	 * is NaN, not 0: 0/0 says nothing, and 0 would pass a canary that takes
	 * no traffic as healthy. */
	a = b;
	w = live_haproxy_window(&b, &a);
	CU_ASSERT_TRUE(w.ok);
	T_ASSERT_EQ_INT(w.requests, 0);
	T_ASSERT_EQ_INT(w.errors, 0);
	CU_ASSERT_TRUE(isnan(w.error_rate_frac));
	/* 10 requests, 12 failed connects (retries): 12 errors, rate capped at 1. */
	a = b;
	a.stot = 1010;
	a.econ = 12;
	w = live_haproxy_window(&b, &a);
	CU_ASSERT_TRUE(w.ok);
	T_ASSERT_EQ_INT(w.errors, 12);
	T_ASSERT_NEAR(w.error_rate_frac, 1.0, 0);
}

/* A short header with the needed columns; the trailing comma as HAProxy writes it. */
#define HDR "# pxname,svname,stot,hrsp_2xx,hrsp_4xx,hrsp_5xx,eresp,econ,rtime,weight,status,type,\n"

static void test_other_order_quotes_crlf(void)
{
	const char *in_order = HDR
		"fe,FRONTEND,40,30,5,5,,,,,OPEN,0,\n"
		"be,v1,40,30,5,5,1,2,17,100,UP,2,\n"
		"be,BACKEND,40,30,5,5,1,2,17,100,UP,1,\n";
	/* The same rows, columns reversed; fields quoted, one with a comma. */
	const char *reversed = "# type,status,weight,rtime,econ,eresp,hrsp_5xx,hrsp_4xx,hrsp_2xx,stot,svname,pxname\n"
		"\"2\",UP,100,17,2,1,5,5,30,40,\"v1\",\"be\"\n"
		"2,\"DOWN\",0,,0,0,0,0,0,0,\"a,b\",\"be\"\"x\"\n";
	const char *crlf = HDR
		"be,v1,40,30,5,5,1,2,17,100,UP,2,\r\n"
		"be,v2,7,7,0,0,0,0,3,1,UP,2,";  /* last line without a line end */
	size_t n;
	int rc;
	struct live_server_stat *s = parse_str(in_order, &n, &rc);

	T_ASSERT_EQ_INT(rc, 0);
	T_ASSERT_EQ_INT(n, 1);
	T_ASSERT_STR_EQ(s[0].server, "v1");
	T_ASSERT_EQ_INT(s[0].stot, 40);
	T_ASSERT_EQ_INT(s[0].econ, 2);
	free(s);

	s = parse_str(reversed, &n, &rc);
	T_ASSERT_EQ_INT(rc, 0);
	T_ASSERT_EQ_INT(n, 2);
	T_ASSERT_STR_EQ(s[0].proxy, "be");
	T_ASSERT_STR_EQ(s[0].server, "v1");
	T_ASSERT_EQ_INT(s[0].stot, 40);
	T_ASSERT_EQ_INT(s[0].hrsp_2xx, 30);
	T_ASSERT_EQ_INT(s[0].hrsp_4xx, 5);
	T_ASSERT_EQ_INT(s[0].hrsp_5xx, 5);
	T_ASSERT_EQ_INT(s[0].eresp, 1);
	T_ASSERT_EQ_INT(s[0].econ, 2);
	T_ASSERT_NEAR(s[0].rtime_ms, 17, 0);
	T_ASSERT_EQ_INT(s[0].weight, 100);
	T_ASSERT_STR_EQ(s[1].server, "a,b");   /* the quoted comma is data */
	T_ASSERT_STR_EQ(s[1].proxy, "be\"x");  /* "" is a quote */
	T_ASSERT_STR_EQ(s[1].status, "DOWN");
	CU_ASSERT_TRUE(isnan(s[1].rtime_ms)); /* empty rtime */
	free(s);

	s = parse_str(crlf, &n, &rc);
	T_ASSERT_EQ_INT(rc, 0);
	T_ASSERT_EQ_INT(n, 2);
	T_ASSERT_STR_EQ(s[0].status, "UP"); /* no '\r' left on the last field */
	T_ASSERT_STR_EQ(s[1].server, "v2");
	T_ASSERT_EQ_INT(s[1].weight, 1);
	free(s);
}

/* The whole fixture with CRLF line ends parses to the same bytes. */
static void test_fixture_crlf(void)
{
	size_t len, n1 = 0, n2 = 0, j = 0;
	char *text = t_slurp("tests/data", "haproxy-stat-after.csv", &len);
	char *crlf;
	struct live_server_stat *s1 = NULL, *s2 = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	crlf = malloc(2 * len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crlf);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = text[i];
	}
	T_ASSERT_EQ_INT(live_haproxy_parse_stat(text, len, &s1, &n1, err, sizeof(err)), 0);
	T_ASSERT_EQ_INT(live_haproxy_parse_stat(crlf, j, &s2, &n2, err, sizeof(err)), 0);
	T_ASSERT_EQ_INT(n1, 2);
	T_ASSERT_EQ_INT(n2, 2);
	CU_ASSERT_TRUE(s1 && s2 && memcmp(s1, s2, 2 * sizeof(*s1)) == 0);
	T_ASSERT_EQ_INT(s2[1].stot, 1500);
	free(s1);
	free(s2);
	free(crlf);
	free(text);
}

static void test_skips_non_servers(void)
{
	/* A listener row (type 3, "option socket-stats") is not a server. */
	const char *text = HDR "fe,sock-1,9,,,,,,,,OPEN,3,\nbe,v1,1,1,0,0,0,0,2,5,UP,2,\n";
	size_t n;
	int rc;
	struct live_server_stat *s = parse_str(text, &n, &rc);

	T_ASSERT_EQ_INT(rc, 0);
	T_ASSERT_EQ_INT(n, 1);
	T_ASSERT_STR_EQ(s[0].server, "v1");
	free(s);
	/* Only aggregates: success with no servers and no array. */
	s = parse_str(HDR "be,BACKEND,1,1,0,0,0,0,2,5,UP,1,\n", &n, &rc);
	T_ASSERT_EQ_INT(rc, 0);
	T_ASSERT_EQ_INT(n, 0);
	CU_ASSERT_PTR_NULL(s);
}

static void expect_error(const char *text, const char *msg)
{
	size_t n = 99;
	int rc;
	struct live_server_stat *s = parse_str(text, &n, &rc);

	T_ASSERT_EQ_INT(rc, -1);
	CU_ASSERT_PTR_NULL(s);
	T_ASSERT_EQ_INT(n, 0);
	T_ASSERT_STR_EQ(err, msg);
}

static void test_errors(void)
{
	expect_error("pxname,svname,stot\nbe,v1,1\n",
		     "line 1: found 'pxname,svname,stot'; expected a header starting with \"# \"");
	expect_error("", "line 1: found ''; expected a header starting with \"# \"");
	expect_error("# pxname,svname,hrsp_5xx,weight,status\nbe,v1,0,1,UP\n",
		     "line 1: no column 'stot' in the header; expected pxname, svname, stot, "
		     "hrsp_5xx, weight and status");
	expect_error("# pxname,svname,stot,hrsp_5xx,weight",
		     "line 1: no column 'status' in the header; expected pxname, svname, stot, "
		     "hrsp_5xx, weight and status");
	/* Line 3: the second server's stot. */
	expect_error(HDR "be,v1,1,1,0,0,0,0,2,5,UP,2,\nbe,v2,12x,1,0,0,0,0,2,5,UP,2,\n",
		     "line 3: stot: '12x' is not a number; expected an integer 0..18446744073709551615");
	expect_error(HDR "be,v1,1,1,0,0,0,0,2,-5,UP,2,\n",
		     "line 2: weight: '-5' is not a number; expected an integer 0..4294967295");
	expect_error(HDR "be,v1,1,1,0,0,0,0,2,4294967296,UP,2,\n",
		     "line 2: weight: '4294967296' is not a number; expected an integer 0..4294967295");
	expect_error(HDR "be,v1,18446744073709551616,1,0,0,0,0,2,5,UP,2,\n",
		     "line 2: stot: '18446744073709551616' is not a number; expected an integer 0..18446744073709551615");
	expect_error(HDR "be,v1,1,1,0,0,0,0,fast,5,UP,2,\n",
		     "line 2: rtime: 'fast' is not a number; expected milliseconds");
	/* 13 fields in the header (the trailing comma makes an empty 13th). */
	expect_error(HDR "be,v1,1,1,0,0,0,0,2,5,UP,2,\nbe,v2,1,1\n",
		     "line 3: 4 fields; expected 13 as in the header");
	/* CRLF lines count the same. */
	expect_error(HDR "\r\nbe,v1,1,1,0,0,0,0,2,5,UP,2,\r\nbe,v2,1,1,0,0\r\n",
		     "line 4: 6 fields; expected 13 as in the header");
	expect_error(HDR "be,v1234567890123456789012345678901234567890123456789012345678901234,"
		     "1,1,0,0,0,0,2,5,UP,2,\n",
		     "line 2: svname: a name of 65 bytes; expected at most 63");
}

/* A long status is cut to 15 bytes, not an error. */
static void test_long_status(void)
{
	size_t n;
	int rc;
	struct live_server_stat *s = parse_str(HDR "be,v1,1,1,0,0,0,0,2,5,MAINT(resolution),2,\n", &n, &rc);

	T_ASSERT_EQ_INT(rc, 0);
	T_ASSERT_STR_EQ(s[0].status, "MAINT(resolutio"); /* 15 of its 17 bytes */
	free(s);
}

/* Fail the Nth allocation, N = 1, 2, ... until none fails: each time -1 with
 * "out of memory" and nothing handed out, or the full result. */
static void test_alloc_fail(void)
{
	size_t len;
	char *text = t_slurp("tests/data", "haproxy-stat-before.csv", &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (size_t nth = 1; nth < 100; nth++) {
		struct live_server_stat *s = (struct live_server_stat *)1;
		size_t n = 99;
		int rc, failed;

		failalloc_at(nth);
		rc = live_haproxy_parse_stat(text, len, &s, &n, err, sizeof(err));
		failed = failalloc_failed();
		failalloc_at(0);
		if (!failed) {
			T_ASSERT_EQ_INT(rc, 0);
			T_ASSERT_EQ_INT(n, 2);
			free(s);
			CU_ASSERT_TRUE(nth > 1);
			break;
		}
		T_ASSERT_EQ_INT(rc, -1);
		CU_ASSERT_PTR_NULL(s);
		T_ASSERT_EQ_INT(n, 0);
		T_ASSERT_STR_EQ(err, "out of memory");
	}
	free(text);
}

int t_suite_haproxy_stat(void)
{
	static const struct t_case cases[] = {
		{ "parse_fixture", test_parse_fixture },
		{ "find", test_find },
		{ "window", test_window },
		{ "window_edges", test_window_edges },
		{ "other_order_quotes_crlf", test_other_order_quotes_crlf },
		{ "fixture_crlf", test_fixture_crlf },
		{ "skips_non_servers", test_skips_non_servers },
		{ "errors", test_errors },
		{ "long_status", test_long_status },
		{ "alloc_fail", test_alloc_fail },
		{ NULL, NULL },
	};

	return t_add_suite("haproxy_stat", cases);
}
