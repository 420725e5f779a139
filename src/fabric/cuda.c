// SPDX-License-Identifier: MIT
/* The CUDA driver API, loaded with dlopen: the functions efadiag uses, declared here. */
#include "fabric/cuda.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "util.h"

/* The driver API's types, as cuda.h defines them (stable ABI since CUDA 4). */
typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef unsigned long long CUdeviceptr;

#define CUDA_SUCCESS 0
#define CU_ATTR_GPU_DIRECT_RDMA_SUPPORTED 116
#define CU_ATTR_DMA_BUF_SUPPORTED 124
#define CU_MEM_RANGE_HANDLE_TYPE_DMA_BUF_FD 1
#define CU_POINTER_ATTRIBUTE_SYNC_MEMOPS 6

/* Each function by its exported symbol: the _v2 names are the ones the headers map to. */
static struct {
	CUresult (*init)(unsigned int);
	CUresult (*driver_version)(int *);
	CUresult (*get_error_name)(CUresult, const char **);
	CUresult (*get_error_string)(CUresult, const char **);
	CUresult (*device_count)(int *);
	CUresult (*device_get)(CUdevice *, int);
	CUresult (*device_name)(char *, int, CUdevice);
	CUresult (*device_pci)(char *, int, CUdevice);
	CUresult (*device_attr)(int *, int, CUdevice);
	CUresult (*primary_retain)(CUcontext *, CUdevice);
	CUresult (*ctx_set_current)(CUcontext);
	CUresult (*mem_alloc)(CUdeviceptr *, size_t);
	CUresult (*mem_free)(CUdeviceptr);
	CUresult (*htod)(CUdeviceptr, const void *, size_t);
	CUresult (*dtoh)(void *, CUdeviceptr, size_t);
	CUresult (*pointer_set_attr)(const void *, int, CUdeviceptr);
	/* Optional: CUDA 11.7 on. */
	CUresult (*handle_for_range)(void *, CUdeviceptr, size_t, int, unsigned long long);
} cu;

static const struct {
	const char *name;
	size_t offset;
	bool optional;
} symbols[] = {
#define SYM(field, name, opt) { name, offsetof(__typeof__(cu), field), opt }
	SYM(init, "cuInit", false),
	SYM(driver_version, "cuDriverGetVersion", false),
	SYM(get_error_name, "cuGetErrorName", false),
	SYM(get_error_string, "cuGetErrorString", false),
	SYM(device_count, "cuDeviceGetCount", false),
	SYM(device_get, "cuDeviceGet", false),
	SYM(device_name, "cuDeviceGetName", false),
	SYM(device_pci, "cuDeviceGetPCIBusId", false),
	SYM(device_attr, "cuDeviceGetAttribute", false),
	SYM(primary_retain, "cuDevicePrimaryCtxRetain", false),
	SYM(ctx_set_current, "cuCtxSetCurrent", false),
	SYM(mem_alloc, "cuMemAlloc_v2", false),
	SYM(mem_free, "cuMemFree_v2", false),
	SYM(htod, "cuMemcpyHtoD_v2", false),
	SYM(dtoh, "cuMemcpyDtoH_v2", false),
	SYM(pointer_set_attr, "cuPointerSetAttribute", false),
	SYM(handle_for_range, "cuMemGetHandleForAddressRange", true),
#undef SYM
};

#define LIBCUDA "libcuda.so.1"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static bool library_found;
static int load_result = -1;
static char load_err[384];
static int driver_version;
static CUcontext contexts[CUDA_MAX_DEVICES];
/* The ordinal whose context this thread has current, plus one (0: none yet). */
static __thread int bound_plus_one;

static void set_err(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory" */
static int cu_fail(char *err, size_t errlen, const char *call, CUresult r)
{
	const char *name = NULL, *text = NULL;

	if (cu.get_error_name)
		cu.get_error_name(r, &name);
	if (cu.get_error_string)
		cu.get_error_string(r, &text);
	set_err(err, errlen, "%s: %s (%d)%s%s", call, name ? name : "CUDA error", r,
		text ? ": " : "", text ? text : "");
	return -1;
}

static void load(void)
{
	void *lib;
	size_t i;
	CUresult r;

	/* RTLD_NODELETE: libfabric's CUDA support may open the same library; it stays. */
	lib = dlopen(LIBCUDA, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!lib) {
		const char *why = dlerror();

		snprintf(load_err, sizeof(load_err), "%s cannot be loaded (%s): the NVIDIA driver "
			 "is not installed, or its library is not on the loader's path (in a "
			 "container: the NVIDIA container toolkit mounts it)", LIBCUDA,
			 why ? why : "not found");
		return;
	}
	library_found = true;
	for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *f = dlsym(lib, symbols[i].name);

		if (!f && !symbols[i].optional) {
			snprintf(load_err, sizeof(load_err), "%s has no %s: the NVIDIA driver is "
				 "too old or the library is not NVIDIA's", LIBCUDA,
				 symbols[i].name);
			return;
		}
		memcpy((char *)&cu + symbols[i].offset, &f, sizeof(f));
	}
	r = cu.init(0);
	if (r != CUDA_SUCCESS) {
		cu_fail(load_err, sizeof(load_err), "cuInit", r);
		return;
	}
	if (cu.driver_version(&driver_version) != CUDA_SUCCESS)
		driver_version = 0;
	load_result = 0;
}

int cuda_load(char *err, size_t errlen)
{
	pthread_once(&load_once, load);
	if (load_result)
		set_err(err, errlen, "%s", load_err);
	return load_result;
}

bool cuda_library_found(void)
{
	pthread_once(&load_once, load);
	return library_found;
}

int cuda_driver_version(void)
{
	return cuda_load(NULL, 0) ? 0 : driver_version;
}

/* The probe's child: "N" when ordinal is usable, else the reason. */
static void probe_child(int ordinal, int fd)
{
	char msg[512];
	int n = cuda_device_count(msg, sizeof(msg)), len;

	if (n >= 0 && (n == 0 || ordinal >= n)) {
		if (!n)
			snprintf(msg, sizeof(msg), "the CUDA driver shows no GPU here");
		else
			snprintf(msg, sizeof(msg), "cuda:%d: no such GPU: the CUDA driver shows %d "
				 "(cuda:0 to cuda:%d)", ordinal, n, n - 1);
		n = -1;
	}
	if (n >= 0)
		snprintf(msg, sizeof(msg), "%d", n);
	len = (int)strlen(msg);
	if (write(fd, msg, (size_t)len) != len)
		_exit(1);
	_exit(0);
}

int cuda_probe(int ordinal, double timeout_sec, char *err, size_t errlen)
{
	char buf[512], *end;
	size_t got = 0;
	int fds[2], status;
	double deadline = now_sec() + timeout_sec;
	pid_t pid;
	long n;

	if (pipe2(fds, O_CLOEXEC)) {
		set_err(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		set_err(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		close(fds[0]);
		probe_child(ordinal, fds[1]);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		double left = deadline - now_sec();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0) {
			kill(pid, SIGKILL);
			got = 0;
			set_err(err, errlen, "the CUDA driver did not answer within %.3g s (cuInit)",
				timeout_sec);
			break;
		}
		r = read(fds[0], buf + got, sizeof(buf) - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (got += (size_t)r) >= sizeof(buf) - 1)
			break;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[got] = '\0';
	if (!got) {
		if (timeout_sec > 0 && now_sec() < deadline)
			set_err(err, errlen, "the CUDA probe ended without an answer (status %d)",
				status);
		return -1;
	}
	n = strtol(buf, &end, 10);
	if (end != buf && !*end)
		return (int)n;
	set_err(err, errlen, "%s", buf);
	return -1;
}

int cuda_device_count(char *err, size_t errlen)
{
	int n = 0;
	CUresult r;

	if (cuda_load(err, errlen))
		return -1;
	r = cu.device_count(&n);
	if (r != CUDA_SUCCESS)
		return cu_fail(err, errlen, "cuDeviceGetCount", r);
	return n < CUDA_MAX_DEVICES ? n : CUDA_MAX_DEVICES;
}

/* The device handle of an ordinal the driver has. */
static int device_of(int ordinal, CUdevice *dev, char *err, size_t errlen)
{
	int n = cuda_device_count(err, errlen);
	CUresult r;

	if (n < 0)
		return -1;
	if (ordinal < 0 || ordinal >= n) {
		set_err(err, errlen, "no CUDA device %d: this node has %d (cuda:0 to cuda:%d)",
			ordinal, n, n - 1);
		if (!n)
			set_err(err, errlen, "no CUDA device %d: the driver shows none", ordinal);
		return -1;
	}
	r = cu.device_get(dev, ordinal);
	if (r != CUDA_SUCCESS)
		return cu_fail(err, errlen, "cuDeviceGet", r);
	return 0;
}

int cuda_device_info(int ordinal, struct cuda_device *d, char *err, size_t errlen)
{
	CUdevice dev;
	int v = 0;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->ordinal = ordinal;
	if (device_of(ordinal, &dev, err, errlen))
		return -1;
	if (cu.device_name(d->name, (int)sizeof(d->name), dev) != CUDA_SUCCESS)
		str_copy(d->name, sizeof(d->name), "unknown");
	d->name[sizeof(d->name) - 1] = '\0';
	if (cu.device_pci(d->pci, (int)sizeof(d->pci), dev) != CUDA_SUCCESS)
		d->pci[0] = '\0';
	d->pci[sizeof(d->pci) - 1] = '\0';
	/* The driver writes "0000:53:00.0" in upper case; sysfs names are lower case. */
	for (i = 0; d->pci[i]; i++)
		d->pci[i] = (char)tolower((unsigned char)d->pci[i]);
	d->dmabuf = cu.device_attr(&v, CU_ATTR_DMA_BUF_SUPPORTED, dev) == CUDA_SUCCESS && v;
	v = 0;
	d->gpudirect_rdma = cu.device_attr(&v, CU_ATTR_GPU_DIRECT_RDMA_SUPPORTED, dev) ==
				    CUDA_SUCCESS && v;
	return 0;
}

int cuda_ordinal_of_pci(const char *pci)
{
	struct cuda_device d;
	int n = cuda_device_count(NULL, 0), i;

	for (i = 0; i < n; i++)
		if (!cuda_device_info(i, &d, NULL, 0) && !strcasecmp(d.pci, pci))
			return i;
	return -1;
}

int cuda_bind(int ordinal, char *err, size_t errlen)
{
	CUdevice dev;
	CUcontext c;
	CUresult r;

	if (bound_plus_one == ordinal + 1)
		return 0;
	if (device_of(ordinal, &dev, err, errlen))
		return -1;
	/* Retained once per process and kept: every thread of ours shares it. */
	pthread_mutex_lock(&ctx_lock);
	c = contexts[ordinal];
	r = c ? CUDA_SUCCESS : cu.primary_retain(&c, dev);
	if (r == CUDA_SUCCESS)
		contexts[ordinal] = c;
	pthread_mutex_unlock(&ctx_lock);
	if (r != CUDA_SUCCESS)
		return cu_fail(err, errlen, "cuDevicePrimaryCtxRetain", r);
	r = cu.ctx_set_current(c);
	if (r != CUDA_SUCCESS)
		return cu_fail(err, errlen, "cuCtxSetCurrent", r);
	bound_plus_one = ordinal + 1;
	return 0;
}

int cuda_alloc(int ordinal, size_t size, void **ptr, char *err, size_t errlen)
{
	CUdeviceptr p = 0;
	unsigned int one = 1;
	CUresult r;

	*ptr = NULL;
	if (cuda_bind(ordinal, err, errlen))
		return -1;
	r = cu.mem_alloc(&p, size);
	if (r != CUDA_SUCCESS)
		return cu_fail(err, errlen, "cuMemAlloc", r);
	/*
	 * Synchronous memory operations on this region: a copy the CPU starts must be finished
	 * before the NIC reads the memory, what every GPUDirect RDMA user sets (aws-ofi-nccl,
	 * fabtests).
	 */
	r = cu.pointer_set_attr(&one, CU_POINTER_ATTRIBUTE_SYNC_MEMOPS, p);
	if (r != CUDA_SUCCESS) {
		cu.mem_free(p);
		return cu_fail(err, errlen, "cuPointerSetAttribute(SYNC_MEMOPS)", r);
	}
	*ptr = (void *)(uintptr_t)p;
	return 0;
}

void cuda_free(int ordinal, void *ptr)
{
	if (ptr && !cuda_bind(ordinal, NULL, 0))
		cu.mem_free((CUdeviceptr)(uintptr_t)ptr);
}

int cuda_to_device(int ordinal, void *dst, const void *src, size_t len, char *err, size_t errlen)
{
	CUresult r;

	if (cuda_bind(ordinal, err, errlen))
		return -1;
	r = cu.htod((CUdeviceptr)(uintptr_t)dst, src, len);
	return r == CUDA_SUCCESS ? 0 : cu_fail(err, errlen, "cuMemcpyHtoD", r);
}

int cuda_to_host(int ordinal, void *dst, const void *src, size_t len, char *err, size_t errlen)
{
	CUresult r;

	if (cuda_bind(ordinal, err, errlen))
		return -1;
	r = cu.dtoh(dst, (CUdeviceptr)(uintptr_t)src, len);
	return r == CUDA_SUCCESS ? 0 : cu_fail(err, errlen, "cuMemcpyDtoH", r);
}

int cuda_dmabuf_fd(int ordinal, void *ptr, size_t len, int *fd, uint64_t *offset, char *err,
		   size_t errlen)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start, end;
	int handle = -1;
	CUresult r;

	*fd = -1;
	*offset = 0;
	if (cuda_bind(ordinal, err, errlen))
		return -1;
	if (!cu.handle_for_range) {
		set_err(err, errlen, "%s has no cuMemGetHandleForAddressRange (CUDA 11.7+)",
			LIBCUDA);
		return -1;
	}
	/* The range exported must start and end on host page boundaries. */
	start = (uintptr_t)ptr & ~(page - 1);
	end = ((uintptr_t)ptr + len + page - 1) & ~(page - 1);
	r = cu.handle_for_range(&handle, (CUdeviceptr)start, end - start,
				CU_MEM_RANGE_HANDLE_TYPE_DMA_BUF_FD, 0);
	if (r != CUDA_SUCCESS)
		return cu_fail(err, errlen, "cuMemGetHandleForAddressRange", r);
	*fd = handle;
	*offset = (uintptr_t)ptr - start;
	return 0;
}
