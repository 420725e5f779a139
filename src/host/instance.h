/* SPDX-License-Identifier: MIT */
/* The EFA instance table (instance-types.def): what each EC2 instance type should show. */
#ifndef EFADIAG_INSTANCE_H
#define EFADIAG_INSTANCE_H

#include <stddef.h>

/* Values start at 1, so a row that leaves a field out (0) fails tests/unit-instances. */
enum accel_kind {
	ACCEL_NONE = 1,
	ACCEL_NVIDIA_GDR, /* NVIDIA GPUs that the EFA devices reach by GPUDirect RDMA */
	ACCEL_NVIDIA,	  /* NVIDIA GPUs, no GPUDirect RDMA over EFA */
	ACCEL_NEURON,	  /* Trainium, Inferentia: Neuron peer-direct through the efa driver */
	ACCEL_GAUDI,	  /* Habana Gaudi */
};

enum cap_expect { CAP_YES = 1, CAP_NO, CAP_UNKNOWN };

struct instance_type {
	const char *name;
	int efa_devices;
	int line_rate_gbps;
	enum accel_kind accel;
	enum cap_expect rdma_read;
	enum cap_expect rdma_write;
};

/* The row for an instance type ("p5.48xlarge"), or NULL when the table lacks it. */
const struct instance_type *instance_find(const char *name);
/* The whole table, sorted by name; for tests and listings. */
const struct instance_type *instance_table(size_t *n);
/* "NVIDIA GPU (GPUDirect RDMA)", "Trainium/Inferentia (Neuron)", ..., "unknown". */
const char *instance_accel_str(enum accel_kind k);
/* "yes", "no", "unknown". */
const char *instance_cap_str(enum cap_expect c);
/* How to report a type missing from the table (the project has no issue tracker URL yet). */
#define INSTANCE_REPORT_HINT \
	"to add it to the table, send the efadiag maintainers the output of 'aws ec2 " \
	"describe-instance-types --instance-types %s --query InstanceTypes[].NetworkInfo'"

#endif
