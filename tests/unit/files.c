/* File helpers shared by the suites that check written files. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/helpers.h"

char *t_slurp(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

bool t_temp_dir(char *buf)
{
	snprintf(buf, 64, "/tmp/rollsim-test-XXXXXX");
	return mkdtemp(buf) != NULL;
}

void t_remove_tree(const char *path)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d != NULL && (e = readdir(d)) != NULL) {
		char sub[4096];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		t_remove_tree(sub);
	}
	if (d != NULL)
		closedir(d);
	rmdir(path);
}

size_t t_stray_files(const char *dir, const char *const *names, const char *extra, size_t *total)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t stray = 0;

	*total = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		bool known = extra != NULL && strcmp(e->d_name, extra) == 0;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		++*total;
		for (size_t i = 0; names[i] != NULL && !known; i++) {
			char svg[96], png[96];

			snprintf(svg, sizeof(svg), "%s.svg", names[i]);
			snprintf(png, sizeof(png), "%s.png", names[i]);
			known = strcmp(e->d_name, svg) == 0 || strcmp(e->d_name, png) == 0;
		}
		if (!known) {
			fprintf(stderr, "\n  stray file %s/%s", dir, e->d_name);
			stray++;
		}
	}
	if (d != NULL)
		closedir(d);
	return stray;
}

size_t t_count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

size_t t_opened(const char *hay, const char *name)
{
	char open[32];
	size_t n = 0, len;

	snprintf(open, sizeof(open), "<%s", name);
	len = strlen(open);
	for (const char *p = strstr(hay, open); p != NULL; p = strstr(p + 1, open))
		if (p[len] == '>' || p[len] == ' ' || p[len] == '/' || p[len] == '\n')
			n++;
	return n;
}

void t_assert_page_balanced(const char *html)
{
	static const char *const tags[] = {
		"html", "head", "title", "style", "body", "h1", "h2", "p", "var", "div", "table",
		"caption", "thead", "tbody", "tr", "th", "td", "span", "code", "figure",
		"figcaption", "ul", "li", "strong", "svg", NULL,
	};

	for (size_t i = 0; tags[i] != NULL; i++) {
		char close[32];
		size_t o = t_opened(html, tags[i]), c;

		snprintf(close, sizeof(close), "</%s>", tags[i]);
		c = t_count_of(html, close);
		if (o != c)
			fprintf(stderr, "\n  <%s>: %zu opened, %zu closed", tags[i], o, c);
		CU_ASSERT(o == c);
	}
	/* the one void element, meta, self-closed */
	T_ASSERT_EQ_INT(t_count_of(html, "<meta "), 2);
	T_ASSERT_EQ_INT(t_count_of(html, "\"/>\n<meta") + t_count_of(html, "\"/>\n<title>"), 2);
}

void t_set_path(const char *dir, char **old)
{
	const char *p = getenv("PATH");

	*old = p ? strdup(p) : NULL;
	setenv("PATH", dir, 1);
}

void t_restore_path(char *old)
{
	if (old != NULL)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
}
