/* live/prom_query: hand-written instant-query responses in the shapes of the
 * Prometheus HTTP API documentation (vector, scalar, NaN and +Inf as
 * strings, status error, warnings), and bad ones with their exact messages. */
#include <math.h>
#include <string.h>

#include "live/prom_query.h"
#include "tools/failalloc/failalloc.h"
#include "tests/unit/helpers.h"

static struct live_prom_value v;

static int parse(const char *text)
{
	memset(&v, 0x55, sizeof(v)); /* nothing left from before counts */
	return live_prom_parse_instant(text, strlen(text), &v);
}

#define VEC1(val) \
	"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" \
	"{\"metric\":{\"job\":\"api\",\"version\":\"canary\"}," \
	"\"value\":[1700000000.5," val "]}]}}"

static void test_vector_of_one(void)
{
	T_ASSERT_EQ_INT(parse(VEC1("\"0.05\"")), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_VALUE);
	T_ASSERT_NEAR(v.value, 0.05, 0.0);       /* strtod of "0.05", exact */
	T_ASSERT_NEAR(v.t_s, 1700000000.5, 0.0); /* .5 is exact in a double */
	T_ASSERT_STR_EQ(v.error, "");
}

static void test_scalar(void)
{
	T_ASSERT_EQ_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
			      "\"result\":[1435781451.781,\"-3.25e2\"]}}"), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_VALUE);
	T_ASSERT_NEAR(v.value, -325.0, 0.0);
	T_ASSERT_NEAR(v.t_s, 1435781451.781, 1e-6);
}

static void test_empty_vector(void)
{
	T_ASSERT_EQ_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_NO_DATA);
	CU_ASSERT_TRUE(isnan(v.value));
	CU_ASSERT_TRUE(isnan(v.t_s));
	T_ASSERT_STR_EQ(v.error, "");
}

static void test_nan(void)
{
	T_ASSERT_EQ_INT(parse(VEC1("\"NaN\"")), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_NAN);
	CU_ASSERT_TRUE(isnan(v.value));
	T_ASSERT_NEAR(v.t_s, 1700000000.5, 0.0);
}

static void test_inf(void)
{
	T_ASSERT_EQ_INT(parse(VEC1("\"+Inf\"")), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_VALUE);
	CU_ASSERT_TRUE(isinf(v.value) && v.value > 0);
	T_ASSERT_EQ_INT(parse(VEC1("\"-Inf\"")), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_VALUE);
	CU_ASSERT_TRUE(isinf(v.value) && v.value < 0);
}

static void test_several_series(void)
{
	T_ASSERT_EQ_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
			      "{\"metric\":{\"i\":\"a\"},\"value\":[1,\"1\"]},"
			      "{\"metric\":{\"i\":\"b\"},\"value\":[1,\"2\"]},"
			      "{\"metric\":{\"i\":\"c\"},\"value\":[1,\"3\"]}]}}"), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_ERROR);
	T_ASSERT_STR_EQ(v.error, "data.result: 3 series; expected one: aggregate the query, e.g. sum(...)");
	CU_ASSERT_TRUE(isnan(v.value));
}

static void test_status_error(void)
{
	T_ASSERT_EQ_INT(parse("{\"status\":\"error\",\"errorType\":\"bad_data\","
			      "\"error\":\"invalid parameter \\\"query\\\": 1:5: parse error: unexpected \\\")\\\"\"}"), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_ERROR);
	T_ASSERT_STR_EQ(v.error, "bad_data: invalid parameter \"query\": 1:5: parse error: unexpected \")\"");
	T_ASSERT_EQ_INT(parse("{\"status\":\"error\"}"), 0);
	T_ASSERT_STR_EQ(v.error, "error: no error given");
}

static void test_malformed_json(void)
{
	T_ASSERT_EQ_INT(parse("{\"status\":\"success\",\n \"data\": x}"), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_ERROR);
	/* line 2, column 10 is the 'x' */
	T_ASSERT_STR_EQ(v.error, "not JSON: response:2:10: invalid JSON near 'x}'; expected a JSON value, ',' or a closing bracket");
	T_ASSERT_EQ_INT(parse("{\"status\":"), 0);
	T_ASSERT_STR_EQ(v.error, "not JSON: response:1:11: invalid JSON: the text ends too early; expected a complete JSON object");
	T_ASSERT_EQ_INT(parse(""), 0);
	T_ASSERT_CONTAINS(v.error, "not JSON: response:1:1:");
	T_ASSERT_EQ_INT(parse("<html>502 Bad Gateway</html>"), 0);
	T_ASSERT_CONTAINS(v.error, "not JSON: response:1:1: invalid JSON near '<html>");
}

static void test_value_as_number(void)
{
	T_ASSERT_EQ_INT(parse(VEC1("0.05")), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_ERROR);
	T_ASSERT_STR_EQ(v.error, "data.result[0].value[1]: found a number, expected a string");
}

static void test_matrix(void)
{
	T_ASSERT_EQ_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
			      "{\"metric\":{},\"values\":[[1,\"1\"],[2,\"2\"]]}]}}"), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_ERROR);
	T_ASSERT_CONTAINS(v.error, "data.resultType: \"matrix\"; expected a vector or a scalar");
	T_ASSERT_EQ_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"x\"]}}"), 0);
	T_ASSERT_CONTAINS(v.error, "data.resultType: \"string\"; expected a vector or a scalar");
}

static void test_warnings(void)
{
	T_ASSERT_EQ_INT(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
			      "{\"metric\":{},\"value\":[1700000000,\"12\"]}]},"
			      "\"warnings\":[\"PromQL info: metric might not be a counter\"]}"), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_VALUE);
	T_ASSERT_NEAR(v.value, 12.0, 0.0);
	T_ASSERT_NEAR(v.t_s, 1700000000.0, 0.0);
}

/* Missing or mistyped fields name their path. */
static void test_shape_errors(void)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "[]", "(top level): found an array, expected a Prometheus response object" },
		{ "{}", "status: missing; expected \"success\" or \"error\"" },
		{ "{\"status\":1}", "status: found a number, expected \"success\" or \"error\"" },
		{ "{\"status\":\"ok\"}", "status: \"ok\"; expected \"success\" or \"error\"" },
		{ "{\"status\":\"success\"}", "data: missing; expected an object" },
		{ "{\"status\":\"success\",\"data\":[]}", "data: found an array, expected an object" },
		{ "{\"status\":\"success\",\"data\":{}}",
		  "data.resultType: missing; expected \"vector\" or \"scalar\"" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\"}}",
		  "data.result: missing; expected an array" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}",
		  "data.result: found an object, expected an array" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[7]}}",
		  "data.result[0]: found a number, expected a series object" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{}}]}}",
		  "data.result[0].value: missing; expected a sample [time, \"value\"]" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"value\":[1]}]}}",
		  "data.result[0].value: found an array of another length, expected a sample [time, \"value\"]" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[\"1\",\"2\"]}}",
		  "data.result[0]: found a string, expected a number (unix s)" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"fast\"]}}",
		  "data.result[1]: \"fast\" is not a number; expected a number, \"NaN\", \"+Inf\" or \"-Inf\"" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"\"]}}",
		  "data.result[1]: \"\" is not a number; expected a number, \"NaN\", \"+Inf\" or \"-Inf\"" },
		{ "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1e300,\"1\"]}}",
		  "data.result[0]: 1e+300 is not a time; expected unix s" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		T_ASSERT_EQ_INT(parse(cases[i].text), 0);
		T_ASSERT_EQ_INT(v.kind, LIVE_PROM_ERROR);
		T_ASSERT_STR_EQ(v.error, cases[i].error);
		CU_ASSERT_TRUE(isnan(v.value) && isnan(v.t_s));
	}
}

/* The text need not be NUL-ended: only len bytes are read. */
static void test_length_bound(void)
{
	const char *text = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[5,\"2\"]}}garbage";

	T_ASSERT_EQ_INT(live_prom_parse_instant(text, strlen(text) - strlen("garbage"), &v), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_VALUE);
	T_ASSERT_NEAR(v.value, 2.0, 0.0);
	/* the object is 68 bytes: the garbage starts at column 69 */
	T_ASSERT_EQ_INT(live_prom_parse_instant(text, strlen(text), &v), 0);
	T_ASSERT_EQ_INT(v.kind, LIVE_PROM_ERROR);
	T_ASSERT_CONTAINS(v.error, "not JSON: response:1:69: invalid JSON near 'garbage'");
}

/* Fail the Nth allocation of our own code (cJSON's are not wrapped), N = 1,
 * 2, ... until none fails: each time -1 and "out of memory", or the full
 * message. Only the message for bad JSON allocates. */
static void test_alloc_fail(void)
{
	for (size_t nth = 1; nth < 100; nth++) {
		int rc, failed;

		failalloc_at(nth);
		rc = parse("{oops");
		failed = failalloc_failed();
		failalloc_at(0);
		if (!failed) {
			T_ASSERT_EQ_INT(rc, 0);
			/* cJSON stops at the second byte of the unquoted key */
			T_ASSERT_CONTAINS(v.error, "not JSON: response:1:3: invalid JSON near 'ops'");
			CU_ASSERT_TRUE(nth > 1);
			break;
		}
		T_ASSERT_EQ_INT(rc, -1);
		T_ASSERT_EQ_INT(v.kind, LIVE_PROM_ERROR);
		T_ASSERT_STR_EQ(v.error, "out of memory");
	}
}

int t_suite_prom_query(void)
{
	static const struct t_case cases[] = {
		{ "vector_of_one", test_vector_of_one },
		{ "scalar", test_scalar },
		{ "empty_vector", test_empty_vector },
		{ "nan", test_nan },
		{ "inf", test_inf },
		{ "several_series", test_several_series },
		{ "status_error", test_status_error },
		{ "malformed_json", test_malformed_json },
		{ "value_as_number", test_value_as_number },
		{ "matrix", test_matrix },
		{ "warnings", test_warnings },
		{ "shape_errors", test_shape_errors },
		{ "length_bound", test_length_bound },
		{ "alloc_fail", test_alloc_fail },
		{ NULL, NULL },
	};

	return t_add_suite("prom_query", cases);
}
