/* SPDX-License-Identifier: MIT */
/* The fabric endpoint: one FI_EP_RDM endpoint with its CQ, AV, EQ and registered buffer. */
#ifndef EFADIAG_FABRIC_H
#define EFADIAG_FABRIC_H

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define FAB_ADDR_MAX 256
#define FAB_RING 256

/* How a failed fabric operation is classified, for the diagnosis. */
enum fab_err_class {
	FAB_ERR_NONE,
	FAB_ERR_UNREACHABLE, /* the peer cannot be reached: security group, routing, dead peer */
	FAB_ERR_TIMEOUT,     /* nothing arrived before the deadline */
	FAB_ERR_OTHER,
};

/* A completion, or a completion error, taken off a CQ. */
struct fab_comp {
	void *context;
	uint64_t flags;
	size_t len;
	int err;	/* 0, or a positive FI_* error code */
	int prov_errno;
};

struct fab {
	struct fi_info *info;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_eq *eq;
	struct fid_av *av;
	struct fid_cq *cq;
	struct fid_ep *ep;
	struct fid_mr *mr;
	void *buf;
	size_t buf_size;
	void *desc; /* MR descriptor when the provider wants local registration, else NULL */
	fi_addr_t peer;
	size_t inject_size;
	size_t max_msg_size;
	/* Completions read but not yet claimed: polling one endpoint may find another's work. */
	struct fab_comp ring[FAB_RING];
	unsigned int ring_head, ring_len;
	struct fab *buddy; /* the other endpoint in --loopback: progressed while we wait */
	/* The last error, decoded: "fi_cq_readerr: Host is unreachable (prov_errno 13: ...)". */
	char err_text[512];
	enum fab_err_class err_class;
};

/* Options for choosing and opening an endpoint. */
struct fab_open_args {
	const char *provider;
	char *const *domains; /* -d, may be empty */
	size_t ndomains;
	const struct sockaddr *peer; /* for IP providers: pick the domain whose subnet holds it */
	uint64_t caps;		     /* FI_MSG, plus FI_RMA... for later tests */
	size_t buf_size;	     /* bytes of registered buffer wanted */
	size_t index;		     /* with several domains wanted: which one (0 = first) */
};

/*
 * Opens fabric, domain, EQ, AV, CQ and endpoint on the chosen domain, and registers the
 * buffer. Returns 0, or a negative FI_* code with f->err_text saying which call failed.
 * -FI_ENODATA means no provider/domain matched.
 */
int fab_open(struct fab *f, const struct fab_open_args *args);
/* Closes everything in reverse order of opening; safe on a partly opened or closed fab. */
void fab_close(struct fab *f);

int fab_getname(struct fab *f, void *addr, size_t *len);
int fab_insert_peer(struct fab *f, const void *addr, size_t len);

/*
 * Deadlines are now_sec() values, or FAB_WITHIN(seconds): that long from the moment the call
 * first finds it has to wait. Latency loops use the relative form: no clock read per message.
 */
#define FAB_WITHIN(sec) (-(double)(sec))

/* Post a receive / a send of len bytes at offset off of the buffer, retrying on FI_EAGAIN
 * until deadline. A send that fits inject_size is injected and produces no completion:
 * *completes says whether one will come. */
int fab_post_recv(struct fab *f, size_t off, size_t len, void *context, double deadline);
int fab_post_send(struct fab *f, size_t off, size_t len, void *context, bool *completes,
		  double deadline);

/* Like fab_post_send, but never injects: the caller wants the completion (or its error). */
int fab_post_send_tracked(struct fab *f, size_t off, size_t len, void *context);
/* One completion if the CQ has one: 1 and *c, 0 when none, < 0 when the CQ itself failed. */
int fab_poll(struct fab *f, struct fab_comp *c);

/*
 * Waits for the completion of context (NULL: any), progressing the buddy endpoint too.
 * Returns 0 with *c filled, -FI_ETIMEDOUT at the deadline, -FI_EINTR when watch_fd (>= 0)
 * becomes readable, or -FI_EIO for a completion error (c and f->err_text describe it).
 */
int fab_wait(struct fab *f, void *context, struct fab_comp *c, double deadline, int watch_fd);

/*
 * Keeps the endpoint progressing until fd is readable: with manual progress a provider may
 * still hold an injected message that only leaves while we poll. 0, or -FI_ETIMEDOUT.
 */
int fab_progress_until_readable(struct fab *f, int fd, double deadline);

/* The domain's and fabric's names, as libfabric calls them. */
const char *fab_domain_name(const struct fab *f);
const char *fab_fabric_name(const struct fab *f);
const char *fab_provider_name(const struct fab *f);
const char *fab_err_class_str(enum fab_err_class c);

/* Hex form of fabric addresses for the control channel. */
void fab_addr_to_hex(const void *addr, size_t len, char *hex, size_t hexlen);
int fab_addr_from_hex(const char *hex, void *addr, size_t *len);
/* An IP address from a provider's fabric address, when it is one (tcp, udp, sockets). */
bool fab_addr_sockaddr(const struct fab *f, const void *addr, size_t len,
		       struct sockaddr_storage *ss);

#endif
