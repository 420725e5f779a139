// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: every message decoder, fed directly. The first byte picks the message
 * kind, the rest is the payload; whatever decodes must encode and decode again to the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg m, again;
	char err[512], *text;
	int kind;

	if (!size)
		return 0;
	kind = data[0] % (MSG_KIND_MAX + 1);
	if (proto_decode(kind, (const char *)data + 1, size - 1, &m, err, sizeof(err)))
		return 0;
	text = proto_encode(&m);
	if (!text)
		return 0;
	/* A decoded message re-encodes to something that decodes again: no lossy field. */
	if (proto_decode(kind, text, strlen(text), &again, err, sizeof(err)))
		abort();
	free(text);
	return 0;
}
