// SPDX-License-Identifier: MIT
/*
 * efadiag mesh: every rank of a PMIx launch measures every other (or K others) over the
 * fabric, round by round, and rank 0 judges the allocation and names the bad node, NIC or
 * link. PMIx carries only the set-up (cards), the start time and the results: the rounds run
 * on a shared schedule, so a rank that stops or dies costs the others its pairs, not a hang.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cmd/mesh.h"
#include "cmd/common-options.h"
#include "cmd/test.h"
#include "fabric/discover.h"
#include "mesh/schedule.h"
#include "ui/cli.h"
#include "ui/out.h"
#include "ui/parse.h"
#include "util.h"

#define KEY_CARD "efadiag.mesh.card"
#define KEY_T0 "efadiag.mesh.t0"
#define KEY_SIDES "efadiag.mesh.sides"
#define KEY_EXIT "efadiag.mesh.exit"
#define KEY_WIDEN "efadiag.mesh.suspects"
#define KEY_WIDEN_SIDES "efadiag.mesh.suspects.sides"

#define DEFAULT_ITERATIONS 100
#define DEFAULT_WARMUP 10
/* 1 MiB in flight per NIC pair: enough to fill a link, little left to drain at a slot's end. */
#define BW_SIZE (256 * 1024)
#define BW_WINDOW 4
/* The launch itself (every rank started, endpoints opened) may take this long at least. */
#define SETUP_MIN_SEC 10.0
/* Round 0 starts MESH_START_LEAD_SEC after rank 0 read every card, plus a little per rank. */
#define START_LEAD_PER_RANK_SEC 0.002

static const char launch_hint[] =
	"mesh runs as every rank of a PMIx launch, one rank per node: 'srun --mpi=pmix -N NODES "
	"--ntasks-per-node=1 efadiag mesh' or 'mpirun -np NODES --map-by ppr:1:node efadiag mesh'";

double mesh_wall_sec(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/*
 * The name the node is known by: EFADIAG_NODE_NAME where the launch gives it (a host list's
 * entry, e.g. SageMaker's current_host, which gethostname() need not be), else the name the
 * scheduler knows the node by (the remedy drains it), else the host name.
 */
static void node_name(char *buf, size_t len)
{
	const char *known = env_node_name();

	if (known) {
		str_copy(buf, len, known);
		return;
	}
	if (gethostname(buf, len))
		str_copy(buf, len, "unknown");
	buf[len - 1] = 0;
}

/* An error on this rank: reported with its rank, the run cannot go on. */
int mesh_fail(struct mesh_run *m, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m->boot.up)
		out_error(m->ctx->out, "rank %d (%s): %s", m->boot.rank, m->host, msg);
	else
		out_error(m->ctx->out, "%s", msg);
	return EXIT_ERROR;
}

/* --- set-up: endpoints, cards, start time --------------------------------------------------- */

static int flush_report(struct mesh_run *m, int code);
static void linger(struct mesh_run *m);

static int publish_card(struct mesh_run *m)
{
	const struct opts *o = &m->ctx->opt;
	struct mesh_card card = { 0 };
	char err[512] = "", *s;
	int ret;

	str_copy(card.host, sizeof(card.host), m->host);
	ret = mesh_fabric_open(&m->fab, o->provider, o->domains, o->ndomains, m->boot.size,
			       &m->params, err, sizeof(err));
	if (ret && m->fab.fabric_refused) {
		/* The fabric asked for cannot serve mesh here: the run's error, as for CUDA. */
		ret = flush_report(m, mesh_fail(m, "%s", err));
		linger(m);
		return ret;
	}
	if (ret || mesh_fabric_card(&m->fab, &card, err, sizeof(err))) {
		/* A card without NICs: the others skip this rank's pairs, rank 0 says why. */
		fprintf(stderr, "efadiag: mesh: rank %d (%s): %s\n", m->boot.rank, m->host, err);
		card.nnics = 0;
	}
	if (card.nnics)
		str_copy(m->provider, sizeof(m->provider), fab_provider_name(&m->fab.nic[0].lat));
	if (card.nnics && m->boot.rank == 0)
		test_describe_fabric(out_root(m->ctx->out), &m->fab.nic[0].bw);
	/* Rank 0's document says where the buffers are (the first NIC's stand for all). */
	if (card.nnics && m->boot.rank == 0)
		test_describe_mem(m->ctx->out, out_root(m->ctx->out), &m->fab.nic[0].bwbuf,
				  &m->fab.nic[0].bw, "");
	m->cards[m->boot.rank] = card;
	m->have_card[m->boot.rank] = card.nnics > 0;
	s = mesh_card_encode(&card);
	if (!s)
		return mesh_fail(m, "out of memory");
	ret = boot_put(&m->boot, KEY_CARD, s);
	free(s);
	return ret ? mesh_fail(m, "%s", m->boot.err) : 0;
}

/* Every other rank's card; one that published none (or none usable) is left out. */
static void read_cards(struct mesh_run *m)
{
	double wait = m->fence_ok ? SETUP_MIN_SEC : 1;
	char err[512];
	int r;

	for (r = 0; r < m->boot.size; r++) {
		char *s = NULL;

		if (r == m->boot.rank)
			continue;
		if (boot_get(&m->boot, r, KEY_CARD, wait, &s) || mesh_card_decode(s, &m->cards[r]) ||
		    mesh_fabric_insert(&m->fab, r, &m->cards[r], err, sizeof(err))) {
			m->have_card[r] = false;
			if (!m->cards[r].host[0])
				snprintf(m->cards[r].host, sizeof(m->cards[r].host), "?");
		} else {
			m->have_card[r] = m->fab.nnics > 0;
		}
		free(s);
	}
}

/*
 * Rank 0 names the moment round 0 starts, as wall-clock time (nodes keep it in step); each
 * rank converts it to its own monotonic clock, which the slots run on.
 */
static int agree_start(struct mesh_run *m)
{
	char buf[64], *s = NULL;
	double start;

	if (m->boot.rank == 0) {
		start = mesh_wall_sec() + MESH_START_LEAD_SEC + START_LEAD_PER_RANK_SEC * m->boot.size;
		snprintf(buf, sizeof(buf), "%.6f", start);
		if (boot_put(&m->boot, KEY_T0, buf))
			return mesh_fail(m, "%s", m->boot.err);
	} else {
		if (boot_get(&m->boot, 0, KEY_T0, SETUP_MIN_SEC + m->budget, &s))
			return mesh_fail(m, "rank 0 did not publish the start (%s): is it stopped?",
					m->boot.err);
		start = strtod(s, NULL);
		free(s);
	}
	m->t0 = now_sec() + (start - mesh_wall_sec());
	return 0;
}

/* --- the rounds ----------------------------------------------------------------------------- */

static void progress(const struct mesh_run *m, int r)
{
	if (m->boot.rank || m->ctx->opt.quiet || m->ctx->opt.json || !isatty(2))
		return;
	if (r < m->rounds)
		fprintf(stderr, "\rmesh: round %d of %d ", r + 1, m->rounds);
	else
		fprintf(stderr, "\r%40s\r", "");
}

/* This rank's side of the pair with peer in a slot; side_round names it in the results. */
void mesh_run_pair(struct mesh_run *m, int side_round, int peer, const struct mesh_slot *slot,
		   struct mesh_side *side)
{
	int me = m->boot.rank, nlanes;

	memset(side, 0, sizeof(*side));
	side->round = side_round;
	side->peer = peer;
	side->pinger = me < peer;
	if (!m->have_card[me] || !m->have_card[peer]) {
		snprintf(side->err, sizeof(side->err), "rank %d has no usable endpoint (its card "
			 "is missing)", m->have_card[me] ? peer : me);
		return;
	}
	if (now_sec() > slot->lat_end) {
		/* A rank that was stopped or starved comes back after its partner left. */
		side->missed = true;
		snprintf(side->err, sizeof(side->err), "reached the slot %.3g s late",
			 now_sec() - slot->start);
		return;
	}
	nlanes = m->cards[me].nnics < m->cards[peer].nnics ? m->cards[me].nnics :
							      m->cards[peer].nnics;
	mesh_measure(&m->fab, peer, nlanes, slot, &m->params, side);
}

/* The circle schedule's round that round r of the first rounds runs (--quick: spread). */
static int circle_round(const struct mesh_run *m, int r)
{
	return mesh_sched_round(m->boot.size, m->sched, r);
}

/* Fewer rounds than all pairs: the suspects meet fresh partners after them. */
static bool widens(const struct mesh_run *m)
{
	return m->first_rounds < mesh_rounds(m->boot.size, 0);
}

static void run_round(struct mesh_run *m, int r)
{
	int peer = mesh_partner(m->boot.size, circle_round(m, r), m->boot.rank);
	struct mesh_slot slot;

	if (peer < 0)
		return; /* the bye */
	mesh_slot_plan(m->t0, m->budget, r, &slot);
	mesh_run_pair(m, r, peer, &slot, &m->sides[m->nsides++]);
}

static void run_rounds(struct mesh_run *m)
{
	double t;
	int r;

	for (r = 0; r < m->rounds; r++) {
		progress(m, r);
		run_round(m, r);
	}
	progress(m, m->rounds);
	/* The last slot ends for everyone at the same moment: the rounds' wall time. */
	t = m->t0 + m->budget * m->rounds;
	while (now_sec() < t)
		usleep(10000);
	m->rounds_sec = now_sec() - m->t0;
}

/* --- results -------------------------------------------------------------------------------- */

/*
 * The side of round among a rank's n sides, or NULL. A rank runs its rounds in order, so
 * its sides are sorted by round: a binary search, where a scan made merging the pairs of
 * N ranks O(N^3). Sides out of order (another rank's text is input) fall back to a scan.
 */
const struct mesh_side *mesh_find_side(const struct mesh_side *sides, int n, int round)
{
	int lo = 0, hi = n - 1, k;

	if (!sides || n <= 0)
		return NULL;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (sides[mid].round == round)
			return &sides[mid];
		if (sides[mid].round < round)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	for (k = 0; k < n; k++)
		if (sides[k].round == round)
			return &sides[k];
	return NULL;
}

static const struct mesh_side *side_of(const struct mesh_run *m, int rank, int round)
{
	return m->reported[rank] ? mesh_find_side(m->all_sides[rank], m->nall[rank], round) : NULL;
}

/* Rank 0: every rank's sides, each wait bounded by what is left of one budget. */
static int collect(struct mesh_run *m)
{
	int n = m->boot.size, r;
	double deadline = now_sec() + m->budget + 2;

	for (r = 0; r < n; r++) {
		char *s = NULL;
		int k;

		m->all_sides[r] = calloc((size_t)m->rounds + 1, sizeof(struct mesh_side));
		if (!m->all_sides[r])
			return mesh_fail(m, "out of memory");
		if (r == 0) {
			memcpy(m->all_sides[0], m->sides, (size_t)m->nsides * sizeof(*m->sides));
			m->nall[0] = m->nsides;
			m->reported[0] = true;
			continue;
		}
		if (boot_get(&m->boot, r, KEY_SIDES, deadline - now_sec(), &s)) {
			free(s);
			continue;
		}
		k = mesh_sides_decode(s, m->all_sides[r], (size_t)m->rounds + 1);
		free(s);
		if (k >= 0) {
			m->nall[r] = k;
			m->reported[r] = true;
		}
	}
	return 0;
}

static int merge_pairs(struct mesh_run *m)
{
	struct mesh_pair *round = malloc(((size_t)m->boot.size / 2 + 1) * sizeof(*round));
	int r, k, np, lanes = 0;

	/* Room for as many NIC pairs as the rank with the most NICs has. */
	for (r = 0; r < m->boot.size; r++)
		if (m->cards[r].nnics > lanes)
			lanes = m->cards[r].nnics;
	/* --quick, --pairs K: room for the suspects' rounds too, after the first ones. */
	m->pairs_room = (size_t)(m->rounds + (widens(m) ? MESH_WIDEN_MAX_ROUNDS : 0)) *
				((size_t)m->boot.size / 2 + 1) + 1;
	m->pairs = mesh_results_new(m->pairs_room, lanes);
	if (!round || !m->pairs) {
		free(round);
		return mesh_fail(m, "out of memory");
	}
	for (r = 0; r < m->rounds; r++) {
		np = mesh_round_pairs(m->boot.size, circle_round(m, r), round);
		for (k = 0; k < np; k++)
			mesh_merge(round[k].a, round[k].b, r, side_of(m, round[k].a, r),
				   side_of(m, round[k].b, r), &m->pairs[m->npairs++]);
	}
	free(round);
	return 0;
}

/*
 * Rank 0's report is complete before any rank learns the verdict: mpirun aborts the whole job
 * as soon as one rank exits non-zero, which would cut rank 0's output short. So the document
 * is finished here, and what main finishes afterwards is an empty one on /dev/null.
 */
static int flush_report(struct mesh_run *m, int code)
{
	struct ctx *ctx = m->ctx;

	code = out_finish(ctx->out, code);
	out_free(ctx->out);
	ctx->out = out_new("mesh", false, true);
	if (!freopen("/dev/null", "w", stdout))
		fprintf(stderr, "efadiag: mesh: cannot close stdout: %s\n", strerror(errno));
	return code;
}

/*
 * The last step of every rank: a fence, so no rank (rank 0 above all) leaves while another
 * may still read what it published. Under Slurm a rank's values are served by its node's
 * step daemon, which ends with the rank. A stopped rank makes it time out: bounded.
 */
static void linger(struct mesh_run *m)
{
	boot_fence(&m->boot, m->budget + 5);
}

/*
 * Another rank, --quick or --pairs K: its part of the suspects' rounds rank 0 planned (none,
 * often), after which every rank counts them among the rounds run. 0 or an exit code; *extra:
 * the rounds.
 */
static int widen_other(struct mesh_run *m, struct mesh_side *mine, double wait, int *extra)
{
	struct mesh_retest t = { 0 };
	char *s = NULL;
	int code, nmine = 0;

	*extra = 0;
	if (boot_get(&m->boot, 0, KEY_WIDEN, wait, &s))
		return mesh_fail(m, "rank 0 gave no plan for the suspects within %.3g s (%s)", wait,
				 m->boot.err);
	code = mesh_retest_parse(s, &t, m->boot.size) ?
		       mesh_fail(m, "rank 0's plan for the suspects is malformed") :
		       0;
	free(s);
	if (!code && t.set.nrounds)
		code = mesh_retest_run(m, &t, KEY_WIDEN_SIDES, mine, &nmine);
	*extra = t.set.nrounds;
	m->rounds += t.set.nrounds;
	mesh_retest_set_free(&t.set);
	return code;
}

/* Another rank: its part of rank 0's retest, then rank 0's exit code. */
static int finish_other(struct mesh_run *m, struct mesh_side *mine, double wait)
{
	struct mesh_retest t = { 0 };
	char *s = NULL;
	int code, nmine = 0, nrounds, extra = 0;

	if (widens(m)) {
		code = widen_other(m, mine, wait, &extra);
		if (code)
			return code;
		/* Rank 0 plans the retest once the suspects' rounds are judged. */
		wait += extra * m->budget;
	}
	if (boot_get(&m->boot, 0, MESH_KEY_RETEST, wait, &s))
		return mesh_fail(m, "rank 0 gave no verdict within %.3g s (%s)", wait, m->boot.err);
	code = mesh_retest_parse(s, &t, m->boot.size) ?
		       mesh_fail(m, "rank 0's retest plan is malformed") :
		       0;
	free(s);
	nrounds = t.set.nrounds;
	if (!code && nrounds)
		code = mesh_retest_run(m, &t, MESH_KEY_RETEST_SIDES, mine, &nmine);
	mesh_retest_set_free(&t.set);
	if (code)
		return code;
	if (boot_get(&m->boot, 0, KEY_EXIT, wait + nrounds * m->budget, &s))
		return mesh_fail(m, "rank 0 gave no verdict within %.3g s (%s)", wait, m->boot.err);
	code = atoi(s);
	free(s);
	if (code != EXIT_OK && code != EXIT_FAIL) {
		/* Every rank exits 3 with a reason; rank 0's report has the whole of it. */
		code = mesh_fail(m, "rank 0 could not judge the run (exit %d; its report says why)",
				 code);
	}
	linger(m);
	return code;
}

/*
 * Rank 0, --quick or --pairs K: the suspects of the first rounds meet fresh partners (and each
 * other) in rounds of their own, which join the pairs judged; then the mesh is judged again.
 * The plan is published even when empty: every rank waits for it.
 */
static int widen_rank0(struct mesh_run *m, const struct mesh_limits *lim, struct mesh_side *mine)
{
	struct mesh_retest t = { 0 };
	char *s = NULL;
	int code = 0, nmine = 0;

	if (mesh_widen_select(m->boot.size, m->sched, m->reported, m->pairs, m->npairs, &m->verdict,
			      &t.set))
		return mesh_fail(m, "out of memory");
	s = mesh_plan_text(&t.set, &t.start_wall);
	if (!s)
		code = mesh_fail(m, "out of memory");
	if (!code && boot_put(&m->boot, KEY_WIDEN, s))
		code = mesh_fail(m, "publishing the plan for the suspects: %s", m->boot.err);
	free(s);
	if (!code && t.set.nrounds)
		code = mesh_retest_run(m, &t, KEY_WIDEN_SIDES, mine, &nmine);
	if (!code && t.set.nrounds)
		code = mesh_widen_apply(m, &t, KEY_WIDEN_SIDES, mine, nmine);
	m->widen_rounds = t.set.nrounds;
	m->rounds += t.set.nrounds;
	mesh_retest_set_free(&t.set);
	if (!code && m->widen_rounds) {
		mesh_verdict_free(&m->verdict);
		if (mesh_judge(m->boot.size, m->reported, m->pairs, m->npairs, lim, &m->verdict))
			code = mesh_fail(m, "out of memory");
	}
	return code;
}

/* Rank 0: collects, judges, retests, judges again and reports; publishes the exit code. */
static int finish_rank0(struct mesh_run *m, const struct mesh_limits *lim, struct mesh_side *mine)
{
	struct mesh_retest t = { 0 };
	char *s = NULL, buf[16];
	int code, nmine = 0, nrounds;

	code = collect(m);
	if (!code)
		code = merge_pairs(m);
	if (!code && mesh_judge(m->boot.size, m->reported, m->pairs, m->npairs, lim, &m->verdict))
		code = mesh_fail(m, "out of memory");
	if (!code && widens(m))
		code = widen_rank0(m, lim, mine);
	if (!code && !(s = mesh_retest_plan(m, &t)))
		code = mesh_fail(m, "out of memory");
	if (!code && boot_put(&m->boot, MESH_KEY_RETEST, s))
		code = mesh_fail(m, "publishing the retest plan: %s", m->boot.err);
	free(s);
	nrounds = t.set.nrounds;
	if (!code && nrounds)
		code = mesh_retest_run(m, &t, MESH_KEY_RETEST_SIDES, mine, &nmine);
	if (!code && nrounds)
		code = mesh_retest_apply(m, &t, mine, nmine);
	m->retest_rounds = nrounds;
	m->retest_pairs = t.set.npairs;
	mesh_retest_set_free(&t.set);
	if (!code)
		code = mesh_report(m);
	code = flush_report(m, code);
	snprintf(buf, sizeof(buf), "%d", code);
	if (boot_put(&m->boot, KEY_EXIT, buf))
		fprintf(stderr, "efadiag: mesh: publishing the verdict: %s\n", m->boot.err);
	linger(m);
	return code;
}

/* Rank 0 judges and reports; every rank then exits with rank 0's code. */
static int finish(struct mesh_run *m)
{
	struct mesh_limits lim = { .min_gbps = m->ctx->opt.min_gbps,
				   .max_lat_usec = m->ctx->opt.max_lat_usec,
				   .lat_factor = m->ctx->opt.lat_factor };
	char *s = mesh_sides_encode(m->sides, (size_t)m->nsides);
	struct mesh_side *mine = calloc(MESH_RETEST_MAX_ROUNDS + 1, sizeof(*mine));
	int code;
	/* Rank 0 waits for the slowest report (one budget), then judges. */
	double wait = 2 * m->budget + SETUP_MIN_SEC + m->boot.size;

	if (!mine) {
		free(s);
		return mesh_fail(m, "out of memory");
	}
	if (!s || boot_put(&m->boot, KEY_SIDES, s)) {
		free(s);
		free(mine);
		return mesh_fail(m, "publishing the results: %s", m->boot.err);
	}
	free(s);
	s = NULL;
	if (m->boot.rank) {
		code = finish_other(m, mine, wait);
		free(mine);
		return code;
	}
	code = finish_rank0(m, &lim, mine);
	free(mine);
	return code;
}

/* --- the command ---------------------------------------------------------------------------- */

static int alloc_run(struct mesh_run *m)
{
	size_t n = (size_t)m->boot.size;

	m->cards = calloc(n, sizeof(*m->cards));
	m->have_card = calloc(n, sizeof(*m->have_card));
	m->sides = calloc((size_t)m->rounds + 1, sizeof(*m->sides));
	m->reported = calloc(n, sizeof(*m->reported));
	m->all_sides = calloc(n, sizeof(*m->all_sides));
	m->nall = calloc(n, sizeof(*m->nall));
	return m->cards && m->have_card && m->sides && m->reported && m->all_sides && m->nall ?
		       0 :
		       mesh_fail(m, "out of memory");
}

static void free_run(struct mesh_run *m)
{
	int r;

	mesh_fabric_close(&m->fab);
	mesh_verdict_free(&m->verdict);
	for (r = 0; m->all_sides && r < m->boot.size; r++)
		free(m->all_sides[r]);
	free(m->all_sides);
	free(m->nall);
	free(m->reported);
	free(m->sides);
	free(m->have_card);
	free(m->cards);
	mesh_results_free(m->pairs, m->pairs_room);
}

static int mesh_main(struct mesh_run *m)
{
	struct ctx *ctx = m->ctx;
	int code;

	if (boot_init(&m->boot))
		return mesh_fail(m, "%s: %s", m->boot.err, launch_hint);
	/*
	 * Rank 0 speaks for the run: the others' stdout would interleave with its report (and
	 * several JSON documents are no document). Their errors still go to stderr.
	 */
	if (m->boot.rank && !freopen("/dev/null", "w", stdout))
		return mesh_fail(m, "cannot silence stdout: %s", strerror(errno));
	/* Every rank checks its own GPU memory first: a node without CUDA says so, exit 3, and
	 * does not stand as a "bad link" in the others' matrix. */
	if (m->params.mem.kind == FAB_MEM_CUDA) {
		char err[512];

		/* Rank 0's document first, then leave together: mpirun cuts every rank short
		 * once one exits non-zero (see flush_report). */
		if (test_mem_check(&m->params.mem, err, sizeof(err))) {
			code = flush_report(m, mesh_fail(m, "%s", err));
			linger(m);
			return code;
		}
	}
	m->quick = ctx->opt.mesh_quick;
	m->sched = m->quick ? MESH_SCHED_QUICK : (int)ctx->opt.mesh_pairs;
	if (m->quick && getenv("EFADIAG_TEST_MESH_QUICK_ROUNDS")) {
		/*
		 * Test hook (tests/mesh-mpirun.sh): fewer quick rounds, so four ranks leave a
		 * round for the suspects. Every rank of the launch gets the same environment.
		 */
		int q = atoi(getenv("EFADIAG_TEST_MESH_QUICK_ROUNDS"));

		if (q > 0 && q < MESH_QUICK_ROUNDS)
			m->sched = -q;
	}
	m->rounds = mesh_sched_rounds(m->boot.size, m->sched);
	m->first_rounds = m->rounds;
	if (m->boot.size < 2)
		return mesh_fail(m, "a mesh needs at least 2 ranks, this launch has %d: %s",
				m->boot.size, launch_hint);
	code = alloc_run(m);
	if (!code)
		code = publish_card(m);
	if (code)
		return code;
	if (boot_fence(&m->boot, fmax(SETUP_MIN_SEC, 2 * m->budget))) {
		/* A rank missing at the start: the others go on, its pairs fail, rank 0 names it. */
		m->fence_ok = false;
		str_copy(m->fence_err, sizeof(m->fence_err), m->boot.err);
	} else {
		m->fence_ok = true;
	}
	read_cards(m);
	code = agree_start(m);
	if (code)
		return code;
	run_rounds(m);
	return finish(m);
}

static int mesh_cmd(struct ctx *ctx)
{
	struct mesh_run *m = calloc(1, sizeof(*m));
	int code;

	if (!m) {
		out_error(ctx->out, "out of memory");
		return EXIT_ERROR;
	}
	m->ctx = ctx;
	m->budget = ctx->opt.timeout_sec;
	m->params = (struct mesh_params){
		.iterations = ctx->opt.iterations > 0 ? ctx->opt.iterations : DEFAULT_ITERATIONS,
		.warmup = ctx->opt.warmup >= 0 ? ctx->opt.warmup : DEFAULT_WARMUP,
		.bw_size = BW_SIZE,
		.window = BW_WINDOW,
		.mem = { .kind = FAB_MEM_HOST, .device = -1 },
		.fabric = ctx->opt.fabric,
	};
	/* Checked by the option parser already. */
	if (ctx->opt.mem)
		fab_mem_parse(ctx->opt.mem, &m->params.mem);
	str_copy(m->provider, sizeof(m->provider), ctx->opt.provider);
	node_name(m->host, sizeof(m->host));
	if (!boot_available()) {
		out_error(ctx->out, "this efadiag was built without PMIx, which mesh needs: install "
			  "libpmix-dev (Debian, Ubuntu) or pmix-devel, then run configure and make "
			  "again (configure finds it with pkg-config pmix)");
		free(m);
		return EXIT_ERROR;
	}
	if (!boot_launched()) {
		out_error(ctx->out, "not started by a PMIx launcher: %s", launch_hint);
		free(m);
		return EXIT_ERROR;
	}
	code = test_refuse_fatal_env(ctx);
	if (!code)
		code = mesh_main(m);
	free_run(m);
	boot_fini(&m->boot);
	free(m);
	return code;
}

static int parse_pairs(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	const char *why = NULL;

	if (!strcmp(arg, "auto")) {
		/* --quick by another name: partners enough to find every bad node whatever N. */
		ctx->opt.mesh_quick = true;
		return 0;
	}
	ctx->opt.mesh_pairs_set = true;
	if (!strcmp(arg, "all")) {
		ctx->opt.mesh_pairs = 0;
		return 0;
	}
	if (parse_long(arg, 1, 1000000, &ctx->opt.mesh_pairs, &why))
		return cli_usage_error(ctx, "--%s %s: %s (a number of partners, auto or all)",
				       d->name, arg, why ? why : "invalid");
	return 0;
}

/* A number >= 0 (0 turns the check off), decimals allowed. */
static int parse_figure(struct ctx *ctx, const struct opt_def *d, const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !isfinite(v) || v < 0 || v > 1e9)
		return cli_usage_error(ctx, "invalid value '%s' for --%s: a number from 0 to 1e9",
				       arg, d->name);
	*out = v;
	return 0;
}

static int parse_min_gbps(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	return parse_figure(ctx, d, arg, &ctx->opt.min_gbps);
}

static int parse_max_lat(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	return parse_figure(ctx, d, arg, &ctx->opt.max_lat_usec);
}

static int parse_lat_factor(struct ctx *ctx, const struct opt_def *d, const char *arg)
{
	return parse_figure(ctx, d, arg, &ctx->opt.lat_factor);
}

static int mesh_validate(struct ctx *ctx)
{
	if (ctx->opt.mesh_quick && ctx->opt.mesh_pairs_set)
		return cli_usage_error(ctx, "--quick (--pairs auto) picks the rounds itself: "
				       "give it, or --pairs %s, not both",
				       ctx->opt.mesh_pairs ? "K" : "all");
	if (ctx->opt.timeout_sec < 1)
		return cli_usage_error(ctx, "mesh: -t %.3g: a round needs at least 1 s (latency, "
				       "then bandwidth both ways)", ctx->opt.timeout_sec);
	return 0;
}

static const struct opt_def mesh_options[] = {
	{ .name = "pairs", .arg = "K", OPT_CUSTOM(parse_pairs),
	  .help = "K partners per rank in K rounds, auto (--quick), or all (default: all N-1)" },
	{ .name = "quick", OPT_FLAG(mesh_quick),
	  .help = "6 rounds spread over the allocation, then the suspects against fresh "
		  "partners: every bad node and NIC, links only where met" },
	{ .name = "min-gbps", .arg = "GBPS", OPT_CUSTOM(parse_min_gbps),
	  .help = "a pair below GBPS Gbit/s (the slower direction) is slow" },
	{ .name = "max-lat-us", .arg = "USEC", OPT_CUSTOM(parse_max_lat),
	  .help = "a pair above USEC us one-way latency is slow" },
	{ .name = "lat-factor", .arg = "F", OPT_CUSTOM(parse_lat_factor),
	  .help = "a pair above F times the median latency is slow (default 3; 0: never)" },
	{ .name = "iterations", .letter = 'I', .arg = "N", OPT_LONG(iterations, 1, 1000000),
	  .help = "latency round trips per pair (default 100)" },
	{ .name = "svg", .arg = "FILE", OPT_NONEMPTY(mesh_svg, "needs a file name"),
	  .help = "rank 0 writes the pair matrix to FILE as SVG, whatever the verdict" },
	{ .name = "html", .arg = "FILE", OPT_NONEMPTY(mesh_html, "needs a file name"),
	  .help = "rank 0 writes a page to FILE: the matrix, what is bad, the worst pairs" },
	{ .name = "warmup", .letter = 'w', .arg = "N", OPT_LONG(warmup, 0, 1000000),
	  .help = "unmeasured round trips per pair first (default 10)" },
	OPT_END,
};

const struct cmd_entry cmd_mesh = {
	.name = "mesh",
	.summary = "every pair of a PMIx launch (srun, mpirun): the bad node, NIC or link",
	.usage = "",
	.options = (const struct opt_def *const[]){ options_mem, options_fabric, mesh_options, NULL },
	.validate = mesh_validate,
	.timeout_help = "each round's slot, seconds: every pair of the round runs within it "
			"(default 5)",
	.unused_globals = "P",
	.run = mesh_cmd,
};
