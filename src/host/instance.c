// SPDX-License-Identifier: MIT
/* The EFA instance table: rows from instance-types.def, looked up by name. */
#include "host/instance.h"

#include <stdlib.h>
#include <string.h>

static const struct instance_type table[] = {
#define INSTANCE(name, devs, gbps, accel, read, write) { name, devs, gbps, accel, read, write },
#include "host/instance-types.def"
#undef INSTANCE
};

static int by_name(const void *key, const void *row)
{
	return strcmp(key, ((const struct instance_type *)row)->name);
}

const struct instance_type *instance_find(const char *name)
{
	/* The table is sorted (tests/unit-instances checks it), so a binary search will do. */
	return bsearch(name, table, sizeof(table) / sizeof(table[0]), sizeof(table[0]), by_name);
}

const struct instance_type *instance_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const char *instance_accel_str(enum accel_kind k)
{
	switch (k) {
	case ACCEL_NONE:
		return "none";
	case ACCEL_NVIDIA_GDR:
		return "NVIDIA GPU (GPUDirect RDMA)";
	case ACCEL_NVIDIA:
		return "NVIDIA GPU (no GPUDirect RDMA over EFA)";
	case ACCEL_NEURON:
		return "Trainium/Inferentia (Neuron)";
	case ACCEL_GAUDI:
		return "Gaudi";
	}
	return "unknown";
}

const char *instance_cap_str(enum cap_expect c)
{
	switch (c) {
	case CAP_YES:
		return "yes";
	case CAP_NO:
		return "no";
	case CAP_UNKNOWN:
		break;
	}
	return "unknown";
}
