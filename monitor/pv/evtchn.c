/*
 * Event channels: the port state machine, 2-level delivery into shared_info
 * and vcpu_info, the host ends of channels, and HYPERVISOR_event_channel_op.
 *
 * The domains a guest can name are itself (DOMID_SELF or its own id) and
 * domain 0, which is the host; any other id is a domain that does not
 * exist (-ESRCH). Operations that Xen's XSM policy refuses to a domU on
 * another domain refuse domain 0 with -EPERM.
 */
#include "evtchn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xen/sched.h>

/* Xen's channel states (struct evtchn.state). */
enum { ECS_FREE, ECS_RESERVED, ECS_UNBOUND, ECS_INTERDOMAIN, ECS_PIRQ, ECS_VIRQ, ECS_IPI };

#define PORTS_PER_BUCKET 64
#define HOST_DOMID 0
/* A domU's nr_pirqs on Xen: the 24 GSIs of one IO-APIC + extra_domU_pirqs (32). */
#define NR_PIRQS 56
#define EVTCHNOP_reset_cont 14

enum virq_type { VIRQ_GLOBAL, VIRQ_DOMAIN, VIRQ_VCPU };

static enum virq_type virq_type(unsigned int virq)
{
	switch (virq) {
	case VIRQ_TIMER:
	case VIRQ_DEBUG:
	case VIRQ_XENOPROF:
	case VIRQ_XENPMU:
		return VIRQ_VCPU;
	case VIRQ_ARGO:
		return VIRQ_DOMAIN;
	default:
		return VIRQ_GLOBAL;	/* x86's arch VIRQs are global too */
	}
}

/* ---- bits in guest memory: the guest changes the same words concurrently ---- */

static bool bit_test(const xen_ulong_t *a, unsigned int bit)
{
	return (__atomic_load_n(&a[bit / 64], __ATOMIC_SEQ_CST) >> (bit % 64)) & 1;
}

static bool bit_test_and_set(xen_ulong_t *a, unsigned int bit)
{
	xen_ulong_t m = 1ULL << (bit % 64);

	return __atomic_fetch_or(&a[bit / 64], m, __ATOMIC_SEQ_CST) & m;
}

static bool bit_test_and_clear(xen_ulong_t *a, unsigned int bit)
{
	xen_ulong_t m = 1ULL << (bit % 64);

	return __atomic_fetch_and(&a[bit / 64], ~m, __ATOMIC_SEQ_CST) & m;
}

/* ---- port table ---------------------------------------------------------- */

static uint8_t port_state(const struct evtchn_port *c)
{
	return __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);
}

static void set_state(struct evtchn_port *c, uint8_t state)
{
	__atomic_store_n(&c->state, state, __ATOMIC_RELEASE);
}

static bool port_valid(const struct evtchn_state *es, evtchn_port_t port)
{
	return port < __atomic_load_n(&es->valid, __ATOMIC_ACQUIRE);
}

/* Xen's evtchn_usable(): bound to something the guest may use. */
static bool usable(const struct evtchn_port *c)
{
	return port_state(c) > ECS_RESERVED;
}

/* The lowest free port, growing the table a bucket at a time (Xen's get_free_port). */
static int get_free_port(struct domain *d, struct evtchn_state *es)
{
	if (d->dying)
		return -XEN_EINVAL;
	for (evtchn_port_t p = 0; p <= EVTCHN_MAX_PORT; p++) {
		if (p >= es->valid) {
			__atomic_store_n(&es->valid, p + PORTS_PER_BUCKET, __ATOMIC_RELEASE);
			return (int)p;
		}
		if (port_state(&es->port[p]) == ECS_FREE)
			return (int)p;
	}
	return -XEN_ENOSPC;
}

/* ---- 2-level delivery ------------------------------------------------------ */

void evtchn_mark_events_pending(struct vcpu *v)
{
	if (__atomic_exchange_n(&vcpu_info_of(v)->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
		return;
	vcpu_unblock(v);
	vcpu_kick(v);
}

static void set_pending(struct domain *d, unsigned int vcpu_id, evtchn_port_t port)
{
	struct shared_info *s = d->shared_info;
	struct vcpu *v = &d->vcpu[vcpu_id];

	if (bit_test_and_set(s->evtchn_pending, port))
		return;
	if (!bit_test(s->evtchn_mask, port) &&
	    !bit_test_and_set(&vcpu_info_of(v)->evtchn_pending_sel, port / 64))
		evtchn_mark_events_pending(v);
	sched_wake_pollers(d, port);
}

static void unmask(struct domain *d, struct evtchn_port *c, evtchn_port_t port)
{
	struct shared_info *s = d->shared_info;
	struct vcpu *v = &d->vcpu[c->notify_vcpu];

	if (bit_test_and_clear(s->evtchn_mask, port) && bit_test(s->evtchn_pending, port) &&
	    !bit_test_and_set(&vcpu_info_of(v)->evtchn_pending_sel, port / 64))
		evtchn_mark_events_pending(v);
}

static void free_port(struct domain *d, struct evtchn_port *c, evtchn_port_t port)
{
	/* A stale pending bit would fire on the next binding. */
	if (usable(c))
		bit_test_and_clear(d->shared_info->evtchn_pending, port);
	set_state(c, ECS_FREE);
	c->notify_vcpu = 0;
	memset(&c->u, 0, sizeof(c->u));
}

int evtchn_port_poll(struct domain *d, evtchn_port_t port)
{
	struct evtchn_state *es = d->evtchn;

	if (!port_valid(es, port) || !usable(&es->port[port]))
		return -XEN_EINVAL;
	return bit_test(d->shared_info->evtchn_pending, port);
}

/* ---- lifecycle --------------------------------------------------------------- */

int evtchn_init(struct domain *d)
{
	struct evtchn_state *es;

	evtchn_destroy(d);
	es = calloc(1, sizeof(*es));
	if (!es)
		return -1;
	pthread_mutex_init(&es->lock, NULL);
	es->valid = PORTS_PER_BUCKET;
	es->port[0].state = ECS_RESERVED;
	es->sched.shutdown_code = -1;
	for (unsigned int i = 0; i < NR_DOMAIN_WATCHDOGS; i++)
		es->sched.watchdog_fd[i] = -1;
	for (unsigned int i = 0; i < XENO_MAX_VCPUS; i++) {
		struct evtchn_vcpu *ev = &es->vcpu[i];

		pthread_mutex_init(&ev->sched.lock, NULL);
		ev->sched.runstate.state = RUNSTATE_offline;
		pthread_mutex_init(&ev->time.lock, NULL);
		ev->time.timer_fd[TIMER_SINGLESHOT] = ev->time.timer_fd[TIMER_PERIODIC] = -1;
		ev->time.poll_fd = -1;
		ev->sched.descheduled = true;
		pthread_mutex_init(&ev->op.lock, NULL);
	}
	/* What a previous build of the domain left in the fields we own. */
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];
		memset(v->timer_deadline, 0, sizeof(v->timer_deadline));
		v->timer_period = 0;
		v->runstate_gva = 0;
		v->nr_poll_ports = 0;
		v->poll_deadline = 0;
	}
	es->vcpu[0].op.initialised = true;	/* the builder set vCPU 0 up */
	if (!d->boot_time_ns) {	/* system time counts from the build */
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		d->boot_time_ns = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
	}
	d->evtchn = es;
	return 0;
}

void evtchn_destroy(struct domain *d)
{
	struct evtchn_state *es = d->evtchn;

	if (!es)
		return;
	time_destroy(d);
	for (unsigned int i = 0; i < XENO_MAX_VCPUS; i++)
		free(es->vcpu[i].op.initial);
	d->evtchn = NULL;
	free(es);
}

/* ---- the host side ------------------------------------------------------------- */

static int alloc_host_port(struct evtchn_state *es)
{
	for (unsigned int h = 1; h < EVTCHN_NR_HOST_PORTS; h++)
		if (es->host[h].state == ECS_FREE)
			return (int)h;
	return -XEN_ENOSPC;
}

static void connect_host(struct evtchn_state *es, evtchn_port_t port, unsigned int h,
			 evtchn_notify_fn *fn, void *arg)
{
	struct evtchn_port *c = &es->port[port];

	es->host[h] = (struct evtchn_host_port){
		.state = ECS_INTERDOMAIN, .guest_port = port, .on_notify = fn, .arg = arg
	};
	c->u.interdomain.dom = HOST_DOMID;
	c->u.interdomain.port = h;
	set_state(c, ECS_INTERDOMAIN);
}

static bool bound_to_host(struct evtchn_state *es, evtchn_port_t port)
{
	return port_valid(es, port) && port_state(&es->port[port]) == ECS_INTERDOMAIN &&
	       es->port[port].u.interdomain.dom == HOST_DOMID;
}

int evtchn_alloc_host(struct domain *d, evtchn_port_t *guest_port, evtchn_notify_fn *on_notify,
		      void *arg)
{
	struct evtchn_state *es = d->evtchn;
	int h, port;

	pthread_mutex_lock(&es->lock);
	h = alloc_host_port(es);
	port = h < 0 ? h : get_free_port(d, es);
	if (port >= 0) {
		connect_host(es, (evtchn_port_t)port, (unsigned int)h, on_notify, arg);
		*guest_port = (evtchn_port_t)port;
	}
	pthread_mutex_unlock(&es->lock);
	return port < 0 ? port : 0;
}

int evtchn_host_bind(struct domain *d, evtchn_port_t guest_port, evtchn_notify_fn *on_notify,
		     void *arg)
{
	struct evtchn_state *es = d->evtchn;
	int rc = 0;

	pthread_mutex_lock(&es->lock);
	if (bound_to_host(es, guest_port)) {
		struct evtchn_host_port *hp = &es->host[es->port[guest_port].u.interdomain.port];
		hp->on_notify = on_notify;
		hp->arg = arg;
	} else if (port_valid(es, guest_port) && port_state(&es->port[guest_port]) == ECS_UNBOUND &&
		   es->port[guest_port].u.unbound_remote == HOST_DOMID) {
		int h = alloc_host_port(es);
		if (h < 0) {
			rc = h;
		} else {
			connect_host(es, guest_port, (unsigned int)h, on_notify, arg);
			/* Xen marks the binder's end pending: a notification sent
			 * while unbound may have been lost. */
			if (on_notify)
				on_notify(arg);
		}
	} else {
		rc = -XEN_EINVAL;
	}
	pthread_mutex_unlock(&es->lock);
	return rc;
}

int evtchn_host_unbind(struct domain *d, evtchn_port_t guest_port)
{
	struct evtchn_state *es = d->evtchn;
	int rc = -XEN_EINVAL;

	pthread_mutex_lock(&es->lock);
	if (bound_to_host(es, guest_port)) {
		struct evtchn_port *c = &es->port[guest_port];
		es->host[c->u.interdomain.port] = (struct evtchn_host_port){ 0 };
		c->u.unbound_remote = HOST_DOMID;
		set_state(c, ECS_UNBOUND);
		rc = 0;
	} else {
		/* The guest closed its end first: the host end waits, unbound. */
		for (unsigned int h = 1; h < EVTCHN_NR_HOST_PORTS; h++) {
			struct evtchn_host_port *hp = &es->host[h];
			if (hp->state == ECS_UNBOUND && hp->guest_port == guest_port) {
				*hp = (struct evtchn_host_port){ 0 };
				rc = 0;
			}
		}
	}
	pthread_mutex_unlock(&es->lock);
	return rc;
}

void evtchn_host_notify(struct domain *d, evtchn_port_t guest_port)
{
	struct evtchn_state *es = d->evtchn;

	pthread_mutex_lock(&es->lock);
	if (bound_to_host(es, guest_port))
		set_pending(d, es->port[guest_port].notify_vcpu, guest_port);
	pthread_mutex_unlock(&es->lock);
}

void evtchn_send_virq(struct domain *d, unsigned int vcpu, unsigned int virq)
{
	struct evtchn_state *es = d->evtchn;

	if (virq >= NR_VIRQS || vcpu >= d->nr_vcpus)
		return;
	pthread_mutex_lock(&es->lock);
	if (virq_type(virq) == VIRQ_VCPU) {
		evtchn_port_t port = es->vcpu[vcpu].virq_port[virq];
		if (port)
			set_pending(d, vcpu, port);
	} else {
		evtchn_port_t port = es->vcpu[0].virq_port[virq];
		if (port)
			set_pending(d, es->port[port].notify_vcpu, port);
	}
	pthread_mutex_unlock(&es->lock);
}

/* ---- EVTCHNOP_* (es->lock held) --------------------------------------------------- */

/* Xen's lookup of a domain the guest names, then the XSM check for a domU
 * acting on it: 0 for itself. */
static int target_domain(const struct domain *d, domid_t dom)
{
	if (dom == DOMID_SELF || dom == d->domid)
		return 0;
	return dom == HOST_DOMID ? -XEN_EPERM : -XEN_ESRCH;
}

static int op_alloc_unbound(struct domain *d, struct evtchn_state *es,
			    struct evtchn_alloc_unbound *a)
{
	int rc = target_domain(d, a->dom), port;

	if (rc < 0)
		return rc;
	port = get_free_port(d, es);
	if (port < 0)
		return port;
	struct evtchn_port *c = &es->port[port];
	c->u.unbound_remote = a->remote_dom == DOMID_SELF ? d->domid : a->remote_dom;
	set_state(c, ECS_UNBOUND);
	a->port = (evtchn_port_t)port;
	return 0;
}

static int op_bind_interdomain(struct domain *d, struct evtchn_state *es,
			       struct evtchn_bind_interdomain *b)
{
	bool self = b->remote_dom == DOMID_SELF || b->remote_dom == d->domid;
	evtchn_port_t rport = b->remote_port;
	int lport;

	if (!self && b->remote_dom != HOST_DOMID)
		return -XEN_ESRCH;
	lport = get_free_port(d, es);
	if (lport < 0)
		return lport;
	struct evtchn_port *l = &es->port[lport];
	if (self) {
		if (!port_valid(es, rport) || port_state(&es->port[rport]) != ECS_UNBOUND ||
		    es->port[rport].u.unbound_remote != d->domid)
			return -XEN_EINVAL;
		struct evtchn_port *r = &es->port[rport];
		l->u.interdomain.dom = d->domid;
		l->u.interdomain.port = rport;
		set_state(l, ECS_INTERDOMAIN);
		r->u.interdomain.dom = d->domid;
		r->u.interdomain.port = (evtchn_port_t)lport;
		set_state(r, ECS_INTERDOMAIN);
	} else {
		if (rport == 0 || rport >= EVTCHN_NR_HOST_PORTS ||
		    es->host[rport].state != ECS_UNBOUND)
			return -XEN_EINVAL;
		connect_host(es, (evtchn_port_t)lport, rport, es->host[rport].on_notify,
			     es->host[rport].arg);
	}
	/* Notifications sent to the unbound end may be lost: raise ours once. */
	set_pending(d, l->notify_vcpu, (evtchn_port_t)lport);
	b->local_port = (evtchn_port_t)lport;
	return 0;
}

static int op_bind_virq(struct domain *d, struct evtchn_state *es, struct evtchn_bind_virq *b)
{
	int port;

	if (b->virq >= NR_VIRQS)
		return -XEN_EINVAL;
	enum virq_type type = virq_type(b->virq);
	if (type != VIRQ_VCPU && b->vcpu != 0)
		return -XEN_EINVAL;
	if (b->vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	if (type == VIRQ_GLOBAL)
		return -XEN_EBUSY;	/* the control domain handles global VIRQs */
	if (es->vcpu[b->vcpu].virq_port[b->virq])
		return -XEN_EEXIST;
	port = get_free_port(d, es);
	if (port < 0)
		return port;
	struct evtchn_port *c = &es->port[port];
	c->notify_vcpu = (uint16_t)b->vcpu;
	c->u.virq = b->virq;
	set_state(c, ECS_VIRQ);
	es->vcpu[b->vcpu].virq_port[b->virq] = (evtchn_port_t)port;
	b->port = (evtchn_port_t)port;
	return 0;
}

static int op_bind_ipi(struct domain *d, struct evtchn_state *es, struct evtchn_bind_ipi *b)
{
	int port;

	if (b->vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	port = get_free_port(d, es);
	if (port < 0)
		return port;
	es->port[port].notify_vcpu = (uint16_t)b->vcpu;
	set_state(&es->port[port], ECS_IPI);
	b->port = (evtchn_port_t)port;
	return 0;
}

/* A domU has no physical IRQs it may bind (Xen: pirq_access_permitted). */
static int op_bind_pirq(const struct evtchn_bind_pirq *b)
{
	return b->pirq >= NR_PIRQS ? -XEN_EINVAL : -XEN_EPERM;
}

static int op_close(struct domain *d, struct evtchn_state *es, evtchn_port_t port)
{
	if (!port_valid(es, port))
		return -XEN_EINVAL;
	struct evtchn_port *c = &es->port[port];
	switch (port_state(c)) {
	case ECS_UNBOUND:
	case ECS_IPI:
		break;
	case ECS_VIRQ: {
		unsigned int owner = virq_type(c->u.virq) == VIRQ_VCPU ? c->notify_vcpu : 0;
		es->vcpu[owner].virq_port[c->u.virq] = 0;
		break;
	}
	case ECS_INTERDOMAIN: {
		evtchn_port_t rport = c->u.interdomain.port;
		if (c->u.interdomain.dom == HOST_DOMID) {
			es->host[rport].state = ECS_UNBOUND;
		} else {
			struct evtchn_port *r = &es->port[rport];
			r->u.unbound_remote = d->domid;
			set_state(r, ECS_UNBOUND);
		}
		break;
	}
	default:	/* free, reserved */
		return -XEN_EINVAL;
	}
	free_port(d, c, port);
	return 0;
}

static int op_send(struct domain *d, struct evtchn_state *es, evtchn_port_t port)
{
	if (!port_valid(es, port))
		return -XEN_EINVAL;
	struct evtchn_port *c = &es->port[port];
	switch (port_state(c)) {
	case ECS_INTERDOMAIN: {
		evtchn_port_t rport = c->u.interdomain.port;
		if (c->u.interdomain.dom == HOST_DOMID) {
			struct evtchn_host_port *hp = &es->host[rport];
			if (hp->on_notify)
				hp->on_notify(hp->arg);
		} else {
			set_pending(d, es->port[rport].notify_vcpu, rport);
		}
		return 0;
	}
	case ECS_IPI:
		set_pending(d, c->notify_vcpu, port);
		return 0;
	case ECS_UNBOUND:
		return 0;	/* dropped silently */
	default:
		return -XEN_EINVAL;
	}
}

static int op_status(struct domain *d, struct evtchn_state *es, struct evtchn_status *s)
{
	int rc = target_domain(d, s->dom);

	if (rc < 0)
		return rc;
	if (!port_valid(es, s->port))
		return -XEN_EINVAL;
	const struct evtchn_port *c = &es->port[s->port];
	switch (port_state(c)) {
	case ECS_UNBOUND:
		s->status = EVTCHNSTAT_unbound;
		s->u.unbound.dom = c->u.unbound_remote;
		break;
	case ECS_INTERDOMAIN:
		s->status = EVTCHNSTAT_interdomain;
		s->u.interdomain.dom = c->u.interdomain.dom;
		s->u.interdomain.port = c->u.interdomain.port;
		break;
	case ECS_VIRQ:
		s->status = EVTCHNSTAT_virq;
		s->u.virq = c->u.virq;
		break;
	case ECS_IPI:
		s->status = EVTCHNSTAT_ipi;
		break;
	default:
		s->status = EVTCHNSTAT_closed;
		break;
	}
	s->vcpu = c->notify_vcpu;
	return 0;
}

static int op_bind_vcpu(struct domain *d, struct evtchn_state *es, const struct evtchn_bind_vcpu *b)
{
	if (b->vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	if (!port_valid(es, b->port))
		return -XEN_EINVAL;
	struct evtchn_port *c = &es->port[b->port];
	switch (port_state(c)) {
	case ECS_VIRQ:
		if (virq_type(c->u.virq) == VIRQ_VCPU)
			return -XEN_EINVAL;
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		break;
	default:
		return -XEN_EINVAL;
	}
	c->notify_vcpu = (uint16_t)b->vcpu;
	return 0;
}

static int op_unmask(struct domain *d, struct evtchn_state *es, evtchn_port_t port)
{
	if (!port_valid(es, port))
		return -XEN_EINVAL;
	if (usable(&es->port[port]))
		unmask(d, &es->port[port], port);
	return 0;
}

/* Close every port (Xen's evtchn_reset). The reset never has to be resumed,
 * so a reset_cont finds none in progress. */
static int op_reset(struct domain *d, struct evtchn_state *es, domid_t dom, bool cont)
{
	int rc = target_domain(d, dom);

	if (rc < 0)
		return rc;
	if (cont)
		return -XEN_EBUSY;
	for (evtchn_port_t p = 1; port_valid(es, p); p++)
		op_close(d, es, p);
	return 0;
}

static int op_set_priority(struct evtchn_state *es, const struct evtchn_set_priority *s)
{
	/* The 2-level ABI has no priorities. */
	return port_valid(es, s->port) ? -XEN_ENOSYS : -XEN_EINVAL;
}

/* ---- the hypercalls ------------------------------------------------------------------ */

union evtchn_arg {
	struct evtchn_alloc_unbound alloc_unbound;
	struct evtchn_bind_interdomain bind_interdomain;
	struct evtchn_bind_virq bind_virq;
	struct evtchn_bind_pirq bind_pirq;
	struct evtchn_bind_ipi bind_ipi;
	struct evtchn_close close;
	struct evtchn_send send;
	struct evtchn_status status;
	struct evtchn_bind_vcpu bind_vcpu;
	struct evtchn_unmask unmask;
	struct evtchn_reset reset;
	struct evtchn_init_control init_control;
	struct evtchn_expand_array expand_array;
	struct evtchn_set_priority set_priority;
};

/* What each command copies in, and whether its result is copied back. */
static const struct {
	size_t size;
	bool out;
} op_arg[] = {
	[EVTCHNOP_bind_interdomain] = { sizeof(struct evtchn_bind_interdomain), true },
	[EVTCHNOP_bind_virq] = { sizeof(struct evtchn_bind_virq), true },
	[EVTCHNOP_bind_pirq] = { sizeof(struct evtchn_bind_pirq), true },
	[EVTCHNOP_close] = { sizeof(struct evtchn_close), false },
	[EVTCHNOP_send] = { sizeof(struct evtchn_send), false },
	[EVTCHNOP_status] = { sizeof(struct evtchn_status), true },
	[EVTCHNOP_alloc_unbound] = { sizeof(struct evtchn_alloc_unbound), true },
	[EVTCHNOP_bind_ipi] = { sizeof(struct evtchn_bind_ipi), true },
	[EVTCHNOP_bind_vcpu] = { sizeof(struct evtchn_bind_vcpu), false },
	[EVTCHNOP_unmask] = { sizeof(struct evtchn_unmask), false },
	[EVTCHNOP_reset] = { sizeof(struct evtchn_reset), false },
	[EVTCHNOP_init_control] = { sizeof(struct evtchn_init_control), false },
	[EVTCHNOP_expand_array] = { sizeof(struct evtchn_expand_array), false },
	[EVTCHNOP_set_priority] = { sizeof(struct evtchn_set_priority), false },
	[EVTCHNOP_reset_cont] = { sizeof(struct evtchn_reset), false },
};
#define NR_OPS (sizeof(op_arg) / sizeof(op_arg[0]))

static int run_op(struct domain *d, struct evtchn_state *es, int cmd, union evtchn_arg *a)
{
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		return op_bind_interdomain(d, es, &a->bind_interdomain);
	case EVTCHNOP_bind_virq:
		return op_bind_virq(d, es, &a->bind_virq);
	case EVTCHNOP_bind_pirq:
		return op_bind_pirq(&a->bind_pirq);
	case EVTCHNOP_close:
		return op_close(d, es, a->close.port);
	case EVTCHNOP_send:
		return op_send(d, es, a->send.port);
	case EVTCHNOP_status:
		return op_status(d, es, &a->status);
	case EVTCHNOP_alloc_unbound:
		return op_alloc_unbound(d, es, &a->alloc_unbound);
	case EVTCHNOP_bind_ipi:
		return op_bind_ipi(d, es, &a->bind_ipi);
	case EVTCHNOP_bind_vcpu:
		return op_bind_vcpu(d, es, &a->bind_vcpu);
	case EVTCHNOP_unmask:
		return op_unmask(d, es, a->unmask.port);
	case EVTCHNOP_reset:
	case EVTCHNOP_reset_cont:
		return op_reset(d, es, a->reset.dom, cmd == EVTCHNOP_reset_cont);
	case EVTCHNOP_set_priority:
		return op_set_priority(es, &a->set_priority);
	default:	/* FIFO ABI: as a Xen built without it; guests fall back to 2-level */
		return -XEN_EOPNOTSUPP;
	}
}

static long event_channel_op(struct vcpu *v, int cmd, uint64_t gva)
{
	struct evtchn_state *es = v->d->evtchn;
	union evtchn_arg a;
	long rc;

	if (cmd < 0 || (size_t)cmd >= NR_OPS || !op_arg[cmd].size) {
		mlog_once(v->d, "unknown EVTCHNOP %d (%#llx)", cmd, (unsigned long long)gva);
		return -XEN_ENOSYS;
	}
	if (copy_from_guest(v, &a, gva, op_arg[cmd].size) < 0)
		return -XEN_EFAULT;
	pthread_mutex_lock(&es->lock);
	rc = run_op(v->d, es, cmd, &a);
	pthread_mutex_unlock(&es->lock);
	if (rc == 0 && op_arg[cmd].out && copy_to_guest(v, gva, &a, op_arg[cmd].size) < 0)
		rc = -XEN_EFAULT;
	return rc;
}

long do_event_channel_op(struct vcpu *v, const uint64_t arg[5])
{
	return event_channel_op(v, (int)arg[0], arg[1]);
}

/* The pre-3.2 form: one pointer to struct evtchn_op {cmd; union}. */
long do_event_channel_op_compat(struct vcpu *v, const uint64_t arg[5])
{
	struct evtchn_op op;

	if (copy_from_guest(v, &op, arg[0], sizeof(op)) < 0)
		return -XEN_EFAULT;
	switch (op.cmd) {
	case EVTCHNOP_bind_interdomain:
	case EVTCHNOP_bind_virq:
	case EVTCHNOP_bind_pirq:
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_status:
	case EVTCHNOP_alloc_unbound:
	case EVTCHNOP_bind_ipi:
	case EVTCHNOP_bind_vcpu:
	case EVTCHNOP_unmask:
		return event_channel_op(v, (int)op.cmd, arg[0] + offsetof(struct evtchn_op, u));
	default:
		return -XEN_ENOSYS;
	}
}
