/* The Unix-socket transport: the listening socket and host clients (all privileged). */
#ifndef XSD_SOCKET_H
#define XSD_SOCKET_H

struct xsd;

/*
 * Creates, binds and listens on path (a stale socket there is replaced: the
 * caller holds the daemon lock). Returns the descriptor or -errno.
 */
int socket_listen(const char *path);

/* Serves clients of the listening socket fd through x's loop. Returns 0 or -errno. */
int socket_serve(struct xsd *x, int fd);
void socket_stop(struct xsd *x);

/* Makes a host client connection of an already connected descriptor. Returns 0 or -errno. */
int socket_conn_new(struct xsd *x, int fd);

#endif /* XSD_SOCKET_H */
