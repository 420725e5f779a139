// SPDX-License-Identifier: MIT
/* Unit tests of the EFA instance table (src/host/instance-types.def): sorted, unique, complete. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "host/instance.h"
#include "tap.h"

/* The families issue 15 names, each of which must have at least one row. */
static const char *const families[] = {
	"c5n.", "c6gn.", "c6in.", "c7gn.", "c7i.", "c8g.", "m6i.", "m7i.", "r6i.", "r7i.",
	"i4i.", "hpc6a.", "hpc6id.", "hpc7a.", "hpc7g.", "dl1.", "trn1.", "trn1n.",
	"trn2.", "g4dn.", "g5.", "g6.", "g6e.", "p3dn.", "p4d.", "p4de.", "p5.", "p5e.",
	"p5en.", "p6-b200.", "p6-b300.", "p6e-gb200.", "g7e.", "c8gn.", "hpc8a.",
};

static bool valid_cap(enum cap_expect c)
{
	return c == CAP_YES || c == CAP_NO || c == CAP_UNKNOWN;
}

static bool valid_accel(enum accel_kind k)
{
	return k >= ACCEL_NONE && k <= ACCEL_GAUDI;
}

static void test_sorted_unique(const struct instance_type *t, size_t n)
{
	size_t i, bad = 0;

	for (i = 1; i < n; i++)
		if (strcmp(t[i - 1].name, t[i].name) >= 0) {
			printf("# out of order or repeated: %s, %s\n", t[i - 1].name, t[i].name);
			bad++;
		}
	ok(n > 60, "the table has %zu rows", n);
	ok(!bad, "rows sorted by name, none repeated (%zu out of place)", bad);
}

static void test_complete(const struct instance_type *t, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		const struct instance_type *r = &t[i];
		const char *dot = strchr(r->name, '.');

		/* Bounds are the largest known today (32 devices, 6400 Gbit/s), with room; 0 is a
		 * count or rate no source gave. */
		if (!dot || dot == r->name || !dot[1] || r->efa_devices < 0 ||
		    r->efa_devices > 64 || r->line_rate_gbps < 0 || r->line_rate_gbps > 12800 ||
		    !valid_accel(r->accel) || !valid_cap(r->rdma_read) || !valid_cap(r->rdma_write)) {
			printf("# incomplete or out of range: %s\n", r->name);
			bad++;
		}
		/* RDMA write came with Nitro v4, after read: no row may claim write without read. */
		if (r->rdma_write == CAP_YES && r->rdma_read != CAP_YES) {
			printf("# write without read: %s\n", r->name);
			bad++;
		}
	}
	ok(!bad, "every row has a name, 0..64 devices, a line rate, an accelerator kind and both "
	   "RDMA capabilities (%zu bad)", bad);
}

static void test_families(const struct instance_type *t, size_t n)
{
	size_t f, i, missing = 0;

	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		for (i = 0; i < n; i++)
			if (!strncmp(t[i].name, families[f], strlen(families[f])))
				break;
		if (i == n) {
			printf("# no row for family %s\n", families[f]);
			missing++;
		}
	}
	ok(!missing, "every family the issue names has a row (%zu missing)", missing);
}

static void test_lookup(const struct instance_type *t, size_t n)
{
	const struct instance_type *r;
	size_t i, lost = 0;

	for (i = 0; i < n; i++)
		lost += instance_find(t[i].name) != &t[i];
	ok(!lost, "every row is found by its name (%zu not)", lost);
	r = instance_find("p5.48xlarge");
	ok(r && r->efa_devices == 32 && r->line_rate_gbps == 3200 &&
	   r->accel == ACCEL_NVIDIA_GDR, "p5.48xlarge: 32 devices, 3200 Gbit/s, NVIDIA GDR");
	r = instance_find("trn1.32xlarge");
	ok(r && r->efa_devices == 8 && r->accel == ACCEL_NEURON, "trn1.32xlarge: 8, Neuron");
	/* The EFA guide's tables, by Nitro version (read 2026-12-03), and aws-ofi-nccl's
	 * gdr_required (src/platform-aws.cpp at 2daf7d30). */
	ok(!instance_find("inf2.48xlarge"), "inf2.48xlarge: the EFA guide lists no inf2, no row");
	r = instance_find("g7e.12xlarge");
	ok(r && r->accel == ACCEL_NVIDIA_GDR && r->rdma_read == CAP_YES &&
	   r->rdma_write == CAP_YES, "g7e.12xlarge: GPUDirect (aws-ofi-nccl requires it), v6");
	r = instance_find("g7e.8xlarge");
	ok(r && r->accel == ACCEL_NVIDIA, "g7e.8xlarge: aws-ofi-nccl does not require GPUDirect");
	r = instance_find("p6e-gb200.36xlarge");
	ok(r && r->accel == ACCEL_NVIDIA_GDR && r->efa_devices == 0,
	   "p6e-gb200.36xlarge: GPUDirect, its count unknown (0)");
	ok(instance_find("c8gn.48xlarge") && instance_find("hpc8a.96xlarge"), "c8gn and hpc8a");
	r = instance_find("hpc7g.16xlarge");
	ok(r && r->rdma_read == CAP_YES && r->rdma_write == CAP_NO, "hpc7g: read, no write (v5)");
	r = instance_find("g5.48xlarge");
	ok(r && r->rdma_read == CAP_NO && r->rdma_write == CAP_NO, "g5: Nitro v3, neither");
	ok(!instance_find("m5.large") && !instance_find("") && !instance_find("p5"),
	   "types not in the table, and prefixes of names, are not found");
	is_str(instance_accel_str(ACCEL_GAUDI), "Gaudi", "accelerator names");
	is_str(instance_accel_str((enum accel_kind)0), "unknown", "an out-of-range kind is unknown");
	is_str(instance_cap_str(CAP_UNKNOWN), "unknown", "capability names");
}

int main(void)
{
	size_t n;
	const struct instance_type *t = instance_table(&n);

	test_sorted_unique(t, n);
	test_complete(t, n);
	test_families(t, n);
	test_lookup(t, n);
	return done_testing();
}
