/* SPDX-License-Identifier: MIT */
/* The fabric endpoint: one FI_EP_RDM endpoint with its CQ, AV and EQ, and any number of peers. */
#ifndef EFADIAG_FABRIC_ENDPOINT_H
#define EFADIAG_FABRIC_ENDPOINT_H

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct fab_buf;
struct fab_remote;

#define FAB_ADDR_MAX 256
#define FAB_RING 256

/* How a failed fabric operation is classified, for the diagnosis. */
enum fab_err_class {
	FAB_ERR_NONE,
	FAB_ERR_UNREACHABLE, /* the peer cannot be reached: security group, routing, dead peer */
	FAB_ERR_TIMEOUT,     /* nothing arrived before the deadline */
	FAB_ERR_OTHER,
};

/*
 * What the provider said to FI_OPT_CUDA_API_PERMITTED=false on an endpoint for GPU memory: can
 * it move GPU memory without CUDA calls on its data path, through the NIC (GPUDirect RDMA)?
 */
enum fab_gdr {
	FAB_GDR_NOT_ASKED, /* host memory: the option is not set */
	FAB_GDR_YES,	   /* accepted: the device reaches GPU memory itself */
	FAB_GDR_NO,	   /* -FI_EOPNOTSUPP: GPU data would go through CUDA copies */
	FAB_GDR_UNKNOWN,   /* the provider or libfabric (< 1.18) does not know the option */
	FAB_GDR_NO_CUDA,   /* -FI_EINVAL: libfabric has no CUDA library or device */
};

/* A completion, or a completion error, taken off a CQ. */
struct fab_comp {
	void *context;
	uint64_t flags;
	size_t len;
	int err;	/* 0, or a positive FI_* error code */
	int prov_errno;
};

/*
 * An endpoint. It knows nothing of buffers (struct fab_buf) or of which peer a test talks to:
 * every post names both, so one endpoint serves as many peers as its AV was sized for.
 */
struct fab_ep {
	struct fi_info *info;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_eq *eq;
	struct fid_av *av;
	struct fid_cq *cq;
	struct fid_ep *ep;
	uint64_t caps;
	size_t inject_size;
	size_t max_msg_size;
	enum fab_gdr gdr; /* FI_HMEM endpoints: the answer to FI_OPT_CUDA_API_PERMITTED=false */
	int gdr_ret;	  /* fi_setopt's return, for the report */
	size_t npeers; /* addresses inserted so far */
	/*
	 * The peer receives are posted for (FI_ADDR_UNSPEC: any). It matters only on an
	 * endpoint opened with FI_DIRECTED_RECV, where a late message from an earlier peer then
	 * waits for a receive of its own instead of taking the current peer's (mesh).
	 */
	fi_addr_t recv_from;
	/* Operations posted that still owe a completion: what must drain before the close. */
	size_t inflight;
	/* Closed with operations in flight: left to the process's exit (fab_close_endpoint). */
	bool abandoned;
	/* Completions read but not yet claimed: a wait for one operation may find another's. */
	struct fab_comp ring[FAB_RING];
	unsigned int ring_head, ring_len;
	/* The last error, decoded: "fi_cq_readerr: Host is unreachable (prov_errno 13: ...)". */
	char err_text[512];
	enum fab_err_class err_class;
	/* fab_open found no FI_EP_RDM entry at all for the provider (not a missing capability). */
	bool no_provider;
	/* fab_open found the provider, but not the fabric asked for with the capabilities asked. */
	bool no_fabric;
};

/* Options for choosing and opening an endpoint. */
struct fab_open_args {
	const char *provider;
	char *const *domains; /* -d, may be empty */
	size_t ndomains;
	const struct sockaddr *peer; /* for IP providers: pick the domain whose subnet holds it */
	uint64_t caps;		     /* FI_MSG, plus FI_RMA... for later tests */
	size_t max_peers;	     /* AV size; 0: a few */
	/* --fabric, or "" / NULL: the provider's own (see fabric_keep_fabric) */
	const char *fabric;
	/* The largest message the caller will post; above the entry's max_msg_size it fails. 0: no check */
	size_t max_msg;
};

/*
 * Opens fabric, domain, EQ, AV, CQ and endpoint on the chosen domain. Returns 0, or a negative
 * FI_* code with ep->err_text saying which call failed; -FI_ENODATA: no provider/domain matched.
 */
int fab_open(struct fab_ep *ep, const struct fab_open_args *args);
/* "GPUDirect RDMA (no CUDA copies)" and the like, for fab_gdr values; JSON words by _key. */
const char *fab_gdr_str(enum fab_gdr g);
const char *fab_gdr_key(enum fab_gdr g);
/*
 * Closing, in the order the libfabric man pages ask for: first the operations in flight end
 * (fab_cancel the receives, fab_drain the rest), then the endpoint (fab_close_endpoint), then
 * the memory regions its operations used (fab_buf_free), then the rest (fab_close).
 *
 * The drain is more than tidiness: tcp;ofi_rxm (libfabric 1.17) dereferences a NULL context
 * inside fi_close when the endpoint still has operations queued on a connection, which a lossy
 * or stopped peer leaves behind.
 */
/* Asks the provider to end the operation posted with context (a receive): its completion then
 * comes with FI_ECANCELED. Harmless for one that completed already. */
void fab_cancel(struct fab_ep *ep, void *context);
/*
 * Polls until no operation is in flight, or the deadline (absolute): 0, or -FI_ETIMEDOUT with
 * ep->inflight still owed. Every completion found is discarded: its owner is done with them.
 */
int fab_drain(struct fab_ep *ep, double deadline);
/*
 * Closes the endpoint alone, so the memory its operations used may go next. When operations
 * are still in flight (a drain ran out of time: a receive the provider had matched to a
 * message that stopped half-way cannot be cancelled), the endpoint, its domain and the
 * buffers registered with it (see fab_buf_free) are left to the process's exit instead:
 * closing them is what crashes (see above), and every process that opens endpoints is
 * short-lived (a client, a --loopback half, a persistent server's child for one test).
 */
void fab_close_endpoint(struct fab_ep *ep);
/* Closes everything in reverse order of opening; safe on a partly opened or closed endpoint. */
void fab_close(struct fab_ep *ep);

int fab_getname(struct fab_ep *ep, void *addr, size_t *len);
/* Adds a peer's address to the AV: 0 and *peer, its handle for posts, or a negative error. */
int fab_insert_peer(struct fab_ep *ep, const void *addr, size_t len, fi_addr_t *peer);

/*
 * Deadlines are now_sec() values, or FAB_WITHIN(seconds): that long from the moment the call
 * first finds it has to wait. Latency loops use the relative form: no clock read per message.
 */
#define FAB_WITHIN(sec) (-(double)(sec))

/*
 * Posts a receive / a send of len bytes at offset off of buf, retrying on FI_EAGAIN until the
 * deadline. A send that fits inject_size is injected and produces no completion: *completes
 * says whether one will come.
 */
int fab_post_recv(struct fab_ep *ep, struct fab_buf *buf, size_t off, size_t len, void *context,
		  double deadline);
int fab_post_send(struct fab_ep *ep, fi_addr_t peer, struct fab_buf *buf, size_t off, size_t len,
		  void *context, bool *completes, double deadline);

/*
 * One attempt, never injected: the caller wants the completion (or its error). -FI_EAGAIN is
 * returned as it is, for callers that keep a window of operations and retry later.
 */
int fab_post_send_once(struct fab_ep *ep, fi_addr_t peer, struct fab_buf *buf, size_t off,
		       size_t len, void *context);
/* RMA, one attempt each: len bytes between buf at off and the peer's region r at roff. */
int fab_post_write_once(struct fab_ep *ep, fi_addr_t peer, struct fab_buf *buf, size_t off,
			size_t len, const struct fab_remote *r, size_t roff, void *context);
int fab_post_read_once(struct fab_ep *ep, fi_addr_t peer, struct fab_buf *buf, size_t off,
		       size_t len, const struct fab_remote *r, size_t roff, void *context);

/* One completion if the CQ has one: 1 and *c, 0 when none, < 0 when the CQ itself failed. */
int fab_poll(struct fab_ep *ep, struct fab_comp *c);

/*
 * Waits for the completion of context (NULL: any). Returns 0 with *c filled, -FI_ETIMEDOUT at
 * the deadline, -FI_EINTR when watch_fd (>= 0) becomes readable, or -FI_EIO for a completion
 * error (c and ep->err_text describe it).
 */
int fab_wait(struct fab_ep *ep, void *context, struct fab_comp *c, double deadline, int watch_fd);

/*
 * Keeps endpoints progressing until fd is readable: with manual progress a provider may still
 * hold an injected message that only leaves while we poll. The deadline is absolute (a
 * now_sec() value). 0, or -FI_ETIMEDOUT. Completions found meanwhile stay in the rings.
 */
int fab_progress_until_readable(struct fab_ep *const *eps, size_t n, int fd, double deadline);

/* The domain's, fabric's and provider's names, as libfabric calls them. */
const char *fab_domain_name(const struct fab_ep *ep);
const char *fab_fabric_name(const struct fab_ep *ep);
const char *fab_provider_name(const struct fab_ep *ep);

/* Hex form of fabric addresses and keys for the control channel. */
void fab_addr_to_hex(const void *addr, size_t len, char *hex, size_t hexlen);
int fab_addr_from_hex(const char *hex, void *addr, size_t *len);
/* An IP address from a provider's fabric address, when it is one (tcp, udp, sockets). */
bool fab_addr_sockaddr(const struct fab_ep *ep, const void *addr, size_t len,
		       struct sockaddr_storage *ss);

#endif
