#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "live/http.h"

int live_http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void live_http_cleanup(void)
{
	curl_global_cleanup();
}

struct sink {
	char *buf;
	size_t len, cap;
	bool too_long, oom;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (s->len + n > LIVE_HTTP_MAX_BODY) {
		s->too_long = true;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = 2 * (s->len + n + 1);
		char *grown = realloc(s->buf, cap);

		if (grown == NULL) {
			s->oom = true;
			return 0;
		}
		s->buf = grown;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

/* A handle with the options every call shares. */
static CURL *handle(const char *url, int64_t timeout_ns, struct sink *s, char *errbuf)
{
	CURL *c = curl_easy_init();
	long ms = (long)(timeout_ns / 1000000);

	if (c == NULL)
		return NULL;
	if (ms < 1)
		ms = 1;
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rollsim-live");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	return c;
}

/* Performs c; 0 with *status, or -1 with err. */
static int perform(CURL *c, const char *url, struct sink *s, char *errbuf,
		   long *status, char *err, size_t errlen)
{
	CURLcode rc = curl_easy_perform(c);

	if (s->too_long) {
		snprintf(err, errlen, "%s: answer longer than %u bytes", url, LIVE_HTTP_MAX_BODY);
		return -1;
	}
	if (s->oom) {
		snprintf(err, errlen, "%s: out of memory", url);
		return -1;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

int live_http_get(const char *url, int64_t timeout_ns, struct live_http_reply *out,
		  char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE];
	struct sink s = { 0 };
	CURL *c = handle(url, timeout_ns, &s, errbuf);
	int rc;

	memset(out, 0, sizeof(*out));
	if (c == NULL) {
		snprintf(err, errlen, "%s: out of memory", url);
		return -1;
	}
	rc = perform(c, url, &s, errbuf, &out->status, err, errlen);
	curl_easy_cleanup(c);
	if (rc != 0) {
		free(s.buf);
		return -1;
	}
	if (s.buf == NULL) {
		s.buf = calloc(1, 1);
		if (s.buf == NULL) {
			snprintf(err, errlen, "%s: out of memory", url);
			return -1;
		}
	}
	out->body = s.buf;
	out->len = s.len;
	return 0;
}

int live_http_post_json(const char *url, const char *json, int64_t timeout_ns,
			long *status, char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE];
	struct sink s = { 0 };
	CURL *c = handle(url, timeout_ns, &s, errbuf);
	struct curl_slist *hdr = NULL, *h2;
	int rc;

	if (c == NULL) {
		snprintf(err, errlen, "%s: out of memory", url);
		return -1;
	}
	h2 = curl_slist_append(hdr, "Content-Type: application/json");
	if (h2 == NULL) {
		curl_easy_cleanup(c);
		snprintf(err, errlen, "%s: out of memory", url);
		return -1;
	}
	hdr = h2;
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	rc = perform(c, url, &s, errbuf, status, err, errlen);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	free(s.buf);
	return rc;
}

char *live_http_query_url(const char *base, const char *query)
{
	char *q = curl_easy_escape(NULL, query, 0);
	size_t n;
	char *url;

	if (q == NULL)
		return NULL;
	n = strlen(base) + strlen(q) + sizeof("/api/v1/query?query=");
	url = malloc(n);
	if (url != NULL) {
		size_t blen = strlen(base);

		while (blen > 0 && base[blen - 1] == '/')
			blen--;
		snprintf(url, n, "%.*s/api/v1/query?query=%s", (int)blen, base, q);
	}
	curl_free(q);
	return url;
}
