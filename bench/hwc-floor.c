// SPDX-License-Identifier: MIT
/*
 * The floor for reading hardware counters: every file of the hw_counters directories given on
 * the command line opened, read, parsed and closed, one thread, in a loop, as the leanest
 * exporter would; bench/stats.sh puts efadiag stats beside it. Prints CPU ms per sample.
 * Usage: hwc-floor SAMPLES DIR...
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

int main(int argc, char **argv)
{
	long samples = argc > 2 ? atol(argv[1]) : 0, s;
	unsigned long long sum = 0;
	double t0;
	int d;

	if (samples <= 0) {
		fprintf(stderr, "usage: %s SAMPLES DIR...\n", argv[0]);
		return 2;
	}
	t0 = cpu_ms();
	for (s = 0; s < samples; s++)
		for (d = 2; d < argc; d++) {
			DIR *dh = opendir(argv[d]);
			struct dirent *e;

			if (!dh)
				continue;
			while ((e = readdir(dh))) {
				char buf[64];
				ssize_t n;
				int fd;

				if (e->d_name[0] == '.')
					continue;
				fd = openat(dirfd(dh), e->d_name, O_RDONLY);
				if (fd < 0)
					continue;
				n = read(fd, buf, sizeof(buf) - 1);
				close(fd);
				if (n > 0) {
					buf[n] = '\0';
					sum += strtoull(buf, NULL, 10);
				}
			}
			closedir(dh);
		}
	printf("%.4f %llu\n", (cpu_ms() - t0) / (double)samples, sum % 10);
	return 0;
}
