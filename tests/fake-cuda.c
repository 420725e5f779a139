// SPDX-License-Identifier: MIT
/*
 * A stand-in for libcuda.so.1, for tests on machines without a GPU: the driver API functions
 * efadiag loads, over host memory. FAKE_CUDA_MODE=noinit makes cuInit fail as on a node whose
 * driver finds no GPU; FAKE_CUDA_PCI lists the GPUs' PCI addresses (default one GPU at
 * 0000:53:00.0); FAKE_CUDA_DMABUF=1 reports dma-buf support.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;

#define ERR_INVALID_VALUE 1
#define ERR_NO_DEVICE 100
#define ERR_NOT_SUPPORTED 801

static int ndev(void)
{
	const char *p = getenv("FAKE_CUDA_PCI");
	int n = 1;

	if (!p)
		return 1;
	if (!*p)
		return 0;
	for (; *p; p++)
		n += *p == ',';
	return n;
}

CUresult cuInit(unsigned int flags)
{
	const char *m = getenv("FAKE_CUDA_MODE");

	(void)flags;
	return m && !strcmp(m, "noinit") ? ERR_NO_DEVICE : 0;
}

CUresult cuDriverGetVersion(int *v)
{
	*v = 13000;
	return 0;
}

CUresult cuGetErrorName(CUresult r, const char **s)
{
	*s = r == ERR_NO_DEVICE ? "CUDA_ERROR_NO_DEVICE" : r == ERR_NOT_SUPPORTED ?
		"CUDA_ERROR_NOT_SUPPORTED" : "CUDA_ERROR_INVALID_VALUE";
	return 0;
}

CUresult cuGetErrorString(CUresult r, const char **s)
{
	*s = r == ERR_NO_DEVICE ? "no CUDA-capable device is detected" :
		r == ERR_NOT_SUPPORTED ? "operation not supported" : "invalid argument";
	return 0;
}

CUresult cuDeviceGetCount(int *n)
{
	*n = ndev();
	return 0;
}

CUresult cuDeviceGet(int *d, int ordinal)
{
	if (ordinal < 0 || ordinal >= ndev())
		return ERR_INVALID_VALUE;
	*d = ordinal;
	return 0;
}

CUresult cuDeviceGetName(char *name, int len, int d)
{
	snprintf(name, (size_t)len, "Fake GPU %d", d);
	return 0;
}

CUresult cuDeviceGetPCIBusId(char *pci, int len, int d)
{
	const char *p = getenv("FAKE_CUDA_PCI");
	char list[1024], *tok, *save = NULL;
	int i = 0;

	snprintf(list, sizeof(list), "%s", p ? p : "0000:53:00.0");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save), i++)
		if (i == d) {
			snprintf(pci, (size_t)len, "%s", tok);
			/* The driver writes hex digits in upper case. */
			for (; *pci; pci++)
				if (*pci >= 'a' && *pci <= 'f')
					*pci = (char)(*pci - 'a' + 'A');
			return 0;
		}
	return ERR_INVALID_VALUE;
}

CUresult cuDeviceGetAttribute(int *v, int attr, int d)
{
	const char *dmabuf = getenv("FAKE_CUDA_DMABUF");

	(void)d;
	*v = attr == 124 ? dmabuf && !strcmp(dmabuf, "1") : attr == 116;
	return 0;
}

CUresult cuDevicePrimaryCtxRetain(void **c, int d)
{
	*c = (void *)(long)(d + 1);
	return 0;
}

CUresult cuCtxSetCurrent(void *c)
{
	(void)c;
	return 0;
}

CUresult cuMemAlloc_v2(unsigned long long *p, size_t size)
{
	void *m = calloc(1, size);

	*p = (unsigned long long)(unsigned long)m;
	return m ? 0 : 2;
}

CUresult cuMemFree_v2(unsigned long long p)
{
	free((void *)(unsigned long)p);
	return 0;
}

CUresult cuMemcpyHtoD_v2(unsigned long long dst, const void *src, size_t n)
{
	memcpy((void *)(unsigned long)dst, src, n);
	return 0;
}

CUresult cuMemcpyDtoH_v2(void *dst, unsigned long long src, size_t n)
{
	memcpy(dst, (const void *)(unsigned long)src, n);
	return 0;
}

CUresult cuPointerSetAttribute(const void *v, int attr, unsigned long long p)
{
	(void)v;
	(void)attr;
	(void)p;
	return 0;
}

CUresult cuMemGetHandleForAddressRange(void *h, unsigned long long p, size_t n, int type,
				       unsigned long long flags)
{
	(void)h;
	(void)p;
	(void)n;
	(void)type;
	(void)flags;
	return ERR_NOT_SUPPORTED;
}
