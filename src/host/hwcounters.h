/* SPDX-License-Identifier: MIT */
/*
 * EFA hardware counters (the kernel's ib_core hw_counters): found in sysfs, read once per
 * sample, every read bounded in time.
 *
 * Two directories per device, each with a `lifespan` file (how long the driver caches values,
 * in ms: a setting, not a counter): the port's, /sys/class/infiniband/DEV/ports/N/hw_counters,
 * and the device's, /sys/class/infiniband/DEV/hw_counters. The efa driver has them from 1.4.0;
 * from 1.14.0 the device directory holds the admin counters and the port the traffic ones,
 * before that both held the full set (one efa_alloc_hw_stats() for both, amzn-drivers
 * kernel/linux/efa). Which counters exist depends on the driver version, so the files present
 * are discovered, never listed here: a counter that is not there is unsupported, never 0.
 * The converse does not hold: a file that is there may count nothing on this hardware
 * (rdma_write_* from 2.5.0 and the network counters from 2.17.0 exist on every device), which
 * the capabilities below and hwhealth.c's checks take into account.
 *
 * Reading a port counter makes the driver ask the device (an admin command), which can hang
 * when the device's admin queue is stuck. So each device is read by its own thread and the
 * caller waits for all of them no longer than it was told: a hung device is reported as such,
 * the others are not held up, and a hung reader is never waited for again.
 */
#ifndef EFADIAG_HWCOUNTERS_H
#define EFADIAG_HWCOUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HWC_MAX 96	    /* counters per device, both directories together */
#define HWC_NAME_LEN 48	    /* a counter's file name, with its terminator */
#define HWC_MAX_DEVICES 64

enum hwc_scope { HWC_PORT, HWC_DEVICE };

struct hwc_value {
	uint64_t v;
	/*
	 * 0, or why there is no value: -ENOENT (the file vanished), -EDOM (not a number),
	 * -EACCES (unreadable), -EINVAL (not a regular file), another negative errno.
	 */
	int err;
};

/* One device's reading. */
struct hwc_sample {
	double t; /* monotonic seconds when the reading ended */
	/*
	 * 0, or why the device has no reading: -ENODEV (its directories vanished: removed, or
	 * the driver unloaded), -ETIMEDOUT (its reads did not return in time), -EBUSY (still
	 * stuck in a read from an earlier sample).
	 */
	int err;
	struct hwc_value val[HWC_MAX];
	long lifespan_ms[2]; /* per scope; -1 when the file is absent or unreadable */
};

/* A device and the counters discovered for it when the set was opened. */
struct hwc_device {
	char name[64]; /* the rdma device, e.g. rdmap16s27 (printable) */
	int port;      /* the port whose hw_counters directory is read; 0 when none */
	bool has_dir[2]; /* per scope: the hw_counters directory exists */
	size_t n;
	char counter[HWC_MAX][HWC_NAME_LEN];
	enum hwc_scope scope[HWC_MAX];
	size_t skipped; /* files not taken: names unfit for a metric name, or past HWC_MAX */
	/*
	 * What the device can do, which decides whether some counters count at all: 1 yes,
	 * 0 no, -1 unknown. From efadv where the device could be asked, else the instance table.
	 */
	int rdma_read;
	int rdma_write;
};

struct hwc_set;

/*
 * Opens the counters of the devices named (rdma device names, or efa domain names such as
 * rdmap16s27-rdm), or of every EFA device when nnames is 0. Returns 0, or a negative errno with
 * why in msg (a name that is no device here, no EFA device at all).
 */
int hwc_open(struct hwc_set **set, char *const *names, size_t nnames, char *msg, size_t len);
/*
 * Like hwc_open for the devices under a test's domains, quietly: domains with no rdma device
 * of that name (tcp's "lo", shm) are left out, and *set is NULL when none is left.
 */
void hwc_open_for_domains(struct hwc_set **set, char *const *domains, size_t ndomains);
size_t hwc_count(const struct hwc_set *set);
const struct hwc_device *hwc_device(const struct hwc_set *set, size_t i);
/* The index of a counter of d, or -1 when d has no such counter. */
int hwc_index(const struct hwc_device *d, const char *name);
/*
 * Reads every device once into samples[hwc_count(set)], waiting for them at most wait_sec:
 * a device whose reads have not returned by then has err -ETIMEDOUT.
 */
void hwc_read(struct hwc_set *set, struct hwc_sample *samples, double wait_sec);
/* Stops the readers; one stuck in a read is left to the process's exit. */
void hwc_close(struct hwc_set *set);
/* Why a device has no reading, for people. */
const char *hwc_strerror(int err);
/*
 * Why a counter has no reading, for people: as hwc_strerror, but -ENODEV from a read is the
 * efa driver refusing admin commands (its admin queue closed), not a vanished device.
 */
const char *hwc_counter_strerror(int err);

#endif
