/* The command-line program: argument parsing and wiring only. Exit codes
 * are part of the interface (README.md, "Exit codes"). */
#ifndef CLI_CLI_H
#define CLI_CLI_H

enum cli_exit {
	CLI_EXIT_OK = 0,          /* the command completed, whatever the outcome */
	CLI_EXIT_FAILURE = 1,     /* reserved: a check the user asked for failed */
	CLI_EXIT_USAGE = 2,       /* bad input or usage */
	CLI_EXIT_RUNTIME = 3      /* a runtime failure (memory, disk) */
};

/* The built-in default scenario and the file it was compiled from. */
extern const char scn_default_json[];
extern const char scn_default_path[];

int cli_run(int argc, char **argv);
void cli_run_usage(void);

#endif
