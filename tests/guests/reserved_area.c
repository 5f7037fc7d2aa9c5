/*
 * The hypervisor's reserved range (L4 slots 256-271) is not the guest's:
 * loads and stores there, from kernel or user mode, either fault (#PF, as
 * on Xen) or do nothing, and the guest goes on with its state intact.
 *
 * On xeno the page probed here is the monitor's doorbell: its stubs leave
 * the VM by a one-byte store there, at an offset that says which stub it
 * was (a syscall, an exception, the page-table stores done). The page is
 * mapped for CPL3, so guest code can store there too; such a store must
 * not be taken for a stub's (an "exception" would make the monitor read a
 * frame from a stack the guest chose). The hypercall offset is left out:
 * the hypercall page is the guest's own code, so a store there is a
 * hypercall wherever it comes from.
 */
#include "guest.h"
#include "hypercall.h"
#include "traps.h"
#include "user.h"

const char test_title[] = "hypervisor area: guest loads and stores";

#define PROBED_PAGE 0xffff808000003000UL
#define MARKER 0x5a5a5a5a12345678UL

/* offsets: nothing, #GP and #PF stubs, the syscall stub, stores done, no-op */
static const unsigned int offsets[] = { 0x00, 0x8d, 0x8e, 0xf0, 0xf2, 0xf3 };

/* A one-byte store; returns the vector it raised, or -1. rbx must survive. */
static long store_byte(uint64_t va, uint64_t *rbx_after)
{
	uint64_t rbx = MARKER;

	trap_reset();
	PROBE_OPS("movb %%al, (%[va])", : "+b"(rbx) : [va] "r"(va), "a"(0x5aUL) : "memory");
	*rbx_after = rbx;
	return last_trap.count ? (long)last_trap.vector : -1;
}

static long load_qword(uint64_t va, uint64_t *val)
{
	uint64_t v = MARKER;

	trap_reset();
	PROBE_OPS("movq (%[va]), %[v]", : [v] "+r"(v) : [va] "r"(va) : "memory");
	*val = v;
	return last_trap.count ? (long)last_trap.vector : -1;
}

static long store_dword(uint64_t va)
{
	trap_reset();
	PROBE_OPS("movl %%eax, (%[va])", : : [va] "r"(va), "a"(0x5a5a5a5aU) : "memory");
	return last_trap.count ? (long)last_trap.vector : -1;
}

static bool faulted_or_ignored(long vector)
{
	return vector == -1 || vector == X86_EXC_PF;
}

static void test_kernel_mode(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(offsets); i++) {
		uint64_t va = PROBED_PAGE + offsets[i], rbx = 0;
		long vec = store_byte(va, &rbx);

		check(faulted_or_ignored(vec), "kernel store at +%#x: #PF or nothing (got %ld)",
		      offsets[i], vec);
		check_eq(rbx, MARKER, "registers intact after the store at +%#x", offsets[i]);
	}
	uint64_t val = 0;
	long vec = load_qword(PROBED_PAGE + 0xf0, &val);
	check(vec == X86_EXC_PF || (vec == -1 && val == 0),
	      "kernel load there: #PF or zero (got vector %ld, value %#lx)", vec, val);
	check(faulted_or_ignored(store_dword(PROBED_PAGE + 0x8c)), "kernel 4-byte store: #PF or nothing");
	check(HYPERVISOR_xen_version(XENVER_version, 0) > 0, "hypercalls still work");
}

/* User mode: the same stores and a load; a #PF skips the 2-byte instruction. */
static unsigned int user_faults;
static volatile uint64_t user_loaded = MARKER;

static bool hook(struct trap_frame *f)
{
	if (!frame_from_user(f) || f->vector != X86_EXC_PF || (last_trap.cr2 & ~0xfffUL) != PROBED_PAGE)
		return false;
	user_faults++;
	f->rip += 2;
	return true;
}

static void user_pokes(void)
{
	uint64_t v = MARKER;

	for (unsigned int i = 0; i < ARRAY_SIZE(offsets); i++)
		__asm__ __volatile__("movb %%al, (%%rdx)" ::"d"(PROBED_PAGE + offsets[i]), "a"(0x5aUL)
				     : "memory");
	__asm__ __volatile__("movq (%%rdx), %%rax" : "+a"(v) : "d"(PROBED_PAGE + 0x8e) : "memory");
	user_loaded = v;
	user_syscall(USER_EXIT, 7);
}

static void test_user_mode(void)
{
	if (!check_eq(user_mode_init(), 0, "user page tables, kernel stack and syscall callback"))
		return;
	trap_hook = hook;
	check_eq(run_user(user_pokes, false), 7, "user code stored and loaded there and went on");
	trap_hook = NULL;
	check(user_faults == ARRAY_SIZE(offsets) + 1 || (user_faults == 0 && user_loaded == 0),
	      "each user access faulted, or none did and the load read zero (%u faults, %#lx)",
	      user_faults, (uint64_t)user_loaded);
	check(HYPERVISOR_xen_version(XENVER_version, 0) > 0, "hypercalls still work");
}

void guest_main(void)
{
	test_kernel_mode();
	test_user_mode();
	report_finish();
}
