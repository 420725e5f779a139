// SPDX-License-Identifier: MIT
/*
 * Unit tests of src/host/env.c and the efadv capability read of src/host/efa_dev.c: each
 * environment rule on the libfabric versions around its change, libfabric.conf as libfabric
 * parses and prefers it, and device_caps read by the ABI bits whatever the headers define.
 */
#include <errno.h>
#include <rdma/fabric.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/efa_dev.h"
#include "host/env.h"
#include "tap.h"

/* A runtime of libfabric major.minor, no conf, RDMA read as given (-1 unknown). */
static struct env_runtime rt_of(unsigned major, unsigned minor, int rdma_read)
{
	struct env_runtime rt;

	memset(&rt, 0, sizeof(rt));
	rt.lf_version = FI_VERSION(major, minor);
	rt.rdma_read = rdma_read;
	rt.conf_err = -ENOENT;
	return rt;
}

/*
 * The severity host_env_scan gives name (-1: not listed); the highest where it is listed
 * twice, from the environment and from libfabric.conf.
 */
static int severity(char **env, const struct env_runtime *rt, const char *name)
{
	struct env_finding f[16];
	size_t n = host_env_scan(env, rt, f, 16), i;
	int sev = -1;

	for (i = 0; i < n && i < 16; i++)
		if (!strcmp(f[i].name, name) && f[i].severity > sev)
			sev = f[i].severity;
	return sev;
}

static int sev1(const char *entry, unsigned major, unsigned minor, int rdma_read)
{
	char buf[128], name[64];
	char *env[] = { buf, NULL };
	struct env_runtime rt = rt_of(major, minor, rdma_read);

	snprintf(buf, sizeof(buf), "%s", entry);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(entry, "="), entry);
	return severity(env, &rt, name);
}

static void test_versions(void)
{
	/* FI_EFA_MTU_SIZE: getenv() and abort() from v1.18.0 (rdm/rxr_env.c). */
	is_int(sev1("FI_EFA_MTU_SIZE=9000", 1, 17, -1), 1, "MTU_SIZE on 1.17: a note");
	is_int(sev1("FI_EFA_MTU_SIZE=9000", 1, 18, -1), 2, "MTU_SIZE on 1.18: fatal");
	is_int(sev1("FI_EFA_MTU_SIZE=", 2, 6, -1), 2, "MTU_SIZE empty on 2.6: fatal (set at all)");
	/* The IOV limits from v1.19.0 (efa_env.c). */
	is_int(sev1("FI_EFA_TX_IOV_LIMIT=2", 1, 18, -1), 1, "TX_IOV_LIMIT on 1.18: a note");
	is_int(sev1("FI_EFA_TX_IOV_LIMIT=2", 1, 19, -1), 2, "TX_IOV_LIMIT on 1.19: fatal");
	is_int(sev1("FI_EFA_RX_IOV_LIMIT=2", 1, 19, -1), 2, "RX_IOV_LIMIT on 1.19: fatal");
	/* SHM_MAX_MEDIUM_SIZE aborted from 1.14 to 1.19; 1.20 only logs it. */
	is_int(sev1("FI_EFA_SHM_MAX_MEDIUM_SIZE=4096", 1, 17, -1), 2, "SHM_MAX_MEDIUM on 1.17");
	is_int(sev1("FI_EFA_SHM_MAX_MEDIUM_SIZE=4096", 1, 20, -1), 0, "SHM_MAX_MEDIUM on 1.20");
	/* TX_MIN_CREDITS <= 0: 1.17 reset it to the default; 1.18 aborts. */
	is_int(sev1("FI_EFA_TX_MIN_CREDITS=0", 1, 17, -1), 1, "TX_MIN_CREDITS=0 on 1.17: a note");
	is_int(sev1("FI_EFA_TX_MIN_CREDITS=0", 1, 18, -1), 2, "TX_MIN_CREDITS=0 on 1.18: fatal");
	is_int(sev1("FI_EFA_TX_MIN_CREDITS=8", 2, 6, -1), 0, "TX_MIN_CREDITS=8: fine");
	is_int(sev1("FI_EFA_IFACE=", 1, 22, -1), 0, "IFACE empty on 1.22: not fatal");
	is_int(sev1("FI_EFA_IFACE=", 2, 0, -1), 2, "IFACE empty on 2.0: fatal");
}

static void test_device_rdma(void)
{
	struct env_finding f[4];
	char e[] = "FI_EFA_USE_DEVICE_RDMA=maybe";
	char *env[] = { e, NULL };
	struct env_runtime rt = rt_of(2, 6, 1);
	char msg[256];

	/* efa_rdm_get_use_device_rdma(): fi_param_get_bool() -EINVAL aborts, from 1.18. */
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=maybe", 2, 6, 1), 2, "USE_DEVICE_RDMA=maybe: fatal");
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=2", 1, 18, -1), 2, "USE_DEVICE_RDMA=2 on 1.18: fatal");
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=maybe", 1, 17, 1), 0, "=maybe on 1.17 (an int, 0)");
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=On", 2, 6, 1), 0, "USE_DEVICE_RDMA=On: a boolean");
	/* True without RDMA read aborts; with it, or unknown, it does not. */
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=1", 2, 6, 0), 2, "=1 without RDMA read: fatal");
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=yes", 1, 18, 0), 2, "=yes without RDMA read: fatal");
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=1", 2, 6, 1), 0, "=1 with RDMA read: fine");
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=1", 2, 6, -1), 0, "=1, RDMA read unknown: not judged");
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=0", 2, 6, 0), 0, "=0 without RDMA read: fine");
	is_int(sev1("FI_EFA_USE_DEVICE_RDMA=5", 1, 17, 0), 2, "=5 on 1.17 without RDMA read");
	/* Fatal when an endpoint opens, not in the first fi_getinfo: not a listing's cause. */
	ok(host_env_scan(env, &rt, f, 4) == 1 && f[0].severity == 2 && !f[0].at_load,
	   "USE_DEVICE_RDMA aborts at an endpoint's opening, not at load");
	ok(!host_env_fatal(env, &rt, false, msg, sizeof(msg)),
	   "... so it explains no listing's abort");
	ok(host_env_fatal(env, &rt, true, msg, sizeof(msg)) &&
		   !strncmp(msg, "FI_EFA_USE_DEVICE_RDMA=maybe: ", 30),
	   "... but refuses a test that opens an efa endpoint");
	ok(host_env_bool("Off") == 0 && host_env_bool("TRUE") == 1 && host_env_bool("") == -1 &&
		   host_env_bool("2") == -1,
	   "booleans as fi_parse_bool() reads them");
}

static void test_huge_pages(void)
{
	char h[] = "FI_EFA_USE_HUGE_PAGE=1", fs[] = "RDMAV_FORK_SAFE=1";
	char *env[] = { h, fs, NULL };
	struct env_runtime rt = rt_of(1, 18, -1);

	/* The abort came with efa_fork_support.c's huge-page test in v1.19.0. */
	is_int(severity(env, &rt, "FI_EFA_USE_HUGE_PAGE"), 0, "hugepages + fork on 1.18: no abort");
	rt = rt_of(1, 19, -1);
	is_int(severity(env, &rt, "FI_EFA_USE_HUGE_PAGE"), 2, "hugepages + fork on 1.19: fatal");
	rt.fork_unneeded = true;
	is_int(severity(env, &rt, "FI_EFA_USE_HUGE_PAGE"), 0, "... not where fork is unneeded");
}

static void test_conf(void)
{
	static const char text[] = "FI_EFA_TX_MIN_CREDITS=0\n"
				   "# a comment=not a name anyone reads\n"
				   "no equals sign\n"
				   "FI_EFA_MTU_SIZE=9000\n"
				   "FI_EFA_IFACE = rdmap0s6\n"
				   "FI_EFA_TX_MIN_CREDITS=64\n"
				   "FI_LOG_LEVEL=warn";
	char credits[] = "FI_EFA_TX_MIN_CREDITS=16", prefer[] = "FI_PREFER_SYSCONFIG=1";
	char *none[] = { NULL }, *env[] = { credits, NULL }, *both[] = { credits, prefer, NULL };
	struct env_runtime rt = rt_of(2, 6, -1);
	struct env_finding f[16];
	bool from_conf = false;
	char msg[512];
	size_t n;

	rt.nconf = host_lf_conf_parse(text, rt.conf, LF_CONF_MAX);
	rt.conf_err = 0;
	is_int((int)rt.nconf, 6, "conf: six NAME=VALUE lines, the one without '=' skipped");
	is_str(rt.conf[3].name, "FI_EFA_IFACE ", "conf: names are not trimmed (load_conf())");
	is_str(rt.conf[5].value, "warn", "conf: the last line needs no newline");
	/* fi_param_get(): the environment first, the conf where it has none. */
	is_str(host_env_param(none, &rt, "FI_EFA_TX_MIN_CREDITS", &from_conf), "0",
	       "conf: the first entry of a name is the one read");
	ok(from_conf, "conf: ... and it says it came from libfabric.conf");
	is_str(host_env_param(env, &rt, "FI_EFA_TX_MIN_CREDITS", &from_conf), "16",
	       "conf: the environment wins");
	is_str(host_env_param(both, &rt, "FI_EFA_TX_MIN_CREDITS", NULL), "0",
	       "conf: unless FI_PREFER_SYSCONFIG is true");
	is_int(severity(none, &rt, "FI_EFA_TX_MIN_CREDITS"), 2, "conf: TX_MIN_CREDITS=0 is fatal");
	ok(host_env_fatal(none, &rt, false, msg, sizeof(msg)) && strstr(msg, "(libfabric.conf)"),
	   "conf: the fatal message names libfabric.conf");
	is_int(severity(env, &rt, "FI_EFA_TX_MIN_CREDITS"), 0, "conf: overridden, not fatal");
	is_int(severity(both, &rt, "FI_EFA_TX_MIN_CREDITS"), 2, "conf: preferred, fatal again");
	/* getenv() variables are not read from the file: listed, never fatal. */
	is_int(severity(none, &rt, "FI_EFA_MTU_SIZE"), 0, "conf: MTU_SIZE there aborts nothing");
	n = host_env_scan(none, &rt, f, 16);
	is_int((int)n, 4, "conf: every FI_ entry used is listed (not the comment, once each)");
	/* Before 1.18 libfabric reads no libfabric.conf. */
	rt.lf_version = FI_VERSION(1, 17);
	ok(!host_env_param(none, &rt, "FI_EFA_TX_MIN_CREDITS", NULL), "conf: 1.17 reads none");
	is_int((int)host_env_scan(none, &rt, f, 16), 0, "conf: nothing listed on 1.17");
}

static void test_conf_path(void)
{
	static const char lib[] = "\x7f"
				  "ELF junk\0/opt/x/share/libfabric.confusing\0"
				  "Prefer system configured variables ... (libfabric.conf) and\0"
				  "/opt/amazon/efa/etc/libfabric.conf\0tail";
	char path[] = "/tmp/efadiag-unit-env-XXXXXX", got[256] = "";
	int fd = mkstemp(path);

	ok(fd >= 0 && write(fd, lib, sizeof(lib)) == (ssize_t)sizeof(lib), "a fake libfabric");
	if (fd >= 0)
		close(fd);
	ok(host_lf_conf_path(path, got, sizeof(got)), "the conf path is found in the library");
	is_str(got, "/opt/amazon/efa/etc/libfabric.conf", "... the whole NUL-ended string");
	unlink(path);
	ok(!host_lf_conf_path("/nonexistent/libfabric.so", got, sizeof(got)), "no library, none");
}

static void test_caps(void)
{
	struct efa_dev d;

	/* rdma-core v44's efadv.h has no RDMA write bit; the value 1 << 3 is ABI (v46.0 on). */
	memset(&d, 0, sizeof(d));
	efa_dev_set_caps(&d, 0xb, 1u << 30, 46);
	ok(d.efadv_queried && d.rdma_read && d.rnr_retry && d.rdma_write && d.rdma_write_known,
	   "caps 0xb: read, RNR retry, write, whatever the headers say");
	is_int((int)d.max_rdma_size, 1 << 30, "max_rdma_size kept");
	memset(&d, 0, sizeof(d));
	efa_dev_set_caps(&d, 0x3, 0, 44);
	ok(d.rdma_read && !d.rdma_write && !d.rdma_write_known,
	   "caps 0x3 from libefa 44: write unknown, not absent (44 never sets the bit)");
	memset(&d, 0, sizeof(d));
	efa_dev_set_caps(&d, 0x3, 0, 46);
	ok(!d.rdma_write && d.rdma_write_known, "caps 0x3 from libefa 46: no write");
	memset(&d, 0, sizeof(d));
	efa_dev_set_caps(&d, 0x9, 0, 44);
	ok(d.rdma_write && d.rdma_write_known, "a set write bit is the device's word, any libefa");
	is_int(efa_dev_libefa_major("/usr/lib/x86_64-linux-gnu/libefa.so.1.2.44.0"), 44,
	       "libefa.so.1.2.44.0 is rdma-core 44");
	is_int(efa_dev_libefa_major("/opt/amazon/efa/lib64/libefa.so.1.3.58.0"), 58,
	       "libefa.so.1.3.58.0 is rdma-core 58");
	is_int(efa_dev_libefa_major("/usr/lib/libefa.so.1"), 0, "libefa.so.1: unknown");
	is_int(efa_dev_libefa_major("/usr/lib/libibverbs.so.1.14.44.0"), 0, "not libefa");
}

int main(void)
{
	test_versions();
	test_device_rdma();
	test_huge_pages();
	test_conf();
	test_conf_path();
	test_caps();
	return done_testing();
}
