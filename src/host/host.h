/* SPDX-License-Identifier: MIT */
/* Host facts: instance type and its EFA device count, memlock, hugepages, libfabric, env. */
#ifndef EFADIAG_HOST_H
#define EFADIAG_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct instance_type;

struct host_facts {
	char instance_type[64];	   /* "" when not an EC2 instance; printable */
	int instance_type_err;	   /* 0, or why product_name could not be read */
	int expected_efa_devices;  /* -1 when the type is unknown */
	const struct instance_type *type; /* its row in the instance table, NULL when unknown */
	int line_rate_gbps;	   /* the type's network bandwidth, 0 when unknown */
	uint64_t memlock_bytes;	   /* UINT64_MAX for unlimited */
	/*
	 * CAP_IPC_LOCK in this process's effective set (/proc/self/status CapEff): 1, 0, or -1
	 * unknown. With it the kernel pins registered memory past RLIMIT_MEMLOCK: ib_umem_get
	 * (linux drivers/infiniband/core/umem.c) fails only "new_pinned > lock_limit &&
	 * !capable(CAP_IPC_LOCK)". A pod given IPC_LOCK (the EKS EFA examples) has it.
	 */
	int cap_ipc_lock;
	long hugepages_total;	   /* 2 MiB pages, -1 when unknown */
	long hugepages_free;
	int hugepages_err;	   /* 0, or why nr_hugepages could not be read */
	long ptrace_scope;	   /* -1 when yama is absent or unreadable */
	int ptrace_scope_err;	   /* 0, or why it could not be read */
	char libfabric_version[32];
	char libfabric_path[1024];
	char efa_driver_version[128];
};

void host_collect(struct host_facts *h);
/* The path of the libfabric this process loaded, "" when unknown. */
void host_libfabric_path(char *buf, size_t len);

#endif
