// SPDX-License-Identifier: MIT
/* PMIx client calls, each bounded by PMIX_TIMEOUT; stubs when efadiag is built without PMIx. */
#include "config.h"

#include "ctl/pmix.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#ifdef HAVE_PMIX
#include <pmix.h>

/* Whole seconds, at least one: PMIX_TIMEOUT takes an int, and 0 would mean no limit. */
static int whole_sec(double sec)
{
	return sec < 1 ? 1 : sec > 86400 ? 86400 : (int)(sec + 0.999);
}

static pmix_proc_t me;

/*
 * A guard behind PMIx's own timeouts: a launcher's PMIx server that never answers (a node's
 * daemon gone) must not hold a rank forever. Past its timeout and a grace, the rank exits 3.
 */
#define GUARD_GRACE_SEC 10

static void guard_fired(int sig)
{
	static const char msg[] = "efadiag: mesh: the PMIx server did not answer within its "
				  "timeout; giving up\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to do */
	}
	_exit(3);
}

static void guard_on(int timeout)
{
	signal(SIGALRM, guard_fired);
	alarm((unsigned)(timeout + GUARD_GRACE_SEC));
}

static void guard_off(void)
{
	alarm(0);
}

bool boot_available(void)
{
	return true;
}

bool boot_launched(void)
{
	return getenv("PMIX_RANK") && getenv("PMIX_NAMESPACE");
}

static int failed(struct boot *b, const char *call, pmix_status_t rc)
{
	snprintf(b->err, sizeof(b->err), "%s: %s (%d)", call, PMIx_Error_string(rc), rc);
	return -1;
}

int boot_init(struct boot *b)
{
	pmix_proc_t job;
	pmix_value_t *v = NULL;
	pmix_status_t rc;

	memset(b, 0, sizeof(*b));
	rc = PMIx_Init(&me, NULL, 0);
	if (rc != PMIX_SUCCESS)
		return failed(b, "PMIx_Init", rc);
	b->up = true;
	b->rank = (int)me.rank;
	PMIX_LOAD_PROCID(&job, me.nspace, PMIX_RANK_WILDCARD);
	rc = PMIx_Get(&job, PMIX_JOB_SIZE, NULL, 0, &v);
	if (rc != PMIX_SUCCESS || !v || v->type != PMIX_UINT32) {
		if (v)
			PMIX_VALUE_RELEASE(v);
		return failed(b, "PMIx_Get(" PMIX_JOB_SIZE ")", rc ? rc : PMIX_ERR_BAD_PARAM);
	}
	b->size = (int)v->data.uint32;
	PMIX_VALUE_RELEASE(v);
	return 0;
}

int boot_put(struct boot *b, const char *key, const char *value)
{
	pmix_value_t v;
	pmix_status_t rc;

	PMIX_VALUE_LOAD(&v, value, PMIX_STRING);
	rc = PMIx_Put(PMIX_GLOBAL, key, &v);
	PMIX_VALUE_DESTRUCT(&v);
	if (rc != PMIX_SUCCESS)
		return failed(b, "PMIx_Put", rc);
	rc = PMIx_Commit();
	return rc == PMIX_SUCCESS ? 0 : failed(b, "PMIx_Commit", rc);
}

int boot_fence(struct boot *b, double timeout_sec)
{
	pmix_info_t info[2];
	pmix_proc_t all;
	bool collect = true;
	int t = whole_sec(timeout_sec);
	pmix_status_t rc;

	PMIX_LOAD_PROCID(&all, me.nspace, PMIX_RANK_WILDCARD);
	PMIX_INFO_LOAD(&info[0], PMIX_COLLECT_DATA, &collect, PMIX_BOOL);
	PMIX_INFO_LOAD(&info[1], PMIX_TIMEOUT, &t, PMIX_INT);
	guard_on(t);
	rc = PMIx_Fence(&all, 1, info, 2);
	guard_off();
	PMIX_INFO_DESTRUCT(&info[0]);
	PMIX_INFO_DESTRUCT(&info[1]);
	return rc == PMIX_SUCCESS ? 0 : failed(b, "PMIx_Fence", rc);
}

/* One PMIx_Get; refresh: ask the server again instead of the client's cache. */
static pmix_status_t get_once(int rank, const char *key, int timeout, bool refresh,
			      pmix_value_t **v)
{
	pmix_info_t info[2];
	pmix_proc_t p;
	pmix_status_t rc;

	PMIX_LOAD_PROCID(&p, me.nspace, (pmix_rank_t)rank);
	PMIX_INFO_LOAD(&info[0], PMIX_TIMEOUT, &timeout, PMIX_INT);
	PMIX_INFO_LOAD(&info[1], PMIX_GET_REFRESH_CACHE, &refresh, PMIX_BOOL);
	guard_on(timeout);
	rc = PMIx_Get(&p, key, info, 2, v);
	guard_off();
	PMIX_INFO_DESTRUCT(&info[0]);
	PMIX_INFO_DESTRUCT(&info[1]);
	return rc;
}

#define GET_RETRY_SEC 0.05

int boot_get(struct boot *b, int rank, const char *key, double timeout_sec, char **value)
{
	double deadline = now_sec() + timeout_sec;
	pmix_value_t *v = NULL;
	pmix_status_t rc;
	bool refresh = false;

	*value = NULL;
	/*
	 * PMIx waits for a key of a rank it knows nothing about yet, but answers NOT_FOUND at
	 * once for a rank whose earlier data it holds (a key committed after the fence): then
	 * it is asked again, fresh from the server, until the timeout.
	 */
	for (;;) {
		rc = get_once(rank, key, whole_sec(deadline - now_sec()), refresh, &v);
		if (rc != PMIX_ERR_NOT_FOUND || now_sec() + GET_RETRY_SEC >= deadline)
			break;
		if (v)
			PMIX_VALUE_RELEASE(v);
		v = NULL;
		refresh = true;
		usleep((useconds_t)(GET_RETRY_SEC * 1e6));
	}
	if (rc == PMIX_SUCCESS && v && v->type == PMIX_STRING && v->data.string)
		*value = strdup(v->data.string);
	if (v)
		PMIX_VALUE_RELEASE(v);
	if (rc != PMIX_SUCCESS)
		return failed(b, "PMIx_Get", rc);
	if (!*value) {
		snprintf(b->err, sizeof(b->err), "PMIx_Get: %s of rank %d is not a string", key, rank);
		return -1;
	}
	return 0;
}

void boot_fini(struct boot *b)
{
	if (b->up)
		PMIx_Finalize(NULL, 0);
	b->up = false;
}

#else /* !HAVE_PMIX */

bool boot_available(void)
{
	return false;
}

bool boot_launched(void)
{
	return getenv("PMIX_RANK") != NULL;
}

static int unavailable(struct boot *b)
{
	snprintf(b->err, sizeof(b->err), "efadiag was built without PMIx");
	return -1;
}

int boot_init(struct boot *b)
{
	memset(b, 0, sizeof(*b));
	return unavailable(b);
}

int boot_put(struct boot *b, const char *key, const char *value)
{
	(void)key;
	(void)value;
	return unavailable(b);
}

int boot_fence(struct boot *b, double timeout_sec)
{
	(void)timeout_sec;
	return unavailable(b);
}

int boot_get(struct boot *b, int rank, const char *key, double timeout_sec, char **value)
{
	(void)rank;
	(void)key;
	(void)timeout_sec;
	*value = NULL;
	return unavailable(b);
}

void boot_fini(struct boot *b)
{
	b->up = false;
}

#endif
