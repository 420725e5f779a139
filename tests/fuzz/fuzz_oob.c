// SPDX-License-Identifier: MIT
/* libFuzzer target: bytes from the network into the control-channel reader and hello checks. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/oob.h"
#include "ctl/session.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oob o;
	int sv[2], type, i;
	char err[256];
	cJSON *msg;

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
	for (i = 0; i < 16; i++) {
		if (oob_recv(&o, &type, &msg, now_sec() + 0.01))
			break;
		if (type == OOB_HELLO)
			session_check_hello(msg, err, sizeof(err));
		cJSON_Delete(msg);
	}
	close(sv[0]);
	return 0;
}
