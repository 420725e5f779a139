// SPDX-License-Identifier: MIT
/* The fabric endpoint: opening an RDM endpoint on the right domain, peers, posting, polling. */
#include "fabric/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_eq.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/buffer.h"
#include "fabric/discover.h"
#include "util.h"

/* efa provider prov_errno values that mean the peer is unreachable (libfabric efa_errno.h). */
static const int efa_unreachable_prov_errno[] = { 13, 15, 4124, 4126 };

static int fail(struct fab_ep *f, const char *call, int ret)
{
	snprintf(f->err_text, sizeof(f->err_text), "%s: %s (%d)", call, fi_strerror(-ret), ret);
	f->err_class = FAB_ERR_OTHER;
	return ret;
}

/*
 * FI_OPT_CUDA_API_PERMITTED, libfabric >= 1.18 (include/rdma/fi_endpoint.h, v1.18.0): an
 * enum value, ABI, so a build against older headers still asks a newer library.
 */
#define EFADIAG_OPT_CUDA_API_PERMITTED 10

/*
 * GPU memory: forbid the provider CUDA calls on its data path, as aws-ofi-nccl does before it
 * tells NCCL that GPUDirect works (src/nccl_ofi_ofiutils.cpp, 2026-08 2daf7d30). Without it a
 * registration of CUDA memory with the efa provider succeeds even where the device cannot
 * reach GPU memory: "skip ibv_reg_mr() and generate proprietary mr_fid key", and data moves
 * through CUDA copies (libfabric v2.6.0 prov/efa/src/rdm/efa_rdm_mr.c). With it, efa's RDM
 * endpoint refuses with -FI_EOPNOTSUPP unless the device supports peer to peer
 * (prov/efa/src/rdm/efa_rdm_ep_fiops.c, efa_rdm_ep_set_cuda_api_permitted), -FI_EINVAL without
 * CUDA; efa-direct accepts it as a no-op (prov/efa/src/efa_ep.c: it never calls CUDA) and
 * offers FI_HMEM only with peer to peer (efa_prov_info.c, efa_prov_info_direct_set_hmem_flags). shm
 * refuses it (v2.6.0 prov/shm/src/smr_ep.c: its CUDA support relies on the CUDA API). Must come
 * before fi_enable. A refusal leaves the endpoint as it was: the test still runs, and says so.
 */
static void forbid_cuda_calls(struct fab_ep *f)
{
	bool no = false;

	f->gdr_ret = fi_setopt(&f->ep->fid, FI_OPT_ENDPOINT, EFADIAG_OPT_CUDA_API_PERMITTED, &no,
			       sizeof(no));
	if (f->gdr_ret == 0)
		f->gdr = FAB_GDR_YES;
	else if (f->gdr_ret == -FI_EOPNOTSUPP)
		f->gdr = FAB_GDR_NO;
	else if (f->gdr_ret == -FI_EINVAL)
		f->gdr = FAB_GDR_NO_CUDA;
	else
		f->gdr = FAB_GDR_UNKNOWN; /* -FI_ENOPROTOOPT, -FI_ENOSYS: not known */
}

int fab_open(struct fab_ep *f, const struct fab_open_args *a)
{
	struct fi_cq_attr cq_attr = { .format = FI_CQ_FORMAT_MSG, .wait_obj = FI_WAIT_NONE };
	struct fi_eq_attr eq_attr = { .wait_obj = FI_WAIT_NONE };
	struct fi_av_attr av_attr = { .type = FI_AV_UNSPEC, .count = a->max_peers ? a->max_peers : 4 };
	struct fi_info *hints, *list = NULL, *chosen;
	uint64_t have;
	char why[384];
	int ret;

	memset(f, 0, sizeof(*f));
	f->recv_from = FI_ADDR_UNSPEC;
	f->caps = a->caps ? a->caps : FI_MSG;
	hints = fabric_rdm_hints(a->provider, a->caps ? a->caps : FI_MSG);
	if (!hints)
		return fail(f, "fi_allocinfo", -FI_ENOMEM);
	ret = fi_getinfo(fabric_api_version(), NULL, NULL, 0, hints, &list);
	fi_freeinfo(hints);
	if (ret) {
		snprintf(f->err_text, sizeof(f->err_text), "no FI_EP_RDM endpoint for provider "
			 "%s: fi_getinfo: %s (%d)", a->provider, fi_strerror(-ret), ret);
		f->err_class = FAB_ERR_OTHER;
		f->no_provider = ret == -FI_ENODATA;
		/* Say which capability is missing when the provider exists without it. */
		if (ret == -FI_ENODATA && (a->caps & FI_RMA) &&
		    fabric_provider_has(a->provider, FI_MSG)) {
			f->no_provider = false;
			snprintf(f->err_text, sizeof(f->err_text), "provider %s offers no RMA %s here "
				 "(FI_RMA|%s): this operation is not available; --op send works",
				 a->provider, (a->caps & FI_READ) ? "read" : "write",
				 (a->caps & FI_READ) ? "FI_READ" : "FI_WRITE");
		} else if (ret == -FI_ENODATA && (a->caps & FI_HMEM) &&
			   fabric_provider_has(a->provider, a->caps & ~FI_HMEM)) {
			f->no_provider = false;
			snprintf(f->err_text, sizeof(f->err_text), "provider %s offers no FI_HMEM "
				 "(device memory) here: this libfabric (%u.%u) was built without "
				 "CUDA support, or the provider cannot reach GPU memory; --mem host "
				 "works", a->provider, FI_MAJOR(fi_version()),
				 FI_MINOR(fi_version()));
		}
		return ret;
	}
	ret = fabric_keep_fabric(&list, a->fabric, why, sizeof(why));
	if (ret) {
		f->no_fabric = true;
		f->err_class = FAB_ERR_OTHER;
		/* A fabric that is there without the capabilities: say which it lacks. */
		if (a->fabric && *a->fabric && fabric_caps_of(a->provider, a->fabric, &have)) {
			uint64_t lacks = f->caps & ~have;

			snprintf(f->err_text, sizeof(f->err_text), "fabric %s of provider %s does not "
				 "offer %s, which this test needs", a->fabric, a->provider,
				 fi_tostr(&lacks, FI_TYPE_CAPS));
		} else {
			snprintf(f->err_text, sizeof(f->err_text), "provider %s: %s", a->provider,
				 why);
		}
		return ret;
	}
	chosen = fabric_pick_domain(list, a->domains, a->ndomains, a->peer);
	if (!chosen) {
		if (a->ndomains)
			snprintf(f->err_text, sizeof(f->err_text), "provider %s has no domain named %s "
				 "(see 'efadiag info -p %s')", a->provider, a->domains[0],
				 a->provider);
		else
			snprintf(f->err_text, sizeof(f->err_text), "provider %s has only loopback "
				 "domains here: no interface that could reach the peer is up",
				 a->provider);
		fi_freeinfo(list);
		return -FI_ENODATA;
	}
	f->info = fi_dupinfo(chosen);
	fi_freeinfo(list);
	if (!f->info)
		return fail(f, "fi_dupinfo", -FI_ENOMEM);
	f->inject_size = f->info->tx_attr->inject_size;
	f->max_msg_size = f->info->ep_attr->max_msg_size;
	/*
	 * Never post more than the entry allows: on efa-direct the device fails a longer send
	 * (rdma-core providers/efa/efa_io_defs.h, EFA_IO_COMP_STATUS_LOCAL_ERROR_BAD_LENGTH).
	 */
	if (a->max_msg > f->max_msg_size) {
		snprintf(f->err_text, sizeof(f->err_text), "fabric %s of provider %s takes messages "
			 "of at most %zu bytes (max_msg_size), and this test sends %zu",
			 f->info->fabric_attr->name, f->info->fabric_attr->prov_name,
			 f->max_msg_size, a->max_msg);
		f->err_class = FAB_ERR_OTHER;
		return -FI_EMSGSIZE;
	}

	ret = fi_fabric(f->info->fabric_attr, &f->fabric, NULL);
	if (ret)
		return fail(f, "fi_fabric", ret);
	ret = fi_domain(f->fabric, f->info, &f->domain, NULL);
	if (ret)
		return fail(f, "fi_domain", ret);
	/* The efa provider aborts when an RDM endpoint has no EQ bound. */
	ret = fi_eq_open(f->fabric, &eq_attr, &f->eq, NULL);
	if (ret)
		return fail(f, "fi_eq_open", ret);
	ret = fi_av_open(f->domain, &av_attr, &f->av, NULL);
	if (ret)
		return fail(f, "fi_av_open", ret);
	cq_attr.size = 4096;
	ret = fi_cq_open(f->domain, &cq_attr, &f->cq, NULL);
	if (ret)
		return fail(f, "fi_cq_open", ret);
	ret = fi_endpoint(f->domain, f->info, &f->ep, NULL);
	if (ret)
		return fail(f, "fi_endpoint", ret);
	ret = fi_ep_bind(f->ep, &f->eq->fid, 0);
	if (ret)
		return fail(f, "fi_ep_bind(eq)", ret);
	ret = fi_ep_bind(f->ep, &f->av->fid, 0);
	if (ret)
		return fail(f, "fi_ep_bind(av)", ret);
	ret = fi_ep_bind(f->ep, &f->cq->fid, FI_TRANSMIT | FI_RECV);
	if (ret)
		return fail(f, "fi_ep_bind(cq)", ret);
	if (f->caps & FI_HMEM)
		forbid_cuda_calls(f);
	ret = fi_enable(f->ep);
	if (ret)
		return fail(f, "fi_enable", ret);

	return 0;
}

const char *fab_gdr_str(enum fab_gdr g)
{
	switch (g) {
	case FAB_GDR_YES:
		return "GPUDirect RDMA: the provider moves GPU memory without CUDA copies";
	case FAB_GDR_NO:
		return "no GPUDirect RDMA: the provider refused to work without CUDA calls "
		       "(FI_OPT_CUDA_API_PERMITTED=false: -FI_EOPNOTSUPP), so GPU data goes through "
		       "CUDA copies";
	case FAB_GDR_UNKNOWN:
		return "GPUDirect RDMA unknown: the provider does not know "
		       "FI_OPT_CUDA_API_PERMITTED (libfabric before 1.18, or a provider without it)";
	case FAB_GDR_NO_CUDA:
		return "no GPUDirect RDMA: libfabric found no CUDA library or device "
		       "(FI_OPT_CUDA_API_PERMITTED: -FI_EINVAL)";
	default:
		return "host memory";
	}
}

const char *fab_gdr_key(enum fab_gdr g)
{
	static const char *const keys[] = { "not_asked", "yes", "no", "unknown", "no_cuda" };

	return keys[g];
}

static int poll_cq(struct fab_ep *f);

static void close_fid(struct fab_ep *f, struct fid **fid, const char *what)
{
	int ret;

	if (!*fid)
		return;
	ret = fi_close(*fid);
	if (ret && !f->err_text[0])
		snprintf(f->err_text, sizeof(f->err_text), "fi_close(%s): %s (%d)", what,
			 fi_strerror(-ret), ret);
	*fid = NULL;
}

void fab_cancel(struct fab_ep *f, void *context)
{
	if (f->ep)
		fi_cancel(&f->ep->fid, context);
}

int fab_drain(struct fab_ep *f, double deadline)
{
	unsigned int spins = 0;

	if (!f->cq)
		return 0;
	for (;;) {
		/* Nobody waits for these any more: emptied, so the CQ can always be read. */
		f->ring_len = 0;
		if (!f->inflight)
			return 0;
		if (poll_cq(f) < 0)
			break; /* the CQ itself failed: nothing more will come out of it */
		if (++spins % 128 == 0 && now_sec() >= deadline)
			break;
	}
	snprintf(f->err_text, sizeof(f->err_text), "%zu operation%s still in flight at the close",
		 f->inflight, f->inflight == 1 ? "" : "s");
	return -FI_ETIMEDOUT;
}

/*
 * What fab_close_endpoint leaves to the process's exit stays reachable from here, so a leak
 * checker (LeakSanitizer, valgrind) does not report what is left on purpose. Bounded: a
 * process abandons at most a few endpoints (one per lane or probe path); past that the
 * pointers are only forgotten.
 */
static struct fab_ep abandoned_eps[64];
static size_t nabandoned_eps;

void fab_close_endpoint(struct fab_ep *f)
{
	if (f->ep && f->inflight) {
		f->abandoned = true;
		if (nabandoned_eps < sizeof(abandoned_eps) / sizeof(abandoned_eps[0]))
			abandoned_eps[nabandoned_eps++] = *f;
		snprintf(f->err_text, sizeof(f->err_text), "endpoint left to the process's exit: %zu "
			 "operation%s still in flight", f->inflight, f->inflight == 1 ? "" : "s");
		f->ep = NULL;
		f->cq = NULL;
		f->av = NULL;
		f->eq = NULL;
		f->domain = NULL;
		f->fabric = NULL;
		return;
	}
	close_fid(f, (struct fid **)&f->ep, "ep");
}

void fab_close(struct fab_ep *f)
{
	/* Reverse order of opening: endpoint first, fabric last. */
	fab_close_endpoint(f);
	close_fid(f, (struct fid **)&f->cq, "cq");
	close_fid(f, (struct fid **)&f->av, "av");
	close_fid(f, (struct fid **)&f->eq, "eq");
	close_fid(f, (struct fid **)&f->domain, "domain");
	close_fid(f, (struct fid **)&f->fabric, "fabric");
	if (f->info)
		fi_freeinfo(f->info);
	f->info = NULL;
}

int fab_getname(struct fab_ep *f, void *addr, size_t *len)
{
	int ret = fi_getname(&f->ep->fid, addr, len);

	return ret ? fail(f, "fi_getname", ret) : 0;
}

int fab_insert_peer(struct fab_ep *f, const void *addr, size_t len, fi_addr_t *peer)
{
	int ret;

	/* The provider knows its address length; len only bounded the copy that brought it. */
	(void)len;
	*peer = FI_ADDR_UNSPEC;
	ret = fi_av_insert(f->av, addr, 1, peer, 0, NULL);
	if (ret != 1) {
		snprintf(f->err_text, sizeof(f->err_text), "fi_av_insert: %s (%d)",
			 fi_strerror(ret < 0 ? -ret : FI_EINVAL), ret);
		f->err_class = FAB_ERR_OTHER;
		return ret < 0 ? ret : -FI_EINVAL;
	}
	f->npeers++;
	return 0;
}

static bool is_unreachable(const struct fab_ep *f, int err, int prov_errno)
{
	size_t i;

	if (err == FI_EHOSTUNREACH || err == FI_ECONNABORTED || err == FI_ECONNREFUSED ||
	    err == FI_ENETUNREACH || err == FI_ECONNRESET)
		return true;
	if (strcmp(fab_provider_name(f), "efa"))
		return false;
	for (i = 0; i < sizeof(efa_unreachable_prov_errno) / sizeof(int); i++)
		if (prov_errno == efa_unreachable_prov_errno[i])
			return true;
	return false;
}

/* A completion (or an error completion) came for one of the operations in flight. */
static void owed_one(struct fab_ep *f)
{
	if (f->inflight)
		f->inflight--;
}

/* Reads what the CQ has into the ring; returns <0 only for a CQ error it decoded. */
static int poll_cq(struct fab_ep *f)
{
	struct fi_cq_msg_entry e[16];
	ssize_t n, i;

	if (!f->cq)
		return 0;
	n = fi_cq_read(f->cq, e, f->ring_len + 16 <= FAB_RING ? 16 : 0);
	if (n == -FI_EAGAIN || n == 0)
		return 0;
	if (n == -FI_EAVAIL) {
		struct fi_cq_err_entry err = { 0 };
		char pbuf[256] = "";
		struct fab_comp *c;

		if (fi_cq_readerr(f->cq, &err, 0) < 0)
			return 0;
		owed_one(f);
		fi_cq_strerror(f->cq, err.prov_errno, err.err_data, pbuf, sizeof(pbuf));
		snprintf(f->err_text, sizeof(f->err_text), "completion error: %s (%d), "
			 "provider error %d: %s", fi_strerror(err.err), err.err, err.prov_errno,
			 pbuf);
		f->err_class = is_unreachable(f, err.err, err.prov_errno) ? FAB_ERR_UNREACHABLE :
			       err.err == FI_ETIMEDOUT ? FAB_ERR_TIMEOUT : FAB_ERR_OTHER;
		if (f->ring_len < FAB_RING) {
			c = &f->ring[(f->ring_head + f->ring_len++) % FAB_RING];
			*c = (struct fab_comp){ .context = err.op_context, .flags = err.flags,
						.len = err.len, .err = err.err ? err.err : FI_EIO,
						.prov_errno = err.prov_errno };
		}
		return 0;
	}
	if (n < 0) {
		fail(f, "fi_cq_read", (int)n);
		return (int)n;
	}
	for (i = 0; i < n; i++) {
		struct fab_comp *c = &f->ring[(f->ring_head + f->ring_len++) % FAB_RING];

		owed_one(f);

		*c = (struct fab_comp){ .context = e[i].op_context, .flags = e[i].flags,
					.len = e[i].len };
	}
	return 0;
}

/* Takes the completion for context (NULL: the oldest) out of the ring. */
static bool take(struct fab_ep *f, void *context, struct fab_comp *out)
{
	unsigned int i, k;

	for (i = 0; i < f->ring_len; i++) {
		struct fab_comp *c = &f->ring[(f->ring_head + i) % FAB_RING];

		if (context && c->context != context)
			continue;
		*out = *c;
		/* Close the gap, keeping the order of the rest. */
		for (k = i; k + 1 < f->ring_len; k++)
			f->ring[(f->ring_head + k) % FAB_RING] =
				f->ring[(f->ring_head + k + 1) % FAB_RING];
		f->ring_len--;
		return true;
	}
	return false;
}

static bool fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* Whether the deadline has passed; a relative one (FAB_WITHIN) starts at the first look. */
static bool deadline_passed(double *deadline)
{
	double now = now_sec();

	if (*deadline < 0) {
		*deadline = now - *deadline;
		return false;
	}
	return now >= *deadline;
}

/*
 * fab_wait's hot path, for one endpoint with nothing in the ring: one completion read
 * straight into *c, no copy through the ring. 1 when it is the one wanted, 0 when not (it
 * went to the ring) or none came, < 0 when the CQ failed.
 */
static int wait_direct(struct fab_ep *f, void *context, struct fab_comp *c)
{
	struct fi_cq_msg_entry e;
	ssize_t n = fi_cq_read(f->cq, &e, 1);

	if (n == -FI_EAGAIN)
		return 0;
	if (n != 1)
		return poll_cq(f); /* an error entry or a failed CQ: decoded there */
	owed_one(f);
	if (context && e.op_context != context) {
		f->ring[f->ring_head] = (struct fab_comp){ .context = e.op_context,
							   .flags = e.flags, .len = e.len };
		f->ring_len = 1;
		return 0;
	}
	*c = (struct fab_comp){ .context = e.op_context, .flags = e.flags, .len = e.len };
	return 1;
}

int fab_wait(struct fab_ep *f, void *context, struct fab_comp *c, double deadline, int watch_fd)
{
	unsigned int spins = 0;
	int ret;

	for (;;) {
		if (!f->ring_len) {
			ret = wait_direct(f, context, c);
			if (ret > 0)
				return 0;
			if (ret < 0)
				return ret;
		} else {
			/* The ring is usually empty: look into it only when polling filled it. */
			if (take(f, context, c))
				return c->err ? -FI_EIO : 0;
			ret = poll_cq(f);
			if (ret)
				return ret;
		}
		if (f->ring_len && take(f, context, c))
			return c->err ? -FI_EIO : 0;
		/* Checking the clock and the control fd costs a syscall: not on every spin. */
		if (++spins % 128)
			continue;
		if (deadline_passed(&deadline)) {
			f->err_class = FAB_ERR_TIMEOUT;
			return -FI_ETIMEDOUT;
		}
		if (watch_fd >= 0 && spins % 1024 == 0 && fd_readable(watch_fd))
			return -FI_EINTR;
	}
}

int fab_progress_until_readable(struct fab_ep *const *eps, size_t n, int fd, double deadline)
{
	unsigned int spins = 0;
	size_t i;

	for (;;) {
		/* Errors for old operations do not matter here: they stay in the rings. */
		for (i = 0; i < n; i++)
			poll_cq(eps[i]);
		if (++spins % 128)
			continue;
		if (fd_readable(fd))
			return 0;
		if (now_sec() >= deadline)
			return -FI_ETIMEDOUT;
	}
}

/* Calls post until it stops saying FI_EAGAIN, progressing the CQ meanwhile (manual progress). */
#define POST_RETRY(f, deadline, call)                                                    \
	({                                                                               \
		ssize_t r_;                                                              \
		unsigned int n_ = 0;                                                     \
		while ((r_ = (call)) == -FI_EAGAIN) {                                    \
			if (poll_cq(f))                                                  \
				break;                                                   \
			if (++n_ % 128 == 0 && deadline_passed(&(deadline))) {           \
				r_ = -FI_ETIMEDOUT;                                      \
				break;                                                   \
			}                                                                \
		}                                                                        \
		r_;                                                                      \
	})

int fab_post_recv(struct fab_ep *f, struct fab_buf *b, size_t off, size_t len, void *context,
		  double deadline)
{
	ssize_t ret;

	ret = POST_RETRY(f, deadline, fi_recv(f->ep, fab_buf_at(b, off), len, b->desc,
					      f->recv_from, context));
	if (!ret)
		f->inflight++;
	if (ret == -FI_ETIMEDOUT) {
		f->err_class = FAB_ERR_TIMEOUT;
		snprintf(f->err_text, sizeof(f->err_text), "fi_recv: still busy at the deadline");
	} else if (ret) {
		return fail(f, "fi_recv", (int)ret);
	}
	return (int)ret;
}

int fab_post_send(struct fab_ep *f, fi_addr_t peer, struct fab_buf *b, size_t off, size_t len,
		  void *context, bool *completes, double deadline)
{
	ssize_t ret;

	/* fi_inject returns at once and needs no completion: the fastest path for small ones. */
	if (len <= f->inject_size) {
		*completes = false;
		ret = POST_RETRY(f, deadline, fi_inject(f->ep, fab_buf_at(b, off), len, peer));
		if (ret && ret != -FI_ETIMEDOUT)
			return fail(f, "fi_inject", (int)ret);
	} else {
		*completes = true;
		ret = POST_RETRY(f, deadline, fi_send(f->ep, fab_buf_at(b, off), len, b->desc, peer,
						      context));
		if (!ret)
			f->inflight++;
		if (ret && ret != -FI_ETIMEDOUT)
			return fail(f, "fi_send", (int)ret);
	}
	if (ret == -FI_ETIMEDOUT) {
		f->err_class = FAB_ERR_TIMEOUT;
		snprintf(f->err_text, sizeof(f->err_text), "send queue still full at the deadline");
	}
	return (int)ret;
}

/* A single post's result: -FI_EAGAIN passes through, other errors are decoded. */
static int once(struct fab_ep *f, const char *call, ssize_t ret)
{
	if (!ret)
		f->inflight++;
	if (ret && ret != -FI_EAGAIN)
		return fail(f, call, (int)ret);
	return (int)ret;
}

int fab_post_send_once(struct fab_ep *f, fi_addr_t peer, struct fab_buf *b, size_t off,
		       size_t len, void *context)
{
	return once(f, "fi_send", fi_send(f->ep, fab_buf_at(b, off), len, b->desc, peer, context));
}

int fab_post_write_once(struct fab_ep *f, fi_addr_t peer, struct fab_buf *b, size_t off,
			size_t len, const struct fab_remote *r, size_t roff, void *context)
{
	return once(f, "fi_write", fi_write(f->ep, fab_buf_at(b, off), len, b->desc, peer,
					     r->addr + roff, r->key, context));
}

int fab_post_read_once(struct fab_ep *f, fi_addr_t peer, struct fab_buf *b, size_t off,
		       size_t len, const struct fab_remote *r, size_t roff, void *context)
{
	return once(f, "fi_read", fi_read(f->ep, fab_buf_at(b, off), len, b->desc, peer,
					   r->addr + roff, r->key, context));
}

int fab_poll(struct fab_ep *f, struct fab_comp *c)
{
	int ret;

	if (f->ring_len && take(f, NULL, c))
		return 1;
	ret = poll_cq(f);
	if (ret)
		return ret;
	return f->ring_len && take(f, NULL, c) ? 1 : 0;
}

const char *fab_domain_name(const struct fab_ep *f)
{
	return f->info ? f->info->domain_attr->name : "?";
}

const char *fab_fabric_name(const struct fab_ep *f)
{
	return f->info ? f->info->fabric_attr->name : "?";
}

const char *fab_provider_name(const struct fab_ep *f)
{
	return f->info ? f->info->fabric_attr->prov_name : "?";
}

void fab_addr_to_hex(const void *addr, size_t len, char *hex, size_t hexlen)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = addr;
	size_t i;

	for (i = 0; i < len && 2 * i + 2 < hexlen; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 15];
	}
	hex[2 * i] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fab_addr_from_hex(const char *hex, void *addr, size_t *len)
{
	size_t n = strlen(hex), i;
	unsigned char *p = addr;

	if (n == 0 || n % 2 || n / 2 > *len)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

bool fab_addr_sockaddr(const struct fab_ep *f, const void *addr, size_t len,
		       struct sockaddr_storage *ss)
{
	const struct sockaddr *sa = addr;
	uint32_t fmt = f->info ? f->info->addr_format : FI_FORMAT_UNSPEC;

	/* IP providers (tcp, udp, sockets, net) name endpoints by sockaddr; others do not. */
	if (fmt != FI_SOCKADDR && fmt != FI_SOCKADDR_IN && fmt != FI_SOCKADDR_IN6)
		return false;
	if (len >= sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
		memcpy(ss, addr, sizeof(struct sockaddr_in));
		return true;
	}
	if (len >= sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
		memcpy(ss, addr, sizeof(struct sockaddr_in6));
		return true;
	}
	return false;
}
