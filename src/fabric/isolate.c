// SPDX-License-Identifier: MIT
/*
 * Domain listing in a child process. The first fi_getinfo loads every provider, and a provider
 * may abort() there (libfabric 2.x's efa provider does when FI_EFA_MTU_SIZE is set), crash or
 * hang: info exists to diagnose exactly those hosts, so it asks from a child it can outlive.
 */
#include "fabric/isolate.h"

#include <errno.h>
#include <poll.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fabric/discover.h"
#include "fabric/endpoint.h"
#include "util.h"

/* The child's answer: a header, then one record per domain. Same binary both ends. */
struct listing_header {
	int32_t ret;
	uint32_t count;
};

struct domain_record {
	char prov_name[64];
	char fabric_name[256];
	char domain_name[256];
	uint32_t prov_version;
	uint32_t fabric_version;
	int32_t ep_type;
	uint32_t protocol;
	uint32_t protocol_version;
	int32_t mr_mode;
	uint64_t max_msg_size;
	uint64_t inject_size;
	uint64_t caps;
};

/*
 * After the records, one of these per record as its open is tried: the listing stands on its
 * own, and an open that aborts, crashes or hangs (libfabric 2.x's efa aborts at endpoint
 * open on some FI_EFA_* values) costs only the open results that did not come.
 */
struct open_record {
	uint32_t index;
	int32_t ret;   /* fab_open of the entry: 0, or libfabric's negative error */
	char err[256]; /* what failed, when it did */
};

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static void record_from(struct domain_record *r, const struct fi_info *fi)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->prov_name, sizeof(r->prov_name), fi->fabric_attr->prov_name);
	str_copy(r->fabric_name, sizeof(r->fabric_name), fi->fabric_attr->name);
	str_copy(r->domain_name, sizeof(r->domain_name), fi->domain_attr->name);
	r->prov_version = fi->fabric_attr->prov_version;
	r->fabric_version = fi->fabric_attr->api_version;
	r->ep_type = (int32_t)fi->ep_attr->type;
	r->protocol = fi->ep_attr->protocol;
	r->protocol_version = fi->ep_attr->protocol_version;
	r->mr_mode = fi->domain_attr->mr_mode;
	r->max_msg_size = fi->ep_attr->max_msg_size;
	r->inject_size = fi->tx_attr->inject_size;
	r->caps = fi->caps;
}

/*
 * Whether a test could open an endpoint on the entry: the full open a test does (fabric,
 * domain, EQ, AV, CQ, endpoint, enable), on this fabric and domain by name. A provider lists
 * entries it then cannot open (efa-direct with a device too old for it, a domain without a
 * usable device), and a listing alone would not show it.
 */
static void try_open(const struct fi_info *fi, struct open_record *o)
{
	char *domain = fi->domain_attr->name;
	struct fab_open_args a = { .provider = fi->fabric_attr->prov_name, .domains = &domain,
				   .ndomains = 1, .caps = FI_MSG, .fabric = fi->fabric_attr->name };
	struct fab_ep ep;

	o->ret = fab_open(&ep, &a);
	if (o->ret)
		str_copy(o->err, sizeof(o->err), ep.err_text);
	fab_close(&ep);
}

/* The child: asks libfabric, writes the answer, and leaves without running exit handlers. */
static void __attribute__((noreturn))
child_list(int fd, const char *prov, char *const *domains, size_t ndomains)
{
	struct listing_header h = { 0, 0 };
	struct fi_info *list = NULL, *fi;
	struct domain_record r;
	struct open_record o;

	h.ret = fabric_list_domains(prov, domains, ndomains, &list);
	for (fi = list; fi; fi = fi->next)
		h.count++;
	if (!write_all(fd, &h, sizeof(h)))
		_exit(1);
	for (fi = list; fi; fi = fi->next) {
		record_from(&r, fi);
		if (!write_all(fd, &r, sizeof(r)))
			_exit(1);
	}
	for (fi = list, o.index = 0; fi; fi = fi->next, o.index++) {
		memset(o.err, 0, sizeof(o.err));
		try_open(fi, &o);
		if (!write_all(fd, &o, sizeof(o)))
			_exit(1);
	}
	/* Freed for leak checkers that follow children (valgrind); then no atexit handlers and no
	 * stdio flush: the parent's buffers are not ours to write. */
	fi_freeinfo(list);
	_exit(0);
}

static struct fi_info *info_from(const struct domain_record *r)
{
	struct fi_info *fi = fi_allocinfo();

	if (!fi)
		return NULL;
	fi->fabric_attr->prov_name = strndup(r->prov_name, sizeof(r->prov_name) - 1);
	fi->fabric_attr->name = strndup(r->fabric_name, sizeof(r->fabric_name) - 1);
	fi->domain_attr->name = strndup(r->domain_name, sizeof(r->domain_name) - 1);
	if (!fi->fabric_attr->prov_name || !fi->fabric_attr->name || !fi->domain_attr->name) {
		fi_freeinfo(fi);
		return NULL;
	}
	fi->fabric_attr->prov_version = r->prov_version;
	fi->fabric_attr->api_version = r->fabric_version;
	fi->ep_attr->type = (enum fi_ep_type)r->ep_type;
	fi->ep_attr->protocol = r->protocol;
	fi->ep_attr->protocol_version = r->protocol_version;
	fi->domain_attr->mr_mode = r->mr_mode;
	fi->ep_attr->max_msg_size = r->max_msg_size;
	fi->tx_attr->inject_size = r->inject_size;
	fi->caps = r->caps;
	return fi;
}

/* Rebuilds the list from the child's bytes; -1 when they are incomplete. */
static int parse_answer(const char *buf, size_t len, struct listing *l)
{
	struct listing_header h;
	struct fi_info *head = NULL, **tail = &head;
	struct domain_record r;
	struct open_record o;
	size_t at;
	uint32_t i;

	if (len < sizeof(h))
		return -1;
	memcpy(&h, buf, sizeof(h));
	if ((len - sizeof(h)) / sizeof(r) < h.count)
		return -1;
	l->opens = calloc(h.count ? h.count : 1, sizeof(*l->opens));
	for (i = 0; i < h.count && l->opens; i++) {
		memcpy(&r, buf + sizeof(h) + i * sizeof(r), sizeof(r));
		*tail = info_from(&r);
		if (!*tail)
			break;
		l->opens[i].ret = LISTING_OPEN_UNTRIED;
		tail = &(*tail)->next;
	}
	if (i < h.count) {
		fi_freeinfo(head);
		free(l->opens);
		l->opens = NULL;
		l->ret = -FI_ENOMEM;
		return 0;
	}
	/* The open results that came, in any number. */
	for (at = sizeof(h) + h.count * sizeof(r); len - at >= sizeof(o); at += sizeof(o)) {
		memcpy(&o, buf + at, sizeof(o));
		if (o.index >= h.count)
			break;
		l->opens[o.index].ret = o.ret;
		o.err[sizeof(o.err) - 1] = '\0';
		str_copy(l->opens[o.index].err, sizeof(l->opens[o.index].err), o.err);
	}
	l->ret = h.ret;
	l->list = head;
	return 0;
}

/* Reads the child's answer until EOF or the deadline; false when the deadline came first. */
static bool read_answer(int fd, double deadline, char **buf, size_t *len)
{
	size_t cap = 0;

	*buf = NULL;
	*len = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now_sec();
		ssize_t n;
		int pr;

		if (left <= 0)
			return false;
		pr = poll(&p, 1, (int)(left * 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue; /* the loop's deadline test decides */
		if (pr < 0)
			return true; /* treated as an incomplete answer */
		if (*len == cap) {
			char *grown = realloc(*buf, cap ? cap * 2 : 16384);

			if (!grown)
				return true;
			*buf = grown;
			cap = cap ? cap * 2 : 16384;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		*len += (size_t)n;
	}
}

int fabric_list_domains_isolated(const char *prov, char *const *domains, size_t ndomains,
				 double timeout_sec, struct listing *l)
{
	int fds[2], status = 0;
	char *buf = NULL;
	size_t len = 0;
	bool answered;
	pid_t pid;

	memset(l, 0, sizeof(*l));
	l->timeout_sec = timeout_sec;
	l->fate = LISTING_LOST;
	if (pipe(fds))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		/* Its abort message is libfabric's to print; a core file per info run would only fill
		 * the disk of the host being diagnosed. */
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
		fatal_signals_default();
		child_list(fds[1], prov, domains, ndomains);
	}
	close(fds[1]);
	answered = read_answer(fds[0], now_sec() + timeout_sec, &buf, &len);
	close(fds[0]);
	if (!answered)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!parse_answer(buf, len, l)) {
		/* The listing came whole: how the endpoint checks after it ended is theirs. */
		l->fate = LISTING_DONE;
		if (!answered)
			snprintf(l->open_stop, sizeof(l->open_stop), "not checked: the endpoint checks "
				 "did not finish within -t %.3g s", timeout_sec);
		else if (WIFSIGNALED(status))
			snprintf(l->open_stop, sizeof(l->open_stop), "not checked: libfabric died of "
				 "signal %d opening an endpoint after the listing", WTERMSIG(status));
	} else if (!answered) {
		l->fate = LISTING_HUNG;
	} else if (WIFSIGNALED(status)) {
		l->signo = WTERMSIG(status);
		l->fate = l->signo == SIGABRT ? LISTING_ABORTED : LISTING_CRASHED;
	} else if (WIFEXITED(status)) {
		l->exit_status = WEXITSTATUS(status);
	}
	free(buf);
	return l->fate == LISTING_DONE ? 0 : -1;
}

void listing_describe(const struct listing *l, char *buf, size_t len)
{
	const char *name = signal_abbrev(l->signo);

	switch (l->fate) {
	case LISTING_DONE:
		snprintf(buf, len, "libfabric listed the providers (%d)", l->ret);
		break;
	case LISTING_ABORTED:
		snprintf(buf, len, "libfabric aborted while listing providers (signal %d, SIGABRT)",
			 l->signo);
		break;
	case LISTING_CRASHED:
		snprintf(buf, len, "libfabric crashed (signal %d%s%s) while listing providers",
			 l->signo, name ? ", " : "", name ? name : "");
		break;
	case LISTING_HUNG:
		snprintf(buf, len, "libfabric hung while listing providers (no answer within "
			 "%.1f s; a longer -t gives it more time)", l->timeout_sec);
		break;
	case LISTING_LOST:
		snprintf(buf, len, "libfabric exited (status %d) while listing providers, without "
			 "an answer", l->exit_status);
		break;
	}
}
