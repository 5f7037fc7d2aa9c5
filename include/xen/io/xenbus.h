/* The xenbus state machine of split drivers (the "state" node of each end). */
#ifndef XEN_IO_XENBUS_H
#define XEN_IO_XENBUS_H

enum xenbus_state {
	XenbusStateUnknown = 0,
	XenbusStateInitialising = 1,
	XenbusStateInitWait = 2, /* backend: waiting for frontend details */
	XenbusStateInitialised = 3, /* frontend: details published */
	XenbusStateConnected = 4,
	XenbusStateClosing = 5,
	XenbusStateClosed = 6,
	XenbusStateReconfiguring = 7,
	XenbusStateReconfigured = 8,
};
typedef enum xenbus_state XenbusState;

#endif /* XEN_IO_XENBUS_H */
