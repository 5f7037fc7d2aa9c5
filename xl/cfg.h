/*
 * xl.cfg files, read the way Xen's xl reads them (its libxlu grammar):
 *
 *   key = value        key is [a-z][._0-9a-z]*
 *   key += value       appends to the previous value of key (string or list)
 *   value: "string" | 'string' | number | [ value, value, ... ]
 *   # comments, statements end at a newline or ';'
 *
 * Numbers stay strings until a getter converts them (strtol base 0).
 * Diagnostics go to the report stream in Xen's words and format
 * ("<source>:<line>: config parsing error near `x': ..."), so that a user
 * sees what Xen's xl would have said.
 */
#ifndef XL_CFG_H
#define XL_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cfg_type { CFG_STRING, CFG_LIST };

struct cfg_value {
	enum cfg_type type;
	int line;
	char *string;		  /* CFG_STRING */
	struct cfg_value **items; /* CFG_LIST */
	int nitems, capacity;
};

struct cfg_setting {
	struct cfg_setting *next; /* older settings */
	char *name;
	struct cfg_value *value;
	bool append; /* written with += */
	int line;
};

struct cfg {
	struct cfg_setting *settings; /* newest first: the last one wins */
	FILE *report;
	char *source; /* the name diagnostics use */
};

/* NULL when out of memory. report must outlive the cfg. */
struct cfg *cfg_new(FILE *report, const char *source);
void cfg_free(struct cfg *cfg);

/* Parse len bytes of data and add its settings. 0, or -EINVAL after a
 * reported syntax or lexical error (nothing of data may then be used),
 * or -ENOMEM. */
int cfg_parse(struct cfg *cfg, const char *data, size_t len);

/*
 * Getters. 0: found; -ESRCH: not set; -EINVAL: set, but of the wrong kind
 * (a warning is reported unless quiet); -ERANGE: a number out of range.
 */
int cfg_get_string(const struct cfg *cfg, const char *key, const char **out, bool quiet);
int cfg_get_long(const struct cfg *cfg, const char *key, long *out, bool quiet);
int cfg_get_bounded_long(const struct cfg *cfg, const char *key, long min, long max, long *out,
			 bool quiet);
int cfg_get_list(const struct cfg *cfg, const char *key, const struct cfg_value **out, bool quiet);
/* Item i of a list if it is a string, else NULL. */
const char *cfg_list_string(const struct cfg_value *list, int i);

#endif /* XL_CFG_H */
