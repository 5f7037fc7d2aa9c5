/*
 * Facts about the host, from /proc, /sys and CPUID.
 */
#include "hostinfo.h"

#include <cpuid.h>
#include <dirent.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The value of "key" in a "key: value kB"-style file, or 0. */
static uint64_t proc_value(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	uint64_t v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoull(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* How many CPUs a sysfs CPU list ("0-3,8,10-11") names; 0 if unreadable. */
static int cpulist_count(const char *path)
{
	char buf[4096];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f)) {
		for (char *p = buf; *p && *p != '\n';) {
			char *end;
			long a = strtol(p, &end, 10), b = a;

			if (end == p)
				break;
			if (*end == '-')
				b = strtol(end + 1, &end, 10);
			if (b >= a)
				n += (int)(b - a + 1);
			p = *end == ',' ? end + 1 : end;
			if (*end != ',')
				break;
		}
	}
	fclose(f);
	return n;
}

static int count_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "node", 4) && e->d_name[4] >= '0' && e->d_name[4] <= '9')
			n++;
	closedir(d);
	return n ? n : 1;
}

static unsigned long cpu_khz(void)
{
	char line[256];
	unsigned long khz = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "cpu MHz", 7) && colon) {
			khz = (unsigned long)(strtod(colon + 1, NULL) * 1000.0 + 0.5);
			break;
		}
	}
	fclose(f);
	return khz;
}

/* Xen's order: 1.edx, 1.ecx, e1.edx, e1.ecx, 0xd/1.eax, 7/0.ebx, 7/0.ecx,
 * e7.edx. */
static void hw_caps(uint32_t caps[8])
{
	unsigned int a, b, c, d, max, emax;

	memset(caps, 0, 8 * sizeof(caps[0]));
	max = __get_cpuid_max(0, NULL);
	emax = __get_cpuid_max(0x80000000, NULL);
	if (max >= 1 && __get_cpuid(1, &a, &b, &c, &d)) {
		caps[0] = d;
		caps[1] = c;
	}
	if (emax >= 0x80000001 && __get_cpuid(0x80000001, &a, &b, &c, &d)) {
		caps[2] = d;
		caps[3] = c;
	}
	if (max >= 0xd) {
		__cpuid_count(0xd, 1, a, b, c, d);
		caps[4] = a;
	}
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		caps[5] = b;
		caps[6] = c;
	}
	if (emax >= 0x80000007 && __get_cpuid(0x80000007, &a, &b, &c, &d))
		caps[7] = d;
}

void host_facts(struct host_facts *h)
{
	int threads, package;

	memset(h, 0, sizeof(*h));
	uname(&h->uts);
	h->nr_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	h->max_cpu_id = (int)sysconf(_SC_NPROCESSORS_CONF) - 1;
	h->nr_nodes = count_nodes();
	threads = cpulist_count("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list");
	package = cpulist_count("/sys/devices/system/cpu/cpu0/topology/core_siblings_list");
	h->threads_per_core = threads ? threads : 1;
	h->cores_per_socket = package ? package / h->threads_per_core : h->nr_cpus;
	h->cpu_khz = cpu_khz();
	hw_caps(h->hw_caps);
	h->total_mib = proc_value("/proc/meminfo", "MemTotal") / 1024;
	h->free_mib = proc_value("/proc/meminfo", "MemAvailable") / 1024;
}

/* Non-idle time of all CPUs: user nice system (idle iowait) irq softirq
 * steal, from /proc/stat. */
static uint64_t host_cpu_time_ns(void)
{
	unsigned long long t[8] = {0};
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &t[0], &t[1], &t[2], &t[3],
		   &t[4], &t[5], &t[6], &t[7]);
	fclose(f);
	if (n < 3 || hz <= 0)
		return 0;
	return (uint64_t)(t[0] + t[1] + t[2] + t[5] + t[6] + t[7]) * (1000000000ull / (uint64_t)hz);
}

void host_dom0_info(struct ctl_info *info)
{
	uint64_t kib = proc_value("/proc/meminfo", "MemTotal");
	int cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);

	memset(info, 0, sizeof(*info));
	info->domid = 0;
	strcpy(info->name, "Domain-0");
	strcpy(info->state, "r-----");
	info->memory_kib = kib;
	info->max_memory_kib = kib;
	info->vcpus = info->online_vcpus = cpus > 0 ? (unsigned int)cpus : 1;
	info->cpu_time_ns = host_cpu_time_ns();
	info->pid = 1;
}

struct build_id_search {
	char *buf;
	size_t len;
};

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	struct build_id_search *s = data;

	(void)size;
	/* The first object is the program itself. */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			const unsigned char *desc =
			    (const unsigned char *)p + sizeof(*n) + ((n->n_namesz + 3) & ~3u);

			if ((const char *)desc + n->n_descsz > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    !memcmp(p + sizeof(*n), "GNU", 4)) {
				for (size_t j = 0; j < n->n_descsz && 2 * j + 2 < s->len; j++)
					sprintf(s->buf + 2 * j, "%02x", desc[j]);
				return 1;
			}
			p = (const char *)desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

void host_build_id(char *buf, size_t len)
{
	struct build_id_search s = {.buf = buf, .len = len};

	if (len)
		buf[0] = '\0';
	dl_iterate_phdr(find_build_id, &s);
}
