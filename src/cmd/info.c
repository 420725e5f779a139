// SPDX-License-Identifier: MIT
/* efadiag info: the provider's RDM domains, the EFA devices, host facts and the checks. */
#include "config.h"

#include <errno.h>
#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/checks.h"
#include "ui/cli.h"
#include "host/efa_dev.h"
#include "cmd/info-gpu.h"
#include "host/gpudirect.h"
#include "fabric/discover.h"
#include "fabric/isolate.h"
#include "host/env.h"
#include "host/host.h"
#include "host/instance.h"
#include "ui/out.h"
#include "host/provider-missing.h"
#include "host/sysfs.h"
#include "util.h"

extern char **environ;

#define GIB ((uint64_t)1 << 30)
#define MIB ((uint64_t)1 << 20)
/* Below this the efa provider cannot register its bounce buffers and queues. */
#define MEMLOCK_FAIL_BYTES (64 * MIB)
#define MEMLOCK_WARN_BYTES (16 * GIB)

static const struct out_col domain_cols[] = {
	{ "provider", "PROVIDER", OUT_STR, 0, 0 },
	{ "fabric", "FABRIC", OUT_STR, 0, 0 },
	{ "domain", "DOMAIN", OUT_STR, 0, 0 },
	{ "version", "VERSION", OUT_STR, 0, 0 },
	{ "type", "TYPE", OUT_STR, 0, 0 },
	{ "protocol", "PROTOCOL", OUT_STR, 0, 0 },
	{ "max_msg_size_bytes", "MAX_MSG", OUT_SIZE, 0, 0 },
	{ "opens", "OPENS", OUT_BOOL, 0, 0 },
	{ "inject_size_bytes", "INJECT", OUT_SIZE, 0, 0 },
	{ "mr_mode", "MR_MODE", OUT_STR, 0, 0 },
	{ "caps", "CAPS", OUT_STR, 0, 0 },
	{ "device", "DEVICE", OUT_STR, 0, 0 },
};

static const struct out_col device_cols[] = {
	{ "device", "DEVICE", OUT_STR, 0, 0 },
	{ "pci_address", "PCI", OUT_STR, 0, 0 },
	{ "pci_device_id", "ID", OUT_STR, 0, OUT_JSON_ONLY },
	{ "numa_node", "NUMA", OUT_INT, 0, 0 },
	{ "port_state", "PORT", OUT_STR, 0, 0 },
	/* sysfs' "100 Gb/sec (4X EDR)" for scripts; Gbit/s for people (docs/vocabulary.md). */
	{ "link_rate", "RATE", OUT_STR, 0, OUT_JSON_ONLY },
	{ "link_gbps", "RATE(Gbit/s)", OUT_DBL, 1, 0 },
	{ "uverbs", "UVERBS", OUT_STR, 0, 0 },
	{ "p2p", "GPUDIRECT(P2P)", OUT_STR, 0, 0 },
	{ "rdma_read", "READ", OUT_BOOL, 0, 0 },
	{ "rdma_write", "WRITE", OUT_BOOL, 0, 0 },
	{ "rnr_retry", "RNR_RETRY", OUT_BOOL, 0, 0 },
};

static const struct out_col host_cols[] = {
	{ "instance_type", "instance type", OUT_STR, 0, 0 },
	{ "expected_efa_devices", "expected EFA devices", OUT_INT, 0, 0 },
	{ "line_rate_gbps", "line rate (Gbit/s)", OUT_INT, 0, 0 },
	{ "accelerator", "accelerator", OUT_STR, 0, 0 },
	{ "expected_rdma_read", "RDMA read (type)", OUT_STR, 0, 0 },
	{ "expected_rdma_write", "RDMA write (type)", OUT_STR, 0, 0 },
	{ "efa_devices", "EFA devices found", OUT_INT, 0, 0 },
	{ "unconfirmed_devices", "devices with unreadable ids", OUT_INT, 0, 0 },
	{ "libfabric_version", "libfabric version", OUT_STR, 0, 0 },
	{ "libfabric_path", "libfabric path", OUT_STR, 0, 0 },
	{ "libfabric_conf", "libfabric.conf", OUT_STR, 0, 0 },
	{ "efa_driver_version", "efa driver", OUT_STR, 0, 0 },
	{ "memlock", "memlock limit", OUT_STR, 0, 0 },
	{ "memlock_bytes", "", OUT_INT, 0, OUT_JSON_ONLY },
	{ "memlock_unlimited", "", OUT_BOOL, 0, OUT_JSON_ONLY },
	{ "hugepages_2mb_total", "2 MiB hugepages total", OUT_INT, 0, 0 },
	{ "hugepages_2mb_free", "2 MiB hugepages free", OUT_INT, 0, 0 },
	{ "ptrace_scope", "yama ptrace_scope", OUT_INT, 0, 0 },
	{ "sysroot", "sysroot", OUT_STR, 0, 0 },
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

struct info_run {
	struct ctx *ctx;
	struct checks checks;
	struct host_facts host;
	struct efa_dev *devs;
	size_t ndevs;	      /* listed in sysfs: EFA, or ids unreadable */
	size_t nefa;	      /* of those, confirmed EFA by PCI id */
	struct fi_info *domains;
	size_t ndomains;
	int getinfo_ret;
	struct listing listing; /* how the child that listed the domains ended */
	struct env_runtime env;
	bool is_efa;
	int expected; /* EFA devices/domains this node must have, -1 unknown */
	struct info_gpu gpu;
	struct gpudirect_host gd;
	struct gpudirect_verdict gd_verdict; /* judged when gd_judged */
	bool gd_judged;
};

/*
 * The number of sysfs' port rate: "%d%s Gb/sec (%dX%s)", the %s ".5" or empty (Linux
 * drivers/infiniband/core/sysfs.c, rate_show()). -1 for text not of that form.
 */
static double link_gbps(const char *rate)
{
	char *end;
	double v = strtod(rate, &end);

	if (end == rate || v < 0 || strncmp(end, " Gb/sec", 7))
		return -1;
	return v;
}

static void caps_array(cJSON *row, uint64_t caps)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ FI_MSG, "MSG" }, { FI_TAGGED, "TAGGED" }, { FI_RMA, "RMA" }, { FI_HMEM, "HMEM" },
	};
	cJSON *arr = cJSON_AddArrayToObject(row, "caps");
	size_t i;

	for (i = 0; arr && i < NCOLS(names); i++)
		if (caps & names[i].bit)
			cJSON_AddItemToArray(arr, cJSON_CreateString(names[i].name));
}

static void emit_domains(struct info_run *r)
{
	char title[128], buf[256];
	struct out_table *t;
	struct fi_info *fi;
	size_t i = 0;

	snprintf(title, sizeof(title), "RDM domains (provider %s)", r->ctx->opt.provider);
	t = out_table_new(r->ctx->out, "domains", title, domain_cols, NCOLS(domain_cols));
	for (fi = r->domains; fi; fi = fi->next, i++) {
		const struct listing_open *op = r->listing.opens ? &r->listing.opens[i] : NULL;
		const struct efa_dev *dev;
		cJSON *row = out_table_row(t);

		out_set_str(row, "provider", "%s", fi->fabric_attr->prov_name);
		out_set_str(row, "fabric", "%s", fi->fabric_attr->name);
		out_set_str(row, "domain", "%s", fi->domain_attr->name);
		out_set_str(row, "version", "%u.%u", FI_MAJOR(fi->fabric_attr->prov_version),
			    FI_MINOR(fi->fabric_attr->prov_version));
		out_set_str(row, "type", "%s", fabric_ep_type_str(fi->ep_attr->type));
		fabric_protocol_str(fi->ep_attr->protocol, buf, sizeof(buf));
		out_set_str(row, "protocol", "%s", buf);
		out_set_num(row, "max_msg_size_bytes", (double)fi->ep_attr->max_msg_size);
		if (op && op->ret == LISTING_OPEN_UNTRIED) {
			out_set_str(row, "open_error", "%s", r->listing.open_stop[0] ?
				    r->listing.open_stop : "not tried");
		} else if (op) {
			out_set_bool(row, "opens", op->ret == 0);
			if (op->ret)
				out_set_str(row, "open_error", "%s", op->err);
		}
		out_set_num(row, "inject_size_bytes", (double)fi->tx_attr->inject_size);
		fabric_mr_mode_str(fi->domain_attr->mr_mode, buf, sizeof(buf));
		out_set_str(row, "mr_mode", "%s", buf);
		caps_array(row, fi->caps);
		out_set_str(row, "caps_mask", "0x%llx", (unsigned long long)fi->caps);
		dev = efa_dev_for_domain(r->devs, r->ndevs, fi->domain_attr->name);
		if (dev)
			out_set_str(row, "device", "%s", dev->name);
	}
	out_table_end(t);
}

static void emit_devices(struct info_run *r)
{
	struct out_table *t;
	size_t i;

	t = out_table_new(r->ctx->out, "devices", "EFA devices", device_cols, NCOLS(device_cols));
	for (i = 0; i < r->ndevs; i++) {
		const struct efa_dev *d = &r->devs[i];
		cJSON *row = out_table_row(t);

		out_set_str(row, "device", "%s", d->name);
		out_set_str(row, "pci_address", "%s", d->pci[0] ? d->pci : "-");
		if (d->id_err) {
			out_set_str(row, "pci_device_id", "unknown");
			out_set_str(row, "id_error", "%s", sysfs_strerror(d->id_err));
		} else {
			out_set_str(row, "pci_device_id", "0x%04lx", d->pci_device);
		}
		if (d->numa_node >= 0)
			out_set_num(row, "numa_node", (double)d->numa_node);
		out_set_str(row, "port_state", "%s", d->port_state[0] ? d->port_state : "unknown");
		if (d->link_rate[0]) {
			double gbps = link_gbps(d->link_rate);

			out_set_str(row, "link_rate", "%s", d->link_rate);
			if (gbps >= 0)
				out_set_num(row, "link_gbps", gbps);
		}
		out_set_str(row, "uverbs", "%s", d->uverbs[0] ? d->uverbs : "none");
		out_set_str(row, "p2p", "%s", d->p2p[0] ? d->p2p : "none");
		if (d->gdr_err != -ENOENT)
			out_set_str(row, "gdr", "%s", d->gdr);
		/* Capabilities are only known from the device itself; absent keys mean unknown. */
		if (d->efadv_queried) {
			out_set_bool(row, "rdma_read", d->rdma_read);
			if (d->rdma_write_known)
				out_set_bool(row, "rdma_write", d->rdma_write);
			out_set_bool(row, "rnr_retry", d->rnr_retry);
			out_set_num(row, "max_rdma_size_bytes", d->max_rdma_size);
		}
	}
	out_table_end(t);
}

static void format_bytes(uint64_t b, char *buf, size_t len)
{
	if (b == UINT64_MAX)
		snprintf(buf, len, "unlimited");
	else if (b >= GIB && b % GIB == 0)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(b / GIB));
	else if (b >= MIB && b % MIB == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(b / MIB));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)(b / 1024));
}

static void emit_host(struct info_run *r)
{
	const struct host_facts *h = &r->host;
	cJSON *obj = cJSON_CreateObject();
	char buf[64];

	if (!obj)
		return;
	if (h->instance_type_err && h->instance_type_err != -ENOENT)
		out_set_str(obj, "instance_type", "%s", sysfs_strerror(h->instance_type_err));
	else
		out_set_str(obj, "instance_type", "%s",
			    h->instance_type[0] ? h->instance_type : "unknown");
	if (r->expected >= 0)
		out_set_num(obj, "expected_efa_devices", r->expected);
	else
		cJSON_AddNullToObject(obj, "expected_efa_devices");
	if (h->type) {
		if (h->type->line_rate_gbps)
			out_set_num(obj, "line_rate_gbps", h->type->line_rate_gbps);
		out_set_str(obj, "accelerator", "%s", instance_accel_str(h->type->accel));
		out_set_str(obj, "expected_rdma_read", "%s", instance_cap_str(h->type->rdma_read));
		out_set_str(obj, "expected_rdma_write", "%s", instance_cap_str(h->type->rdma_write));
	}
	out_set_num(obj, "efa_devices", (double)r->nefa);
	out_set_num(obj, "unconfirmed_devices", (double)(r->ndevs - r->nefa));
	out_set_str(obj, "libfabric_version", "%s", h->libfabric_version);
	out_set_str(obj, "libfabric_path", "%s", h->libfabric_path[0] ? h->libfabric_path : "unknown");
	if (r->env.conf_path[0])
		out_set_str(obj, "libfabric_conf", "%s%s", r->env.conf_path,
			    r->env.conf_err == -ENOENT ? " (absent)" :
			    r->env.conf_err ? " (unreadable)" : "");
	out_set_str(obj, "efa_driver_version", "%s",
		    h->efa_driver_version[0] ? h->efa_driver_version :
		    r->ndevs ? "unknown" : "not loaded");
	format_bytes(h->memlock_bytes, buf, sizeof(buf));
	out_set_str(obj, "memlock", "%s", buf);
	/*
	 * Unlimited is RLIM_INFINITY, as the kernel has it, written as the exact integer: larger
	 * than any limit a script compares with (jq: .host.memlock_bytes >= 17179869184 holds;
	 * null would compare below every number), and memlock_unlimited says it in a word.
	 */
	if (h->memlock_bytes == UINT64_MAX)
		cJSON_AddRawToObject(obj, "memlock_bytes", "18446744073709551615");
	else
		out_set_num(obj, "memlock_bytes", (double)h->memlock_bytes);
	if (h->cap_ipc_lock >= 0)
		cJSON_AddBoolToObject(obj, "cap_ipc_lock", h->cap_ipc_lock == 1);
	else
		cJSON_AddNullToObject(obj, "cap_ipc_lock");
	out_set_bool(obj, "memlock_unlimited", h->memlock_bytes == UINT64_MAX);
	if (h->hugepages_total >= 0)
		out_set_num(obj, "hugepages_2mb_total", (double)h->hugepages_total);
	if (h->hugepages_free >= 0)
		out_set_num(obj, "hugepages_2mb_free", (double)h->hugepages_free);
	if (h->ptrace_scope >= 0)
		out_set_num(obj, "ptrace_scope", (double)h->ptrace_scope);
	out_set_str(obj, "sysroot", "%s", sysfs_is_real_root() ? "/" : sysfs_root());
	out_record(r->ctx->out, "host", "Host", host_cols, NCOLS(host_cols), obj);
}

static void check_instance(struct info_run *r)
{
	const struct host_facts *h = &r->host;
	int err = h->instance_type_err;

	if (r->ctx->opt.expect_domains >= 0)
		check_add(&r->checks, "instance_type", CHECK_PASS, "%s; expecting %d EFA devices "
			  "(--expect-domains)", h->instance_type[0] ? h->instance_type : "unknown",
			  r->expected);
	else if (h->type && !h->type->efa_devices)
		check_add(&r->checks, "instance_type", CHECK_PASS, "%s supports EFA, how many "
			  "devices the table does not know: use --expect-domains N to check the "
			  "count (accelerator %s, RDMA read %s, write %s)", h->type->name,
			  instance_accel_str(h->type->accel), instance_cap_str(h->type->rdma_read),
			  instance_cap_str(h->type->rdma_write));
	else if (h->type)
		check_add(&r->checks, "instance_type", CHECK_PASS, "%s supports %d EFA devices "
			  "(%d Gbit/s, accelerator %s, RDMA read %s, write %s)", h->type->name,
			  h->type->efa_devices, h->type->line_rate_gbps,
			  instance_accel_str(h->type->accel), instance_cap_str(h->type->rdma_read),
			  instance_cap_str(h->type->rdma_write));
	else if (err && err != -ENOENT)
		/* Unreadable is not "not EC2": the device count would go unchecked unseen. */
		check_add_fix(&r->checks, "instance_type", CHECK_WARN,
			      sysfs_err_is_permission(err) ? "run as root, or use --expect-domains N"
			                                   : "use --expect-domains N",
			      "/sys/devices/virtual/dmi/id/"
			      "product_name is %s: %suse --expect-domains N", sysfs_strerror(err),
			      sysfs_err_is_permission(err) ? "run as root, or " : "");
	else if (h->instance_type[0])
		check_add(&r->checks, "instance_type", CHECK_SKIP, "'%s' is not in the EFA "
			  "instance table; use --expect-domains N to check the device count; "
			  INSTANCE_REPORT_HINT, h->instance_type, h->instance_type);
	else
		check_add(&r->checks, "instance_type", CHECK_SKIP, "instance type unknown (no "
			  "/sys/devices/virtual/dmi/id/product_name); use --expect-domains N");
}

/* Names the devices whose PCI id could not be read, e.g. "rdmap32s27 (unreadable (permission))". */
static void unconfirmed_names(const struct info_run *r, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < r->ndevs && used < len; i++)
		if (r->devs[i].id_err)
			used += (size_t)snprintf(buf + used, len - used, "%s%s (PCI id %s)",
						 used ? ", " : "", r->devs[i].name,
						 sysfs_strerror(r->devs[i].id_err));
}

static void check_devices(struct info_run *r)
{
	bool explicit = r->ctx->opt.expect_domains >= 0;
	size_t unconfirmed = r->ndevs - r->nefa;
	char names[512];

	unconfirmed_names(r, names, sizeof(names));
	/* --expect-domains promises a count of EFA devices, whatever provider is listed. */
	if (!r->is_efa && !r->ndevs && !explicit) {
		check_add(&r->checks, "efa_devices", CHECK_SKIP, "no EFA device; provider %s "
			  "does not need one", r->ctx->opt.provider);
		return;
	}
	if (unconfirmed && (r->expected < 0 || (int)r->nefa < r->expected)) {
		char of[32] = "";

		/* The count cannot be trusted: an unreadable device may be the missing one. */
		if (r->expected >= 0)
			snprintf(of, sizeof(of), " of %d", r->expected);
		check_add_fix(&r->checks, "efa_devices", r->expected < 0 ? CHECK_WARN : CHECK_FAIL,
			      "run efadiag info as root",
			      "%zu%s EFA devices confirmed, and %zu whose PCI id cannot be read: %s; run "
			      "efadiag info as root to check %s", r->nefa, of, unconfirmed, names,
			      unconfirmed == 1 ? "it" : "them");
		return;
	}
	if (!r->nefa) {
		if (explicit)
			check_add_fix(&r->checks, "efa_devices", CHECK_FAIL,
				      "attach EFA interfaces at launch, or load the efa "
				      "driver",
				      "0 of %d EFA devices present "
				      "(--expect-domains counts EFA devices, PCI 1d0f:efa0-efa4 in "
				      "/sys/class/infiniband, whatever -p lists): attach EFA interfaces "
				      "at launch or load the efa driver", r->expected);
		else
			check_add_fix(&r->checks, "efa_devices", CHECK_FAIL,
				      "attach an EFA interface at launch, load the efa "
				      "driver (modprobe efa), or in a pod request "
				      "vpc.amazonaws.com/efa",
				      "no EFA device (PCI "
				      "1d0f:efa0-efa4) in /sys/class/infiniband: attach an EFA interface "
				      "at launch, load the efa driver (modprobe efa), or in a pod request "
				      "vpc.amazonaws.com/efa");
		return;
	}
	if (r->expected < 0) {
		check_add(&r->checks, "efa_devices", CHECK_PASS, "%zu EFA devices", r->nefa);
		return;
	}
	if ((int)r->nefa < r->expected)
		check_add_fix(&r->checks, "efa_devices", CHECK_FAIL,
			      "attach all EFA interfaces at launch; in a pod request "
			      "vpc.amazonaws.com/efa: N (the expected count)",
			      "%zu of %d EFA devices present: "
			      "attach all EFA interfaces at launch; in a pod request "
			      "vpc.amazonaws.com/efa: %d", r->nefa, r->expected, r->expected);
	else if (unconfirmed)
		check_add_fix(&r->checks, "efa_devices", CHECK_WARN,
			      "run efadiag info as root",
			      "%zu of %d EFA devices present, "
			      "and %zu more whose PCI id cannot be read: %s", r->nefa, r->expected,
			      unconfirmed, names);
	else
		check_add(&r->checks, "efa_devices", CHECK_PASS, "%zu of %d EFA devices present",
			  r->nefa, r->expected);
}

/* Names the likeliest reason the provider is missing, from what the host shows. */
/* libfabric died or hung in the listing: what happened, and the likeliest cause. */
static void listing_failure(struct info_run *r)
{
	char what[256], fatal[768], hint[256];

	listing_describe(&r->listing, what, sizeof(what));
	snprintf(hint, sizeof(hint), "read libfabric's message on stderr; 'FI_LOG_LEVEL=warn fi_info "
		 "-p %s' shows more", r->ctx->opt.provider);
	if (host_env_fatal(environ, &r->env, false, fatal, sizeof(fatal)))
		check_add_fix(&r->checks, "provider", CHECK_FAIL, fatal, "%s: %s", what, fatal);
	else
		check_add_fix(&r->checks, "provider", CHECK_FAIL, hint,
			      "%s: see libfabric's message above "
			      "on stderr; 'FI_LOG_LEVEL=warn fi_info -p %s' shows more", what,
			      r->ctx->opt.provider);
}

static void check_provider(struct info_run *r)
{
	char causes[512];

	if (r->ndomains) {
		check_add(&r->checks, "provider", CHECK_PASS, "%s: %zu RDM domain%s",
			  r->ctx->opt.provider, r->ndomains, r->ndomains == 1 ? "" : "s");
		return;
	}
	if (r->listing.fate != LISTING_DONE) {
		listing_failure(r);
		return;
	}
	/* fi_getinfo found the provider's domains and -d dropped them all: the name is wrong. */
	if (r->ctx->opt.ndomains && r->getinfo_ret == 0) {
		check_add_fix(&r->checks, "provider", CHECK_FAIL,
			      "list the domains with efadiag info -p PROVIDER (without "
			      "-d), and give one of them",
			      "provider %s has no RDM domain named "
			      "%s%s: list its domains with 'efadiag info -p %s' (without -d)",
			      r->ctx->opt.provider, r->ctx->opt.domains[0],
			      r->ctx->opt.ndomains > 1 ? ",..." : "", r->ctx->opt.provider);
		return;
	}
	/* The core reads FI_PROVIDER with fi_param_get_str() (src/fabric.c): libfabric.conf too. */
	host_provider_missing(r->ctx->opt.provider,
			      host_env_param(environ, &r->env, "FI_PROVIDER", NULL), r->devs,
			      r->ndevs, r->host.libfabric_path,
			      causes, sizeof(causes));
	check_add_fix(&r->checks, "provider", CHECK_FAIL, causes,
		      "no FI_EP_RDM domain for provider %s: %s", r->ctx->opt.provider, causes);
}

static void check_domain_count(struct info_run *r)
{
	size_t n = 0;
	struct fi_info *fi, *p;

	if (!r->is_efa && r->ctx->opt.expect_domains >= 0) {
		/* Say what --expect-domains was checked against, so an OK is not misread. */
		check_add(&r->checks, "efa_domains", CHECK_SKIP, "provider %s has no efa domains "
			  "to count: --expect-domains %d was checked against the EFA devices in "
			  "sysfs (efa_devices); use -p efa to count efa domains",
			  r->ctx->opt.provider, r->expected);
		return;
	}
	if (!r->is_efa || r->expected < 0 || r->ctx->opt.ndomains) {
		if (r->is_efa)
			check_add(&r->checks, "efa_domains", CHECK_SKIP, "no expected count (unknown "
				  "instance type or -d given)");
		return;
	}
	/* The efa and efa-direct fabrics (libfabric 2.x) list each device: count names once. */
	for (fi = r->domains; fi; fi = fi->next) {
		for (p = r->domains; p != fi; p = p->next)
			if (!strcmp(p->domain_attr->name, fi->domain_attr->name))
				break;
		n += p == fi;
	}
	if ((int)n < r->expected)
		check_add_fix(&r->checks, "efa_domains", CHECK_FAIL,
			      "check /dev/infiniband and the FI_EFA_* variables (efadiag "
			      "info lists both)",
			      "libfabric shows %zu of %d efa "
			      "domains: devices not opened by the provider (check /dev/infiniband and "
			      "FI_EFA_* variables)", n, r->expected);
	else
		check_add(&r->checks, "efa_domains", CHECK_PASS, "%zu of %d efa domains", n,
			  r->expected);
}

static void check_uverbs(struct info_run *r)
{
	char missing[256] = "";
	size_t i, ok = 0, used = 0;
	int err = 0;

	if (!r->ndevs) {
		check_add(&r->checks, "uverbs", CHECK_SKIP, "no EFA device");
		return;
	}
	for (i = 0; i < r->ndevs; i++) {
		const struct efa_dev *d = &r->devs[i];

		if (d->uverbs_err == 0) {
			ok++;
			continue;
		}
		err = d->uverbs_err;
		if (used < sizeof(missing))
			used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s(%s)",
						 used ? " " : "", d->uverbs[0] ? d->uverbs : "?",
						 d->name);
	}
	if (ok == r->ndevs)
		check_add(&r->checks, "uverbs", CHECK_PASS, "/dev/infiniband/uverbs* present and "
			  "openable for all %zu devices", ok);
	else if (err == -EACCES || err == -EPERM)
		check_add_fix(&r->checks, "uverbs", CHECK_FAIL,
			      "run as a user with access to /dev/infiniband (a udev rule, "
			      "or a privileged container)",
			      "cannot open /dev/infiniband/%s: "
			      "permission denied: run as a user with access (udev rule, or a privileged "
			      "container)", missing);
	else
		check_add_fix(&r->checks, "uverbs", CHECK_FAIL,
			      "mount /dev/infiniband into the container (the EFA device "
			      "plugin does this when vpc.amazonaws.com/efa is requested)",
			      "/dev/infiniband/ node missing for %s: "
			      "mount /dev/infiniband into the container (the EFA device plugin does this "
			      "when vpc.amazonaws.com/efa is requested)", missing);
}

static void check_ports(struct info_run *r)
{
	size_t i, down = 0, unreadable = 0;
	const char *name = NULL, *unread_name = NULL, *why = "";

	if (!r->ndevs) {
		check_add(&r->checks, "port_state", CHECK_SKIP, "no EFA device");
		return;
	}
	for (i = 0; i < r->ndevs; i++) {
		const struct efa_dev *d = &r->devs[i];

		if (d->port_err && d->port_err != -ENOENT) {
			unreadable++;
			unread_name = d->name;
			why = sysfs_strerror(d->port_err);
		} else if (strcmp(d->port_state, "ACTIVE")) {
			down++;
			name = d->name;
		}
	}
	if (down)
		check_add_fix(&r->checks, "port_state", CHECK_FAIL,
			      "reload the efa driver, or stop and start the instance",
			      "%zu port%s not ACTIVE (e.g. %s): "
			      "the device is not up; reload the efa driver or stop/start the instance",
			      down, down == 1 ? "" : "s", name);
	else if (unreadable)
		check_add_fix(&r->checks, "port_state", CHECK_WARN,
			      "run efadiag info as root",
			      "%zu port state%s %s (e.g. %s): "
			      "run as root to read %s", unreadable, unreadable == 1 ? "" : "s", why,
			      unread_name, unreadable == 1 ? "it" : "them");
	else
		/* The efa driver reports ACTIVE whatever the link does: no evidence of health. */
		check_add(&r->checks, "port_state", CHECK_PASS, "all %zu ports ACTIVE (the efa "
			  "driver always reports ACTIVE, so this does not show the link works: "
			  "sg-check and pingpong do)", r->ndevs);
}

static void check_memlock(struct info_run *r)
{
	uint64_t b = r->host.memlock_bytes;
	char buf[64];
	static const char fix[] = "raise it: ulimit -l unlimited; docker run --ulimit "
				  "memlock=-1:-1; LimitMEMLOCK=infinity for the container runtime "
				  "or slurmd; Slurm PropagateResourceLimitsExcept=MEMLOCK";

	format_bytes(b, buf, sizeof(buf));
	/* Only providers that pin memory for a NIC (efa, verbs) care about the limit. */
	if (!r->is_efa && !r->ndevs)
		check_add(&r->checks, "memlock", CHECK_SKIP, "RLIMIT_MEMLOCK %s; provider %s does "
			  "not pin memory for a NIC", buf, r->ctx->opt.provider);
	else if (b < MEMLOCK_WARN_BYTES && r->host.cap_ipc_lock == 1)
		check_add(&r->checks, "memlock", CHECK_PASS, "RLIMIT_MEMLOCK %s, but this process has "
			  "CAP_IPC_LOCK, with which the kernel pins registered memory past the limit",
			  buf);
	else if (b < MEMLOCK_FAIL_BYTES)
		check_add_fix(&r->checks, "memlock", CHECK_FAIL, fix,
			      "RLIMIT_MEMLOCK %s breaks memory "
			      "registration: %s", buf, fix);
	else if (b < MEMLOCK_WARN_BYTES)
		check_add_fix(&r->checks, "memlock", CHECK_WARN, fix,
			      "RLIMIT_MEMLOCK %s is below 16 GiB; "
			      "large jobs may fail to register memory: %s", buf, fix);
	else
		check_add(&r->checks, "memlock", CHECK_PASS, "RLIMIT_MEMLOCK %s", buf);
}

static void check_hugepages(struct info_run *r)
{
	const struct host_facts *h = &r->host;
	const char *use = host_env_param(environ, &r->env, "FI_EFA_USE_HUGE_PAGE", NULL);
	bool forced = host_env_true(use);

	if (h->hugepages_total < 0) {
		check_add(&r->checks, "hugepages", CHECK_SKIP, "no 2 MiB hugepage information%s%s",
			  h->hugepages_err != -ENOENT ? ": nr_hugepages is " : "",
			  h->hugepages_err != -ENOENT ? sysfs_strerror(h->hugepages_err) : "");
		return;
	}
	/*
	 * Not fatal: a buffer pool that cannot get hugepages falls back to regular pages for
	 * good (libfabric v2.6.0 prov/util/src/util_buf.c, ofi_bufpool_grow(); so since 1.18).
	 */
	if (forced && h->hugepages_free <= 0)
		check_add_fix(&r->checks, "hugepages", CHECK_WARN,
			      "reserve hugepages (sysctl vm.nr_hugepages=5128), or unset "
			      "FI_EFA_USE_HUGE_PAGE",
			      "FI_EFA_USE_HUGE_PAGE=%s but %ld of "
			      "%ld 2 MiB hugepages free: the efa provider falls back to regular pages; "
			      "reserve some (sysctl vm.nr_hugepages=5128) or unset "
			      "FI_EFA_USE_HUGE_PAGE", use, h->hugepages_free, h->hugepages_total);
	else if (r->is_efa && h->hugepages_total == 0)
		check_add_fix(&r->checks, "hugepages", CHECK_WARN,
			      "sysctl vm.nr_hugepages=5128",
			      "no 2 MiB hugepages reserved; the efa "
			      "provider falls back to regular pages: sysctl vm.nr_hugepages=5128%s",
			      use ? " (FI_EFA_USE_HUGE_PAGE is set)" : "");
	else
		check_add(&r->checks, "hugepages", CHECK_PASS, "%ld of %ld 2 MiB hugepages free%s%s",
			  h->hugepages_free, h->hugepages_total, use ? "; FI_EFA_USE_HUGE_PAGE=" : "",
			  use ? use : "");
}

/* An EFA installer libfabric on the machine that the process did not load is a mix-up. */
static void check_libfabric(struct info_run *r)
{
	const struct host_facts *h = &r->host;
	bool efa_lib = sysfs_exists("/opt/amazon/efa") && sysfs_is_real_root();

	if (efa_lib && strncmp(h->libfabric_path, "/opt/amazon/efa/", 16))
		check_add_fix(&r->checks, "libfabric", CHECK_WARN,
			      "load the EFA installer's libfabric from /opt/amazon/efa: "
			      "fix LD_LIBRARY_PATH or ldconfig",
			      "libfabric %s loaded from %s, not the "
			      "EFA installer's in /opt/amazon/efa: fix LD_LIBRARY_PATH or ldconfig",
			      h->libfabric_version, h->libfabric_path);
	else
		check_add(&r->checks, "libfabric", CHECK_PASS, "libfabric %s from %s",
			  h->libfabric_version, h->libfabric_path[0] ? h->libfabric_path : "?");
}

static void check_driver(struct info_run *r)
{
	if (r->host.efa_driver_version[0])
		check_add(&r->checks, "efa_driver", CHECK_PASS, "efa driver %s",
			  r->host.efa_driver_version);
	else if (r->ndevs)
		/* The in-tree kernel driver has no MODULE_VERSION (drivers/infiniband/hw/efa). */
		check_add(&r->checks, "efa_driver", CHECK_PASS, "efa driver loaded, version not "
			  "reported (no /sys/module/efa/version: the in-tree kernel driver has "
			  "none; the EFA installer's driver has one)");
	else
		check_add(&r->checks, "efa_driver", CHECK_SKIP, "efa driver not loaded");
}

static void check_ptrace(struct info_run *r)
{
	long s = r->host.ptrace_scope;

	if (s < 0 && r->host.ptrace_scope_err != -ENOENT)
		check_add(&r->checks, "ptrace_scope", CHECK_SKIP, "/proc/sys/kernel/yama/ptrace_scope "
			  "is %s", sysfs_strerror(r->host.ptrace_scope_err));
	else if (s < 0)
		check_add(&r->checks, "ptrace_scope", CHECK_SKIP, "yama not present");
	else if (s > 0 && r->is_efa)
		check_add_fix(&r->checks, "ptrace_scope", CHECK_WARN,
			      "sysctl -w kernel.yama.ptrace_scope=0",
			      "kernel.yama.ptrace_scope=%ld "
			      "blocks the efa provider's intra-node copies (CMA): sysctl -w "
			      "kernel.yama.ptrace_scope=0", s);
	else
		check_add(&r->checks, "ptrace_scope", CHECK_PASS, "kernel.yama.ptrace_scope=%ld", s);
}

static void check_environment(struct info_run *r)
{
	struct env_finding f[32];
	enum check_status st = CHECK_PASS;
	char detail[1024] = "";
	size_t n, i, used = 0;
	/* The core reads it with fi_param_get_str() (src/fabric.c): libfabric.conf too. */
	const char *fp = host_env_param(environ, &r->env, "FI_PROVIDER", NULL);

	n = host_env_scan(environ, &r->env, f, 32);
	for (i = 0; i < n && i < 32; i++) {
		if (f[i].severity == 2)
			st = CHECK_FAIL;
		else if (f[i].severity == 1 && st != CHECK_FAIL)
			st = CHECK_WARN;
	}
	for (i = 0; i < n && i < 32 && used < sizeof(detail); i++) {
		/* Name the harmful ones first: they are what the operator must act on. */
		if (st != CHECK_PASS && !f[i].severity)
			continue;
		used += (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s=%s%s%s%s",
					 used ? "; " : "", f[i].name, f[i].value,
					 f[i].from_conf ? " (libfabric.conf)" : "",
					 f[i].severity ? ": " : "", f[i].severity ? f[i].why : "");
	}
	if (!n)
		check_add(&r->checks, "environment", CHECK_PASS, "no FI_*, RDMAV_* or IBV_* "
			  "variables set%s%s", r->env.nconf ? ", none in " : "",
			  r->env.nconf ? r->env.conf_path : "");
	else
		check_add_fix(&r->checks, "environment", st,
			      st == CHECK_PASS ? NULL : "unset or correct the variables the detail names",
			      "%s", detail);
	if (!host_fi_provider_allows(fp, r->ctx->opt.provider))
		check_add_fix(&r->checks, "fi_provider", CHECK_FAIL,
			      "unset FI_PROVIDER, or include the provider in it",
			      "FI_PROVIDER=%s excludes provider %s:"
			      " unset it or include %s", fp, r->ctx->opt.provider, r->ctx->opt.provider);
	else
		check_add(&r->checks, "fi_provider", CHECK_PASS, "%s%s", fp ? "FI_PROVIDER=" : "",
			  fp ? fp : "FI_PROVIDER not set");
}

/* Why an instance's accelerator check does not apply, or NULL when it does. */
static const char *accel_skip_reason(const struct info_run *r, enum accel_kind want)
{
	const struct instance_type *t = r->host.type;

	if (!r->ndevs)
		return "no EFA device";
	if (!t)
		return "instance type not in the EFA instance table";
	if (t->accel == want)
		return NULL;
	switch (t->accel) {
	case ACCEL_NVIDIA:
		return "its NVIDIA GPUs are not reached by GPUDirect RDMA over EFA on this type "
		       "(aws-ofi-nccl requires GPUDirect only on p4d, p4de, p5 and later P types, "
		       "and g7e.12xlarge to 48xlarge)";
	case ACCEL_NEURON:
		return "a Trainium/Inferentia (Neuron) instance: see check neuron";
	case ACCEL_GAUDI:
		return "a Gaudi instance: EFA reaches host memory only";
	case ACCEL_NVIDIA_GDR:
	case ACCEL_NONE:
		break;
	}
	return "no accelerator on this instance type";
}

/*
 * The GPUDirect paths, judged before the output (the gpudirect record names the path): on an
 * NVIDIA GPU instance type, or wherever NVIDIA GPUs show, with EFA devices. The CUDA
 * driver's word on dma-buf counts with the module, kernel and libfabric ones.
 */
static void judge_gpudirect(struct info_run *r)
{
	const char *p2p[64], *names[64];
	enum p2p_kind kinds[64];
	size_t i, n = r->ndevs < 64 ? r->ndevs : 64;
	const char *skip = accel_skip_reason(r, ACCEL_NVIDIA_GDR);

	gpudirect_collect(&r->gd);
	r->gd.cuda_dmabuf = info_gpu_dmabuf(&r->gpu);
	/* The instance table says where GPUDirect applies; on a type it does not know, GPUs
	 * that CUDA shows decide. */
	if (!r->ndevs || (skip && (r->host.type || !info_gpu_present(&r->gpu))))
		return;
	for (i = 0; i < n; i++) {
		const struct efa_dev *d = &r->devs[i];

		kinds[i] = gpudirect_dev_kind(d->p2p, d->p2p_err, d->gdr, d->gdr_err);
		p2p[i] = d->p2p;
		/* Before device/p2p (efa 2.6.0), device/gdr "1" stood for NVIDIA peer memory. */
		if (d->p2p_err == -ENOENT && d->gdr_err != -ENOENT)
			p2p[i] = kinds[i] == P2P_NVIDIA ? "NVIDIA (device/gdr 1)" : d->gdr;
		names[i] = d->name;
	}
	r->gd_verdict = gpudirect_judge(&r->gd, n, kinds, p2p, names);
	r->gd_judged = true;
}

static void check_gpudirect(struct info_run *r)
{
	const struct gpudirect_verdict *v = &r->gd_verdict;
	const char *skip = accel_skip_reason(r, ACCEL_NVIDIA_GDR);

	if (!r->gd_judged && skip && r->host.type && r->ndevs) {
		check_add(&r->checks, "gpudirect", CHECK_SKIP, "%s: %s", r->host.type->name, skip);
		return;
	}
	if (!r->gd_judged) {
		check_add(&r->checks, "gpudirect", CHECK_SKIP, "not an NVIDIA GPU instance with EFA");
		return;
	}
	check_add_fix(&r->checks, "gpudirect", v->status, v->remedy, "%s", v->detail);
}

/*
 * Trainium and Inferentia: the efa driver reaches Neuron device memory through the Neuron
 * driver's peer-direct interface, and says so in each device's device/p2p ("NEURON").
 */
static void check_neuron(struct info_run *r)
{
	const char *skip = accel_skip_reason(r, ACCEL_NEURON);
	const struct efa_dev *lacking = NULL, *unreadable = NULL;
	size_t i, with = 0, gdr_only = 0, no_file = 0;

	if (skip && r->host.type && r->ndevs)
		check_add(&r->checks, "neuron", CHECK_SKIP, "%s has no Trainium/Inferentia "
			  "(accelerator: %s)", r->host.type->name,
			  instance_accel_str(r->host.type->accel));
	else if (skip)
		check_add(&r->checks, "neuron", CHECK_SKIP, "%s", skip);
	if (skip)
		return;
	for (i = 0; i < r->ndevs; i++) {
		const struct efa_dev *d = &r->devs[i];

		if (!d->p2p_err && !strncmp(d->p2p, "NEURON", 6))
			with++;
		else if (d->p2p_err == -ENOENT && d->gdr_err != -ENOENT)
			gdr_only++;
		else if (d->p2p_err == -ENOENT)
			no_file++;
		else if (d->p2p_err && d->p2p_err != -ENOTDIR)
			unreadable = unreadable ? unreadable : d;
		else
			lacking = lacking ? lacking : d;
	}
	/*
	 * Only device/p2p (efa 2.6.0 on) names the Neuron provider: device/gdr before it spoke
	 * of NVIDIA alone, and the in-tree driver has neither. Without it there is no telling.
	 */
	if (gdr_only + no_file == r->ndevs)
		check_add(&r->checks, "neuron", CHECK_SKIP, "cannot tell from sysfs: %s has no "
			  "device/p2p (%s), and only device/p2p names the Neuron provider",
			  r->devs[0].name, gdr_only ? "an efa driver before 2.6.0, which has "
			  "device/gdr for NVIDIA only" :
			  "the in-tree efa driver, or one before 2.6.0");
	else if (with == r->ndevs)
		check_add(&r->checks, "neuron", CHECK_PASS, "Neuron peer-direct (device/p2p "
			  "NEURON) on all %zu devices", r->ndevs);
	else if (lacking)
		check_add_fix(&r->checks, "neuron", CHECK_FAIL,
			      "load the Neuron driver (aws-neuronx-dkms) and the efa "
			      "driver from the EFA installer, then reload efa",
			      "%zu of %zu devices have Neuron "
			      "peer-direct (%s's device/p2p is '%s'): load the Neuron driver "
			      "(aws-neuronx-dkms) and the efa driver from the EFA installer, then reload "
			      "efa", with, r->ndevs, lacking->name, lacking->p2p[0] ? lacking->p2p :
			      "empty");
	else if (unreadable)
		check_add_fix(&r->checks, "neuron", CHECK_WARN,
			      "run efadiag info as root",
			      "cannot tell: %s's device/p2p is %s: "
			      "run as root", unreadable->name, unreadable->p2p);
	else
		check_add(&r->checks, "neuron", CHECK_SKIP, "cannot tell: %zu of %zu devices have "
			  "Neuron peer-direct, the others no device/p2p", with, r->ndevs);
}

/* One device's efadv capabilities against what its instance type offers. */
static void rdma_cap_gap(const struct efa_dev *d, const struct instance_type *t, char *buf,
			 size_t len)
{
	bool read = t->rdma_read == CAP_YES && !d->rdma_read;
	bool write = t->rdma_write == CAP_YES && d->rdma_write_known && !d->rdma_write;

	buf[0] = '\0';
	if (read || write)
		snprintf(buf, len, "%s lacks RDMA %s, which %s offers", d->name,
			 read && write ? "read and write" : read ? "read" : "write", t->name);
}

static void check_rdma_caps(struct info_run *r)
{
	const struct instance_type *t = r->host.type;
	char gap[256], first[256] = "", old_libefa[160] = "";
	size_t i, queried = 0, short_of = 0;

	if (!r->ndevs || !t || (t->rdma_read != CAP_YES && t->rdma_write != CAP_YES)) {
		check_add(&r->checks, "rdma_caps", CHECK_SKIP, "%s", !r->ndevs ? "no EFA device" :
			  !t ? "instance type not in the EFA instance table" :
			  "the instance table expects neither RDMA read nor write of this type");
		return;
	}
	for (i = 0; i < r->ndevs; i++) {
		if (!r->devs[i].efadv_queried)
			continue;
		queried++;
		if (!r->devs[i].rdma_write_known && t->rdma_write == CAP_YES && !old_libefa[0])
			snprintf(old_libefa, sizeof(old_libefa), "RDMA write not checked: "
				 "libefa of rdma-core %d never reports it (rdma-core %d and later "
				 "do)",
				 r->devs[i].libefa_major, EFA_LIBEFA_RDMA_WRITE_SINCE);
		rdma_cap_gap(&r->devs[i], t, gap, sizeof(gap));
		if (gap[0] && !short_of++)
			memcpy(first, gap, sizeof(first));
	}
	if (!queried)
		check_add(&r->checks, "rdma_caps", CHECK_SKIP, "efadv capabilities unknown (efadiag "
			  "built without rdma-core's libefa, or devices not opened)");
	else if (short_of)
		check_add_fix(&r->checks, "rdma_caps", CHECK_WARN,
			      "update the efa kernel driver and rdma-core (EFA installer)",
			      "%zu of %zu devices short: %s: "
			      "update the efa kernel driver and rdma-core (EFA installer); libfabric "
			      "falls back to slower protocols%s%s", short_of, queried, first,
			      old_libefa[0] ? "; " : "", old_libefa);
	else if (old_libefa[0])
		check_add(&r->checks, "rdma_caps", CHECK_PASS, "all %zu devices offer RDMA read "
			  "as %s should; %s", queried, t->name, old_libefa);
	else
		check_add(&r->checks, "rdma_caps", CHECK_PASS, "all %zu devices offer what %s "
			  "should (RDMA read: %s, write: %s)", queried, t->name,
			  instance_cap_str(t->rdma_read), instance_cap_str(t->rdma_write));
}

/*
 * RDMA read as the efa provider sees it for FI_EFA_USE_DEVICE_RDMA: on the first device it
 * selected (efa_device_support_rdma_read(), libfabric v2.6.0 prov/efa/src/efa_device.c).
 * Which device that is depends on the provider's order, so only agreement counts.
 */
static void env_rdma_read(struct info_run *r)
{
	size_t i, with = 0, without = 0;

	for (i = 0; i < r->ndevs; i++) {
		if (!r->devs[i].efadv_queried)
			continue;
		with += r->devs[i].rdma_read;
		without += !r->devs[i].rdma_read;
	}
	r->env.rdma_read = with && !without ? 1 : without && !with ? 0 : -1;
}

static void verdict(struct info_run *r, int code)
{
	const int *c = r->checks.count;

	const char *name = NULL, *remedy = NULL;

	if (code == EXIT_FAIL)
		out_fail(r->ctx->out);
	/* FAIL's reason word is the first failed check; its remedy is the Fix: line. */
	if (code == EXIT_FAIL && checks_first(r->ctx->out, "fail", &name, &remedy))
		out_verdict(r->ctx->out, "FAIL: %s: %d passed, %d warned, %d failed, %d skipped",
			    name, c[CHECK_PASS], c[CHECK_WARN], c[CHECK_FAIL], c[CHECK_SKIP]);
	else
		out_verdict(r->ctx->out, "%s: %d passed, %d warned, %d failed, %d skipped",
			    code == EXIT_OK ? "OK" : "FAIL", c[CHECK_PASS], c[CHECK_WARN],
			    c[CHECK_FAIL], c[CHECK_SKIP]);
	out_fix(r->ctx->out, remedy);
}

static int info_run(struct ctx *ctx)
{
	struct info_run r = { .ctx = ctx };
	struct fi_info *fi;
	int code;

	char msg[512];
	size_t i;

	/* A sysroot that is not there would read as a node with nothing on it, and pass. */
	if (sysfs_root_check(msg, sizeof(msg)))
		return cli_usage_error(ctx, "%s", msg);
	r.is_efa = !strcmp(ctx->opt.provider, "efa");
	host_collect(&r.host);
	r.ndevs = efa_dev_scan(&r.devs);
	for (i = 0; i < r.ndevs; i++)
		r.nefa += !r.devs[i].id_err;
	r.expected = ctx->opt.expect_domains >= 0 ? ctx->opt.expect_domains :
						    r.host.expected_efa_devices;
	host_env_runtime(environ, r.host.libfabric_path, &r.env);
	env_rdma_read(&r);
	/* In a child: a provider that aborts, crashes or hangs there fails a check, no more. */
	fabric_list_domains_isolated(ctx->opt.provider, ctx->opt.domains, ctx->opt.ndomains,
				     ctx->opt.timeout_sec, &r.listing);
	r.getinfo_ret = r.listing.ret;
	r.domains = r.listing.list;
	/* No data means no such provider or domain: a check fails. Anything else: cannot run. */
	if (r.listing.fate == LISTING_DONE && r.getinfo_ret && r.getinfo_ret != -FI_ENODATA) {
		out_error(ctx->out, "fi_getinfo(provider %s): %s (%d)", ctx->opt.provider,
			  fi_strerror(-r.getinfo_ret), r.getinfo_ret);
		free(r.devs);
		return EXIT_ERROR;
	}
	for (fi = r.domains; fi; fi = fi->next)
		r.ndomains++;

	/* CUDA after the listing's fork: a child of a process with CUDA loaded cannot use it. */
	info_gpu_collect(&r.gpu, ctx->opt.provider,
			 r.listing.fate == LISTING_DONE && !r.getinfo_ret);
	judge_gpudirect(&r);

	emit_domains(&r);
	emit_devices(&r);
	emit_host(&r);
	info_gpu_emit(ctx->out, &r.gpu, r.devs, r.ndevs, &r.gd,
		      r.gd_judged ? r.gd_verdict.path : "unknown");
	checks_begin(&r.checks, ctx->out);
	check_instance(&r);
	check_provider(&r);
	check_devices(&r);
	check_domain_count(&r);
	check_uverbs(&r);
	check_ports(&r);
	check_memlock(&r);
	check_hugepages(&r);
	check_libfabric(&r);
	check_driver(&r);
	check_ptrace(&r);
	check_environment(&r);
	check_gpudirect(&r);
	check_neuron(&r);
	check_rdma_caps(&r);
	code = checks_end(&r.checks);
	verdict(&r, code);
	fi_freeinfo(r.domains);
	free(r.listing.opens);
	free(r.devs);
	return code;
}

static const struct opt_def info_options[] = {
	{ .name = "expect-domains", .arg = "N", OPT_INT(expect_domains, 0, 1024),
	  .help = "number of EFA devices/domains this node must have" },
	OPT_END,
};

const struct cmd_entry cmd_info = {
	.name = "info",
	.summary = "list the provider's RDM domains and EFA devices, and check the host",
	.usage = NULL,
	.options = (const struct opt_def *const[]){ info_options, NULL },
	.timeout_help = "how long libfabric may take to list its providers before it is called "
			"hung (default 5)",
	.unused_globals = "P",
	.run = info_run,
};
