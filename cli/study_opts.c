/* The options rollsim mc, demo and sweep share, parsed one way. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "rollsim %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'rollsim %s --help'.\n", cmd);
	return CLI_EXIT_USAGE;
}

bool cli_option_value(const char *cmd, int argc, char **argv, int *i, const char *name,
		      const char **val, int *rc)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
		return false;
	if (arg[n] == '=')
		*val = arg + n + 1;
	else if (*i + 1 < argc)
		*val = argv[++*i];
	else
		*rc = cli_usage_error(cmd, "option '%s' needs a value", name);
	if (*rc < 0 && (*val)[0] == '\0')
		*rc = cli_usage_error(cmd, "option '%s' has an empty value", name);
	return true;
}

int cli_study_option(const char *cmd, int argc, char **argv, int *i, struct cli_study_opts *o)
{
	static const char *const opts[] = { "--runs", "--jobs", "-j", "--seed", "--out",
					    "--fidelity", NULL };
	const char *arg = argv[*i], *val, *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	int k = -1;

	if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
		o->quiet = true;
		return -1;
	}
	for (int j = 0; opts[j] != NULL; j++)
		if (strlen(opts[j]) == n && strncmp(arg, opts[j], n) == 0)
			k = j;
	if (k < 0)
		return -2;
	if (eq)
		val = eq + 1;
	else if (*i + 1 < argc)
		val = argv[++*i];
	else
		return cli_usage_error(cmd, "option '%s' needs a value", arg);
	switch (k) {
	case 0:
		if (!cli_parse_u64(val, &o->runs) || o->runs < 1 || o->runs > SCN_STUDY_MAX_RUNS)
			return cli_usage_error(cmd, "--runs: '%s' is not a whole number in 1..10000000", val);
		break;
	case 1:
	case 2:
		if (!cli_parse_u64(val, &o->threads) || o->threads < 1 || o->threads > 64)
			return cli_usage_error(cmd, "-j: '%s' is not a whole number in 1..64", val);
		break;
	case 3:
		if (!cli_parse_u64(val, &o->seed))
			return cli_usage_error(cmd, "--seed: '%s' is not a whole number in 0..18446744073709551615", val);
		break;
	case 4:
		if (val[0] == '\0')
			return cli_usage_error(cmd, "--out: %sthe directory name is empty", "");
		o->out_dir = val;
		break;
	default:
		if (strcmp(val, "request") == 0)
			o->fidelity = SCN_FIDELITY_REQUEST;
		else if (strcmp(val, "window") == 0)
			o->fidelity = SCN_FIDELITY_WINDOW;
		else
			return cli_usage_error(cmd, "--fidelity: '%s' is not known; expected request or window", val);
		break;
	}
	return -1;
}

int cli_study_input(const char *cmd, const char *arg, struct cli_study_opts *o)
{
	if (arg[0] == '-' && arg[1] != '\0')
		return cli_usage_error(cmd, "unknown option '%s'", arg);
	if (o->input != NULL)
		return cli_usage_error(cmd, "more than one scenario or mix given ('%s'); expected at most one",
				       arg);
	o->input = arg;
	return -1;
}

unsigned cli_study_threads(const struct cli_study_opts *o)
{
	long n;

	if (o->threads != 0)
		return (unsigned)o->threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}
