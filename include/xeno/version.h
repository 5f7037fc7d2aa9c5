/*
 * The Xen version xeno presents to guests (XENVER_version, CPUID leaf
 * 0x40000001) and to the toolstack (`xl info`). The hypercall ABI the
 * monitor implements is that of this release: Xen 4.20 added the
 * XENVER_*2 sub-ops (variable-length strings) that we answer.
 */
#ifndef XENO_VERSION_H
#define XENO_VERSION_H

#define XENO_XEN_MAJOR 4
#define XENO_XEN_MINOR 20
#define XENO_XEN_EXTRA ".0-xeno"

#endif /* XENO_VERSION_H */
