// SPDX-License-Identifier: MIT
/* libFuzzer target: bytes from the network into the control channel's reader and every decoder. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/proto.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg m;
	struct oob o;
	int sv[2], i;

	/* The real reader, on a socket, as a server reads a client: frames, lengths, JSON. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		return 0;
	if (size && write(sv[1], data, size) < 0) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	close(sv[1]);
	oob_init(&o);
	o.rfd = o.wfd = sv[0];
	for (i = 0; i < 16; i++)
		if (proto_recv(&o, &m, now_sec() + 0.01))
			break;
	close(sv[0]);
	return 0;
}
