// SPDX-License-Identifier: MIT
/* EFA hardware counters: their meanings, windows of samples, and the health checks. */
#include "config.h"

#include "host/hwhealth.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define SG_NEXT "efadiag sg-check PEER (each peer this node talks to; or efadiag mesh)"
#define LIMITS_CAUSE                                                                             \
	"resource limits: the locked-memory limit (ulimit -l, a pod's memlock) or the device's " \
	"own limits on endpoints and peers"

/*
 * From the efa driver and the kernel's ib_core (names as the files are called). Counters a
 * driver adds later and efadiag does not know still show, with a generic meaning.
 */
static const struct hwc_meaning meanings[] = {
	/* port: traffic */
	{ "tx_bytes", "bytes the device transmitted", HWC_NORMAL, NULL, NULL },
	{ "tx_pkts", "packets the device transmitted", HWC_NORMAL, NULL, NULL },
	{ "rx_bytes", "bytes the device received", HWC_NORMAL, NULL, NULL },
	{ "rx_pkts", "packets the device received", HWC_NORMAL, NULL, NULL },
	{ "rx_drops", "received packets the device dropped", HWC_TROUBLE_WARN,
	  "receivers not keeping up, or packets that matched no queue pair (SRD sends them again: "
	  "it costs bandwidth, not data)",
	  "efadiag stats -i 1 while the job runs; efadiag bw PEER to measure the loss" },
	{ "send_bytes", "bytes of send operations", HWC_NORMAL, NULL, NULL },
	{ "send_wrs", "send work requests", HWC_NORMAL, NULL, NULL },
	{ "recv_bytes", "bytes of receive operations", HWC_NORMAL, NULL, NULL },
	{ "recv_wrs", "receive work requests", HWC_NORMAL, NULL, NULL },
	{ "rdma_read_wrs", "RDMA read work requests", HWC_NORMAL, NULL, NULL },
	{ "rdma_read_bytes", "bytes read by RDMA read", HWC_NORMAL, NULL, NULL },
	{ "rdma_read_wr_err", "RDMA read work requests that completed in error", HWC_TROUBLE_WARN,
	  "a peer that went away, or a remote memory region that was no longer valid",
	  "efadiag bw --op read PEER" },
	{ "rdma_read_resp_bytes", "bytes sent in answer to peers' RDMA reads", HWC_NORMAL, NULL,
	  NULL },
	{ "rdma_write_wrs", "RDMA write work requests", HWC_NORMAL, NULL, NULL },
	{ "rdma_write_bytes", "bytes written by RDMA write", HWC_NORMAL, NULL, NULL },
	{ "rdma_write_wr_err", "RDMA write work requests that completed in error", HWC_TROUBLE_WARN,
	  "a peer that went away, or a remote memory region that was no longer valid",
	  "efadiag bw --op write PEER" },
	{ "rdma_write_recv_bytes", "bytes peers wrote into this node by RDMA write", HWC_NORMAL,
	  NULL, NULL },
	/*
	 * port: network health (efa driver 2.17.0+ on every device; which hardware counts them
	 * no source says, so they are trusted to count only where one is not 0)
	 */
	{ "retrans_bytes", "bytes SRD sent again", HWC_NORMAL, NULL, NULL },
	{ "retrans_pkts", "packets SRD sent again", HWC_NORMAL, NULL, NULL },
	{ "retrans_timeout_events",
	  "times traffic reached its timeout and needed a network path change", HWC_TROUBLE_WARN,
	  "congestion, or a failing path in the network between this node and a peer",
	  "efadiag bw PEER and " SG_NEXT },
	{ "unresponsive_remote_events", "times a remote peer stopped responding", HWC_TROUBLE_FAIL,
	  "a peer that died or rebooted, or a security group that stopped allowing EFA traffic "
	  "(it needs a self-referencing inbound and outbound rule)",
	  SG_NEXT },
	{ "impaired_remote_conn_events",
	  "times a connection to a peer became impaired and was rate limited", HWC_TROUBLE_WARN,
	  "a peer or the path to it degraded", "efadiag bw PEER" },
	/* device directory (efa driver 1.14.0+; before it both directories held everything) */
	{ "submitted_cmds", "admin commands submitted to the device", HWC_NORMAL, NULL, NULL },
	{ "completed_cmds", "admin commands the device completed", HWC_NORMAL, NULL, NULL },
	{ "cmds_err", "admin commands the device failed", HWC_TROUBLE_FAIL,
	  "a device or driver error", "dmesg | grep -i efa" },
	{ "no_completion_cmds",
	  "admin commands that timed out (the device's admin queue stops after one)",
	  HWC_TROUBLE_FAIL, "a device that stopped answering its driver",
	  "dmesg | grep -i efa; the device needs a reset: stop its jobs, then modprobe -r efa && "
	  "modprobe efa, or reboot" },
	{ "keep_alive_rcvd", "keep-alive events received from the device", HWC_NORMAL, NULL, NULL },
	{ "alloc_pd_err", "protection domains the device refused", HWC_TROUBLE_WARN, LIMITS_CAUSE,
	  "efadiag info" },
	{ "create_qp_err", "queue pairs the device refused", HWC_TROUBLE_WARN, LIMITS_CAUSE,
	  "efadiag info" },
	{ "create_cq_err", "completion queues the device refused", HWC_TROUBLE_WARN, LIMITS_CAUSE,
	  "efadiag info" },
	{ "reg_mr_err", "memory registrations the device refused", HWC_TROUBLE_WARN,
	  "the locked-memory limit (ulimit -l; in a container, the pod's memlock) or the device's "
	  "registration limits",
	  "efadiag info (its memlock check)" },
	{ "alloc_ucontext_err", "device contexts that could not be opened", HWC_TROUBLE_WARN,
	  "more processes opening the device than it allows", "efadiag info" },
	{ "create_ah_err", "address handles (peers) the device refused", HWC_TROUBLE_WARN,
	  LIMITS_CAUSE, "efadiag info" },
	{ "mmap_err", "device memory mappings that failed", HWC_TROUBLE_WARN, LIMITS_CAUSE,
	  "efadiag info" },
};

static const struct hwc_meaning generic = { "", "EFA hardware counter", HWC_NORMAL, NULL, NULL };
static const struct hwc_meaning generic_err = {
	"", "errors counted by the device", HWC_TROUBLE_WARN, "a device or driver error",
	"dmesg | grep -i efa"
};

int hwc_meaning_rank(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (!strcmp(meanings[i].name, name))
			return (int)i;
	return (int)i;
}

const struct hwc_meaning *hwc_meaning(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (!strcmp(meanings[i].name, name))
			return &meanings[i];
	/* A counter of errors efadiag does not know yet is still trouble when it rises. */
	if (n > 4 && !strcmp(name + n - 4, "_err"))
		return &generic_err;
	return &generic;
}

/* Keeps a sample's values as the window's latest. */
static void keep_last(struct hwc_window *w, const struct hwc_sample *s)
{
	size_t i;

	for (i = 0; i < HWC_MAX; i++) {
		w->last_ok[i] = !s->err && !s->val[i].err;
		w->last[i] = w->last_ok[i] ? s->val[i].v : 0;
	}
}

void hwc_window_start(struct hwc_window *w, const struct hwc_sample *first)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->err = first->err;
	for (i = 0; i < HWC_MAX; i++)
		w->counter_err[i] = first->val[i].err;
	keep_last(w, first);
}

void hwc_window_since_load(struct hwc_window *w, const struct hwc_device *d,
			   const struct hwc_sample *s)
{
	size_t i;

	hwc_window_start(w, s);
	w->since_load = true;
	for (i = 0; !s->err && i < d->n; i++) {
		w->seen[i] = !s->val[i].err;
		w->delta[i] = s->val[i].err ? 0 : s->val[i].v;
	}
}

double hwc_window_add(struct hwc_window *w, const struct hwc_device *d,
		      const struct hwc_sample *prev, const struct hwc_sample *cur, uint64_t *delta,
		      bool *valid)
{
	bool reset = false;
	double secs;
	size_t i;

	w->err = cur->err;
	for (i = 0; i < HWC_MAX; i++) {
		valid[i] = false;
		delta[i] = 0;
		w->counter_err[i] = cur->err ? 0 : cur->val[i].err;
	}
	keep_last(w, cur);
	if (prev->err || cur->err || cur->t <= prev->t)
		return 0;
	secs = cur->t - prev->t;
	for (i = 0; i < d->n; i++) {
		if (prev->val[i].err || cur->val[i].err)
			continue;
		if (cur->val[i].v < prev->val[i].v) {
			/* Backwards: the driver reloaded or the device reset. A restart, not a rate. */
			if (!reset && !w->resets)
				str_copy(w->reset_counter, sizeof(w->reset_counter), d->counter[i]);
			reset = true;
			continue;
		}
		delta[i] = cur->val[i].v - prev->val[i].v;
		valid[i] = true;
		w->delta[i] += delta[i];
		w->seen[i] = true;
	}
	w->resets += reset;
	w->seconds += secs;
	w->intervals++;
	return secs;
}

int hwc_trouble_moved(const struct hwc_device *d, const uint64_t *delta, const bool *valid,
		      char *buf, size_t len)
{
	size_t i, used = 0;
	int moved = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < d->n; i++) {
		int n;

		if (!valid[i] || !delta[i] || hwc_meaning(d->counter[i])->trouble == HWC_NORMAL)
			continue;
		moved++;
		if (used >= len)
			continue;
		n = snprintf(buf + used, len - used, "%s%s +%llu", used ? ", " : "", d->counter[i],
			     (unsigned long long)delta[i]);
		used = n < 0 ? len : used + (size_t)n;
	}
	return moved;
}

/* "in 6.0 s" or "since the driver loaded": the window in words. */
static void window_words(const struct hwc_window *w, char *buf, size_t len)
{
	if (w->since_load)
		snprintf(buf, len, "since the driver loaded");
	else
		snprintf(buf, len, "in %.1f s", w->seconds);
}

/* A device whose counters could not be read at the end of the window. */
static bool judge_device_errors(struct checks *c, const struct hwc_device *d,
				const struct hwc_window *w)
{
	const char *name = "hw_counters";
	size_t i, refused = 0;

	if (w->err) {
		check_add_dev(c, name, d->name, CHECK_FAIL, "%s%s", hwc_strerror(w->err),
			  w->err == -ENODEV ? "; see dmesg, and efadiag info for the devices left"
					    : "");
		return false;
	}
	if (!d->n) {
		check_add_dev(c, name, d->name, CHECK_SKIP,
			  "no hw_counters files (the efa driver exposes them from 1.4.0)");
		return false;
	}
	for (i = 0; i < d->n; i++)
		refused += w->counter_err[i] == -ENODEV;
	if (refused) {
		check_add_dev(c, name, d->name, CHECK_FAIL,
			  "%zu counter%s refused with ENODEV: the efa driver closed the device's "
			  "admin queue after an admin command timed out, and refuses every admin "
			  "command until the device is reset (dmesg: \"Admin queue is closed\"). "
			  "Next: dmesg | grep -i efa; stop its jobs, then modprobe -r efa && "
			  "modprobe efa, or reboot",
			  refused, refused == 1 ? " was" : "s were");
		check_remedy(c, "dmesg | grep -i efa; stop its jobs, then modprobe -r efa && "
			     "modprobe efa, or reboot");
	}
	for (i = 0; i < d->n; i++) {
		if (!w->counter_err[i] || w->counter_err[i] == -ENODEV)
			continue;
		check_add_dev(c, name, d->name, CHECK_WARN, "%s: %s%s", d->counter[i],
			  hwc_strerror(w->counter_err[i]),
			  w->counter_err[i] == -EACCES ? " (run as root)" : "");
		if (w->counter_err[i] == -EACCES)
			check_remedy(c, "run efadiag stats as root");
	}
	if (w->resets)
		check_add_dev(c, name, d->name, CHECK_WARN,
			  "counters went backwards (first %s): the driver was reloaded or the "
			  "device reset; counting restarted there, no rate was made from it",
			  w->reset_counter);
	return true;
}

/* Trouble counters that rose: one check each. Returns how many rose. */
static int judge_trouble(struct checks *c, const struct hwc_device *d, const struct hwc_window *w)
{
	char when[64];
	int rose = 0;
	size_t i;

	window_words(w, when, sizeof(when));
	for (i = 0; i < d->n; i++) {
		const struct hwc_meaning *m = hwc_meaning(d->counter[i]);
		enum check_status st;

		if (m->trouble == HWC_NORMAL || !w->seen[i] || !w->delta[i])
			continue;
		rose++;
		/* Since load, only a stopped admin queue is still broken now; the rest is history. */
		st = m->trouble == HWC_TROUBLE_FAIL ? CHECK_FAIL : CHECK_WARN;
		if (w->since_load && strcmp(d->counter[i], "no_completion_cmds"))
			st = CHECK_WARN;
		check_add_dev(c, d->counter[i], d->name, st, "%s%llu %s: %s. Likely: %s. Next: %s%s",
			  w->since_load ? "" : "+", (unsigned long long)w->delta[i], when, m->help,
			  m->cause, m->next,
			  w->since_load ? " (to see whether it still rises: efadiag stats -i 1 -c 10)"
					: "");
		check_remedy(c, "%s", m->next);
	}
	return rose;
}

/*
 * Keep-alives: the device sends them as asynchronous events and the efa driver only counts
 * them (efa_keep_alive(), amzn-drivers kernel/linux/efa/src/efa_main.c; the in-tree driver
 * alike). No source gives their period, nor what a missing one means, so the rates are
 * reported, not judged: a counter that rose shows the device's event path worked.
 */
static void judge_keepalive(struct checks *c, const struct hwc_set *set,
			    const struct hwc_window *w)
{
	size_t i, watched = 0, silent = 0, used = 0;
	char rates[640] = "", first_silent[64] = "";

	for (i = 0; i < hwc_count(set); i++) {
		const struct hwc_device *d = hwc_device(set, i);
		int k = hwc_index(d, "keep_alive_rcvd");
		int n;

		if (k < 0 || w[i].err || !w[i].seen[k] || w[i].since_load || w[i].seconds <= 0)
			continue;
		watched++;
		if (!w[i].delta[k] && !silent++)
			str_copy(first_silent, sizeof(first_silent), d->name);
		if (used >= sizeof(rates))
			continue;
		n = snprintf(rates + used, sizeof(rates) - used, "%s%s %.2f/s", used ? ", " : "",
			     d->name, (double)w[i].delta[k] / w[i].seconds);
		used = n < 0 ? sizeof(rates) : used + (size_t)n;
	}
	if (!watched && hwc_count(set) && w[0].since_load)
		check_add(c, "keep_alive", CHECK_SKIP,
			  "a rate needs a window of samples: efadiag stats -i 1 -c 5");
	else if (!watched)
		check_add(c, "keep_alive", CHECK_SKIP,
			  "no device has keep_alive_rcvd (efa driver 1.4.0 and later)");
	else if (!silent)
		check_add(c, "keep_alive", CHECK_PASS, "keep-alives arrived on %zu device%s in "
			  "%.1f s: %s", watched, watched == 1 ? "" : "s", w[0].seconds, rates);
	else
		check_add(c, "keep_alive", CHECK_SKIP,
			  "not judged (no source gives the keep-alive period): %zu of %zu device%s "
			  "received none in %.1f s (first %s); rates: %s", silent, watched,
			  watched == 1 ? "" : "s", w[0].seconds, first_silent, rates);
}

static const char *const network_counters[] = {
	"retrans_bytes", "retrans_pkts", "retrans_timeout_events", "unresponsive_remote_events",
	"impaired_remote_conn_events",
};

/* Whether some device's network counters ever counted anything (a value, since load, not 0). */
static bool network_counted(const struct hwc_set *set, const struct hwc_window *w)
{
	size_t i, j;

	for (i = 0; i < hwc_count(set); i++)
		for (j = 0; j < sizeof(network_counters) / sizeof(network_counters[0]); j++) {
			int k = hwc_index(hwc_device(set, i), network_counters[j]);

			if (k >= 0 && !w[i].err && w[i].last_ok[k] && w[i].last[k])
				return true;
		}
	return false;
}

/* Counters that are there but count nothing, for what the device cannot do. */
static void judge_uncounted(struct checks *c, const struct hwc_set *set)
{
	static const struct {
		const char *prefix, *what, *why;
		bool write;
	} groups[] = {
		/* amzn-drivers efa 2.5.0+ efa_fill_port_stats(): RDMA_WRITE stats only with it. */
		{ "rdma_write_", "RDMA write", "the efa driver fills them only for devices that "
		  "have it (efa_fill_port_stats(), 2.5.0 and later)", true },
		/* A device without RDMA read never reads, nor answers peers' reads. */
		{ "rdma_read_", "RDMA read", "a device without it never reads", false },
	};
	size_t g, i, j;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const char *first = NULL;
		char name[64];
		size_t n = 0;

		for (i = 0; i < hwc_count(set); i++) {
			const struct hwc_device *d = hwc_device(set, i);
			int cap = groups[g].write ? d->rdma_write : d->rdma_read;
			bool has = false;

			for (j = 0; j < d->n && !has; j++)
				has = !strncmp(d->counter[j], groups[g].prefix,
					       strlen(groups[g].prefix));
			if (has && cap == 0 && !n++)
				first = d->name;
		}
		if (!n)
			continue;
		snprintf(name, sizeof(name), "%scounters", groups[g].prefix);
		check_add(c, name, CHECK_SKIP, "%zu device%s (first %s) without %s (efadv, or the "
			  "instance table): its %s* counters count nothing, as %s", n,
			  n == 1 ? "" : "s", first, groups[g].what, groups[g].prefix,
			  groups[g].why);
	}
}

/* One device retransmitting while every sibling on the host has none: that NIC or its path. */
static void judge_siblings(struct checks *c, const struct hwc_set *set,
			   const struct hwc_window *w)
{
	size_t i, with = 0, retrans = 0, which = 0;
	uint64_t n = 0;
	char when[64];

	for (i = 0; i < hwc_count(set); i++) {
		int k = hwc_index(hwc_device(set, i), "retrans_pkts");

		if (k < 0 || w[i].err || !w[i].seen[k])
			continue;
		with++;
		if (w[i].delta[k]) {
			retrans++;
			which = i;
			n = w[i].delta[k];
		}
	}
	if (with < 2) {
		check_add(c, "retransmissions", CHECK_SKIP,
			  "needs two devices with retrans_pkts (efa driver 2.17.0 and later)");
		return;
	}
	if (!network_counted(set, w)) {
		check_add(c, "retransmissions", CHECK_SKIP,
			  "every network counter (retrans_*, *_events) of all %zu devices is 0: "
			  "the efa driver has them on every device from 2.17.0 whatever the "
			  "hardware counts, and no source says which hardware counts them, so "
			  "none retransmitted cannot be told from none counted",
			  with);
		return;
	}
	window_words(&w[which], when, sizeof(when));
	if (retrans == 1) {
		check_add_dev(c, "retransmissions", hwc_device(set, which)->name, CHECK_WARN,
			  "%s retransmitted %llu packets %s while its %zu sibling%s retransmitted none: "
			  "that NIC or its network path. Next: efadiag bw --all-domains PEER, and compare",
			  hwc_device(set, which)->name, (unsigned long long)n, when, with - 1,
			  with == 2 ? "" : "s");
		check_remedy(c, "efadiag bw --all-domains PEER, and compare the devices");
	} else if (!retrans)
		check_add(c, "retransmissions", CHECK_PASS, "none on %zu devices %s", with, when);
	else
		check_add(c, "retransmissions", CHECK_PASS,
			  "%zu of %zu devices retransmitted %s: not one NIC alone", retrans, with,
			  when);
}

void hwc_judge(struct checks *c, const struct hwc_set *set, const struct hwc_window *w)
{
	size_t i, readable = 0;
	int rose = 0;

	for (i = 0; i < hwc_count(set); i++) {
		if (!judge_device_errors(c, hwc_device(set, i), &w[i]))
			continue;
		readable++;
		rose += judge_trouble(c, hwc_device(set, i), &w[i]);
	}
	if (readable && !rose) {
		char when[64];

		window_words(&w[0], when, sizeof(when));
		check_add(c, "trouble_counters", CHECK_PASS,
			  "no drop, error or remote-failure counter rose %s on %zu device%s", when,
			  readable, readable == 1 ? "" : "s");
	}
	if (!hwc_count(set))
		return;
	judge_keepalive(c, set, w);
	judge_siblings(c, set, w);
	judge_uncounted(c, set);
}
