/*
 * Every xl command, in the order `xl help` lists them.
 */
#include <string.h>

#include "xl.h"

/* shutdown and reboot take the same options */
#define SHUTDOWN_OPTIONS                                                                           \
	"-a, --all               All guest domains.\n"                                              \
	"-w, --wait              Wait until the domain has shut down; twice\n"                      \
	"                        (-ww): until it is gone.\n"                                        \
	"-F                      Accepted for compatibility (no ACPI fallback\n"                    \
	"                        for PV guests)."

const struct xl_cmd xl_cmds[] = {
	{
		.name = "create",
		.run = main_create,
		.can_dryrun = true,
		.desc = "Create a domain from a config file",
		.usage = "<ConfigFile> [options] [vars]",
		.options = "-h                      Print this help.\n"
			   "-p                      Leave the domain paused after it is created.\n"
			   "-F                      Stay in the foreground until the domain is gone.\n"
			   "-c                      Attach the console after creation (xl returns\n"
			   "                        when the console ends).\n"
			   "-e                      Accepted for compatibility (the monitor, not xl,\n"
			   "                        handles the domain's shutdown actions).\n"
			   "-q, --quiet             Do not print \"Parsing config from\".\n"
			   "-n, --dryrun            Parse the config and print it as JSON; create\n"
			   "                        nothing.\n"
			   "-d                      Print the parsed config as JSON to stderr too.\n"
			   "-f FILE, --defconfig=FILE\n"
			   "                        The config file (instead of <ConfigFile>).\n"
			   "key=value               Settings that override the file's, as if they\n"
			   "                        were lines appended to it.",
	},
	{
		.name = "list",
		.run = main_list,
		.desc = "List domains, Domain-0 (the host) first",
		.usage = "[options] [Domain]",
		.options = "-h, --help              Print this help.",
	},
	{
		.name = "destroy",
		.run = main_destroy,
		.modifies = true,
		.desc = "Terminate a domain immediately",
		.usage = "[options] <Domain>",
		.options = "-f                      Accepted as in Xen; the host (domain 0) is\n"
			   "                        never destroyed by xl.",
	},
	{
		.name = "shutdown",
		.run = main_shutdown,
		.modifies = true,
		.desc = "Ask a domain (or all domains) to shut down",
		.usage = "[options] <-a|Domain>",
		.options = SHUTDOWN_OPTIONS,
	},
	{
		.name = "reboot",
		.run = main_reboot,
		.modifies = true,
		.desc = "Ask a domain (or all domains) to reboot",
		.usage = "[options] <-a|Domain>",
		.options = SHUTDOWN_OPTIONS,
	},
	{
		.name = "pause",
		.run = main_pause,
		.modifies = true,
		.desc = "Stop a domain's vCPUs",
		.usage = "<Domain>",
	},
	{
		.name = "unpause",
		.run = main_unpause,
		.modifies = true,
		.desc = "Let a paused domain's vCPUs run again",
		.usage = "<Domain>",
	},
	{
		.name = "block-attach",
		.run = main_block_attach,
		.modifies = true,
		.desc = "Create a new virtual block device",
		.usage = "<Domain> <disk-spec-component(s)>...",
	},
	{
		.name = "block-detach",
		.run = main_block_detach,
		.modifies = true,
		.desc = "Destroy a domain's virtual block device",
		.usage = "[-f] <Domain> <VirtualDevice>",
		.options = "-f                      Remove it at once, without waiting for the\n"
			   "                        frontend to close.",
	},
	{
		.name = "block-list",
		.run = main_block_list,
		.desc = "List virtual block devices for a domain",
		.usage = "<Domain(s)>",
	},
	{
		.name = "console",
		.run = main_console,
		.desc = "Attach to a domain's console (Ctrl-] detaches)",
		.usage = "[options] <Domain>",
		.options = "-t <type>               Console type: pv or serial (the same console\n"
			   "                        here).\n"
			   "-n <number>             Console number (only 0).\n"
			   "-e <escape>             The escape character, as 'c' or '^c' (default ^]).",
	},
	{
		.name = "info",
		.run = main_info,
		.desc = "Print information about the host and the hypervisor",
		.usage = "[-h] [name]",
		.options = "name                    Print only the values of the keys that start\n"
			   "                        with name.",
	},
	{
		.name = "dmesg",
		.run = main_dmesg,
		.desc = "Print the hypervisor's log",
		.usage = "[-c]",
		.options = "-c, --clear             Clear the log after printing it.",
	},
	{
		.name = "exit-stats",
		.run = main_exit_stats,
		.desc = "Print a domain's exits by cause (a xeno extension)",
		.usage = "<Domain>",
	},
	{
		.name = "domid",
		.run = main_domid,
		.desc = "Print the id of the domain with this name",
		.usage = "<DomainName>",
	},
	{
		.name = "domname",
		.run = main_domname,
		.desc = "Print the name of the domain with this id",
		.usage = "<DomainId>",
	},
	{
		.name = "network-attach",
		.run = main_networkattach,
		.can_dryrun = true,
		.modifies = true,
		.desc = "Create a new virtual network device",
		.usage = "<Domain> [type=<type>] [mac=<mac>] [bridge=<bridge>] [ip=<ip>]\n"
			 "        [script=<script>] [backend=<BackDomain>] [vifname=<name>]\n"
			 "        [rate=<rate>] [model=<model>] [accel=<accel>] [mtu=<mtu>]",
	},
	{
		.name = "network-list",
		.run = main_networklist,
		.desc = "List virtual network interfaces for a domain",
		.usage = "<Domain(s)>",
	},
	{
		.name = "network-detach",
		.run = main_networkdetach,
		.modifies = true,
		.desc = "Destroy a domain's virtual network device",
		.usage = "<Domain> <DevId|mac>",
	},
};

const size_t xl_ncmds = sizeof(xl_cmds) / sizeof(xl_cmds[0]);

const struct xl_cmd *xl_cmd_find(const char *name)
{
	for (size_t i = 0; i < xl_ncmds; i++)
		if (!strcmp(xl_cmds[i].name, name))
			return &xl_cmds[i];
	return NULL;
}
