/*
 * The monitor's event loop: one thread waits on every fd that is not a vCPU
 * (control socket, console clients, timers, xenstore and backend eventfds).
 * Handlers run on the loop thread; they must not block.
 */
#ifndef MONITOR_EVENTLOOP_H
#define MONITOR_EVENTLOOP_H

#include <stdint.h>
#include <sys/epoll.h>

typedef void ev_handler(void *arg, uint32_t events);

int ev_init(void);
/* Watch fd for events (EPOLLIN, EPOLLOUT ...); 0 or -1 with errno. */
int ev_add(int fd, uint32_t events, ev_handler *h, void *arg);
int ev_mod(int fd, uint32_t events);
int ev_del(int fd);
/* Run until ev_stop(); returns 0. Safe to call ev_stop from any thread. */
int ev_run(void);
void ev_stop(void);

#endif /* MONITOR_EVENTLOOP_H */
