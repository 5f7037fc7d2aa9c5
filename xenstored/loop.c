#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#define LOOP_BATCH 64

struct loop {
	int epfd;
};

struct loop *loop_new(void)
{
	struct loop *l = malloc(sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

int loop_add(struct loop *l, struct loop_fd *lf, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = lf};

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, lf->fd, &ev) < 0)
		return -errno;
	lf->events = events;
	return 0;
}

int loop_mod(struct loop *l, struct loop_fd *lf, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = lf};

	if (lf->events == events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, lf->fd, &ev) < 0)
		return -errno;
	lf->events = events;
	return 0;
}

void loop_del(struct loop *l, struct loop_fd *lf)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, lf->fd, NULL);
}

int loop_wait(struct loop *l, int timeout_ms)
{
	struct epoll_event ev[LOOP_BATCH];
	int n = epoll_wait(l->epfd, ev, LOOP_BATCH, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct loop_fd *lf = ev[i].data.ptr;

		lf->cb(lf, ev[i].events);
	}
	return n;
}
