/*
 * Attaching the terminal to a domain's console.
 */
#ifndef XL_CONSOLE_H
#define XL_CONSOLE_H

/* Xen's default escape character, Ctrl-]. */
#define CONSOLE_ESCAPE_DEFAULT 0x1d

/*
 * Connect stdin/stdout to the console of guest domid until the domain's
 * console ends (0) or, on a terminal, the escape character is typed (0).
 * Like Xen's console client, it reads the terminal only when stdin and
 * stdout are both terminals (then in raw mode); unlike it, input from a
 * pipe or file is forwarded too, until it ends. Guest output keeps coming
 * after stdin ends. Failure to attach prints why and returns -errno; a
 * failure after that (stdout closed) returns 1.
 */
int console_attach(unsigned int domid, int escape);

/* The two halves of console_attach(): connect (fd, or -errno after saying
 * why), then run the loop on fd (closing it; 0, or 1 if stdout failed). */
int console_open(unsigned int domid);
int console_run(int fd, int escape);

#endif /* XL_CONSOLE_H */
