/* SPDX-License-Identifier: MIT */
/* What every layer shares and nothing else: exit codes, the printf attribute, the version,
 * the order of names. */
#ifndef EFADIAG_COMMON_H
#define EFADIAG_COMMON_H

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* Exit status, fixed by CONTRACT.md. */
enum exit_code {
	EXIT_OK = 0,	/* ran, and everything checked passed */
	EXIT_FAIL = 1,	/* ran, and a check failed */
	EXIT_USAGE = 2, /* usage error: bad option, bad value, unknown command */
	EXIT_ERROR = 3, /* could not run */
};

/*
 * Natural order of device and domain names, as strcmp's sign: runs of digits compare by
 * value, so rdmap79s0 comes before rdmap204s0 and eth2 before eth10 (strcmp puts "2" after
 * "1"). Equal values with more leading zeros come first ("a01" before "a1"); otherwise as
 * strcmp. Every listing of devices or domains (info, stats, bw lanes) sorts with it.
 */
int name_cmp(const char *a, const char *b);

/* The fixed-width version string every JSON document carries. */
const char *efadiag_version(void);
/*
 * The name the launch or the scheduler knows this node by, where one is set: EFADIAG_NODE_NAME
 * (a host list's entry, e.g. SageMaker's current_host), else Slurm's SLURMD_NODENAME; NULL
 * when neither is (the host name is then the node's name).
 */
const char *env_node_name(void);

#endif
