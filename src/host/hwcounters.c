// SPDX-License-Identifier: MIT
/* EFA hardware counters: discovery in sysfs, and bounded reads by one thread per device. */
#include "config.h"

#include "host/hwcounters.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/efa_dev.h"
#include "host/instance.h"
#include "host/sysfs.h"
#include "util.h"

#define IB_CLASS "/sys/class/infiniband"
#define FD_NONE (-1)
#define FD_EACH_TIME (-2)

/* A device's reader: its thread reads the device whenever the set asks for a new sample. */
struct hwc_reader {
	struct hwc_set *set;
	struct hwc_device dev;
	char dir[2][PATH_MAX]; /* per scope, sysroot included */
	/*
	 * Open files, kept between samples so that a sample is one pread per counter (sysfs
	 * makes a fresh value on every read from offset 0), not an open, a read and a close.
	 * Only the reader's thread touches them. fd: >= 0 open, FD_NONE why in open_err,
	 * FD_EACH_TIME opened at every sample (out of file descriptors).
	 */
	int fd[HWC_MAX];
	int open_err[HWC_MAX];
	int lifespan_fd[2];
	struct stat dir_st[2]; /* the directory as the files were opened */
	bool dir_opened[2];
	pthread_t thread;
	bool started;
	/* under set->lock */
	unsigned long done_gen;	   /* the last sample it finished */
	unsigned long working_gen; /* the sample it is reading now; 0 when idle */
	struct hwc_sample result;
};

struct hwc_set {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a new sample is wanted, or the set is closing */
	pthread_cond_t done; /* a reader finished */
	unsigned long gen;
	bool closing;
	bool keep_open; /* the descriptor limit allows every counter file to stay open */
	size_t n;
	struct hwc_reader *readers;
};

/*
 * Sets left with a reader stuck in the kernel: the thread still points into them, so they
 * cannot be freed, and they stay reachable so that leak checkers do not report them.
 */
static struct hwc_set *abandoned[8];

/* A counter name fit for JSON keys and Prometheus metric names: [A-Za-z0-9_], letter first. */
static bool counter_name_ok(const char *s)
{
	size_t i;

	if (!s[0] || strlen(s) >= HWC_NAME_LEN || !((s[0] >= 'a' && s[0] <= 'z') ||
						      (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the counter files of dir (sorted by name; `lifespan` is a setting, left out). */
static void discover_dir(struct hwc_device *d, const char *dir, enum hwc_scope scope)
{
	char *names[HWC_MAX * 2];
	size_t nn = 0, i;
	struct dirent *e;
	DIR *dh = opendir(dir);

	if (!dh)
		return;
	d->has_dir[scope] = true;
	while ((e = readdir(dh))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "lifespan"))
			continue;
		if (!counter_name_ok(e->d_name) || nn == HWC_MAX * 2) {
			d->skipped++;
			continue;
		}
		names[nn] = strdup(e->d_name);
		if (names[nn])
			nn++;
	}
	closedir(dh);
	qsort(names, nn, sizeof(names[0]), cmp_names);
	for (i = 0; i < nn; i++) {
		/* Before efa 1.14.0 the device directory repeated the port's: one counter each. */
		if (hwc_index(d, names[i]) >= 0) {
			free(names[i]);
			continue;
		}
		if (d->n < HWC_MAX) {
			str_copy(d->counter[d->n], HWC_NAME_LEN, names[i]);
			d->scope[d->n++] = scope;
		} else {
			d->skipped++;
		}
		free(names[i]);
	}
}

/* The lowest-numbered port of dev with a hw_counters directory, else the lowest port, else 0. */
static int find_port(const char *devdir)
{
	char path[PATH_MAX];
	long best = 0, best_any = 0;
	struct dirent *e;
	DIR *dh;

	if (snprintf(path, sizeof(path), "%s/ports", devdir) >= (int)sizeof(path))
		return 0;
	dh = opendir(path);
	if (!dh)
		return 0;
	while ((e = readdir(dh))) {
		char *end;
		long p = strtol(e->d_name, &end, 10);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end || p <= 0 || p > 255)
			continue;
		if (!best_any || p < best_any)
			best_any = p;
		if (snprintf(path, sizeof(path), "%s/ports/%ld/hw_counters", devdir, p) <
			    (int)sizeof(path) &&
		    access(path, F_OK) == 0 && (!best || p < best))
			best = p;
	}
	closedir(dh);
	return (int)(best ? best : best_any);
}

static void reader_init(struct hwc_reader *r, struct hwc_set *set, const char *name)
{
	char devdir[PATH_MAX];

	memset(r, 0, sizeof(*r));
	r->set = set;
	for (size_t i = 0; i < HWC_MAX; i++)
		r->fd[i] = FD_NONE;
	r->lifespan_fd[0] = r->lifespan_fd[1] = FD_NONE;
	sysfs_printable(r->dev.name, sizeof(r->dev.name), name, strlen(name));
	if (!sysfs_path(devdir, sizeof(devdir), IB_CLASS "/%s", name))
		return;
	r->dev.rdma_read = r->dev.rdma_write = -1;
	r->dev.port = find_port(devdir);
	if (r->dev.port)
		snprintf(r->dir[HWC_PORT], sizeof(r->dir[0]), "%s/ports/%d/hw_counters", devdir,
			 r->dev.port);
	snprintf(r->dir[HWC_DEVICE], sizeof(r->dir[0]), "%s/hw_counters", devdir);
	if (r->dev.port)
		discover_dir(&r->dev, r->dir[HWC_PORT], HWC_PORT);
	discover_dir(&r->dev, r->dir[HWC_DEVICE], HWC_DEVICE);
}

int hwc_index(const struct hwc_device *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->counter[i], name))
			return (int)i;
	return -1;
}

/* A counter file's text as a number: decimal digits, then only blanks. */
static int parse_counter(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;

	while (s[i] == ' ')
		i++;
	if (s[i] < '0' || s[i] > '9')
		return -EDOM;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -EDOM;
		x = x * 10 + d;
	}
	for (; s[i]; i++)
		if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t')
			return -EDOM;
	*v = x;
	return 0;
}

/* What a read of a counter file gave (n bytes in buf of size cap, or -errno) as a number. */
static int number_read(char *buf, ssize_t n, size_t cap, uint64_t *v)
{
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	if ((size_t)n == cap - 1)
		return -EDOM; /* longer than any number */
	return parse_counter(buf, v);
}

/* A counter file's value from its open descriptor: one pread from the start. */
static int pread_number(int fd, uint64_t *v)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return number_read(buf, n < 0 ? -errno : n, sizeof(buf), v);
}

/* The same, opening the file by name (a FIFO or a device is never opened: see sysfs.h). */
static int read_number_at(int dirfd, const char *name, uint64_t *v)
{
	char buf[64];

	return number_read(buf, sysfs_read_raw_at(dirfd, name, buf, sizeof(buf)), sizeof(buf), v);
}

/* Opens name in dirfd for preads: a regular file only, never following a link. */
static int open_counter(int dirfd, const char *name, int *err)
{
	struct stat st;
	int fd;

	*err = 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		*err = -errno;
		return FD_NONE;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
		return FD_NONE;
	}
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE))
		return FD_EACH_TIME;
	if (fd < 0)
		*err = -errno;
	return fd < 0 ? FD_NONE : fd;
}

static void close_scope(struct hwc_reader *r, int sc)
{
	size_t i;

	for (i = 0; i < r->dev.n; i++)
		if ((int)r->dev.scope[i] == sc && r->fd[i] >= 0) {
			close(r->fd[i]);
			r->fd[i] = FD_NONE;
		}
	if (r->lifespan_fd[sc] >= 0)
		close(r->lifespan_fd[sc]);
	r->lifespan_fd[sc] = FD_NONE;
	r->dir_opened[sc] = false;
}

static bool same_dir(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Makes the scope's open files match its directory. sysfs directories never change while
 * their device lives (a reload makes a new one: another inode). A directory whose entries
 * changed (created, removed, renamed: fixtures, tests) has a new mtime, and its files are
 * opened again. Returns false when the directory is gone.
 */
static bool sync_scope(struct hwc_reader *r, int sc)
{
	struct stat st;
	size_t i;
	int dfd, lifespan_err;

	if (stat(r->dir[sc], &st)) {
		close_scope(r, sc);
		return false;
	}
	if (r->dir_opened[sc] && same_dir(&st, &r->dir_st[sc]))
		return true;
	close_scope(r, sc);
	/* Short of descriptors, every file is opened at each sample instead (one at a time). */
	dfd = r->set->keep_open ? open(r->dir[sc], O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	for (i = 0; i < r->dev.n; i++)
		if ((int)r->dev.scope[i] == sc)
			r->fd[i] = dfd < 0 ? FD_EACH_TIME :
				   open_counter(dfd, r->dev.counter[i], &r->open_err[i]);
	if (dfd < 0) {
		r->dir_st[sc] = st;
		r->dir_opened[sc] = true;
		return true;
	}
	r->lifespan_fd[sc] = open_counter(dfd, "lifespan", &lifespan_err);
	close(dfd);
	r->dir_st[sc] = st;
	r->dir_opened[sc] = true;
	return true;
}

static int read_counter(const struct hwc_reader *r, size_t i, uint64_t *v)
{
	char path[PATH_MAX + HWC_NAME_LEN + 2];

	if (r->fd[i] >= 0)
		return pread_number(r->fd[i], v);
	if (r->fd[i] == FD_NONE)
		return r->open_err[i];
	snprintf(path, sizeof(path), "%s/%s", r->dir[r->dev.scope[i]], r->dev.counter[i]);
	return read_number_at(AT_FDCWD, path, v);
}

/* Reads every counter of r's device once into s. Runs on r's thread, without the lock. */
static void read_device(struct hwc_reader *r, struct hwc_sample *s)
{
	bool any_dir = false, any_there = false, there[2] = { false, false };
	int sc;
	size_t i;

	memset(s, 0, sizeof(*s));
	for (sc = 0; sc < 2; sc++) {
		uint64_t ls;

		s->lifespan_ms[sc] = -1;
		if (!r->dev.has_dir[sc])
			continue;
		any_dir = true;
		there[sc] = sync_scope(r, sc);
		any_there |= there[sc];
		if (there[sc] && r->lifespan_fd[sc] >= 0 && !pread_number(r->lifespan_fd[sc], &ls) &&
		    ls <= LONG_MAX)
			s->lifespan_ms[sc] = (long)ls;
	}
	if (any_dir && !any_there)
		s->err = -ENODEV;
	for (i = 0; !s->err && i < r->dev.n; i++)
		s->val[i].err = there[r->dev.scope[i]] ? read_counter(r, i, &s->val[i].v) : -ENOENT;
	s->t = now_sec();
}

static void *reader_main(void *arg)
{
	struct hwc_reader *r = arg;
	struct hwc_set *set = r->set;
	struct hwc_sample *local = malloc(sizeof(*local));

	pthread_mutex_lock(&set->lock);
	for (;;) {
		unsigned long gen;

		while (!set->closing && r->done_gen == set->gen)
			pthread_cond_wait(&set->work, &set->lock);
		if (set->closing)
			break;
		gen = set->gen;
		r->working_gen = gen;
		pthread_mutex_unlock(&set->lock);
		if (local)
			read_device(r, local);
		pthread_mutex_lock(&set->lock);
		if (local)
			r->result = *local;
		else
			r->result.err = -ENOMEM;
		r->done_gen = gen;
		r->working_gen = 0;
		pthread_cond_broadcast(&set->done);
	}
	pthread_mutex_unlock(&set->lock);
	free(local);
	return NULL;
}

static struct hwc_set *set_new(size_t n)
{
	struct hwc_set *set = calloc(1, sizeof(*set));
	pthread_condattr_t attr;

	if (!set)
		return NULL;
	set->readers = calloc(n ? n : 1, sizeof(*set->readers));
	if (!set->readers) {
		free(set);
		return NULL;
	}
	pthread_mutex_init(&set->lock, NULL);
	pthread_cond_init(&set->work, NULL);
	/* Deadlines on the monotonic clock: a wall-clock step must not stretch a wait. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&set->done, &attr);
	pthread_condattr_destroy(&attr);
	return set;
}

/*
 * Counter files stay open between samples: a host with 32 devices needs more than the usual
 * soft limit of 1024 descriptors, so it is raised towards the hard limit. Where that is not
 * enough, every file is opened at each sample instead (FD_EACH_TIME): slower, never wrong.
 */
static void raise_fd_limit(struct hwc_set *set)
{
	/* Beyond the counters: libfabric, the JSON and the Prometheus file, the test's endpoints. */
	rlim_t want = 256;
	struct rlimit rl;
	size_t i;

	for (i = 0; i < set->n; i++)
		want += set->readers[i].dev.n + 2;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	set->keep_open = rl.rlim_cur >= want;
}

static int set_start(struct hwc_set *set)
{
	sigset_t all, old;
	int ret = 0;
	size_t i;

	/* Readers take no signal: Ctrl-C must reach the thread that sleeps between samples. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < set->n && !ret; i++) {
		if (pthread_create(&set->readers[i].thread, NULL, reader_main, &set->readers[i]))
			ret = -EAGAIN;
		else
			set->readers[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* Whether /sys/class/infiniband/name exists (below the sysroot). */
static bool ib_device_exists(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/') && sysfs_exists(IB_CLASS "/%s", name);
}

/*
 * The rdma device a name stands for: the name itself, or an efa domain's device
 * ("rdmap16s27-rdm", "rdmap16s27-dgrm" -> "rdmap16s27"). Returns false when there is none.
 */
static bool device_for_name(const char *name, char *dev, size_t len)
{
	const char *dash;

	if (ib_device_exists(name)) {
		str_copy(dev, len, name);
		return true;
	}
	dash = strrchr(name, '-');
	if (!dash || (size_t)(dash - name) >= len)
		return false;
	memcpy(dev, name, (size_t)(dash - name));
	dev[dash - name] = '\0';
	return ib_device_exists(dev);
}

static bool set_has(const struct hwc_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->readers[i].dev.name, name))
			return true;
	return false;
}

/* Names of the rdma devices here, for a message: "a, b" or "none". */
static void list_ib_devices(char *buf, size_t len)
{
	char path[PATH_MAX];
	struct dirent *e;
	size_t used = 0;
	DIR *dh;

	str_copy(buf, len, "none");
	if (!sysfs_path(path, sizeof(path), IB_CLASS) || !(dh = opendir(path)))
		return;
	while ((e = readdir(dh))) {
		char name[64];
		int n;

		if (e->d_name[0] == '.')
			continue;
		sysfs_printable(name, sizeof(name), e->d_name, strlen(e->d_name));
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	closedir(dh);
}

static int open_named(struct hwc_set *set, char *const *names, size_t nnames, bool quiet,
		      char *msg, size_t len)
{
	size_t i;

	for (i = 0; i < nnames && set->n < HWC_MAX_DEVICES; i++) {
		char dev[64];

		if (!device_for_name(names[i], dev, sizeof(dev))) {
			char here[512], shown[128];

			if (quiet)
				continue;
			list_ib_devices(here, sizeof(here));
			sysfs_printable(shown, sizeof(shown), names[i], strlen(names[i]));
			snprintf(msg, len, "no RDMA device \"%s\" in %s%s (devices here: %s)", shown,
				 sysfs_root(), IB_CLASS, here);
			return -ENODEV;
		}
		if (set_has(set, dev))
			continue;
		reader_init(&set->readers[set->n++], set, dev);
	}
	return 0;
}

static int open_efa(struct hwc_set *set, char *msg, size_t len)
{
	struct efa_dev *devs = NULL;
	size_t n = efa_dev_scan(&devs), i;

	for (i = 0; i < n && set->n < HWC_MAX_DEVICES; i++)
		reader_init(&set->readers[set->n++], set, devs[i].name);
	free(devs);
	if (!set->n) {
		char here[512];

		list_ib_devices(here, sizeof(here));
		snprintf(msg, len,
			 "no EFA device in %s%s (RDMA devices here: %s): no EFA interface is "
			 "attached, or the efa driver is not loaded (lsmod | grep efa); another "
			 "RDMA device can be named with -d DEVICE",
			 sysfs_root(), IB_CLASS, here);
		return -ENODEV;
	}
	return 0;
}

static int cap_of(enum cap_expect c)
{
	return c == CAP_YES ? 1 : c == CAP_NO ? 0 : -1;
}

/*
 * The devices' RDMA read and write: efadv's word where the device could be asked (and
 * libefa knows the bit), else what the instance table says of the type.
 */
static void fill_caps(struct hwc_set *set)
{
	const struct instance_type *t = NULL;
	struct efa_dev *devs = NULL;
	size_t n = efa_dev_scan(&devs), i, k;
	char type[64];

	if (!sysfs_read(type, sizeof(type), "/sys/devices/virtual/dmi/id/product_name"))
		t = instance_find(type);
	for (i = 0; i < set->n; i++) {
		struct hwc_device *d = &set->readers[i].dev;

		for (k = 0; k < n; k++)
			if (devs[k].efadv_queried && !strcmp(devs[k].name, d->name))
				break;
		if (k < n) {
			d->rdma_read = devs[k].rdma_read;
			d->rdma_write = devs[k].rdma_write_known ? devs[k].rdma_write : -1;
		}
		if (t && d->rdma_read < 0)
			d->rdma_read = cap_of(t->rdma_read);
		if (t && d->rdma_write < 0)
			d->rdma_write = cap_of(t->rdma_write);
	}
	free(devs);
}

static int open_set(struct hwc_set **out, char *const *names, size_t nnames, bool quiet,
		    char *msg, size_t len)
{
	struct hwc_set *set = set_new(nnames ? nnames : HWC_MAX_DEVICES);
	int ret;

	*out = NULL;
	if (!set) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	ret = nnames ? open_named(set, names, nnames, quiet, msg, len) : open_efa(set, msg, len);
	if (!ret && !set->n)
		ret = -ENODEV;
	if (!ret) {
		fill_caps(set);
		raise_fd_limit(set);
	}
	if (!ret && set_start(set)) {
		snprintf(msg, len, "could not start a counter reader thread");
		ret = -EAGAIN;
	}
	if (ret) {
		hwc_close(set);
		return ret;
	}
	*out = set;
	return 0;
}

int hwc_open(struct hwc_set **set, char *const *names, size_t nnames, char *msg, size_t len)
{
	return open_set(set, names, nnames, false, msg, len);
}

void hwc_open_for_domains(struct hwc_set **set, char *const *domains, size_t ndomains)
{
	char msg[64];

	if (open_set(set, domains, ndomains, true, msg, sizeof(msg)))
		*set = NULL;
}

size_t hwc_count(const struct hwc_set *set)
{
	return set ? set->n : 0;
}

const struct hwc_device *hwc_device(const struct hwc_set *set, size_t i)
{
	return &set->readers[i].dev;
}

static bool all_answered(const struct hwc_set *set, const bool *stuck)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!stuck[i] && set->readers[i].done_gen != set->gen)
			return false;
	return true;
}

void hwc_read(struct hwc_set *set, struct hwc_sample *samples, double wait_sec)
{
	bool stuck[HWC_MAX_DEVICES];
	struct timespec until;
	double deadline;
	size_t i;

	if (wait_sec < 0)
		wait_sec = 0;
	clock_gettime(CLOCK_MONOTONIC, &until); /* the clock set->done waits on */
	deadline = (double)until.tv_sec + (double)until.tv_nsec * 1e-9 + wait_sec;
	until.tv_sec = (time_t)deadline;
	until.tv_nsec = (long)((deadline - (double)until.tv_sec) * 1e9);
	pthread_mutex_lock(&set->lock);
	set->gen++;
	/* A reader still inside an earlier sample's read is stuck: it is not waited for again. */
	for (i = 0; i < set->n; i++)
		stuck[i] = set->readers[i].working_gen != 0;
	pthread_cond_broadcast(&set->work);
	while (!all_answered(set, stuck))
		if (pthread_cond_timedwait(&set->done, &set->lock, &until) == ETIMEDOUT)
			break;
	for (i = 0; i < set->n; i++) {
		struct hwc_reader *r = &set->readers[i];

		if (r->done_gen == set->gen) {
			samples[i] = r->result;
			continue;
		}
		memset(&samples[i], 0, sizeof(samples[i]));
		samples[i].err = stuck[i] ? -EBUSY : -ETIMEDOUT;
		samples[i].t = now_sec();
	}
	pthread_mutex_unlock(&set->lock);
}

void hwc_close(struct hwc_set *set)
{
	bool hung = false;
	size_t i;

	if (!set)
		return;
	pthread_mutex_lock(&set->lock);
	set->closing = true;
	pthread_cond_broadcast(&set->work);
	for (i = 0; i < set->n; i++)
		if (set->readers[i].started && set->readers[i].working_gen)
			hung = true;
	pthread_mutex_unlock(&set->lock);
	if (hung) {
		/* A reader stuck in the kernel cannot be joined: leave the set to the exit. */
		for (i = 0; i < sizeof(abandoned) / sizeof(abandoned[0]); i++)
			if (!abandoned[i]) {
				abandoned[i] = set;
				break;
			}
		for (i = 0; i < set->n; i++)
			if (set->readers[i].started)
				pthread_detach(set->readers[i].thread);
		return;
	}
	for (i = 0; i < set->n; i++) {
		if (set->readers[i].started)
			pthread_join(set->readers[i].thread, NULL);
		close_scope(&set->readers[i], HWC_PORT);
		close_scope(&set->readers[i], HWC_DEVICE);
	}
	pthread_cond_destroy(&set->work);
	pthread_cond_destroy(&set->done);
	pthread_mutex_destroy(&set->lock);
	free(set->readers);
	free(set);
}

const char *hwc_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case -ENODEV:
		return "device vanished (its hw_counters directories are gone: removed, or its "
		       "driver unloaded)";
	case -ETIMEDOUT:
		return "read did not return in time (a hung driver read: see dmesg)";
	case -EBUSY:
		return "still stuck in an earlier read";
	case -ENOENT:
		return "vanished";
	case -EDOM:
		return "not a number";
	default:
		return sysfs_strerror(err);
	}
}

const char *hwc_counter_strerror(int err)
{
	/*
	 * After an admin command times out the efa driver closes the device's admin queue and
	 * answers every later one, a port counter read included, with -ENODEV ("Admin queue is
	 * closed": amzn-drivers efa_linux_3.1.0 kernel/linux/efa/src/efa_com.c
	 * efa_com_submit_admin_cmd(); the in-tree driver's efa_com.c alike).
	 */
	if (err == -ENODEV)
		return "refused: the device's admin queue is closed (ENODEV), after an admin "
		       "command timed out";
	return hwc_strerror(err);
}
