#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/file_out.h"

int rpt_make_dirs(const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];

		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		buf[i] = c;
	}
	struct stat st;

	if (stat(dir, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* Makes a rename in dir durable; best effort (some file systems refuse
 * fsync on a folder). */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int rpt_write_file(const char *dir, const char *name,
		   int (*fn)(FILE *f, const void *ctx), const void *ctx,
		   char *err, size_t errlen)
{
	char path[4096], tmp[4096];
	FILE *f;
	int fd, rc;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	errno = 0;
	/* close-on-exec, so that a gnuplot another thread starts meanwhile
	 * does not hold it open */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		if (fd >= 0) {
			int e = errno;

			close(fd);
			unlink(tmp);
			errno = e;
		}
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
		return -1;
	}
	rc = fn(f, ctx);
	/* on disk before the rename, so a crash leaves the old file or the
	 * whole new one */
	if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == 0) {
		sync_dir(dir);
		return 0;
	}
	snprintf(err, errlen, "%s: cannot write: %s", path,
		 errno ? strerror(errno) : "out of memory");
	unlink(tmp);
	return -1;
}

int rpt_write_path(const char *path, int (*fn)(FILE *f, const void *ctx), const void *ctx,
		   char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
	} else if ((size_t)(slash - path) >= sizeof(dir) || slash[1] == '\0') {
		snprintf(err, errlen, "%s: not a file path", path);
		return -1;
	} else {
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	}
	return rpt_write_file(dir, slash ? slash + 1 : path, fn, ctx, err, errlen);
}

int rpt_print_json(FILE *f, cJSON *o)
{
	char *text;
	int rc;

	if (o == NULL)
		return -1;
	text = cJSON_Print(o);
	cJSON_Delete(o);
	if (text == NULL)
		return -1;
	rc = fprintf(f, "%s\n", text) < 0 ? -1 : 0;
	cJSON_free(text);
	return rc;
}

bool rpt_json_add_number(cJSON *o, const char *key, double x)
{
	if (isnan(x))
		return cJSON_AddNullToObject(o, key) != NULL;
	return cJSON_AddNumberToObject(o, key, x) != NULL;
}

bool rpt_json_add_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cJSON_AddRawToObject(o, key, buf) != NULL;
}
