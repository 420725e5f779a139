/* SPDX-License-Identifier: MIT */
/* Asks libfabric which FI_EP_RDM domains a provider offers. */
#ifndef EFADIAG_FABRIC_INFO_H
#define EFADIAG_FABRIC_INFO_H

#include <rdma/fabric.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * The API version to ask for: the one the headers were built with, lowered to what the
 * loaded library supports, so one binary runs on libfabric 1.x and 2.x.
 */
uint32_t fabric_api_version(void);

/* Hints for an FI_EP_RDM endpoint on prov (NULL: any) with caps; free with fi_freeinfo. */
struct fi_info *fabric_rdm_hints(const char *prov, uint64_t caps);
/* Whether prov offers FI_EP_RDM endpoints with caps here (fi_getinfo with those hints). */
bool fabric_provider_has(const char *prov, uint64_t caps);
/* Whether prov lists a fabric of that name here, and the capabilities its entries offer. */
bool fabric_caps_of(const char *prov, const char *fabric, uint64_t *caps);

/*
 * Lists the RDM domains of prov, one fi_info per (fabric, domain), restricted to the names in
 * domains when ndomains > 0; the providers and fabrics in libfabric's order, the domains of
 * each in natural order (name_cmp: rdmap79s0-rdm before rdmap204s0-rdm). Returns 0 and *list (free with fi_freeinfo, may be NULL when
 * nothing matched), or a negative libfabric error code (-FI_ENODATA: no such provider).
 */
int fabric_list_domains(const char *prov, char *const *domains, size_t ndomains,
			struct fi_info **list);

/*
 * Whether domain name is one of domains (all when n is 0). A name also selects the domains
 * it prefixes up to a '-': an EFA device name selects rdmap16s27-rdm and rdmap16s27-dgrm.
 */
bool fabric_domain_wanted(const char *name, char *const *domains, size_t n);
/*
 * The provider a -p name opens: the prov_name of its first RDM entry, with the utility
 * provider layered on as libfabric names it ("tcp" is "tcp;ofi_rxm" on 1.x, "TCP" too). 0 and
 * out, or a negative libfabric error code (-FI_ENODATA: no such provider here).
 */
int fabric_resolve_provider(const char *prov, char *out, size_t len);
/*
 * Keeps only the entries of one fabric: the one named (--fabric), or where the provider
 * lists a fabric named after itself, that one. libfabric >= 2.1's efa provider lists its
 * "efa-direct" fabric (the device's own queues: no segmentation, messages up to the MTU
 * where FI_RMA is not asked for) before "efa" (the RDM protocol MPI uses: any size) --
 * libfabric v2.1.0..v2.6.0 prov/efa/src/efa_prov.c, efa_util_prov_initialize ("should be
 * returned before efa rdm or dgram"); so the first entry is efa-direct, and a test that
 * took it would test the path aws-ofi-nccl uses with MPI's sizes. Before 2.1 efa lists only
 * "efa" (v1.17.0..v2.0.0 prov/efa/src/efa.h EFA_FABRIC_NAME). IP providers name fabrics by
 * subnet: none is preferred and the list is kept whole. 0, or -FI_ENODATA with err naming the
 * fabrics there are when none is left (the list is then empty).
 */
int fabric_keep_fabric(struct fi_info **list, const char *fabric, char *err, size_t errlen);
/* Whether an entry is the loopback interface, which is never one of a node's NICs. */
bool fabric_is_loopback(const struct fi_info *fi);

/* Whether the subnet in CIDR notation ("192.0.2.0/24", an IP provider's fabric name) holds addr. */
bool fabric_subnet_holds(const char *cidr, const struct sockaddr *addr);
/*
 * Domain choice: a -d name wins; for IP providers the domain whose subnet holds the peer;
 * otherwise the first that is not loopback (so two hosts just work), else whatever exists.
 * NULL when nothing fits (a -d name missing, or only loopback for a remote peer).
 */
struct fi_info *fabric_pick_domain(struct fi_info *list, char *const *domains, size_t ndomains,
				   const struct sockaddr *peer);

/* The distinct non-loopback domain names of prov, in natural order (name_cmp); each malloc'd. Returns how many. */
size_t fabric_domain_names(const char *prov, char **names, size_t max);

/* "FI_EP_RDM" -> "rdm", "FI_PROTO_RXM" -> "rxm": the short forms tables show. */
const char *fabric_ep_type_str(enum fi_ep_type t);
void fabric_protocol_str(uint32_t proto, char *buf, size_t len);
void fabric_mr_mode_str(int mr_mode, char *buf, size_t len);

#endif
