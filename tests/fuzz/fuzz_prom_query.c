/* libFuzzer driver: the Prometheus instant-query reader
 * (live_prom_parse_instant) on untrusted bytes. It checks only what
 * live/prom_query.h promises; abort() when a promise breaks. `make fuzz`
 * builds and runs it. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live/prom_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct live_prom_value v;
	int rc;
	bool has_error;

	memset(&v, 0x55, sizeof(v)); /* nothing left from before counts */
	rc = live_prom_parse_instant((const char *)data, size, &v);
	if (memchr(v.error, '\0', sizeof(v.error)) == NULL)
		abort();
	has_error = v.error[0] != '\0';
	if (rc == -1) {
		if (v.kind != LIVE_PROM_ERROR || strcmp(v.error, "out of memory") != 0)
			abort();
		return 0;
	}
	if (rc != 0)
		abort();
	switch (v.kind) {
	case LIVE_PROM_VALUE:
		/* finite or +-Inf, at the sample's time */
		if (isnan(v.value) || isnan(v.t_s) || has_error)
			abort();
		break;
	case LIVE_PROM_NAN:
		if (!isnan(v.value) || isnan(v.t_s) || has_error)
			abort();
		break;
	case LIVE_PROM_NO_DATA:
		if (!isnan(v.value) || !isnan(v.t_s) || has_error)
			abort();
		break;
	case LIVE_PROM_ERROR:
		if (!isnan(v.value) || !isnan(v.t_s) || !has_error)
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
