// SPDX-License-Identifier: MIT
/*
 * Test helper for tests/efa-shape-listing.sh: prints the fi_getinfo listing for given hints
 * (fi_info has no flag for a max_msg_size hint), or sends one message of a given size between
 * two endpoints of one entry in this process and says how the send and the receive ended.
 *
 *   efa-shape-probe list [HINTS]
 *   efa-shape-probe send [HINTS] -s BYTES [-o send|sendv|sendmsg|senddata|inject|tsend|tsendmsg]
 *   HINTS: -p PROV (default efa) -c msg,tagged,rma,hmem -m MAX_MSG_SIZE -f FABRIC -d DOMAIN
 *          -t rdm|dgram|unspec (default rdm) -r (mode FI_RX_CQ_DATA)
 *
 * list prints one line per entry: fabric, domain, provider, type, max_msg_size, RMA in caps
 * (0/1), tab-separated; or "error RET TEXT" and exit 1. send prints "post RET", then
 * "send ok" or "send error ERR PROV_ERRNO TEXT", then "recv BYTES" or "recv none"; exit 0 when
 * the message arrived whole.
 */
#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_tagged.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct probe {
	const char *prov, *fabric, *domain, *op;
	uint64_t caps;
	size_t max_msg_size, size;
	enum fi_ep_type type;
	bool rx_cq_data;
};

static void usage(void)
{
	fprintf(stderr, "usage: efa-shape-probe list|send [-p PROV] [-c CAPS] [-m MAX_MSG_SIZE] "
			"[-f FABRIC] [-d DOMAIN] [-t rdm|dgram|unspec] [-r] [-s BYTES] [-o OP]\n");
	exit(2);
}

static uint64_t parse_caps(char *s)
{
	uint64_t caps = 0;
	char *tok;

	for (tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (!strcmp(tok, "msg"))
			caps |= FI_MSG;
		else if (!strcmp(tok, "tagged"))
			caps |= FI_TAGGED;
		else if (!strcmp(tok, "rma"))
			caps |= FI_RMA;
		else if (!strcmp(tok, "hmem"))
			caps |= FI_HMEM;
		else
			usage();
	}
	return caps;
}

static struct fi_info *hints_of(const struct probe *p)
{
	struct fi_info *h = fi_allocinfo();

	if (!h)
		return NULL;
	h->caps = p->caps;
	h->ep_attr->type = p->type;
	h->ep_attr->max_msg_size = p->max_msg_size;
	/* What efadiag asks (src/fabric/discover.c). */
	h->mode = FI_CONTEXT | FI_CONTEXT2 | (p->rx_cq_data ? FI_RX_CQ_DATA : 0);
	h->domain_attr->mr_mode = FI_MR_LOCAL | FI_MR_ALLOCATED | FI_MR_PROV_KEY | FI_MR_VIRT_ADDR |
				  ((p->caps & FI_HMEM) ? FI_MR_HMEM : 0);
	h->fabric_attr->prov_name = p->prov ? strdup(p->prov) : NULL;
	h->fabric_attr->name = p->fabric ? strdup(p->fabric) : NULL;
	h->domain_attr->name = p->domain ? strdup(p->domain) : NULL;
	return h;
}

static const char *type_str(enum fi_ep_type t)
{
	return t == FI_EP_RDM ? "rdm" : t == FI_EP_DGRAM ? "dgram" : t == FI_EP_MSG ? "msg" : "?";
}

static int list(const struct probe *p)
{
	struct fi_info *h = hints_of(p), *info = NULL, *i;
	int ret;

	if (!h)
		return 1;
	ret = fi_getinfo(FI_VERSION(FI_MAJOR_VERSION, FI_MINOR_VERSION), NULL, NULL, 0, h, &info);
	fi_freeinfo(h);
	if (ret) {
		printf("error %d %s\n", ret, fi_strerror(-ret));
		return 1;
	}
	for (i = info; i; i = i->next)
		printf("%s\t%s\t%s\t%s\t%zu\t%d\n", i->fabric_attr->name, i->domain_attr->name,
		       i->fabric_attr->prov_name, type_str(i->ep_attr->type),
		       i->ep_attr->max_msg_size, (i->caps & FI_RMA) ? 1 : 0);
	fi_freeinfo(info);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Polls cq for one completion, at most 5 s, driving the other end's progress too (a reading of
 * none, which takes nothing off that CQ): shm copies large messages on the receiver's progress.
 * 1: a completion, -1: an error (in *err), 0: none.
 */
static int poll_one(struct fid_cq *cq, struct fid_cq *other, struct fi_cq_err_entry *err)
{
	struct fi_cq_tagged_entry e;
	double end = now() + 5;
	ssize_t n;

	while (now() < end) {
		n = fi_cq_read(cq, &e, 1);
		if (n == 1)
			return 1;
		if (n == -FI_EAVAIL) {
			memset(err, 0, sizeof(*err));
			fi_cq_readerr(cq, err, 0);
			return -1;
		}
		if (n != -FI_EAGAIN) {
			memset(err, 0, sizeof(*err));
			err->err = (int)-n;
			return -1;
		}
		fi_cq_read(other, NULL, 0);
		usleep(100);
	}
	return 0;
}

/* Posts one send of len bytes as p->op says; -FI_EINVAL for an unknown op. */
static ssize_t post(const struct probe *p, struct fid_ep *a, char *buf, size_t len, void *desc,
		    fi_addr_t dest, void *ctx)
{
	struct iovec iov[2] = { { buf, len / 2 }, { buf + len / 2, len - len / 2 } };
	void *descs[2] = { desc, desc };
	struct fi_msg msg = { .msg_iov = iov, .desc = descs, .iov_count = 2, .addr = dest,
			      .context = ctx };
	struct fi_msg_tagged tmsg = { .msg_iov = iov, .desc = descs, .iov_count = 2,
				      .addr = dest, .tag = 7, .context = ctx };

	if (!strcmp(p->op, "send"))
		return fi_send(a, buf, len, desc, dest, ctx);
	if (!strcmp(p->op, "sendv"))
		return fi_sendv(a, iov, descs, 2, dest, ctx);
	if (!strcmp(p->op, "sendmsg"))
		return fi_sendmsg(a, &msg, FI_COMPLETION);
	if (!strcmp(p->op, "senddata"))
		return fi_senddata(a, buf, len, desc, 42, dest, ctx);
	if (!strcmp(p->op, "inject"))
		return fi_inject(a, buf, len, dest);
	if (!strcmp(p->op, "tsend"))
		return fi_tsend(a, buf, len, desc, dest, 7, ctx);
	if (!strcmp(p->op, "tsendmsg"))
		return fi_tsendmsg(a, &tmsg, FI_COMPLETION);
	return -FI_EINVAL;
}

#define CHECK(call)                                                                    \
	do {                                                                           \
		int r_ = (call);                                                       \
		if (r_) {                                                              \
			printf("error %d %s: %s\n", r_, #call, fi_strerror(-r_));      \
			return 1;                                                      \
		}                                                                      \
	} while (0)

static int send_one(const struct probe *p)
{
	struct fi_info *h = hints_of(p), *info = NULL;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_av *av;
	struct fid_cq *cq_a, *cq_b;
	struct fid_ep *a, *b;
	struct fid_mr *mr = NULL;
	struct fi_av_attr av_attr = { .type = FI_AV_TABLE };
	struct fi_cq_attr cq_attr = { .format = FI_CQ_FORMAT_TAGGED, .wait_obj = FI_WAIT_NONE };
	struct fi_context2 ctx_a, ctx_b;
	struct fi_cq_err_entry err;
	char name[256], *buf, *rbuf;
	size_t namelen = sizeof(name), len = p->size;
	void *desc = NULL;
	fi_addr_t dest;
	double end;
	ssize_t ret;
	int got;

	if (!h)
		return 1;
	CHECK(fi_getinfo(FI_VERSION(FI_MAJOR_VERSION, FI_MINOR_VERSION), NULL, NULL, 0, h, &info));
	fi_freeinfo(h);
	buf = calloc(2, len + 64);
	if (!buf)
		return 1;
	memset(buf, 'x', len);
	CHECK(fi_fabric(info->fabric_attr, &fabric, NULL));
	CHECK(fi_domain(fabric, info, &domain, NULL));
	CHECK(fi_av_open(domain, &av_attr, &av, NULL));
	CHECK(fi_cq_open(domain, &cq_attr, &cq_a, NULL));
	CHECK(fi_cq_open(domain, &cq_attr, &cq_b, NULL));
	CHECK(fi_endpoint(domain, info, &a, NULL));
	CHECK(fi_endpoint(domain, info, &b, NULL));
	CHECK(fi_ep_bind(a, &av->fid, 0));
	CHECK(fi_ep_bind(b, &av->fid, 0));
	CHECK(fi_ep_bind(a, &cq_a->fid, FI_TRANSMIT | FI_RECV));
	CHECK(fi_ep_bind(b, &cq_b->fid, FI_TRANSMIT | FI_RECV));
	CHECK(fi_enable(a));
	CHECK(fi_enable(b));
	if (info->domain_attr->mr_mode & FI_MR_LOCAL) {
		CHECK(fi_mr_reg(domain, buf, 2 * (len + 64), FI_SEND | FI_RECV, 0, 1, 0, &mr,
				NULL));
		desc = fi_mr_desc(mr);
	}
	CHECK(fi_getname(&b->fid, name, &namelen));
	if (fi_av_insert(av, name, 1, &dest, 0, NULL) != 1) {
		printf("error fi_av_insert\n");
		return 1;
	}
	rbuf = buf + len + 64;
	if (!strncmp(p->op, "t", 1))
		CHECK((int)fi_trecv(b, rbuf, len + 64, desc, FI_ADDR_UNSPEC, 7, 0, &ctx_b));
	else
		CHECK((int)fi_recv(b, rbuf, len + 64, desc, FI_ADDR_UNSPEC, &ctx_b));

	/* A provider may ask for progress before the first send to a new peer (shm does):
	 * -FI_EAGAIN is tried again, reading the CQs, for at most 5 s. */
	end = now() + 5;
	while ((ret = post(p, a, buf, len, desc, dest, &ctx_a)) == -FI_EAGAIN && now() < end) {
		fi_cq_read(cq_a, NULL, 0);
		fi_cq_read(cq_b, NULL, 0);
		usleep(100);
	}
	printf("post %zd\n", ret);
	got = 0;
	if (!ret && strcmp(p->op, "inject")) {
		got = poll_one(cq_a, cq_b, &err);
		if (got == 1)
			printf("send ok\n");
		else if (got < 0)
			printf("send error %d %d %s\n", err.err, err.prov_errno,
			       err.prov_errno ? fi_cq_strerror(cq_a, err.prov_errno, err.err_data,
							       NULL, 0) : fi_strerror(err.err));
		else
			printf("send none\n");
	}
	if (!ret && (got == 1 || !strcmp(p->op, "inject"))) {
		if (poll_one(cq_b, cq_a, &err) == 1 && !memcmp(buf, rbuf, len)) {
			printf("recv %zu\n", len);
			got = 2;
		}
	}
	if (got != 2)
		printf("recv none\n");
	fi_close(&a->fid);
	fi_close(&b->fid);
	if (mr)
		fi_close(&mr->fid);
	fi_close(&cq_a->fid);
	fi_close(&cq_b->fid);
	fi_close(&av->fid);
	fi_close(&domain->fid);
	fi_close(&fabric->fid);
	fi_freeinfo(info);
	free(buf);
	return got == 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct probe p = { .prov = "efa", .type = FI_EP_RDM, .op = "send" };
	int c;

	if (argc < 2)
		usage();
	optind = 2;
	while ((c = getopt(argc, argv, "p:c:m:f:d:t:rs:o:")) != -1) {
		switch (c) {
		case 'p':
			p.prov = *optarg ? optarg : NULL;
			break;
		case 'c':
			p.caps = parse_caps(optarg);
			break;
		case 'm':
			p.max_msg_size = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			p.fabric = optarg;
			break;
		case 'd':
			p.domain = optarg;
			break;
		case 't':
			p.type = !strcmp(optarg, "dgram") ? FI_EP_DGRAM :
				 !strcmp(optarg, "unspec") ? FI_EP_UNSPEC : FI_EP_RDM;
			break;
		case 'r':
			p.rx_cq_data = true;
			break;
		case 's':
			p.size = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			p.op = optarg;
			break;
		default:
			usage();
		}
	}
	if (!strcmp(argv[1], "list"))
		return list(&p);
	if (!strcmp(argv[1], "send") && p.size)
		return send_one(&p);
	usage();
	return 2;
}
