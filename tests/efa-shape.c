// SPDX-License-Identifier: MIT
/*
 * Test-only LD_PRELOAD shim: a software provider (shm, or tcp) dressed as libfabric's efa
 * provider of a chosen libfabric version, so the test suite can run efadiag against "EFA" on
 * a host without EFA hardware.
 *
 * Environment (unset EFADIAG_TEST_EFA_SHAPE: the shim passes everything through):
 *   EFADIAG_TEST_EFA_SHAPE   1.x  fabric "efa" only (libfabric 1.15 .. 2.0; 1.14 and older
 *                                 named the fabric "EFA-<gid>", v1.14.0 efa_fabric.c, not
 *                                 modelled);
 *                            2.1  "efa-direct" entries first, then "efa" (libfabric 2.1 .. 2.5);
 *                            2.6  as 2.1, and efa-direct drops out of a listing whose hints ask
 *                                 a max_msg_size above the device's (libfabric 2.6.0 on).
 *                            Both 2.x shapes apply efa-direct's FI_RX_CQ_DATA and unsolicited
 *                            write recv rules, which came in 2.4.0; 2.1 .. 2.3 list efa-direct
 *                            without FI_RX_CQ_DATA in mode, otherwise the same here.
 *   EFADIAG_TEST_EFA_BASE    the provider underneath, default shm (tcp works too).
 *   EFADIAG_TEST_EFA_MTU     the device port's max_msg_sz, efa-direct's limit for a send;
 *                            default 8192.
 *   EFADIAG_TEST_EFA_DEVICES how many fake devices to list, default 1, at most 16; every one is
 *                            the base provider's first domain underneath.
 *   EFADIAG_TEST_EFA_RDMA_SIZE  the device's max_rdma_size, efa-direct's max_msg_size when
 *                            FI_RMA is asked; default 1 GiB (a stand-in, not a device fact).
 *   EFADIAG_TEST_EFA_P2P     1 (default) or 0: whether the device registers GPU memory itself
 *                            (peer to peer). Without it efa-direct offers no FI_HMEM and the RDM
 *                            endpoint refuses FI_OPT_CUDA_API_PERMITTED=false (-FI_EOPNOTSUPP).
 *   EFADIAG_TEST_EFA_UNSOLICITED_WRITE_RECV  1 (default) or 0: whether the device supports
 *                            unsolicited write recv (without it efa-direct needs FI_RX_CQ_DATA
 *                            for FI_RMA).
 *
 * What it does: fi_getinfo for provider "efa" (or for no provider named) asks the base provider
 * and builds the efa-shaped list from its first entry; fi_fabric, and the fabric's and
 * domain's ops that take an fi_info, give the base provider its own names back. Endpoints on
 * efa-direct fail a send longer than the device's max_msg_sz the way the device does: the post
 * succeeds and the transmit CQ reports FI_EMSGSIZE with prov_errno 6.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_eq.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_tagged.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SHAPE_OFF 0
#define SHAPE_1X 1
#define SHAPE_2_1 21
#define SHAPE_2_6 26

/* libfabric v2.6.0 prov/efa/src/efa.h: EFA_FABRIC_NAME, EFA_DIRECT_FABRIC_NAME (1.15 to 2.0
 * define only "efa", in efa_fabric.c / efa_prov_info.c). */
#define EFA_FABRIC_NAME "efa"
#define EFA_DIRECT_FABRIC_NAME "efa-direct"
#define EFA_PROV_NAME "efa"
/* libfabric v2.6.0 prov/efa/src/rdm/efa_rdm_protocol.h */
#define EFA_RDM_PROTOCOL_VERSION 4
/* rdma-core providers/efa/efa_io_defs.h EFA_IO_COMP_STATUS_LOCAL_ERROR_BAD_LENGTH, which
 * libfabric v2.6.0 prov/efa/src/efa_errno.h names "Message too long" and maps to FI_EMSGSIZE. */
#define EFA_IO_COMP_STATUS_LOCAL_ERROR_BAD_LENGTH 6

/* libfabric v2.6.0 include/ofi.h, include/ofi_mr.h, prov/efa/src/efa_prov_info.c */
#define OFI_TX_MSG_CAPS (FI_MSG | FI_SEND)
#define OFI_RX_MSG_CAPS (FI_MSG | FI_RECV)
#define OFI_TX_RMA_CAPS (FI_RMA | FI_READ | FI_WRITE)
#define OFI_RX_RMA_CAPS (FI_RMA | FI_REMOTE_READ | FI_REMOTE_WRITE)
#define OFI_MR_BASIC_MAP (FI_MR_ALLOCATED | FI_MR_PROV_KEY | FI_MR_VIRT_ADDR)
/*
 * FI_MR_BASIC and FI_MR_SCALABLE, the 1.0 registration modes: enum fi_mr_mode values 1 and 2
 * (ABI), deprecated in libfabric 2.x's headers, where naming them is a warning (-Werror).
 */
#define SHAPE_MR_BASIC 1
#define SHAPE_MR_SCALABLE 2
#define OFI_MR_MODE_RMA_TARGET (FI_MR_RAW | FI_MR_VIRT_ADDR | FI_MR_PROV_KEY | FI_MR_RMA_EVENT)
#define OFI_LOCAL_MR (1ULL << 55)
#define EFA_DOMAIN_CAPS (FI_LOCAL_COMM | FI_REMOTE_COMM)
#define EFA_DIRECT_CAPS (OFI_TX_MSG_CAPS | OFI_RX_MSG_CAPS | FI_SOURCE | EFA_DOMAIN_CAPS)
#define EFA_DGRM_CAPS (OFI_TX_MSG_CAPS | OFI_RX_MSG_CAPS | FI_SOURCE | EFA_DOMAIN_CAPS)
/* efa_domain_attr.mr_mode in libfabric v2.6.0 prov/efa/src/efa_prov_info.c */
#define EFA_MR_MODE (OFI_MR_BASIC_MAP | FI_MR_LOCAL | FI_MR_ALLOCATED)
/* Room for a copy of any ops table a provider hands out (they are a few pointers long). */
#define SHAPE_OPS_MAX 256
#define SHAPE_MAX_DEVICES 16
#define SHAPE_CQ_PENDING 64

enum shape_kind { KIND_DIRECT, KIND_RDM, KIND_DGRAM };

struct shape_cfg {
	int shape;
	const char *base;
	size_t mtu;
	unsigned int devices;
	uint64_t rdma_size;
	bool unsolicited;
	bool p2p; /* the device registers GPU memory itself (peer to peer): GPUDirect RDMA */
	const char *error; /* a bad variable: fi_getinfo fails with -FI_EINVAL */
};

/* The base provider's names, learnt from its listing: what fi_fabric and the ops get back. */
struct shape_base {
	char prov_name[64], fabric_name[256], domain_name[256];
	uint32_t protocol, protocol_version;
	uint64_t mr_mode, caps, tx_caps, rx_caps, domain_caps;
	size_t max_msg_size;
	bool known;
};

static struct shape_cfg cfg;
static pthread_once_t cfg_once = PTHREAD_ONCE_INIT;
static struct shape_base base;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

typedef int (*getinfo_fn)(uint32_t, const char *, const char *, uint64_t, const struct fi_info *,
			  struct fi_info **);
typedef int (*fabric_fn)(struct fi_fabric_attr *, struct fid_fabric **, void *);
typedef int (*fabric2_fn)(struct fi_info *, struct fid_fabric **, uint64_t, void *);

static uint64_t env_num(const char *name, uint64_t def, uint64_t min, uint64_t max)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return def;
	v = strtoull(s, &end, 0);
	if (*end || v < min || v > max) {
		cfg.error = name;
		return def;
	}
	return v;
}

static void cfg_load(void)
{
	const char *s = getenv("EFADIAG_TEST_EFA_SHAPE");

	cfg.shape = SHAPE_OFF;
	if (!s || !*s)
		return;
	if (!strcmp(s, "1.x"))
		cfg.shape = SHAPE_1X;
	else if (!strcmp(s, "2.1"))
		cfg.shape = SHAPE_2_1;
	else if (!strcmp(s, "2.6"))
		cfg.shape = SHAPE_2_6;
	else
		cfg.error = "EFADIAG_TEST_EFA_SHAPE";
	cfg.base = getenv("EFADIAG_TEST_EFA_BASE");
	if (!cfg.base || !*cfg.base)
		cfg.base = "shm";
	cfg.mtu = env_num("EFADIAG_TEST_EFA_MTU", 8192, 1, UINT32_MAX);
	cfg.devices = env_num("EFADIAG_TEST_EFA_DEVICES", 1, 1, SHAPE_MAX_DEVICES);
	cfg.rdma_size = env_num("EFADIAG_TEST_EFA_RDMA_SIZE", 1ULL << 30, 1, UINT64_MAX);
	cfg.unsolicited = env_num("EFADIAG_TEST_EFA_UNSOLICITED_WRITE_RECV", 1, 0, 1);
	cfg.p2p = env_num("EFADIAG_TEST_EFA_P2P", 1, 0, 1);
	if (cfg.error)
		fprintf(stderr, "efa-shape: bad %s (see tests/efa-shape.c)\n", cfg.error);
}

static const struct shape_cfg *config(void)
{
	pthread_once(&cfg_once, cfg_load);
	return &cfg;
}

static void *real_sym(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static bool is_efa_prov(const char *prov_name)
{
	return prov_name && !strcasecmp(prov_name, EFA_PROV_NAME);
}

static int set_str(char **dst, const char *src)
{
	char *s = src ? strdup(src) : NULL;

	if (src && !s)
		return -FI_ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* ---- the listing ------------------------------------------------------------------------ */

/*
 * The efa device's name is the kernel's: rdma-core kernel-boot/rdma_rename.c names a device by
 * PCI location, "rdma" + "p<bus>s<slot>" (EFA on EC2: rdmap16s27, rdmap32s27, ...), and
 * libfabric v2.6.0 prov/efa/src/efa_prov_info.c efa_prov_info_set_domain_attr appends
 * efa_domain_name_suffix (prov/efa/src/efa_domain.h): "-rdm" for RDM, "-dgrm" for DGRAM.
 */
static void fake_domain_name(char *buf, size_t len, unsigned int dev, enum shape_kind kind)
{
	snprintf(buf, len, "rdmap%us27%s", 16 * (dev + 1), kind == KIND_DGRAM ? "-dgrm" : "-rdm");
}

/* libfabric v2.6.0 src/common.c ofi_rma_target_allowed. */
static bool rma_target_allowed(uint64_t caps)
{
	if (caps & (FI_RMA | FI_ATOMIC)) {
		if (caps & (FI_REMOTE_WRITE | FI_REMOTE_READ))
			return true;
		if (caps & (FI_WRITE | FI_READ))
			return false;
		return true;
	}
	return false;
}

/* libfabric v2.6.0 prov/util/src/util_attr.c ofi_cap_mr_mode and ofi_check_mr_mode (API 1.5
 * and later): whether the hints' registration mode covers what the provider needs. */
static bool mr_mode_ok(const struct fi_info *hints, uint64_t prov_mode)
{
	uint64_t user_mode = hints->domain_attr ? (uint64_t)hints->domain_attr->mr_mode : 0;

	if ((prov_mode & FI_MR_LOCAL) &&
	    !((hints->mode & OFI_LOCAL_MR) || (user_mode & FI_MR_LOCAL)))
		return false;
	if (user_mode & (SHAPE_MR_BASIC | SHAPE_MR_SCALABLE))
		return false; /* efa offers neither of the 1.0 modes */
	if (!(hints->caps & FI_HMEM))
		prov_mode &= ~(uint64_t)FI_MR_HMEM;
	if (!rma_target_allowed(hints->caps)) {
		if (!(prov_mode & (FI_MR_LOCAL | FI_MR_HMEM)))
			prov_mode = 0;
		else
			prov_mode &= ~(uint64_t)OFI_MR_MODE_RMA_TARGET;
	}
	return !user_mode || (user_mode & prov_mode) == prov_mode;
}

/*
 * One efa entry of the given kind for device dev, made from the base provider's entry b, or
 * NULL with *err set (-FI_ENODATA: these hints rule it out). The checks are the parts of
 * libfabric v2.6.0 prov/util/src/util_attr.c ofi_check_info and prov/efa/src/efa_user_info.c
 * efa_get_user_info that an application asking FI_MSG/FI_TAGGED/FI_RMA on FI_EP_RDM meets.
 */
static struct fi_info *make_entry(const struct fi_info *b, const struct fi_info *hints,
				  enum shape_kind kind, unsigned int dev, uint32_t version,
				  int *err)
{
	uint64_t caps, mode, mr_mode;
	size_t max_msg;
	struct fi_info *e;
	char dom[64];
	enum fi_ep_type type = kind == KIND_DGRAM ? FI_EP_DGRAM : FI_EP_RDM;
	const char *fabric = kind == KIND_DIRECT ? EFA_DIRECT_FABRIC_NAME : EFA_FABRIC_NAME;

	*err = -FI_ENODATA;
	fake_domain_name(dom, sizeof(dom), dev, kind);
	/*
	 * What the efa provider's own entry claims (libfabric v2.6.0 prov/efa/src/
	 * efa_prov_info.c): efa_prov_info_alloc gives efa-direct and DGRAM the device's caps,
	 * FI_CONTEXT2 and efa_domain_attr's mr_mode, efa-direct RMA when the device reads and
	 * writes (EFA devices here do), and a max_msg_size of max_msg_sz, or with FI_RMA the
	 * larger of it and max_rdma_size (efa_prov_info_set_ep_attr); DGRAM also FI_MSG_PREFIX.
	 * efa_prov_info_alloc_for_rdm gives efa RDM everything the base can do, drops FI_CONTEXT2
	 * and FI_MR_LOCAL, and makes max_msg_size UINT64_MAX (it segments).
	 */
	switch (kind) {
	case KIND_DIRECT:
		/*
		 * efa-direct offers FI_HMEM only where the device has peer to peer (v2.6.0
		 * prov/efa/src/efa_prov_info.c, efa_prov_info_direct_set_hmem_flags).
		 */
		caps = EFA_DIRECT_CAPS | OFI_TX_RMA_CAPS | OFI_RX_RMA_CAPS |
		       (cfg.p2p ? (b->caps & FI_HMEM) : 0);
		mode = FI_CONTEXT2;
		mr_mode = EFA_MR_MODE | ((cfg.p2p && (b->caps & FI_HMEM)) ? FI_MR_HMEM : 0);
		max_msg = cfg.mtu > cfg.rdma_size ? cfg.mtu : cfg.rdma_size;
		break;
	case KIND_DGRAM:
		caps = EFA_DGRM_CAPS;
		mode = FI_CONTEXT2 | FI_MSG_PREFIX;
		mr_mode = EFA_MR_MODE;
		max_msg = cfg.mtu;
		break;
	default:
		caps = b->caps | EFA_DOMAIN_CAPS;
		mode = 0;
		mr_mode = EFA_MR_MODE & ~(uint64_t)FI_MR_LOCAL;
		max_msg = SIZE_MAX;
		break;
	}
	if (hints) {
		if (hints->ep_attr && hints->ep_attr->type != FI_EP_UNSPEC &&
		    hints->ep_attr->type != type)
			return NULL;
		if (hints->caps & ~caps)
			return NULL;
		if ((hints->mode & mode) != mode)
			return NULL;
		if (hints->domain_attr && !mr_mode_ok(hints, mr_mode))
			return NULL;
		/* ofi_check_fabric_attr, efa_prov_info_compare_fabric_name and _domain_name. */
		if (hints->fabric_attr && hints->fabric_attr->name &&
		    strcmp(hints->fabric_attr->name, fabric))
			return NULL;
		if (hints->domain_attr && hints->domain_attr->name &&
		    strcmp(hints->domain_attr->name, dom))
			return NULL;
		/* ofi_check_ep_attr: a larger max_msg_size than the entry's is refused. */
		if (hints->ep_attr && hints->ep_attr->max_msg_size > max_msg)
			return NULL;
	}

	/* efa_user_info_alter_direct, libfabric v2.6.0 prov/efa/src/efa_user_info.c. */
	if (kind == KIND_DIRECT) {
		/* FI_HMEM only when asked, and then only with FI_MR_HMEM. */
		if (hints && (hints->caps & FI_HMEM)) {
			if (hints->domain_attr && !(hints->domain_attr->mr_mode & FI_MR_HMEM))
				return NULL;
		} else {
			caps &= ~(uint64_t)FI_HMEM;
			mr_mode &= ~(uint64_t)FI_MR_HMEM;
		}
		/* FI_RX_CQ_DATA is kept when asked, and offered to NULL hints. */
		if (!hints || (hints->mode & FI_RX_CQ_DATA))
			mode |= FI_RX_CQ_DATA;
		/* Without unsolicited write recv, FI_RMA needs FI_RX_CQ_DATA; unasked, RMA goes. */
		if (hints && !cfg.unsolicited && !(mode & FI_RX_CQ_DATA)) {
			if (hints->caps & FI_RMA)
				return NULL;
			caps &= ~(uint64_t)(OFI_TX_RMA_CAPS | OFI_RX_RMA_CAPS);
		}
		if (hints && !(hints->caps & FI_RMA)) {
			/*
			 * A message-only efa-direct sends at most one device message. libfabric
			 * 2.6.0 (commit a2a6d1c01, "Fix the max_msg_size validation for
			 * efa-direct") fails the entry when the hints ask more; 2.1 to 2.5 list it
			 * anyway, with the smaller max_msg_size.
			 */
			if (cfg.shape == SHAPE_2_6 && hints->ep_attr &&
			    hints->ep_attr->max_msg_size > cfg.mtu)
				return NULL;
			max_msg = cfg.mtu;
		}
	}

	e = fi_dupinfo(b);
	if (!e) {
		*err = -FI_ENOMEM;
		return NULL;
	}
	if (set_str(&e->fabric_attr->prov_name, EFA_PROV_NAME) ||
	    set_str(&e->fabric_attr->name, fabric) || set_str(&e->domain_attr->name, dom)) {
		fi_freeinfo(e);
		*err = -FI_ENOMEM;
		return NULL;
	}
	/* Roughly what ofi_alter_info leaves: the hints' caps where given, else the entry's. */
	if (kind != KIND_RDM) {
		e->caps = hints && hints->caps ? hints->caps | (caps & EFA_DOMAIN_CAPS) : caps;
		if (e->tx_attr)
			e->tx_attr->caps &= caps;
		if (e->rx_attr)
			e->rx_attr->caps &= caps;
	}
	e->mode = mode;
	if (e->tx_attr)
		e->tx_attr->mode = mode & ~(uint64_t)FI_RX_CQ_DATA;
	if (e->rx_attr)
		e->rx_attr->mode = mode;
	e->domain_attr->mr_mode = (int)mr_mode;
	/* efa_user_info_alter_rdm keeps FI_MR_LOCAL when the hints offer it. */
	if (kind == KIND_RDM && hints && hints->domain_attr &&
	    (hints->domain_attr->mr_mode & FI_MR_LOCAL))
		e->domain_attr->mr_mode |= FI_MR_LOCAL;
	e->domain_attr->av_type = FI_AV_TABLE;
	e->fabric_attr->api_version = version;
	e->ep_attr->type = type;
	e->ep_attr->protocol = FI_PROTO_EFA;
	e->ep_attr->protocol_version = kind == KIND_RDM ? EFA_RDM_PROTOCOL_VERSION : 1;
	e->ep_attr->max_msg_size = max_msg;
	/* efa_prov_info_set_ep_attr: a DGRAM receive buffer starts with a 40-byte prefix. */
	e->ep_attr->msg_prefix_size = kind == KIND_DGRAM ? 40 : 0;
	*err = 0;
	return e;
}

static void remember_base(const struct fi_info *b)
{
	/* A listing of provider attributes only (FI_PROV_ATTR_ONLY) names no fabric or domain. */
	if (!b->fabric_attr || !b->fabric_attr->name || !b->fabric_attr->prov_name ||
	    !b->domain_attr || !b->domain_attr->name || !b->ep_attr)
		return;
	pthread_mutex_lock(&lock);
	snprintf(base.prov_name, sizeof(base.prov_name), "%s", b->fabric_attr->prov_name);
	snprintf(base.fabric_name, sizeof(base.fabric_name), "%s", b->fabric_attr->name);
	snprintf(base.domain_name, sizeof(base.domain_name), "%s", b->domain_attr->name);
	base.protocol = b->ep_attr->protocol;
	base.protocol_version = b->ep_attr->protocol_version;
	base.mr_mode = (uint64_t)b->domain_attr->mr_mode;
	base.caps = b->caps;
	base.tx_caps = b->tx_attr ? b->tx_attr->caps : b->caps;
	base.rx_caps = b->rx_attr ? b->rx_attr->caps : b->caps;
	base.domain_caps = b->domain_attr->caps;
	base.max_msg_size = b->ep_attr->max_msg_size;
	base.known = true;
	pthread_mutex_unlock(&lock);
}

/*
 * The efa-shaped list in the order libfabric v2.1.0 .. v2.6.0 prov/efa/src/efa_prov.c
 * efa_util_prov_initialize builds it: every device's efa-direct entry first ("the efa-direct
 * info objects should be returned _before_ efa rdm or dgram"), then every device's efa RDM
 * entry, then every device's DGRAM entry. Libfabric 1.15 .. 2.0 (v2.0.0 efa_prov.c) have the
 * RDM and DGRAM entries only, in that order (1.17.0 prov/efa/src/efa_user_info.c efa_getinfo
 * appends the DGRAM list to the RDM list).
 */
static int efa_list(uint32_t version, const char *node, const char *service, uint64_t flags,
		    const struct fi_info *hints, struct fi_info **out)
{
	getinfo_fn real = (getinfo_fn)real_sym("fi_getinfo");
	struct fi_info *bh, *blist = NULL, *head = NULL, **tail = &head, *e;
	enum shape_kind kind;
	unsigned int dev;
	int ret;

	*out = NULL;
	if (!real)
		return -FI_ENOSYS;
	bh = hints ? fi_dupinfo(hints) : fi_allocinfo();
	if (!bh)
		return -FI_ENOMEM;
	/* The base is asked for what the application wants, as an RDM endpoint of its own. */
	if (set_str(&bh->fabric_attr->prov_name, cfg.base) ||
	    set_str(&bh->fabric_attr->name, NULL) || set_str(&bh->domain_attr->name, NULL)) {
		fi_freeinfo(bh);
		return -FI_ENOMEM;
	}
	bh->ep_attr->type = FI_EP_RDM;
	bh->ep_attr->max_msg_size = 0;
	bh->ep_attr->protocol = FI_PROTO_UNSPEC;
	bh->addr_format = FI_FORMAT_UNSPEC;
	/* DGRAM entries are messages only: the base need not offer more for them. */
	if (hints && hints->ep_attr && hints->ep_attr->type == FI_EP_DGRAM)
		bh->caps &= EFA_DGRM_CAPS;
	bh->mode &= ~(uint64_t)FI_MSG_PREFIX;
	ret = real(version, node, service, flags, bh, &blist);
	fi_freeinfo(bh);
	if (ret)
		return ret;
	if (!blist)
		return -FI_ENODATA;
	remember_base(blist);

	for (kind = KIND_DIRECT; kind <= KIND_DGRAM; kind++) {
		if (kind == KIND_DIRECT && cfg.shape == SHAPE_1X)
			continue;
		for (dev = 0; dev < cfg.devices; dev++) {
			e = make_entry(blist, hints, kind, dev, version, &ret);
			if (!e) {
				if (ret == -FI_ENODATA)
					continue;
				fi_freeinfo(head);
				fi_freeinfo(blist);
				return ret;
			}
			*tail = e;
			tail = &e->next;
		}
	}
	fi_freeinfo(blist);
	/* Provider attributes only: libfabric gives one entry per provider. */
	if (head && (flags & FI_PROV_ATTR_ONLY)) {
		fi_freeinfo(head->next);
		head->next = NULL;
	}
	*out = head;
	return head ? 0 : -FI_ENODATA;
}

/* list without its entries of the real efa provider (freed). */
static struct fi_info *drop_real_efa(struct fi_info *list)
{
	struct fi_info *keep = NULL, **tail = &keep, *p, *next;

	for (p = list; p; p = next) {
		next = p->next;
		p->next = NULL;
		if (p->fabric_attr && p->fabric_attr->prov_name &&
		    is_efa_prov(p->fabric_attr->prov_name)) {
			fi_freeinfo(p);
		} else {
			*tail = p;
			tail = &p->next;
		}
	}
	return keep;
}

int fi_getinfo(uint32_t version, const char *node, const char *service, uint64_t flags,
	       const struct fi_info *hints, struct fi_info **info)
{
	getinfo_fn real = (getinfo_fn)real_sym("fi_getinfo");
	const struct shape_cfg *c = config();
	const char *prov = hints && hints->fabric_attr ? hints->fabric_attr->prov_name : NULL;
	struct fi_info *efa = NULL, *rest = NULL, *t;
	int ret, ret2;

	if (!real)
		return -FI_ENOSYS;
	if (c->error)
		return -FI_EINVAL;
	if (c->shape == SHAPE_OFF)
		return real(version, node, service, flags, hints, info);
	if (prov && !is_efa_prov(prov))
		return real(version, node, service, flags, hints, info);
	ret = efa_list(version, node, service, flags, hints, &efa);
	if (prov) {
		*info = efa;
		return ret;
	}
	/* No provider named: the efa entries come first, then everything libfabric lists. */
	ret2 = real(version, node, service, flags, hints, &rest);
	if (ret && ret != -FI_ENODATA) {
		fi_freeinfo(rest);
		return ret;
	}
	if (ret2 && ret2 != -FI_ENODATA) {
		fi_freeinfo(efa);
		return ret2;
	}
	if (!efa) {
		*info = rest;
		return rest ? 0 : -FI_ENODATA;
	}
	/*
	 * The library's own efa entries give way to ours: a libfabric built with the efa
	 * provider lists it even without devices where only its attributes are asked for
	 * (fi_info -l, FI_PROV_ATTR_ONLY), and there is one efa provider here, the shaped one.
	 */
	rest = drop_real_efa(rest);
	for (t = efa; t->next; t = t->next)
		;
	t->next = rest;
	*info = efa;
	return 0;
}

/*
 * The fi_info an efa entry stands for, with the base provider's names, protocol and limits
 * back in it, for the base provider's fabric, domain and endpoint calls; NULL when info is not
 * an efa entry (it goes down unchanged). *kind says which efa entry it was.
 */
static struct fi_info *down_info(const struct fi_info *info, enum shape_kind *kind, int *err)
{
	struct fi_info *d;

	*err = 0;
	if (!info || !info->fabric_attr || !is_efa_prov(info->fabric_attr->prov_name))
		return NULL;
	*kind = info->ep_attr && info->ep_attr->type == FI_EP_DGRAM ? KIND_DGRAM :
		info->fabric_attr->name &&
		!strcmp(info->fabric_attr->name, EFA_DIRECT_FABRIC_NAME) ? KIND_DIRECT : KIND_RDM;
	d = fi_dupinfo(info);
	if (!d) {
		*err = -FI_ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&lock);
	/* An efa entry the shim did not make (none listed yet): the base cannot take it. */
	if (!base.known)
		*err = -FI_ENODATA;
	else if (set_str(&d->fabric_attr->prov_name, base.prov_name) ||
		 set_str(&d->fabric_attr->name, base.fabric_name) ||
		 (d->domain_attr && set_str(&d->domain_attr->name, base.domain_name)))
		*err = -FI_ENOMEM;
	if (d->ep_attr) {
		d->ep_attr->type = FI_EP_RDM;
		d->ep_attr->protocol = base.protocol;
		d->ep_attr->protocol_version = base.protocol_version;
		d->ep_attr->max_msg_size = base.max_msg_size;
		d->ep_attr->msg_prefix_size = 0;
	}
	/* Caps efa has and the base lacks (FI_REMOTE_COMM, for shm) are not asked of it. */
	d->caps &= base.caps;
	if (d->tx_attr)
		d->tx_attr->caps &= base.tx_caps;
	if (d->rx_attr)
		d->rx_attr->caps &= base.rx_caps;
	if (d->domain_attr) {
		d->domain_attr->caps &= base.domain_caps;
		d->domain_attr->mr_mode |= (int)base.mr_mode;
	}
	d->mode &= ~(uint64_t)FI_MSG_PREFIX;
	pthread_mutex_unlock(&lock);
	if (*err) {
		fi_freeinfo(d);
		return NULL;
	}
	return d;
}

/* ---- wrapped objects -------------------------------------------------------------------- */

/*
 * Every object the shim watches has its fid ops (and its class's ops) replaced by copies
 * inside one of these, so a call through them finds the wrapper by container_of; close puts
 * the provider's tables back and frees it.
 */
union ops_buf {
	struct fi_ops fid;
	struct fi_ops_fabric fabric;
	struct fi_ops_domain domain;
	struct fi_ops_msg msg;
	struct fi_ops_tagged tagged;
	struct fi_ops_cq cq;
	struct fi_ops_ep ep;
	unsigned char raw[SHAPE_OPS_MAX];
};

struct shape_obj {
	struct fid *fid;
	const struct fi_ops *orig_fid_ops;
	union ops_buf fid_ops;
};

struct shape_fabric {
	struct shape_obj obj;
	const struct fi_ops_fabric *orig;
	union ops_buf ops;
	uint32_t api_version;
};

struct shape_domain {
	struct shape_obj obj;
	const struct fi_ops_domain *orig;
	union ops_buf ops;
	uint32_t api_version;
	bool direct;
};

struct shape_err {
	void *context;
	uint64_t flags;
};

struct shape_cq {
	struct shape_obj obj;
	const struct fi_ops_cq *orig;
	union ops_buf ops;
	uint32_t api_version;
	pthread_mutex_t lock;
	struct shape_err pending[SHAPE_CQ_PENDING];
	unsigned int head, count;
	bool injected;
	struct shape_cq *next; /* the list of wrapped CQs, for endpoint binds */
};

struct shape_ep {
	struct shape_obj obj;
	const struct fi_ops_ep *orig_ep;
	const struct fi_ops_msg *orig_msg;
	const struct fi_ops_tagged *orig_tagged;
	union ops_buf ep, msg, tagged;
	bool direct;
	size_t limit;
	struct shape_cq *tx_cq;
};

static struct shape_cq *cq_list;

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#endif
#define OBJ_OF(fidp) container_of((fidp)->ops, struct shape_obj, fid_ops)

static void copy_ops(union ops_buf *dst, const void *src)
{
	size_t size = *(const size_t *)src;

	if (size > sizeof(*dst))
		size = sizeof(*dst);
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, src, size);
	*(size_t *)dst = size;
}

static void obj_wrap(struct shape_obj *o, struct fid *fid, int (*close)(struct fid *))
{
	o->fid = fid;
	o->orig_fid_ops = fid->ops;
	copy_ops(&o->fid_ops, fid->ops);
	o->fid_ops.fid.close = close;
	fid->ops = &o->fid_ops.fid;
}

static int fabric_close(struct fid *fid)
{
	struct shape_fabric *f = container_of(OBJ_OF(fid), struct shape_fabric, obj);
	struct fid_fabric *fab = container_of(fid, struct fid_fabric, fid);
	int ret;

	fid->ops = (struct fi_ops *)f->obj.orig_fid_ops;
	fab->ops = (struct fi_ops_fabric *)f->orig;
	ret = fid->ops->close(fid);
	if (ret) {
		fid->ops = &f->obj.fid_ops.fid;
		fab->ops = &f->ops.fabric;
		return ret;
	}
	free(f);
	return 0;
}

static int domain_close(struct fid *fid)
{
	struct shape_domain *d = container_of(OBJ_OF(fid), struct shape_domain, obj);
	struct fid_domain *dom = container_of(fid, struct fid_domain, fid);
	int ret;

	fid->ops = (struct fi_ops *)d->obj.orig_fid_ops;
	dom->ops = (struct fi_ops_domain *)d->orig;
	ret = fid->ops->close(fid);
	if (ret) {
		fid->ops = &d->obj.fid_ops.fid;
		dom->ops = &d->ops.domain;
		return ret;
	}
	free(d);
	return 0;
}

static int cq_close(struct fid *fid)
{
	struct shape_cq *q = container_of(OBJ_OF(fid), struct shape_cq, obj);
	struct fid_cq *cq = container_of(fid, struct fid_cq, fid);
	struct shape_cq **p;
	int ret;

	fid->ops = (struct fi_ops *)q->obj.orig_fid_ops;
	cq->ops = (struct fi_ops_cq *)q->orig;
	ret = fid->ops->close(fid);
	if (ret) {
		fid->ops = &q->obj.fid_ops.fid;
		cq->ops = &q->ops.cq;
		return ret;
	}
	pthread_mutex_lock(&lock);
	for (p = &cq_list; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	pthread_mutex_destroy(&q->lock);
	free(q);
	return 0;
}

static int ep_close(struct fid *fid)
{
	struct shape_ep *e = container_of(OBJ_OF(fid), struct shape_ep, obj);
	struct fid_ep *ep = container_of(fid, struct fid_ep, fid);
	int ret;

	fid->ops = (struct fi_ops *)e->obj.orig_fid_ops;
	ep->ops = (struct fi_ops_ep *)e->orig_ep;
	if (e->direct) {
		ep->msg = (struct fi_ops_msg *)e->orig_msg;
		ep->tagged = (struct fi_ops_tagged *)e->orig_tagged;
	}
	ret = fid->ops->close(fid);
	if (ret) {
		fid->ops = &e->obj.fid_ops.fid;
		ep->ops = &e->ep.ep;
		if (e->direct) {
			ep->msg = e->orig_msg ? &e->msg.msg : NULL;
			ep->tagged = e->orig_tagged ? &e->tagged.tagged : NULL;
		}
		return ret;
	}
	free(e);
	return 0;
}

/* ---- completion queues of efa-direct domains -------------------------------------------- */

static struct shape_cq *cq_of(struct fid_cq *cq)
{
	return container_of(cq->ops, struct shape_cq, ops);
}

static ssize_t cq_pending(struct shape_cq *q)
{
	unsigned int n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n ? -FI_EAVAIL : 0;
}

static ssize_t cq_read(struct fid_cq *cq, void *buf, size_t count)
{
	struct shape_cq *q = cq_of(cq);
	ssize_t ret = cq_pending(q);

	return ret ? ret : q->orig->read(cq, buf, count);
}

static ssize_t cq_readfrom(struct fid_cq *cq, void *buf, size_t count, fi_addr_t *src_addr)
{
	struct shape_cq *q = cq_of(cq);
	ssize_t ret = cq_pending(q);

	return ret ? ret : q->orig->readfrom(cq, buf, count, src_addr);
}

static ssize_t cq_sread(struct fid_cq *cq, void *buf, size_t count, const void *cond,
			int timeout)
{
	struct shape_cq *q = cq_of(cq);
	ssize_t ret = cq_pending(q);

	return ret ? ret : q->orig->sread(cq, buf, count, cond, timeout);
}

static ssize_t cq_sreadfrom(struct fid_cq *cq, void *buf, size_t count, fi_addr_t *src_addr,
			    const void *cond, int timeout)
{
	struct shape_cq *q = cq_of(cq);
	ssize_t ret = cq_pending(q);

	return ret ? ret : q->orig->sreadfrom(cq, buf, count, src_addr, cond, timeout);
}

/*
 * The device's answer to a send longer than its max_msg_sz: libfabric v2.6.0 prov/efa/src/
 * efa_cq.c reports the work completion's vendor error as prov_errno and to_fi_errno
 * (efa_errno.h) of it as err, FI_EMSGSIZE for LOCAL_ERROR_BAD_LENGTH. Libfabric 2.x callers
 * also get src_addr (include/rdma/fi_eq.h v2.6.0), which 1.x headers do not have.
 */
struct cq_err_entry_v2 {
	struct fi_cq_err_entry v1;
	fi_addr_t src_addr;
};

static ssize_t cq_readerr(struct fid_cq *cq, struct fi_cq_err_entry *buf, uint64_t flags)
{
	struct shape_cq *q = cq_of(cq);
	struct shape_err e;

	pthread_mutex_lock(&q->lock);
	if (!q->count) {
		pthread_mutex_unlock(&q->lock);
		return q->orig->readerr(cq, buf, flags);
	}
	e = q->pending[q->head];
	q->head = (q->head + 1) % SHAPE_CQ_PENDING;
	q->count--;
	pthread_mutex_unlock(&q->lock);
	buf->op_context = e.context;
	buf->flags = e.flags;
	buf->len = 0;
	buf->buf = NULL;
	buf->data = 0;
	buf->tag = 0;
	buf->olen = 0;
	buf->err = FI_EMSGSIZE;
	buf->prov_errno = EFA_IO_COMP_STATUS_LOCAL_ERROR_BAD_LENGTH;
	buf->err_data_size = 0;
	if (FI_MAJOR(q->api_version) >= 2)
		((struct cq_err_entry_v2 *)buf)->src_addr = FI_ADDR_NOTAVAIL;
	return 1;
}

static const char *cq_strerror(struct fid_cq *cq, int prov_errno, const void *err_data,
			       char *buf, size_t len)
{
	struct shape_cq *q = cq_of(cq);

	if (q->injected && prov_errno == EFA_IO_COMP_STATUS_LOCAL_ERROR_BAD_LENGTH) {
		/* The text of libfabric v2.6.0 prov/efa/src/efa_errno.h for status 6. */
		if (buf && len) {
			snprintf(buf, len, "Message too long");
			return buf;
		}
		return "Message too long";
	}
	return q->orig->strerror(cq, prov_errno, err_data, buf, len);
}

static int domain_cq_open(struct fid_domain *domain, struct fi_cq_attr *attr, struct fid_cq **cq,
			  void *context)
{
	struct shape_domain *d = container_of(domain->ops, struct shape_domain, ops);
	struct shape_cq *q;
	int ret;

	ret = d->orig->cq_open(domain, attr, cq, context);
	if (ret || !d->direct)
		return ret;
	q = calloc(1, sizeof(*q));
	if (!q) {
		fi_close(&(*cq)->fid);
		*cq = NULL;
		return -FI_ENOMEM;
	}
	pthread_mutex_init(&q->lock, NULL);
	q->api_version = d->api_version;
	q->orig = (*cq)->ops;
	copy_ops(&q->ops, (*cq)->ops);
	q->ops.cq.read = cq_read;
	q->ops.cq.readfrom = cq_readfrom;
	q->ops.cq.readerr = cq_readerr;
	q->ops.cq.sread = cq_sread;
	q->ops.cq.sreadfrom = cq_sreadfrom;
	q->ops.cq.strerror = cq_strerror;
	obj_wrap(&q->obj, &(*cq)->fid, cq_close);
	(*cq)->ops = &q->ops.cq;
	pthread_mutex_lock(&lock);
	q->next = cq_list;
	cq_list = q;
	pthread_mutex_unlock(&lock);
	return 0;
}

/* ---- efa-direct endpoints: the device's message size ------------------------------------ */

static struct shape_ep *ep_of(struct fid_ep *ep)
{
	return container_of(OBJ_OF(&ep->fid), struct shape_ep, obj);
}

static size_t iov_len(const struct iovec *iov, size_t count)
{
	size_t i, n = 0;

	for (i = 0; i < count; i++)
		n += iov[i].iov_len;
	return n;
}

/*
 * A send longer than max_msg_sz on efa-direct. libfabric v2.6.0 prov/efa/src/efa_msg.c
 * efa_post_send only asserts the length (compiled out in release builds) and posts it; the
 * device then completes the work request with EFA_IO_COMP_STATUS_LOCAL_ERROR_BAD_LENGTH. So
 * the post succeeds and an error completion follows; with no transmit CQ to carry it, or that
 * CQ full, the post fails (-FI_EMSGSIZE, -FI_EAGAIN). An inject is refused at the post with
 * -FI_EOPNOTSUPP, as efa_post_send does for any inject above its (much smaller) inline size.
 */
static ssize_t too_long(struct shape_ep *e, void *context, uint64_t flags, bool inject)
{
	struct shape_cq *q = e->tx_cq;
	ssize_t ret = 0;

	if (inject)
		return -FI_EOPNOTSUPP;
	if (!q)
		return -FI_EMSGSIZE;
	pthread_mutex_lock(&q->lock);
	if (q->count == SHAPE_CQ_PENDING) {
		ret = -FI_EAGAIN;
	} else {
		q->pending[(q->head + q->count) % SHAPE_CQ_PENDING] =
			(struct shape_err){ .context = context, .flags = flags };
		q->count++;
		q->injected = true;
	}
	pthread_mutex_unlock(&q->lock);
	return ret;
}

static ssize_t m_send(struct fid_ep *ep, const void *buf, size_t len, void *desc,
		      fi_addr_t dest, void *context)
{
	struct shape_ep *e = ep_of(ep);

	if (len > e->limit)
		return too_long(e, context, FI_SEND | FI_MSG, false);
	return e->orig_msg->send(ep, buf, len, desc, dest, context);
}

static ssize_t m_sendv(struct fid_ep *ep, const struct iovec *iov, void **desc, size_t count,
		       fi_addr_t dest, void *context)
{
	struct shape_ep *e = ep_of(ep);

	if (iov_len(iov, count) > e->limit)
		return too_long(e, context, FI_SEND | FI_MSG, false);
	return e->orig_msg->sendv(ep, iov, desc, count, dest, context);
}

static ssize_t m_sendmsg(struct fid_ep *ep, const struct fi_msg *msg, uint64_t flags)
{
	struct shape_ep *e = ep_of(ep);

	if (iov_len(msg->msg_iov, msg->iov_count) > e->limit)
		return too_long(e, msg->context, FI_SEND | FI_MSG, flags & FI_INJECT);
	return e->orig_msg->sendmsg(ep, msg, flags);
}

static ssize_t m_inject(struct fid_ep *ep, const void *buf, size_t len, fi_addr_t dest)
{
	struct shape_ep *e = ep_of(ep);

	if (len > e->limit)
		return too_long(e, NULL, 0, true);
	return e->orig_msg->inject(ep, buf, len, dest);
}

static ssize_t m_senddata(struct fid_ep *ep, const void *buf, size_t len, void *desc,
			  uint64_t data, fi_addr_t dest, void *context)
{
	struct shape_ep *e = ep_of(ep);

	if (len > e->limit)
		return too_long(e, context, FI_SEND | FI_MSG | FI_REMOTE_CQ_DATA, false);
	return e->orig_msg->senddata(ep, buf, len, desc, data, dest, context);
}

static ssize_t m_injectdata(struct fid_ep *ep, const void *buf, size_t len, uint64_t data,
			    fi_addr_t dest)
{
	struct shape_ep *e = ep_of(ep);

	if (len > e->limit)
		return too_long(e, NULL, 0, true);
	return e->orig_msg->injectdata(ep, buf, len, data, dest);
}

/*
 * efa-direct has no tagged operations (libfabric v2.6.0 efa_ep.c efa_ep_open sets no
 * ep->tagged, and its caps lack FI_TAGGED), so no conforming application calls these; the
 * base provider's are kept, with the same device limit, for one that does.
 */
static ssize_t t_send(struct fid_ep *ep, const void *buf, size_t len, void *desc,
		      fi_addr_t dest, uint64_t tag, void *context)
{
	struct shape_ep *e = ep_of(ep);

	if (len > e->limit)
		return too_long(e, context, FI_SEND | FI_TAGGED, false);
	return e->orig_tagged->send(ep, buf, len, desc, dest, tag, context);
}

static ssize_t t_sendv(struct fid_ep *ep, const struct iovec *iov, void **desc, size_t count,
		       fi_addr_t dest, uint64_t tag, void *context)
{
	struct shape_ep *e = ep_of(ep);

	if (iov_len(iov, count) > e->limit)
		return too_long(e, context, FI_SEND | FI_TAGGED, false);
	return e->orig_tagged->sendv(ep, iov, desc, count, dest, tag, context);
}

static ssize_t t_sendmsg(struct fid_ep *ep, const struct fi_msg_tagged *msg, uint64_t flags)
{
	struct shape_ep *e = ep_of(ep);

	if (iov_len(msg->msg_iov, msg->iov_count) > e->limit)
		return too_long(e, msg->context, FI_SEND | FI_TAGGED, flags & FI_INJECT);
	return e->orig_tagged->sendmsg(ep, msg, flags);
}

static ssize_t t_inject(struct fid_ep *ep, const void *buf, size_t len, fi_addr_t dest,
			uint64_t tag)
{
	struct shape_ep *e = ep_of(ep);

	if (len > e->limit)
		return too_long(e, NULL, 0, true);
	return e->orig_tagged->inject(ep, buf, len, dest, tag);
}

static ssize_t t_senddata(struct fid_ep *ep, const void *buf, size_t len, void *desc,
			  uint64_t data, fi_addr_t dest, uint64_t tag, void *context)
{
	struct shape_ep *e = ep_of(ep);

	if (len > e->limit)
		return too_long(e, context, FI_SEND | FI_TAGGED | FI_REMOTE_CQ_DATA, false);
	return e->orig_tagged->senddata(ep, buf, len, desc, data, dest, tag, context);
}

static ssize_t t_injectdata(struct fid_ep *ep, const void *buf, size_t len, uint64_t data,
			    fi_addr_t dest, uint64_t tag)
{
	struct shape_ep *e = ep_of(ep);

	if (len > e->limit)
		return too_long(e, NULL, 0, true);
	return e->orig_tagged->injectdata(ep, buf, len, data, dest, tag);
}

/* The transmit CQ an efa-direct endpoint is bound to: where its failed sends complete. */
static int ep_bind(struct fid *fid, struct fid *bfid, uint64_t flags)
{
	struct shape_ep *e = container_of(OBJ_OF(fid), struct shape_ep, obj);
	struct shape_cq *q;
	int ret;

	ret = e->obj.orig_fid_ops->bind(fid, bfid, flags);
	if (ret || !bfid || bfid->fclass != FI_CLASS_CQ || !(flags & FI_TRANSMIT))
		return ret;
	pthread_mutex_lock(&lock);
	for (q = cq_list; q; q = q->next)
		if (q->obj.fid == bfid)
			e->tx_cq = q;
	pthread_mutex_unlock(&lock);
	return 0;
}

/* FI_OPT_CUDA_API_PERMITTED: an enum value of libfabric >= 1.18 (ABI), not in 1.17's headers. */
#define SHAPE_OPT_CUDA_API_PERMITTED 10

/*
 * FI_OPT_CUDA_API_PERMITTED as efa answers it. efa-direct never calls CUDA: a no-op (v2.6.0
 * prov/efa/src/efa_ep.c, efa_ep_setopt). The RDM endpoint: -FI_EINVAL without CUDA, and false
 * is refused with -FI_EOPNOTSUPP unless the device has peer to peer (rdm/efa_rdm_ep_fiops.c,
 * efa_rdm_ep_set_cuda_api_permitted). The base is asked first: it says whether libfabric has
 * CUDA (-FI_EINVAL) and, on libfabric 1.17, that the option does not exist (-FI_ENOPROTOOPT).
 */
static int ep_setopt(fid_t fid, int level, int optname, const void *optval, size_t optlen)
{
	struct fid_ep *ep = container_of(fid, struct fid_ep, fid);
	struct shape_ep *e = container_of(ep->ops, struct shape_ep, ep);
	int ret;

	if (level != FI_OPT_ENDPOINT || optname != SHAPE_OPT_CUDA_API_PERMITTED)
		return e->orig_ep->setopt(fid, level, optname, optval, optlen);
	ret = e->orig_ep->setopt(fid, level, optname, optval, optlen);
	if (ret == -FI_ENOPROTOOPT || ret == -FI_ENOSYS || ret == -FI_EINVAL)
		return ret;
	if (e->direct || (optlen == sizeof(bool) && *(const bool *)optval))
		return 0;
	return cfg.p2p ? 0 : -FI_EOPNOTSUPP;
}

/* Every efa endpoint: its options as efa answers them; efa-direct's sends also limited. */
static int wrap_ep(struct fid_ep *ep, bool direct)
{
	struct shape_ep *e = calloc(1, sizeof(*e));

	if (!e)
		return -FI_ENOMEM;
	obj_wrap(&e->obj, &ep->fid, ep_close);
	e->direct = direct;
	e->orig_ep = ep->ops;
	copy_ops(&e->ep, ep->ops);
	e->ep.ep.setopt = ep_setopt;
	ep->ops = &e->ep.ep;
	if (!direct)
		return 0;
	/* The device's limit for one send is its port's max_msg_sz, whatever max_msg_size the
	 * entry carries (with FI_RMA that is max_rdma_size, which only RMA may use). */
	e->limit = cfg.mtu;
	e->obj.fid_ops.fid.bind = ep_bind;
	if (ep->msg) {
		e->orig_msg = ep->msg;
		copy_ops(&e->msg, ep->msg);
		e->msg.msg.send = m_send;
		e->msg.msg.sendv = m_sendv;
		e->msg.msg.sendmsg = m_sendmsg;
		e->msg.msg.inject = m_inject;
		e->msg.msg.senddata = m_senddata;
		e->msg.msg.injectdata = m_injectdata;
		ep->msg = &e->msg.msg;
	}
	if (ep->tagged) {
		e->orig_tagged = ep->tagged;
		copy_ops(&e->tagged, ep->tagged);
		e->tagged.tagged.send = t_send;
		e->tagged.tagged.sendv = t_sendv;
		e->tagged.tagged.sendmsg = t_sendmsg;
		e->tagged.tagged.inject = t_inject;
		e->tagged.tagged.senddata = t_senddata;
		e->tagged.tagged.injectdata = t_injectdata;
		ep->tagged = &e->tagged.tagged;
	}
	return 0;
}

/* ---- domains and endpoints -------------------------------------------------------------- */

static int open_ep(struct fid_domain *domain, struct fi_info *info, struct fid_ep **ep,
		   uint64_t flags, void *context, bool two)
{
	struct shape_domain *d = container_of(domain->ops, struct shape_domain, ops);
	enum shape_kind kind = KIND_RDM;
	struct fi_info *down;
	int ret;

	down = down_info(info, &kind, &ret);
	if (ret)
		return ret;
	/* The base provider has RDM endpoints only: a DGRAM efa entry is listed, not opened. */
	if (down && kind == KIND_DGRAM) {
		fi_freeinfo(down);
		return -FI_ENOSYS;
	}
	ret = two ? d->orig->endpoint2(domain, down ? down : info, ep, flags, context) :
		    d->orig->endpoint(domain, down ? down : info, ep, context);
	fi_freeinfo(down);
	if (ret || !down)
		return ret;
	ret = wrap_ep(*ep, kind == KIND_DIRECT);
	if (ret) {
		fi_close(&(*ep)->fid);
		*ep = NULL;
	}
	return ret;
}

static int domain_endpoint(struct fid_domain *domain, struct fi_info *info, struct fid_ep **ep,
			   void *context)
{
	return open_ep(domain, info, ep, 0, context, false);
}

static int domain_endpoint2(struct fid_domain *domain, struct fi_info *info, struct fid_ep **ep,
			    uint64_t flags, void *context)
{
	return open_ep(domain, info, ep, flags, context, true);
}

/* libfabric v2.6.0 prov/efa/src/efa_domain.c: efa domains have no scalable endpoints. */
static int domain_scalable_ep(struct fid_domain *domain, struct fi_info *info,
			      struct fid_ep **sep, void *context)
{
	(void)domain;
	(void)info;
	(void)sep;
	(void)context;
	return -FI_ENOSYS;
}

static int open_domain(struct fid_fabric *fabric, struct fi_info *info, struct fid_domain **dom,
		       uint64_t flags, void *context, bool two)
{
	struct shape_fabric *f = container_of(fabric->ops, struct shape_fabric, ops);
	enum shape_kind kind = KIND_RDM;
	struct shape_domain *d;
	struct fi_info *down;
	int ret;

	down = down_info(info, &kind, &ret);
	if (ret)
		return ret;
	ret = two ? f->orig->domain2(fabric, down ? down : info, dom, flags, context) :
		    f->orig->domain(fabric, down ? down : info, dom, context);
	fi_freeinfo(down);
	if (ret || !down)
		return ret;
	d = calloc(1, sizeof(*d));
	if (!d) {
		fi_close(&(*dom)->fid);
		*dom = NULL;
		return -FI_ENOMEM;
	}
	d->api_version = f->api_version;
	d->direct = kind == KIND_DIRECT;
	d->orig = (*dom)->ops;
	copy_ops(&d->ops, (*dom)->ops);
	d->ops.domain.cq_open = domain_cq_open;
	d->ops.domain.endpoint = domain_endpoint;
	d->ops.domain.scalable_ep = domain_scalable_ep;
	if (d->ops.domain.size > offsetof(struct fi_ops_domain, endpoint2))
		d->ops.domain.endpoint2 = domain_endpoint2;
	obj_wrap(&d->obj, &(*dom)->fid, domain_close);
	(*dom)->ops = &d->ops.domain;
	return 0;
}

static int fabric_domain(struct fid_fabric *fabric, struct fi_info *info,
			 struct fid_domain **dom, void *context)
{
	return open_domain(fabric, info, dom, 0, context, false);
}

static int fabric_domain2(struct fid_fabric *fabric, struct fi_info *info,
			  struct fid_domain **dom, uint64_t flags, void *context)
{
	return open_domain(fabric, info, dom, flags, context, true);
}

static int wrap_fabric(struct fid_fabric *fab)
{
	struct shape_fabric *f = calloc(1, sizeof(*f));

	if (!f)
		return -FI_ENOMEM;
	f->api_version = fab->api_version;
	f->orig = fab->ops;
	copy_ops(&f->ops, fab->ops);
	f->ops.fabric.domain = fabric_domain;
	if (f->ops.fabric.size > offsetof(struct fi_ops_fabric, domain2))
		f->ops.fabric.domain2 = fabric_domain2;
	obj_wrap(&f->obj, &fab->fid, fabric_close);
	fab->ops = &f->ops.fabric;
	return 0;
}

int fi_fabric(struct fi_fabric_attr *attr, struct fid_fabric **fabric, void *context)
{
	fabric_fn real = (fabric_fn)real_sym("fi_fabric");
	char prov_name[sizeof(base.prov_name)], name[sizeof(base.fabric_name)];
	struct fi_fabric_attr down;
	bool known;
	int ret;

	if (!real)
		return -FI_ENOSYS;
	pthread_mutex_lock(&lock);
	known = base.known;
	memcpy(prov_name, base.prov_name, sizeof(prov_name));
	memcpy(name, base.fabric_name, sizeof(name));
	pthread_mutex_unlock(&lock);
	if (config()->shape == SHAPE_OFF || !attr || !is_efa_prov(attr->prov_name) || !known)
		return real(attr, fabric, context);
	down = *attr;
	down.prov_name = prov_name;
	down.name = name;
	ret = real(&down, fabric, context);
	if (ret)
		return ret;
	ret = wrap_fabric(*fabric);
	if (ret) {
		fi_close(&(*fabric)->fid);
		*fabric = NULL;
	}
	return ret;
}

/* Libfabric 1.18 and later export fi_fabric2 (taking an fi_info), which 1.17 headers lack. */
int fi_fabric2(struct fi_info *info, struct fid_fabric **fabric, uint64_t flags, void *context);
int fi_fabric2(struct fi_info *info, struct fid_fabric **fabric, uint64_t flags, void *context)
{
	fabric2_fn real = (fabric2_fn)real_sym("fi_fabric2");
	enum shape_kind kind;
	struct fi_info *down;
	int ret;

	if (!real)
		return -FI_ENOSYS;
	if (config()->shape == SHAPE_OFF)
		return real(info, fabric, flags, context);
	down = down_info(info, &kind, &ret);
	if (ret)
		return ret;
	if (!down)
		return real(info, fabric, flags, context);
	ret = real(down, fabric, flags, context);
	fi_freeinfo(down);
	if (ret)
		return ret;
	ret = wrap_fabric(*fabric);
	if (ret) {
		fi_close(&(*fabric)->fid);
		*fabric = NULL;
	}
	return ret;
}
