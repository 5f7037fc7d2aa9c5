/*
 * Where xl finds the programs it starts.
 */
#ifndef XL_PATHS_H
#define XL_PATHS_H

#include <stddef.h>

/*
 * The program name: $<env> if set, else <the directory of the xl binary>/
 * <name> (build/bin/xeno-monitor next to build/bin/xl). 0 or
 * -ENAMETOOLONG, or -errno of reading /proc/self/exe.
 */
int xl_helper_path(const char *env, const char *name, char *buf, size_t len);

/*
 * A hotplug script's path, as libxl makes it absolute: a relative name is
 * taken in the script directory, $XENO_SCRIPT_DIR, else the source tree's
 * scripts/ (../../scripts from build/bin/xl). 0 or -errno.
 */
int xl_script_path(const char *script, char *buf, size_t len);


#endif /* XL_PATHS_H */
