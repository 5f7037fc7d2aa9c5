/* HYPERVISOR_sched_op: yield, block, poll, shutdown. */
#ifndef XEN_SCHED_H
#define XEN_SCHED_H

#include <xen/abi.h>

#define SCHEDOP_yield 0
#define SCHEDOP_block 1 /* sleep until an event is pending; unmasks events */
#define SCHEDOP_shutdown 2 /* struct sched_shutdown */
#define SCHEDOP_poll 3 /* struct sched_poll */
#define SCHEDOP_remote_shutdown 4 /* struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code 5 /* struct sched_shutdown: record the reason only */
#define SCHEDOP_watchdog 6 /* struct sched_watchdog */
#define SCHEDOP_pin_override 7

#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX 5

#ifndef __ASSEMBLER__

struct sched_shutdown {
	uint32_t reason; /* SHUTDOWN_* */
};
XEN_CHECK_SIZE(struct sched_shutdown, 4);

/* Block until one of ports is pending or timeout (absolute ns, 0: none). */
struct sched_poll {
	uint64_t ports; /* guest VA of evtchn_port_t[nr_ports] */
	uint32_t nr_ports;
	uint64_t timeout;
};
XEN_CHECK_SIZE(struct sched_poll, 24);
XEN_CHECK_OFFSET(struct sched_poll, timeout, 16);

struct sched_remote_shutdown {
	domid_t domain_id;
	uint32_t reason;
};
XEN_CHECK_SIZE(struct sched_remote_shutdown, 8);

/* id 0 with a timeout creates a watchdog; its id is returned. */
struct sched_watchdog {
	uint32_t id;
	uint32_t timeout; /* seconds; 0 destroys the watchdog */
};
XEN_CHECK_SIZE(struct sched_watchdog, 8);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_SCHED_H */
