/* libFuzzer driver: the scenario loader (scn_load_text_opts) on untrusted
 * bytes. The first byte picks the load options (modulo 3: none, world
 * optional, world optional and live), the rest is the scenario, so the
 * seeds of corpus/fuzz_scenario/ are scenario files behind '0', '1' or '2'.
 * It checks only what scenario/scenario.h promises; abort() when a promise
 * breaks. `make fuzz` builds and runs it. */
#include <stdint.h>
#include <stdlib.h>

#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct scn_load_opts opts[] = {
		{ 0 },
		{ .world_optional = true },
		{ .world_optional = true, .live = true },
	};
	struct scn_diag diag;
	struct scn_scenario *s = (struct scn_scenario *)&diag; /* must become NULL or a scenario */
	enum scn_status st;

	if (size == 0)
		return 0;
	scn_diag_init(&diag);
	/* "fuzz.json": relative file names (samples, traces) start at the
	 * working directory. */
	st = scn_load_text_opts((const char *)data + 1, size - 1, "fuzz.json",
				&opts[data[0] % 3], &diag, &s);
	switch (st) {
	case SCN_OK:
		if (s == NULL || s == (struct scn_scenario *)&diag || !scn_diag_empty(&diag))
			abort();
		break;
	case SCN_EIO:
	case SCN_EINVAL:
		if (s != NULL || scn_diag_empty(&diag))
			abort();
		break;
	case SCN_ENOMEM:
		if (s != NULL)
			abort();
		break;
	default:
		abort();
	}
	scn_free(s);
	scn_diag_free(&diag);
	return 0;
}
