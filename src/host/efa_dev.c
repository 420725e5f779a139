// SPDX-License-Identifier: MIT
/* EFA device discovery from sysfs, with rdma-core's efadv capabilities where available. */
#include "config.h"

#include "host/efa_dev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_EFADV
#include <infiniband/efadv.h>
#include <infiniband/verbs.h>
#endif

#include "host/sysfs.h"
#include "util.h"

bool efa_dev_pci_id_is_efa(long vendor, long device)
{
	/* By id, not by name: rdma device names depend on udev rules and can be anything. */
	return vendor == EFA_PCI_VENDOR && device >= 0xefa0 && device <= 0xefa4;
}

static void read_pci_address(struct efa_dev *d)
{
	char uevent[4096], path[4096];
	char *resolved;
	FILE *f;

	if (sysfs_path(path, sizeof(path), "/sys/class/infiniband/%s/device/uevent", d->name) &&
	    (f = fopen(path, "re"))) {
		while (fgets(uevent, sizeof(uevent), f))
			if (!strncmp(uevent, "PCI_SLOT_NAME=", 14)) {
				uevent[strcspn(uevent, "\n")] = '\0';
				str_copy(d->pci, sizeof(d->pci), uevent + 14);
			}
		fclose(f);
	}
	if (d->pci[0] || !sysfs_path(path, sizeof(path), "/sys/class/infiniband/%s/device", d->name))
		return;
	/* Without uevent the PCI address is the name of the directory the link points to. */
	resolved = realpath(path, NULL);
	if (resolved) {
		str_copy(d->pci, sizeof(d->pci), strrchr(resolved, '/') + 1);
		free(resolved);
	}
}

/* "4: ACTIVE" -> "ACTIVE" */
static void read_port_state(struct efa_dev *d)
{
	char buf[64];
	const char *colon;

	if (sysfs_read(buf, sizeof(buf), "/sys/class/infiniband/%s/ports/1/state", d->name))
		return;
	colon = strchr(buf, ':');
	colon = colon ? colon + 1 : buf;
	while (*colon == ' ')
		colon++;
	str_copy(d->port_state, sizeof(d->port_state), colon);
}

/* Finds uverbsN whose ibdev names this device, and tries to open its /dev node. */
static void find_uverbs(struct efa_dev *d)
{
	char path[4096], ibdev[64];
	struct dirent *e;
	DIR *dir;
	int fd;

	d->uverbs_err = -ENOENT;
	if (!sysfs_path(path, sizeof(path), "/sys/class/infiniband_verbs"))
		return;
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "uverbs", 6))
			continue;
		if (sysfs_read(ibdev, sizeof(ibdev), "/sys/class/infiniband_verbs/%s/ibdev",
			       e->d_name) || strcmp(ibdev, d->name))
			continue;
		str_copy(d->uverbs, sizeof(d->uverbs), e->d_name);
		break;
	}
	closedir(dir);
	if (!d->uverbs[0] || !sysfs_path(path, sizeof(path), "/dev/infiniband/%s", d->uverbs))
		return;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		d->uverbs_err = -errno;
		return;
	}
	close(fd);
	d->uverbs_err = 0;
}

#ifdef HAVE_EFADV
/* Capabilities only the device itself can tell; fixture trees have no device to ask. */
static void query_efadv(struct efa_dev *devs, size_t n)
{
	struct ibv_device **list;
	int i, num = 0;

	list = ibv_get_device_list(&num);
	if (!list)
		return;
	for (i = 0; i < num; i++) {
		struct efadv_device_attr attr;
		struct ibv_context *ctx;
		size_t k;

		for (k = 0; k < n; k++)
			if (!strcmp(ibv_get_device_name(list[i]), devs[k].name))
				break;
		if (k == n)
			continue;
		ctx = ibv_open_device(list[i]);
		if (!ctx)
			continue;
		memset(&attr, 0, sizeof(attr));
		if (!efadv_query_device(ctx, &attr, sizeof(attr))) {
			devs[k].efadv_queried = true;
			devs[k].rdma_read = attr.device_caps & EFADV_DEVICE_ATTR_CAPS_RDMA_READ;
#if HAVE_DECL_EFADV_DEVICE_ATTR_CAPS_RNR_RETRY
			devs[k].rnr_retry = attr.device_caps & EFADV_DEVICE_ATTR_CAPS_RNR_RETRY;
#endif
#if HAVE_DECL_EFADV_DEVICE_ATTR_CAPS_RDMA_WRITE
			devs[k].rdma_write = attr.device_caps & EFADV_DEVICE_ATTR_CAPS_RDMA_WRITE;
#endif
			devs[k].max_rdma_size = attr.max_rdma_size;
		}
		ibv_close_device(ctx);
	}
	ibv_free_device_list(list);
}
#endif

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct efa_dev *)a)->name, ((const struct efa_dev *)b)->name);
}

size_t efa_dev_scan(struct efa_dev **devs)
{
	char path[4096];
	struct efa_dev *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dir;

	*devs = NULL;
	if (!sysfs_path(path, sizeof(path), "/sys/class/infiniband"))
		return 0;
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((e = readdir(dir))) {
		long vendor = 0, device = 0;
		struct efa_dev *d;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(list->name))
			continue;
		if (sysfs_read_long(&vendor, "/sys/class/infiniband/%s/device/vendor", e->d_name) ||
		    sysfs_read_long(&device, "/sys/class/infiniband/%s/device/device", e->d_name) ||
		    !efa_dev_pci_id_is_efa(vendor, device))
			continue;
		if (n == cap) {
			struct efa_dev *grown;

			cap = cap ? 2 * cap : 8;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				break;
			list = grown;
		}
		d = &list[n++];
		memset(d, 0, sizeof(*d));
		str_copy(d->name, sizeof(d->name), e->d_name);
		d->pci_device = device;
		if (sysfs_read_long(&d->numa_node, "/sys/class/infiniband/%s/device/numa_node",
				    d->name))
			d->numa_node = -1;
		read_pci_address(d);
		read_port_state(d);
		sysfs_read(d->link_rate, sizeof(d->link_rate), "/sys/class/infiniband/%s/ports/1/rate",
			   d->name);
		sysfs_read(d->p2p, sizeof(d->p2p), "/sys/class/infiniband/%s/device/p2p", d->name);
		find_uverbs(d);
	}
	closedir(dir);
	if (n)
		qsort(list, n, sizeof(*list), by_name);
#ifdef HAVE_EFADV
	if (n && sysfs_is_real_root())
		query_efadv(list, n);
#endif
	*devs = list;
	return n;
}

const struct efa_dev *efa_dev_for_domain(const struct efa_dev *devs, size_t n, const char *domain)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(devs[i].name);
		/* The efa provider names domains DEVICE-rdm and DEVICE-dgrm. */
		if (!strncmp(domain, devs[i].name, len) &&
		    (domain[len] == '\0' || domain[len] == '-'))
			return &devs[i];
	}
	return NULL;
}

void efa_driver_version(char *buf, size_t len)
{
	char line[256];
	FILE *f;

	if (!sysfs_read(buf, len, "/sys/module/efa/version") && buf[0])
		return;
	buf[0] = '\0';
	/* Left by the AWS EFA installer; outside the sysroot because it lives in /opt. */
	f = fopen("/opt/amazon/efa_installed_packages", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *v = strstr(line, "EFA installer version:");

		if (v) {
			v += strlen("EFA installer version:");
			while (*v == ' ')
				v++;
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "installer %s", v);
			break;
		}
	}
	fclose(f);
}
