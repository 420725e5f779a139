// SPDX-License-Identifier: MIT
/* Provider and domain discovery through fi_getinfo, shared by info and the test commands. */
#include "fabric/discover.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "util.h"

uint32_t fabric_api_version(void)
{
	uint32_t built = FI_VERSION(FI_MAJOR_VERSION, FI_MINOR_VERSION);
	uint32_t loaded = fi_version();

	return loaded < built ? loaded : built;
}

struct fi_info *fabric_rdm_hints(const char *prov, uint64_t caps)
{
	struct fi_info *hints = fi_allocinfo();

	if (!hints)
		return NULL;
	hints->caps = caps;
	hints->ep_attr->type = FI_EP_RDM;
	/* What the efa provider requires of its users; software providers accept it too. */
	hints->mode = FI_CONTEXT | FI_CONTEXT2;
	hints->domain_attr->mr_mode = FI_MR_LOCAL | FI_MR_ALLOCATED | FI_MR_PROV_KEY |
				      FI_MR_VIRT_ADDR | FI_MR_ENDPOINT | FI_MR_RAW;
	/* GPU memory: every device buffer registered (its descriptor names the memory). */
	if (caps & FI_HMEM)
		hints->domain_attr->mr_mode |= FI_MR_HMEM;
	hints->domain_attr->threading = FI_THREAD_DOMAIN;
	hints->domain_attr->control_progress = FI_PROGRESS_MANUAL;
	hints->domain_attr->data_progress = FI_PROGRESS_MANUAL;
	if (prov) {
		hints->fabric_attr->prov_name = strdup(prov);
		if (!hints->fabric_attr->prov_name) {
			fi_freeinfo(hints);
			return NULL;
		}
	}
	return hints;
}

bool fabric_provider_has(const char *prov, uint64_t caps)
{
	struct fi_info *hints = fabric_rdm_hints(prov, caps), *list = NULL;
	int ret;

	if (!hints)
		return false;
	ret = fi_getinfo(fabric_api_version(), NULL, NULL, 0, hints, &list);
	fi_freeinfo(hints);
	fi_freeinfo(list);
	return ret == 0;
}

bool fabric_caps_of(const char *prov, const char *fabric, uint64_t *caps)
{
	struct fi_info *hints = fabric_rdm_hints(prov, 0), *list = NULL, *p;
	bool found = false;

	*caps = 0;
	if (!hints)
		return false;
	if (!fi_getinfo(fabric_api_version(), NULL, NULL, 0, hints, &list))
		for (p = list; p; p = p->next)
			if (!strcmp(p->fabric_attr->name, fabric)) {
				found = true;
				*caps |= p->caps;
			}
	fi_freeinfo(hints);
	fi_freeinfo(list);
	return found;
}

bool fabric_domain_wanted(const char *name, char *const *domains, size_t n)
{
	size_t i, len;

	if (!n)
		return true;
	for (i = 0; i < n; i++) {
		len = strlen(domains[i]);
		/* An EFA device name selects its domains: rdmap16s27 -> rdmap16s27-rdm. */
		if (!strncmp(name, domains[i], len) && (name[len] == '\0' || name[len] == '-'))
			return true;
	}
	return false;
}

static bool seen_before(const struct fi_info *head, const struct fi_info *cur)
{
	const struct fi_info *p;

	for (p = head; p && p != cur; p = p->next)
		if (!strcmp(p->fabric_attr->prov_name, cur->fabric_attr->prov_name) &&
		    !strcmp(p->fabric_attr->name, cur->fabric_attr->name) &&
		    !strcmp(p->domain_attr->name, cur->domain_attr->name))
			return true;
	return false;
}

/* Where an entry's (provider, fabric) first appears in list: its group, kept in libfabric's order. */
static size_t group_of(const struct fi_info *list, const struct fi_info *fi)
{
	const struct fi_info *p;
	size_t g = 0;

	for (p = list; p != fi; p = p->next, g++)
		if (!strcmp(p->fabric_attr->prov_name, fi->fabric_attr->prov_name) &&
		    !strcmp(p->fabric_attr->name, fi->fabric_attr->name))
			return g;
	return g;
}

/*
 * The domains of each (provider, fabric) in natural order (rdmap79s0-rdm before
 * rdmap204s0-rdm; libfabric lists a provider's devices as the driver found them), the
 * providers and fabrics themselves in libfabric's order (its preference).
 */
static struct fi_info *sort_domains(struct fi_info *head)
{
	struct fi_info *v[256], *p, *rest;
	size_t g[256], n = 0, i, j;

	for (p = head; p && n < 256; p = p->next)
		v[n++] = p;
	if (p || n < 2)
		return head; /* more than a node has: left as they came */
	for (i = 0; i < n; i++)
		g[i] = group_of(head, v[i]);
	/* Insertion sort: stable, and a node lists a few dozen domains. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && (g[j - 1] > g[j] ||
				      (g[j - 1] == g[j] && name_cmp(v[j - 1]->domain_attr->name,
								    v[j]->domain_attr->name) > 0));
		     j--) {
			struct fi_info *t = v[j];
			size_t tg = g[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
			g[j] = g[j - 1];
			g[j - 1] = tg;
		}
	for (i = n, rest = NULL; i > 0; i--) {
		v[i - 1]->next = rest;
		rest = v[i - 1];
	}
	return rest;
}

int fabric_list_domains(const char *prov, char *const *domains, size_t ndomains,
			struct fi_info **list)
{
	struct fi_info *hints, *all = NULL, *cur, *head = NULL, **tail = &head;
	int ret;

	*list = NULL;
	hints = fabric_rdm_hints(prov, 0);
	if (!hints)
		return -FI_ENOMEM;
	ret = fi_getinfo(fabric_api_version(), NULL, NULL, 0, hints, &all);
	fi_freeinfo(hints);
	if (ret)
		return ret;
	/* One entry per (provider, fabric, domain): providers list variants of each. */
	for (cur = all; cur; cur = cur->next) {
		struct fi_info *dup;

		if (!fabric_domain_wanted(cur->domain_attr->name, domains, ndomains) ||
		    seen_before(all, cur))
			continue;
		dup = fi_dupinfo(cur);
		if (!dup) {
			fi_freeinfo(head);
			fi_freeinfo(all);
			return -FI_ENOMEM;
		}
		*tail = dup;
		tail = &dup->next;
	}
	fi_freeinfo(all);
	*list = sort_domains(head);
	return 0;
}

/*
 * Whether an entry's fabric is named after its provider ("efa" of provider "efa"): the
 * provider's general path where it lists several fabrics.
 */
static bool named_after_provider(const struct fi_info *fi)
{
	const char *prov = fi->fabric_attr->prov_name, *semi = strchr(prov, ';');
	size_t len = semi ? (size_t)(semi - prov) : strlen(prov);

	return strlen(fi->fabric_attr->name) == len && !strncasecmp(fi->fabric_attr->name, prov, len);
}

/* "efa, efa-direct": the distinct fabric names of a list, for a message. */
static void fabric_names(const struct fi_info *list, char *buf, size_t len)
{
	const struct fi_info *p, *q;
	size_t used = 0;

	buf[0] = '\0';
	for (p = list; p && used < len; p = p->next) {
		for (q = list; q != p && strcmp(q->fabric_attr->name, p->fabric_attr->name);
		     q = q->next)
			;
		if (q == p)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 p->fabric_attr->name);
	}
}

int fabric_keep_fabric(struct fi_info **list, const char *fabric, char *err, size_t errlen)
{
	struct fi_info *p, *keep = NULL, **tail = &keep, *next;
	char want[256] = "", names[512];

	if (fabric && *fabric) {
		str_copy(want, sizeof(want), fabric);
	} else {
		for (p = *list; p && !want[0]; p = p->next)
			if (named_after_provider(p))
				str_copy(want, sizeof(want), p->fabric_attr->name);
		/* No fabric named after the provider (IP providers name theirs by subnet). */
		if (!want[0])
			return 0;
	}
	fabric_names(*list, names, sizeof(names));
	for (p = *list; p; p = next) {
		next = p->next;
		p->next = NULL;
		if (!strcmp(p->fabric_attr->name, want)) {
			*tail = p;
			tail = &p->next;
		} else {
			fi_freeinfo(p);
		}
	}
	*list = keep;
	if (keep)
		return 0;
	snprintf(err, errlen, "no fabric named %s here (this provider's: %s)", want,
		 names[0] ? names : "none");
	return -FI_ENODATA;
}

int fabric_resolve_provider(const char *prov, char *out, size_t len)
{
	struct fi_info *list = NULL;
	int ret = fabric_list_domains(prov, NULL, 0, &list);

	if (!ret && !list)
		ret = -FI_ENODATA;
	if (!ret)
		snprintf(out, len, "%s", list->fabric_attr->prov_name);
	fi_freeinfo(list);
	return ret;
}

bool fabric_is_loopback(const struct fi_info *fi)
{
	const char *fab = fi->fabric_attr->name;

	return !strcmp(fi->domain_attr->name, "lo") || !strncmp(fab, "127.", 4) ||
	       !strcmp(fab, "::1/128");
}

/* "192.0.2.0/24" holds addr? Fabric names of IP-based providers are their subnets. */
bool fabric_subnet_holds(const char *cidr, const struct sockaddr *addr)
{
	unsigned char net[16], host[16];
	char text[64], *end;
	const char *slash = strchr(cidr, '/');
	int family, bits, i, len;
	long prefix;

	if (!slash || (size_t)(slash - cidr) >= sizeof(text) || !isdigit((unsigned char)slash[1]))
		return false;
	memcpy(text, cidr, (size_t)(slash - cidr));
	text[slash - cidr] = '\0';
	/* A malformed prefix must not read as /0, which would hold every address. */
	prefix = strtol(slash + 1, &end, 10);
	if (*end || prefix > 128)
		return false;
	bits = (int)prefix;
	family = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (family != addr->sa_family || inet_pton(family, text, net) != 1)
		return false;
	if (family == AF_INET) {
		memcpy(host, &((const struct sockaddr_in *)addr)->sin_addr, 4);
		len = 4;
	} else {
		memcpy(host, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
		len = 16;
	}
	if (bits < 0 || bits > len * 8)
		return false;
	for (i = 0; i < len && bits > 0; i++, bits -= 8) {
		unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));

		if ((net[i] & mask) != (host[i] & mask))
			return false;
	}
	return true;
}

static bool is_loopback_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

struct fi_info *fabric_pick_domain(struct fi_info *list, char *const *domains, size_t ndomains,
				   const struct sockaddr *peer)
{
	struct fi_info *fi, *first = NULL, *nonlo = NULL;

	for (fi = list; fi; fi = fi->next) {
		if (ndomains) {
			if (fabric_domain_wanted(fi->domain_attr->name, domains, ndomains))
				return fi;
			continue;
		}
		if (peer && fabric_subnet_holds(fi->fabric_attr->name, peer))
			return fi;
		if (!first)
			first = fi;
		if (!nonlo && !fabric_is_loopback(fi))
			nonlo = fi;
	}
	if (ndomains)
		return NULL;
	/* A remote peer cannot be reached through loopback: better no domain than that one. */
	if (!nonlo && first && peer && fabric_is_loopback(first) && !is_loopback_addr(peer))
		return NULL;
	return nonlo ? nonlo : first;
}

static int by_name(const void *a, const void *b)
{
	return name_cmp(*(char *const *)a, *(char *const *)b);
}

size_t fabric_domain_names(const char *prov, char **names, size_t max)
{
	struct fi_info *list = NULL, *fi;
	size_t n = 0, i;

	if (fabric_list_domains(prov, NULL, 0, &list))
		return 0;
	for (fi = list; fi && n < max; fi = fi->next) {
		const char *d = fi->domain_attr->name;

		/* Loopback is never one of a node's NICs. */
		if (fabric_is_loopback(fi))
			continue;
		for (i = 0; i < n; i++)
			if (!strcmp(names[i], d))
				break;
		if (i == n && (names[n] = strdup(d)))
			n++;
	}
	fi_freeinfo(list);
	qsort(names, n, sizeof(*names), by_name);
	return n;
}

const char *fabric_ep_type_str(enum fi_ep_type t)
{
	switch (t) {
	case FI_EP_RDM:
		return "rdm";
	case FI_EP_DGRAM:
		return "dgram";
	case FI_EP_MSG:
		return "msg";
	default:
		return "unknown";
	}
}

/* fi_tostr output is "FI_PROTO_RXM" or "FI_PROTO_EFA\n"-ish; keep the lower-case tail. */
static void short_enum(const char *s, const char *prefix, char *buf, size_t len)
{
	size_t i, plen = strlen(prefix);

	if (!strncmp(s, prefix, plen))
		s += plen;
	str_copy(buf, len, s);
	buf[strcspn(buf, "\n ")] = '\0';
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	if (!buf[0])
		str_copy(buf, len, "unknown");
}

void fabric_protocol_str(uint32_t proto, char *buf, size_t len)
{
	short_enum(fi_tostr(&proto, FI_TYPE_PROTOCOL), "FI_PROTO_", buf, len);
}

void fabric_mr_mode_str(int mr_mode, char *buf, size_t len)
{
	const char *s = fi_tostr(&mr_mode, FI_TYPE_MR_MODE);
	size_t o = 0;

	/* "FI_MR_LOCAL | FI_MR_VIRT_ADDR" -> "local,virt_addr" */
	buf[0] = '\0';
	while (*s && o + 1 < len) {
		if (!strncmp(s, "FI_MR_", 6)) {
			s += 6;
			continue;
		}
		if (*s == ' ') {
			s++;
			continue;
		}
		buf[o++] = *s == '|' ? ',' : (char)tolower((unsigned char)*s);
		s++;
	}
	buf[o] = '\0';
	if (!buf[0])
		str_copy(buf, len, "none");
}
