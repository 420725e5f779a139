/* SPDX-License-Identifier: MIT */
/* Registration of test buffers with an endpoint's domain, and the RMA keys peers exchange. */
#ifndef EFADIAG_FABRIC_MR_H
#define EFADIAG_FABRIC_MR_H

#include "fabric/buffer.h"
#include "fabric/endpoint.h"

/*
 * Registers the buffer with ep's domain when the provider asks for it (FI_MR_LOCAL) or the
 * endpoint does RMA; binds it to the endpoint when the provider wants that (FI_MR_ENDPOINT).
 * 0, or a negative error with ep->err_text saying which call failed.
 */
int fab_buf_register(struct fab_buf *b, struct fab_ep *ep);
/* Describes a registered buffer for the peer's RMA: 0, or -1 when it cannot be described. */
int fab_buf_rkey(const struct fab_buf *b, const struct fab_ep *ep, struct fab_rkey *k);
/* The peer's description, usable by ep: 0, or a negative error in ep->err_text. */
int fab_remote_from_rkey(struct fab_ep *ep, const struct fab_rkey *k, struct fab_remote *r);
/* Unmaps a mapped key; safe twice and on an unmapped one. Before fab_close of the endpoint. */
void fab_remote_release(struct fab_remote *r);

#endif
