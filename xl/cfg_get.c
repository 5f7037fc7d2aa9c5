/*
 * Reading settings out of a parsed xl.cfg, with Xen's warnings when a value
 * has the wrong shape (the caller then treats the key as unset, as Xen's
 * xl does).
 */
#include "cfg_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct cfg *cfg_new(FILE *report, const char *source)
{
	struct cfg *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	cfg->report = report;
	cfg->source = strdup(source);
	if (!cfg->source) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

void cfg_free(struct cfg *cfg)
{
	struct cfg_setting *s, *next;

	if (!cfg)
		return;
	for (s = cfg->settings; s; s = next) {
		next = s->next;
		free(s->name);
		cfg_value_free(s->value);
		free(s);
	}
	free(cfg->source);
	free(cfg);
}

static const struct cfg_setting *find(const struct cfg *cfg, const char *key)
{
	for (const struct cfg_setting *s = cfg->settings; s; s = s->next)
		if (!strcmp(s->name, key))
			return s;
	return NULL;
}

static int find_atom(const struct cfg *cfg, const char *key, const struct cfg_setting **out,
		     bool quiet)
{
	const struct cfg_setting *s = find(cfg, key);

	if (!s)
		return -ESRCH;
	if (s->value->type != CFG_STRING) {
		if (!quiet)
			fprintf(cfg->report,
				"%s:%d: warning: parameter `%s' is a list but should be a single "
				"value\n",
				cfg->source, s->line, key);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

int cfg_get_string(const struct cfg *cfg, const char *key, const char **out, bool quiet)
{
	const struct cfg_setting *s;
	int rc = find_atom(cfg, key, &s, quiet);

	if (!rc)
		*out = s->value->string;
	return rc;
}

int cfg_get_bounded_long(const struct cfg *cfg, const char *key, long min, long max, long *out,
			 bool quiet)
{
	const struct cfg_setting *s;
	const char *str;
	char *end;
	long v;
	int rc = find_atom(cfg, key, &s, quiet);

	if (rc)
		return rc;
	str = s->value->string;
	if (s->append) {
		if (!quiet)
			fprintf(cfg->report,
				"%s:%d: warning: can't use += with numbers for parameter `%s'\n",
				cfg->source, s->line, key);
		return -EINVAL;
	}
	errno = 0;
	v = strtol(str, &end, 0);
	if (errno) {
		rc = errno;
		if (!quiet)
			fprintf(
			    cfg->report,
			    "%s:%d: warning: parameter `%s' could not be parsed as a number: %s\n",
			    cfg->source, s->line, key, strerror(rc));
		return -rc;
	}
	if (*end || end == str) {
		if (!quiet)
			fprintf(cfg->report,
				"%s:%d: warning: parameter `%s' is not a valid number\n",
				cfg->source, s->line, key);
		return -EINVAL;
	}
	if (v < min || v > max) {
		if (!quiet)
			fprintf(cfg->report,
				"%s:%d: warning: value `%ld' is %s than %s bound '%ld'\n",
				cfg->source, s->line, v, v < min ? "smaller" : "greater",
				v < min ? "minimum" : "maximum", v < min ? min : max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int cfg_get_long(const struct cfg *cfg, const char *key, long *out, bool quiet)
{
	return cfg_get_bounded_long(cfg, key, LONG_MIN, LONG_MAX, out, quiet);
}

int cfg_get_list(const struct cfg *cfg, const char *key, const struct cfg_value **out, bool quiet)
{
	const struct cfg_setting *s = find(cfg, key);

	if (!s)
		return -ESRCH;
	if (s->value->type != CFG_LIST) {
		if (!quiet)
			fprintf(cfg->report,
				"%s:%d: warning: parameter `%s' is a single value but should be a "
				"list\n",
				cfg->source, s->line, key);
		return -EINVAL;
	}
	*out = s->value;
	return 0;
}

const char *cfg_list_string(const struct cfg_value *list, int i)
{
	if (list->type != CFG_LIST || i < 0 || i >= list->nitems ||
	    list->items[i]->type != CFG_STRING)
		return NULL;
	return list->items[i]->string;
}
