// SPDX-License-Identifier: MIT
/* libFuzzer target: command-line values into every value parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "efadiag.h"
#include "ui/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *names[32], addr[256];
	size_t sizes[EFADIAG_MAX_SIZES], n = 0, i, v;
	const char *why;
	double d;
	long l;
	int port;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0'; /* argv strings end at the first NUL, as here */
	parse_size_list(s, sizes, EFADIAG_MAX_SIZES, &n, &why);
	parse_size(s, &v, &why);
	parse_seconds(s, 0.001, 86400, &d, &why);
	parse_long(s, 0, 1024, &l, &why);
	parse_long(s, 1, 100000000, &l, &why);
	parse_port(s, &port, &why);
	parse_listen(s, addr, sizeof(addr), &port, &why);
	n = 0;
	parse_name_list(s, names, 32, &n, &why);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(s);
	return 0;
}
