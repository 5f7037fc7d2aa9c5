/*
 * Making sure xenstored runs before a domain is created.
 */
#ifndef XL_XENSTORED_H
#define XL_XENSTORED_H

/*
 * If no xenstored answers on $XENSTORED_PATH (or Xen's default socket),
 * start $XENO_XENSTORED, else the xenstored next to xl, which detaches
 * itself. Nothing happens when no such binary exists. 0, or -errno after a
 * warning (the caller carries on: the monitor reports what it misses).
 */
int xenstored_ensure(void);

#endif /* XL_XENSTORED_H */
