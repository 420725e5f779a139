// SPDX-License-Identifier: MIT
/* EFA device discovery from sysfs, with rdma-core's efadv capabilities where available. */
#include "config.h"

#include "host/efa_dev.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_EFADV
#include <infiniband/efadv.h>
#include <infiniband/verbs.h>
#endif

#include "host/sysfs.h"
#include "common.h"
#include "util.h"

bool efa_dev_pci_id_is_efa(long vendor, long device)
{
	/* By id, not by name: rdma device names depend on udev rules and can be anything. */
	return vendor == EFA_PCI_VENDOR && device >= 0xefa0 && device <= 0xefa4;
}

static void read_pci_address(struct efa_dev *d)
{
	char uevent[4096], path[4096];
	char *resolved, *line, *save = NULL;
	struct stat st;

	if (!sysfs_read_raw(uevent, sizeof(uevent), "/sys/class/infiniband/%s/device/uevent",
			    d->dir))
		for (line = strtok_r(uevent, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (!strncmp(line, "PCI_SLOT_NAME=", 14))
				sysfs_printable(d->pci, sizeof(d->pci), line + 14, strlen(line + 14));
	if (d->pci[0] || !sysfs_path(path, sizeof(path), "/sys/class/infiniband/%s/device", d->dir))
		return;
	/* Without uevent the PCI address is the name of the directory the link points to. */
	if (lstat(path, &st) || !S_ISLNK(st.st_mode))
		return;
	resolved = realpath(path, NULL);
	if (resolved) {
		const char *base = strrchr(resolved, '/') + 1;

		sysfs_printable(d->pci, sizeof(d->pci), base, strlen(base));
		free(resolved);
	}
}

/* "4: ACTIVE" -> "ACTIVE" */
static void read_port_state(struct efa_dev *d)
{
	char buf[64];
	const char *colon;

	d->port_err = sysfs_read(buf, sizeof(buf), "/sys/class/infiniband/%s/ports/1/state",
				 d->dir);
	if (d->port_err)
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
	char path[4096], ibdev[sizeof(d->name)], node[256] = "";
	int ibdev_err = 0, err;
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
		err = sysfs_read(ibdev, sizeof(ibdev), "/sys/class/infiniband_verbs/%s/ibdev",
				 e->d_name);
		if (err)
			ibdev_err = err;
		if (err || strcmp(ibdev, d->name))
			continue;
		str_copy(node, sizeof(node), e->d_name);
		sysfs_printable(d->uverbs, sizeof(d->uverbs), node, strlen(node));
		break;
	}
	closedir(dir);
	if (!node[0]) {
		/* Not found because a binding could not be read is not "not bound". */
		if (ibdev_err && ibdev_err != -ENOENT) {
			str_copy(d->uverbs, sizeof(d->uverbs), sysfs_strerror(ibdev_err));
			d->uverbs_err = ibdev_err;
		}
		return;
	}
	if (!sysfs_path(path, sizeof(path), "/dev/infiniband/%s", node))
		return;
	/* NONBLOCK, NOCTTY: a fixture's node may be a FIFO or a tty; opening must not wait. */
	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		d->uverbs_err = -errno;
		return;
	}
	close(fd);
	d->uverbs_err = 0;
}

void efa_dev_set_caps(struct efa_dev *d, uint32_t caps, unsigned int max_rdma_size,
		      int libefa_major)
{
	d->efadv_queried = true;
	d->libefa_major = libefa_major;
	d->rdma_read = caps & EFA_CAP_RDMA_READ;
	d->rnr_retry = caps & EFA_CAP_RNR_RETRY;
	d->rdma_write = caps & EFA_CAP_RDMA_WRITE;
	/*
	 * libefa sets each bit only when it knows it (efadv_query_device() in rdma-core
	 * providers/efa/verbs.c: RDMA write from v46.0), so a set bit is always the device's word,
	 * and a clear one only from a libefa that knows the bit. rdma-core's build names the
	 * library libefa.so.1.X.RELEASE.0 (Debian 12's rdma-core 44: libefa.so.1.2.44.0); one
	 * whose name gives no release is taken at its word.
	 */
	d->rdma_write_known = d->rdma_write || !libefa_major ||
			      libefa_major >= EFA_LIBEFA_RDMA_WRITE_SINCE;
	d->max_rdma_size = max_rdma_size;
}

int efa_dev_libefa_major(const char *path)
{
	const char *base = strrchr(path, '/'), *p;
	long v;
	char *end;

	base = base ? base + 1 : path;
	/* rdma_shared_provider(efa libefa.map 1 1.X.${PACKAGE_VERSION}): libefa.so.1.X.R.0 */
	if (strncmp(base, "libefa.so.1.", 12))
		return 0;
	p = strchr(base + 12, '.');
	if (!p)
		return 0;
	v = strtol(p + 1, &end, 10);
	if (end == p + 1 || *end != '.' || v <= 0 || v > 1000)
		return 0;
	return (int)v;
}

#ifdef HAVE_EFADV
/* The rdma-core release of the libefa this process loaded, from its file name; 0 unknown. */
static int loaded_libefa_major(void)
{
	Dl_info info;
	char *real;
	int v;

	if (!dladdr((void *)efadv_query_device, &info) || !info.dli_fname)
		return 0;
	real = realpath(info.dli_fname, NULL);
	v = efa_dev_libefa_major(real ? real : info.dli_fname);
	free(real);
	return v;
}

/* Capabilities only the device itself can tell; fixture trees have no device to ask. */
static void query_efadv(struct efa_dev *devs, size_t n)
{
	struct ibv_device **list;
	int i, num = 0, libefa = loaded_libefa_major();

	list = ibv_get_device_list(&num);
	if (!list)
		return;
	for (i = 0; i < num; i++) {
		struct efadv_device_attr attr;
		struct ibv_context *ctx;
		size_t k;

		for (k = 0; k < n; k++)
			if (!devs[k].id_err && !strcmp(ibv_get_device_name(list[i]), devs[k].dir))
				break;
		if (k == n)
			continue;
		ctx = ibv_open_device(list[i]);
		if (!ctx)
			continue;
		memset(&attr, 0, sizeof(attr));
		/* The ABI bit values, not the headers' names: see EFA_CAP_RDMA_WRITE. */
		if (!efadv_query_device(ctx, &attr, sizeof(attr)))
			efa_dev_set_caps(&devs[k], attr.device_caps, attr.max_rdma_size, libefa);
		ibv_close_device(ctx);
	}
	ibv_free_device_list(list);
}
#endif

/*
 * A sysroot has no device to ask: a fixture tree carries what efadv_query_device would say in
 * efadv/DEVICE/device_caps (efadv_device_attr.device_caps, the ABI bits above) and
 * efadv/DEVICE/max_rdma_size, and may name the rdma-core release of the libefa that said it
 * in efadv/libefa_release. A tree without them leaves the capabilities unknown.
 */
static void read_fixture_efadv(struct efa_dev *devs, size_t n)
{
	long libefa = 0;
	size_t i;

	if (sysfs_read_long(&libefa, "/efadv/libefa_release") || libefa < 0 || libefa > 1000)
		libefa = 0;
	for (i = 0; i < n; i++) {
		long caps, size = 0;

		if (devs[i].id_err || sysfs_read_long(&caps, "/efadv/%s/device_caps", devs[i].dir) ||
		    caps < 0 || caps > (long)UINT32_MAX)
			continue;
		if (sysfs_read_long(&size, "/efadv/%s/max_rdma_size", devs[i].dir) || size < 0 ||
		    size > (long)UINT32_MAX)
			size = 0;
		efa_dev_set_caps(&devs[i], (uint32_t)caps, (unsigned int)size, (int)libefa);
	}
}

static int by_name(const void *a, const void *b)
{
	return name_cmp(((const struct efa_dev *)a)->name, ((const struct efa_dev *)b)->name);
}

/* A file's text, or why it could not be read in its place; absent leaves "". */
static void read_text(char *buf, size_t len, int *err_out, const char *dir, const char *file)
{
	int err = sysfs_read(buf, len, "/sys/class/infiniband/%s/%s", dir, file);

	if (err && err != -ENOENT)
		str_copy(buf, len, sysfs_strerror(err));
	if (err_out)
		*err_out = err;
}

/* Reads the PCI ids; returns 1 for EFA, 0 for another device, -1 for cannot tell (id_err). */
static int read_ids(const char *dir, long *device, int *id_err)
{
	long vendor = 0;
	int err;

	err = sysfs_read_long(&vendor, "/sys/class/infiniband/%s/device/vendor", dir);
	if (!err)
		err = sysfs_read_long(device, "/sys/class/infiniband/%s/device/device", dir);
	/* No id files at all: not a PCI device (rxe, siw), so certainly not EFA. */
	if (err == -ENOENT || err == -ENOTDIR)
		return 0;
	if (err) {
		*id_err = err;
		return -1;
	}
	return efa_dev_pci_id_is_efa(vendor, *device) ? 1 : 0;
}

static void read_device(struct efa_dev *d)
{
	if (sysfs_read_long(&d->numa_node, "/sys/class/infiniband/%s/device/numa_node", d->dir))
		d->numa_node = -1;
	read_pci_address(d);
	read_port_state(d);
	if (d->port_err && d->port_err != -ENOENT)
		str_copy(d->port_state, sizeof(d->port_state), sysfs_strerror(d->port_err));
	read_text(d->link_rate, sizeof(d->link_rate), NULL, d->dir, "ports/1/rate");
	read_text(d->p2p, sizeof(d->p2p), &d->p2p_err, d->dir, "device/p2p");
	/*
	 * Before device/p2p (amzn-drivers efa 2.6.0, commit cf3152e) the driver had device/gdr
	 * (1.9.0 to 2.5.x); the in-tree kernel driver has neither.
	 */
	d->gdr_err = -ENOENT;
	if (d->p2p_err == -ENOENT)
		read_text(d->gdr, sizeof(d->gdr), &d->gdr_err, d->dir, "device/gdr");
	find_uverbs(d);
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
		long device = 0;
		int id_err = 0;
		struct efa_dev *d;

		if (e->d_name[0] == '.' || !read_ids(e->d_name, &device, &id_err))
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
		str_copy(d->dir, sizeof(d->dir), e->d_name);
		sysfs_printable(d->name, sizeof(d->name), e->d_name, strlen(e->d_name));
		d->id_err = id_err;
		d->pci_device = id_err ? -1 : device;
		read_device(d);
	}
	closedir(dir);
	if (n)
		qsort(list, n, sizeof(*list), by_name);
	if (n && !sysfs_is_real_root())
		read_fixture_efadv(list, n);
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
	static const char key[] = "EFA installer version:";
	char text[8192], *line, *save = NULL;

	if (!sysfs_read(buf, len, "/sys/module/efa/version") && buf[0])
		return;
	buf[0] = '\0';
	/* Left by the AWS EFA installer; outside the sysroot because it lives in /opt. */
	if (host_file_read_raw("/opt/amazon/efa_installed_packages", text, sizeof(text)))
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *v = strstr(line, key);
		char printable[128];

		if (!v)
			continue;
		v += strlen(key);
		while (*v == ' ')
			v++;
		sysfs_printable(printable, sizeof(printable), v, strlen(v));
		snprintf(buf, len, "installer %s", printable);
		break;
	}
}
