/* The event loop: epoll, level-triggered, one callback per descriptor. */
#ifndef XSD_LOOP_H
#define XSD_LOOP_H

#include <stdint.h>

struct loop;

struct loop_fd {
	int fd;
	uint32_t events; /* current EPOLL* interest */
	void (*cb)(struct loop_fd *lf, uint32_t events);
};

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* Return 0 or -errno. */
int loop_add(struct loop *l, struct loop_fd *lf, uint32_t events);
int loop_mod(struct loop *l, struct loop_fd *lf, uint32_t events);
void loop_del(struct loop *l, struct loop_fd *lf);
/* Waits up to timeout_ms (-1: forever) and runs the callbacks. Returns events handled or -errno. */
int loop_wait(struct loop *l, int timeout_ms);

#endif /* XSD_LOOP_H */
