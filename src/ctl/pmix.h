/* SPDX-License-Identifier: MIT */
/*
 * The cluster bootstrap: this process's rank in a PMIx launch (srun --mpi=pmix, mpirun), and
 * values published to and read from the other ranks. Every call that waits on other ranks
 * takes a timeout: a rank that is stopped, hung or dead never blocks the others for longer.
 */
#ifndef EFADIAG_CTL_PMIX_H
#define EFADIAG_CTL_PMIX_H

#include <stdbool.h>

struct boot {
	int rank, size;
	bool up;
	char err[256];
};

/* Whether efadiag was built with PMIx. */
bool boot_available(void);
/* Whether the environment says a PMIx launcher started this process (PMIX_RANK is set). */
bool boot_launched(void);
/* Connects to the launcher's PMIx server: 0, or -1 with b->err. */
int boot_init(struct boot *b);
/* Publishes key = value for every rank and commits it: 0, or -1 with b->err. */
int boot_put(struct boot *b, const char *key, const char *value);
/* Waits for every rank to reach it and exchanges what was committed: 0, -1 with b->err. */
int boot_fence(struct boot *b, double timeout_sec);
/*
 * Reads rank's value of key, waiting for it to be committed at most timeout_sec: 0 and a
 * malloc'd *value, or -1 with b->err (a timeout when the rank never published it).
 */
int boot_get(struct boot *b, int rank, const char *key, double timeout_sec, char **value);
void boot_fini(struct boot *b);

#endif
