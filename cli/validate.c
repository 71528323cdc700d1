/* rollsim validate: scenarios, mixes and live configurations checked
 * against the format, every problem of every file listed at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "scenario/scenario.h"
#include "scenario/study.h"

void cli_validate_usage(void)
{
	printf("usage: rollsim validate FILE... [--quiet]\n"
	       "\n"
	       "Check scenario files, mix files (an object with \"scenarios\") and live\n"
	       "configurations (a scenario with a \"live\" block) against the format\n"
	       "(docs/scenario-format.md, docs/studies.md, docs/live.md) without running\n"
	       "anything. Every problem of every file is listed, one line each: the file\n"
	       "and line:column for JSON syntax, the file and JSON path otherwise, what was\n"
	       "found and what was expected, with the key meant for a misspelt one.\n"
	       "\n"
	       "options:\n"
	       "  --quiet      print only the problems\n"
	       "  -h, --help   show this help\n"
	       "\n"
	       "exit codes: 0 every file is valid, 2 a file is not (or usage), 3 out of\n"
	       "memory.\n");
}

enum kind { KIND_SCENARIO, KIND_MIX, KIND_LIVE };

/* What the file holds, by its top-level keys, into *k; a file that is
 * not a JSON object is read as a scenario, whose loader says what is
 * wrong. -1 when out of memory. */
static int kind_of(const char *path, enum kind *k)
{
	struct scn_diag quiet;
	char *text = NULL;
	size_t len = 0;
	enum scn_status st;
	cJSON *root;

	*k = KIND_SCENARIO;
	scn_diag_init(&quiet);
	st = scn_read_file(path, 16u << 20, "a scenario, mix or live configuration", &quiet, &text,
			   &len);
	if (st == SCN_OK) {
		root = cJSON_ParseWithLength(text, len);
		if (cJSON_IsObject(root) && cJSON_HasObjectItem(root, "scenarios"))
			*k = KIND_MIX;
		else if (cJSON_IsObject(root) && cJSON_HasObjectItem(root, "live"))
			*k = KIND_LIVE;
		cJSON_Delete(root);
	}
	free(text);
	scn_diag_free(&quiet);
	return st == SCN_ENOMEM ? -1 : 0;
}

/* Checks one file; 0 valid, else the exit code. */
static int validate(const char *path, bool quiet)
{
	static const struct scn_load_opts live = { .world_optional = true, .live = true };
	enum kind k;
	struct scn_diag diag;
	enum scn_status st;
	char what[96];

	if (kind_of(path, &k) != 0) {
		fprintf(stderr, "rollsim validate: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	scn_diag_init(&diag);
	if (k == KIND_MIX) {
		struct scn_study *study = NULL;

		st = scn_study_load(path, NULL, 0, path, &diag, &study);
		if (st == SCN_OK)
			snprintf(what, sizeof(what), "a mix of %zu scenarios", study->n);
		scn_study_free(study);
	} else {
		struct scn_scenario *sc = NULL;

		st = k == KIND_LIVE ? scn_load_file_opts(path, &live, &diag, &sc)
				    : scn_load_file(path, &diag, &sc);
		if (st == SCN_OK)
			snprintf(what, sizeof(what), "%s \"%s\"",
				 k == KIND_LIVE ? "a live configuration" : "a scenario", sc->name);
		scn_free(sc);
	}
	cli_print_diag(&diag);
	scn_diag_free(&diag);
	if (st == SCN_ENOMEM) {
		fprintf(stderr, "rollsim validate: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	if (st != SCN_OK)
		return CLI_EXIT_USAGE;
	if (!quiet)
		printf("%s: valid: %s\n", path, what);
	return 0;
}

int cli_validate(int argc, char **argv)
{
	bool quiet = false;
	int rc = CLI_EXIT_OK, nfiles = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			cli_validate_usage();
			return CLI_EXIT_OK;
		}
		if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
			quiet = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error("validate", "unknown option '%s'", argv[i]);
		else
			nfiles++;
	}
	if (nfiles == 0)
		return cli_usage_error("validate", "no FILE%s; expected scenario, mix or live configuration files", "");
	for (int i = 1; i < argc; i++) {
		int r;

		if (argv[i][0] == '-' && argv[i][1] != '\0')
			continue;
		r = validate(argv[i], quiet);
		if (r == CLI_EXIT_RUNTIME || (r != 0 && rc == CLI_EXIT_OK))
			rc = r;
	}
	return rc;
}
