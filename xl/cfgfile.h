/*
 * Reading a domain's configuration the way `xl create` does: the file
 * (or nothing, for /dev/null), then the key=value overrides of the command
 * line appended as more lines, all parsed under the file's name.
 */
#ifndef XL_CFGFILE_H
#define XL_CFGFILE_H

#include <stdio.h>

#include "domcfg.h"

/* overrides: NULL, or newline-terminated lines. Diagnostics go to report.
 * 0, -EINVAL (reported), -errno of reading (reported), -ENOMEM. dc must
 * be freed with domcfg_free() either way. */
int cfgfile_load(const char *path, const char *overrides, FILE *report, struct domain_config *dc);

#endif /* XL_CFGFILE_H */
