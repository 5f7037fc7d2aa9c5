/*
 * Exit statuses of xeno-monitor that its parent (`xl create -F`) tells
 * apart; 0 is a domain that ended by poweroff, reboot or destroy.
 */
#ifndef XENO_MONITOR_EXIT_H
#define XENO_MONITOR_EXIT_H

#define MONITOR_EXIT_FAILED 1	/* could not build or serve the domain */
#define MONITOR_EXIT_CRASHED 2	/* the domain crashed or its watchdog fired */

#endif /* XENO_MONITOR_EXIT_H */
