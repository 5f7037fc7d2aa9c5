/* The monitor's event loop over epoll. */
#include "eventloop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct ev_watch {
	int fd;
	ev_handler *h;
	void *arg;
	struct ev_watch *next;
};

static int epfd = -1;
static int stop_fd = -1;
static volatile int stopping;
static struct ev_watch *watches;

int ev_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -1;
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (stop_fd < 0)
		return -1;
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, stop_fd, &e);
}

int ev_add(int fd, uint32_t events, ev_handler *h, void *arg)
{
	struct ev_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	w->fd = fd;
	w->h = h;
	w->arg = arg;
	struct epoll_event e = { .events = events, .data.ptr = w };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
		free(w);
		return -1;
	}
	w->next = watches;
	watches = w;
	return 0;
}

static struct ev_watch *find(int fd)
{
	for (struct ev_watch *w = watches; w; w = w->next)
		if (w->fd == fd)
			return w;
	return NULL;
}

int ev_mod(int fd, uint32_t events)
{
	struct ev_watch *w = find(fd);

	if (!w) {
		errno = ENOENT;
		return -1;
	}
	struct epoll_event e = { .events = events, .data.ptr = w };
	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &e);
}

/* The watch is unlinked but freed only after the current batch, since a
 * handler may remove another fd whose event is still queued. */
static struct ev_watch *dead;

int ev_del(int fd)
{
	for (struct ev_watch **p = &watches; *p; p = &(*p)->next) {
		if ((*p)->fd == fd) {
			struct ev_watch *w = *p;
			*p = w->next;
			epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
			w->h = NULL;
			w->next = dead;
			dead = w;
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

int ev_run(void)
{
	struct epoll_event evs[32];

	while (!stopping) {
		int n = epoll_wait(epfd, evs, 32, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n && !stopping; i++) {
			struct ev_watch *w = evs[i].data.ptr;
			if (w && w->h)
				w->h(w->arg, evs[i].events);
		}
		while (dead) {
			struct ev_watch *w = dead;
			dead = w->next;
			free(w);
		}
	}
	return 0;
}

void ev_stop(void)
{
	uint64_t one = 1;

	stopping = 1;
	if (stop_fd >= 0 && write(stop_fd, &one, sizeof(one)) < 0) {
		/* the flag alone stops the loop at its next wake-up */
	}
}
