// SPDX-License-Identifier: GPL-2.0
/*
 * page_reporting_integrity - data integrity while free page reporting runs.
 *
 * Free page reporting hands free pages to the hypervisor, which discards
 * them: a page reported while still in use, or used again before its report
 * finished, silently loses its contents (it reads back as zeroes).  These
 * tests keep the allocator busy with memory whose every 8-byte word holds a
 * pattern naming the word, its process and the round, check it all before
 * freeing it, and count the words that changed:
 *
 *   anon_churn    worker processes map, fill, check and unmap anonymous
 *                 chunks until PR_INTEGRITY_MIB (default 4096) MiB went
 *                 through; half of each chunk is unmapped and the rest
 *                 checked again, so reports race with the live half
 *   tmpfs_churn   the same through files on a tmpfs (shared mapping
 *                 written, read back with pread(), unlinked), a quarter of
 *                 the budget
 *   thp_churn     2 MiB-aligned MADV_HUGEPAGE regions, a quarter of the
 *                 budget; skipped without transparent huge pages
 *   no_stale_data a process fills most of the free memory and exits; once
 *                 the engine reported it, a new process maps as much and
 *                 every byte must read as zero before it writes
 *
 * While they run, the engine is made as eager as it gets where its
 * parameters exist (page_reporting_order, page_reporting_delay_ms,
 * page_reporting_idle_ms set to 0; restored afterwards), and where
 * report_now is accepted (an engine that has it, with a device registered)
 * another process asks for a full pass every PR_INTEGRITY_POKE_MS (default
 * 100, 0 for none) milliseconds of a churn, so that passes run in its
 * middle whatever the engine's pacing would do.  Where /proc/vmstat has
 * page_reporting_pages and report_now is accepted, the tests also fail if
 * nothing was reported while they ran.  On an engine without report_now,
 * no_stale_data waits PR_INTEGRITY_SETTLE_S (default 30) seconds for the
 * reports instead.
 *
 * Environment: PR_INTEGRITY_MIB, PR_INTEGRITY_WORKERS (default 2, at most
 * 64), PR_INTEGRITY_CHUNK_MIB (default 64), PR_INTEGRITY_DIR (a tmpfs
 * directory, default /tmp), PR_INTEGRITY_NOSTALE_PCT (share of MemFree
 * filled by no_stale_data, default 60), PR_INTEGRITY_POKE_MS,
 * PR_INTEGRITY_SETTLE_S.
 *
 * Besides TAP, each test prints its figures as "# @@PR value name=... v=..."
 * diagnostics, which the project's host runner reads off the console.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#define MIB			(1024UL * 1024)
#define HPAGE_SIZE		(2 * MIB)
#define SLICE_SIZE		MIB
#define TMPFS_MAGIC_NR		0x01021994
#define PARAM_DIR		"/sys/module/page_reporting/parameters/"
/* Waits for the pass, unlike the report_now parameter, which only starts it. */
#define REPORT_NOW		"/sys/kernel/mm/page_reporting/report_now"
#define THP_ENABLED		"/sys/kernel/mm/transparent_hugepage/enabled"
#define REPORTED_COUNTER	"page_reporting_pages"
#define REUSED_COUNTER		"page_reporting_reused"
#define MAX_WORKERS		64

/*
 * The budget bounds each test; the harness's default 30 s would cut a
 * churn of gigabytes short under emulation.  The caller's own time limit
 * (the host runner's scenario timeout) is the real bound.
 */
#define CHURN_TIMEOUT_S		(4 * 3600)

static const char * const eager_params[] = {
	"page_reporting_order",
	"page_reporting_delay_ms",
	"page_reporting_idle_ms",
};

#define NR_EAGER_PARAMS	ARRAY_SIZE(eager_params)

/* Shared by the worker processes of one churn (MAP_SHARED). */
struct churn_stats {
	uint64_t claimed;		/* bytes handed out to workers */
	uint64_t done;			/* bytes written, checked and freed */
	uint64_t mismatches;		/* 8-byte words that read back wrong */
	uint64_t failures;		/* workers that could not get memory */
	uint64_t pokes;			/* report_now passes during the churn */
	uint64_t first_off;		/* first bad word: offset in its chunk */
	uint64_t first_want;
	uint64_t first_got;
	int first_set;
	int first_errno;
};

struct churn_ctx {
	struct churn_stats *st;
	const char *dir;
	uint64_t budget;
	size_t chunk;
	char *buf;			/* pread() buffer (tmpfs) */
	pid_t pid;
};

typedef int (*churn_fn)(struct churn_ctx *ctx, size_t len, uint64_t seed);

/* thp_churn: madvise(MADV_HUGEPAGE) works (else THP is on "always"). */
static bool thp_madvise;

/* ksft_print_msg(), flushed: test processes leave with _exit(). */
static __printf(1, 2) void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void pr_value(const char *name, long long v)
{
	msg("@@PR value name=integrity_%s v=%lld\n", name, v);
}

static unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end) {
		msg("bad %s='%s', using %lu\n", name, s, def);
		return def;
	}
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A /proc/vmstat counter, or -1 when the kernel does not have it. */
static long long vmstat_read(const char *name)
{
	size_t len = strlen(name);
	long long v = -1;
	char line[128];
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ' ') {
			v = strtoll(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* A /proc/meminfo field in KiB, or 0. */
static unsigned long meminfo_kib(const char *name)
{
	size_t len = strlen(name);
	unsigned long v = 0;
	char line[128];
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ':') {
			v = strtoul(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* 0, or -errno of the write (the kernel's answer to a parameter). */
static int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Ask the engine to report everything free now and wait for it.  0 when it
 * did; -ENOENT without report_now (upstream), -ENODEV with no device.
 */
static int report_now(void)
{
	return write_file(REPORT_NOW, "1");
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * The pattern of one chunk: word at byte offset off holds seed ^ off.  The
 * seed differs per process and round, and has bit 63 set, so no word of it
 * is zero and no word equals the same offset of an earlier round.
 */
static uint64_t chunk_seed(pid_t pid, uint64_t round)
{
	return mix64(((uint64_t)pid << 32) ^ round) | (1ULL << 63);
}

static void fill(void *p, size_t len, uint64_t seed, uint64_t base)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = seed ^ (base + i * 8);
}

/* Count the words of [p, p + len) that do not hold the pattern. */
static uint64_t check(struct churn_stats *st, const void *p, size_t len,
		      uint64_t seed, uint64_t base)
{
	const uint64_t *w = p;
	uint64_t bad = 0;
	size_t i;

	/* Read the memory back: do not trust what fill() just stored. */
	__asm__ __volatile__("" : : : "memory");
	for (i = 0; i < len / 8; i++)
		bad += w[i] != (seed ^ (base + i * 8));
	if (!bad)
		return 0;
	for (i = 0; i < len / 8; i++) {
		if (w[i] == (seed ^ (base + i * 8)))
			continue;
		if (!__atomic_exchange_n(&st->first_set, 1, __ATOMIC_RELAXED)) {
			st->first_off = base + i * 8;
			st->first_want = seed ^ (base + i * 8);
			st->first_got = w[i];
		}
		break;
	}
	__atomic_add_fetch(&st->mismatches, bad, __ATOMIC_RELAXED);
	return bad;
}

static void note_failure(struct churn_stats *st)
{
	__atomic_store_n(&st->first_errno, errno, __ATOMIC_RELAXED);
	__atomic_add_fetch(&st->failures, 1, __ATOMIC_RELAXED);
}

/*
 * Anonymous memory: fill and check a chunk, unmap every other 1 MiB slice
 * (free pages next to live ones, for the engine to report) and check the
 * live slices again before unmapping them too.
 */
static int churn_anon(struct churn_ctx *ctx, size_t len, uint64_t seed)
{
	size_t off;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	fill(p, len, seed, 0);
	check(ctx->st, p, len, seed, 0);
	for (off = SLICE_SIZE; off + SLICE_SIZE <= len; off += 2 * SLICE_SIZE)
		munmap(p + off, SLICE_SIZE);
	for (off = 0; off < len; off += 2 * SLICE_SIZE) {
		size_t n = len - off < SLICE_SIZE ? len - off : SLICE_SIZE;

		check(ctx->st, p + off, n, seed, off);
	}
	munmap(p, len);
	return 0;
}

/*
 * Page cache: write through a shared mapping of a tmpfs file, read it back
 * with pread(), unlink it.
 */
static int churn_tmpfs(struct churn_ctx *ctx, size_t len, uint64_t seed)
{
	char path[256];
	size_t off;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/pr-integrity.%d.%016llx", ctx->dir,
		 ctx->pid, (unsigned long long)seed);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	unlink(path);
	if (ftruncate(fd, len))
		goto fail;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	fill(p, len, seed, 0);
	munmap(p, len);
	for (off = 0; off < len; off += ctx->chunk / 16) {
		size_t n = len - off < ctx->chunk / 16 ? len - off : ctx->chunk / 16;

		if (pread(fd, ctx->buf, n, off) != (ssize_t)n)
			goto fail;
		check(ctx->st, ctx->buf, n, seed, off);
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/* Transparent huge pages: a 2 MiB-aligned region, MADV_HUGEPAGE if it can. */
static int churn_thp(struct churn_ctx *ctx, size_t len, uint64_t seed)
{
	size_t map_len = len + HPAGE_SIZE;
	char *raw, *p;

	raw = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -1;
	p = (char *)(((uintptr_t)raw + HPAGE_SIZE - 1) & ~(HPAGE_SIZE - 1));
	if (thp_madvise && madvise(p, len, MADV_HUGEPAGE)) {
		munmap(raw, map_len);
		return -1;
	}
	fill(p, len, seed, 0);
	check(ctx->st, p, len, seed, 0);
	munmap(raw, map_len);
	return 0;
}

/* One worker: claim chunks of the budget until it is used up. */
static __noreturn void churn_worker(struct churn_ctx *ctx, churn_fn fn)
{
	struct churn_stats *st = ctx->st;
	uint64_t round, off;
	size_t len;

	ctx->pid = getpid();
	if (ctx->dir) {
		ctx->buf = malloc(ctx->chunk / 16);
		if (!ctx->buf) {
			note_failure(st);
			_exit(1);
		}
	}
	for (round = 0;; round++) {
		off = __atomic_fetch_add(&st->claimed, ctx->chunk,
					 __ATOMIC_RELAXED);
		if (off >= ctx->budget)
			break;
		len = ctx->budget - off < ctx->chunk ? ctx->budget - off :
						       ctx->chunk;
		if (fn(ctx, len, chunk_seed(ctx->pid, round))) {
			note_failure(st);
			_exit(1);
		}
		__atomic_add_fetch(&st->done, len, __ATOMIC_RELAXED);
	}
	_exit(0);
}

/*
 * A process that asks for a full reporting pass every @ms milliseconds
 * until killed, so that passes run in the middle of the churn whatever the
 * engine's pacing makes of it.
 */
static pid_t start_poker(struct churn_stats *st, unsigned long ms)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	for (;;) {
		if (!report_now())
			__atomic_add_fetch(&st->pokes, 1, __ATOMIC_RELAXED);
		usleep(ms * 1000);
	}
}

/*
 * Run @workers processes of @fn over @budget_mib MiB, with a poker every
 * @poke_ms ms if that is not 0.  Returns 0, or -1 if a worker could not be
 * started, ended by a signal or failed to get memory (the stats say how far
 * they got).
 */
static int churn(struct churn_stats *st, churn_fn fn, const char *dir,
		 unsigned long budget_mib, unsigned long workers,
		 unsigned long poke_ms)
{
	struct churn_ctx ctx = {
		.st = st,
		.dir = dir,
		.budget = (uint64_t)budget_mib * MIB,
		.chunk = env_ulong("PR_INTEGRITY_CHUNK_MIB", 64) * MIB,
	};
	pid_t pids[MAX_WORKERS], poker = -1;
	unsigned long i, started = 0;
	int status, ret = 0;

	if (!ctx.chunk)
		ctx.chunk = 64 * MIB;
	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	memset(st, 0, sizeof(*st));
	fflush(stdout);
	fflush(stderr);
	if (poke_ms)
		poker = start_poker(st, poke_ms);
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			churn_worker(&ctx, fn);
		if (pids[i] < 0) {
			ret = -1;
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			ret = -1;
	}
	if (poker > 0) {
		kill(poker, SIGKILL);
		waitpid(poker, NULL, 0);
	}
	return ret;
}

FIXTURE(integrity) {
	struct churn_stats *st;
	unsigned long budget_mib;
	unsigned long workers;
	char old[NR_EAGER_PARAMS][32];
	bool saved[NR_EAGER_PARAMS];
	char thp_old[32];	/* THP mode to restore, if set */
	bool registered;	/* report_now accepted */
	unsigned long poke_ms;	/* report_now interval during churns */
	long long reported_before;
	long long reused_before;
	double start;
};

FIXTURE_SETUP(integrity)
{
	char path[128];
	unsigned int i;
	int err;

	self->st = mmap(NULL, sizeof(*self->st), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->st);
	self->budget_mib = env_ulong("PR_INTEGRITY_MIB", 4096);
	self->workers = env_ulong("PR_INTEGRITY_WORKERS", 2);
	if (!self->workers)
		self->workers = 1;

	for (i = 0; i < NR_EAGER_PARAMS; i++) {
		snprintf(path, sizeof(path), PARAM_DIR "%s", eager_params[i]);
		if (read_file(path, self->old[i], sizeof(self->old[i])))
			continue;
		err = write_file(path, "0");
		if (err) {
			msg("%s: cannot set 0: %s\n", eager_params[i],
			    strerror(-err));
			continue;
		}
		self->saved[i] = true;
		msg("%s: %s -> 0\n", eager_params[i], self->old[i]);
	}
	err = report_now();
	self->registered = !err;
	if (err && err != -ENOENT)
		msg("report_now: %s\n", strerror(-err));
	/* Forced passes during the churns, where report_now works. */
	self->poke_ms = self->registered ?
			env_ulong("PR_INTEGRITY_POKE_MS", 100) : 0;
	self->reported_before = vmstat_read(REPORTED_COUNTER);
	self->reused_before = vmstat_read(REUSED_COUNTER);
	self->start = now_s();
}

/*
 * In the parent of the test process, so that it runs however the test
 * ended (self is shared with it).
 */
FIXTURE_TEARDOWN_PARENT(integrity)
{
	char path[128];
	unsigned int i;
	int err;

	for (i = 0; i < NR_EAGER_PARAMS; i++) {
		if (!self->saved[i])
			continue;
		snprintf(path, sizeof(path), PARAM_DIR "%s", eager_params[i]);
		err = write_file(path, self->old[i]);
		if (err)
			msg("%s: cannot restore %s: %s\n", eager_params[i],
			    self->old[i], strerror(-err));
	}
	if (self->thp_old[0]) {
		err = write_file(THP_ENABLED, self->thp_old);
		if (err)
			msg("%s: cannot restore %s: %s\n", THP_ENABLED,
			    self->thp_old, strerror(-err));
	}
}

/*
 * Pages the engine reported since setup (printed as @name), or -1 on a
 * kernel without the counter.
 */
static long long reported_since(FIXTURE_DATA(integrity) *self,
				const char *name)
{
	long long now = vmstat_read(REPORTED_COUNTER);
	long long reused = vmstat_read(REUSED_COUNTER);
	char value[64];

	if (now < 0 || self->reported_before < 0) {
		msg("%s: no /proc/vmstat counter\n", REPORTED_COUNTER);
		return -1;
	}
	msg("%s: %lld -> %lld (+%lld)\n", REPORTED_COUNTER,
	    self->reported_before, now, now - self->reported_before);
	snprintf(value, sizeof(value), "%s_reported_pages", name);
	pr_value(value, now - self->reported_before);
	if (reused >= 0 && self->reused_before >= 0) {
		msg("%s: %lld -> %lld (+%lld)\n", REUSED_COUNTER,
		    self->reused_before, reused, reused - self->reused_before);
		snprintf(value, sizeof(value), "%s_reused_pages", name);
		pr_value(value, reused - self->reused_before);
	}
	return now - self->reported_before;
}

/* Print a churn's figures; the test then asserts on them. */
static void churn_report(struct __test_metadata *_metadata,
			 FIXTURE_DATA(integrity) *self, const char *name)
{
	struct churn_stats *st = self->st;
	double secs = now_s() - self->start;
	uint64_t mib = st->done / MIB;
	char value[64];

	TH_LOG("%s: churned %llu MiB, %llu mismatches (%lu workers, %.1f s, %.1f MiB/s)",
	       name, (unsigned long long)mib,
	       (unsigned long long)st->mismatches, self->workers, secs,
	       secs > 0 ? mib / secs : 0.0);
	if (self->poke_ms)
		TH_LOG("%s: %llu report_now passes meanwhile, one every %lu ms",
		       name, (unsigned long long)st->pokes, self->poke_ms);
	if (st->first_set)
		TH_LOG("%s: first bad word at chunk offset %#llx: %#018llx, want %#018llx",
		       name, (unsigned long long)st->first_off,
		       (unsigned long long)st->first_got,
		       (unsigned long long)st->first_want);
	if (st->failures)
		TH_LOG("%s: %llu workers failed to get memory: %s", name,
		       (unsigned long long)st->failures,
		       strerror(st->first_errno));
	snprintf(value, sizeof(value), "%s_mib", name);
	pr_value(value, mib);
	snprintf(value, sizeof(value), "%s_mismatches", name);
	pr_value(value, st->mismatches);
}

/*
 * With the counter and a registered device the engine must have reported
 * something while the churn ran: otherwise nothing raced with it.
 */
static void assert_reported(struct __test_metadata *_metadata,
			    FIXTURE_DATA(integrity) *self, const char *name)
{
	long long reported = reported_since(self, name);

	if (reported >= 0 && !self->registered)
		TH_LOG("no reporting device registered: the counter need not move");
	if (reported >= 0 && self->registered)
		ASSERT_LT(0, reported)
			TH_LOG("%s: the engine reported nothing meanwhile",
			       name);
}

TEST_F_TIMEOUT(integrity, anon_churn, CHURN_TIMEOUT_S)
{
	int ret;

	ret = churn(self->st, churn_anon, NULL, self->budget_mib,
		    self->workers, self->poke_ms);
	churn_report(_metadata, self, "anon");
	EXPECT_EQ(0, ret);
	EXPECT_EQ(self->budget_mib * MIB, self->st->done);
	EXPECT_EQ(0ULL, self->st->mismatches);
	assert_reported(_metadata, self, "anon");
}

TEST_F_TIMEOUT(integrity, tmpfs_churn, CHURN_TIMEOUT_S)
{
	const char *dir = getenv("PR_INTEGRITY_DIR") ?: "/tmp";
	unsigned long mib = self->budget_mib / 4 ?: 1;
	struct statfs sfs;
	int ret;

	if (statfs(dir, &sfs) || sfs.f_type != TMPFS_MAGIC_NR)
		SKIP(return, "%s is not a tmpfs", dir);
	ret = churn(self->st, churn_tmpfs, dir, mib, self->workers,
		    self->poke_ms);
	churn_report(_metadata, self, "tmpfs");
	EXPECT_EQ(0, ret);
	EXPECT_EQ(mib * MIB, self->st->done);
	EXPECT_EQ(0ULL, self->st->mismatches);
	assert_reported(_metadata, self, "tmpfs");
}

/*
 * Whether madvise(MADV_HUGEPAGE) is available: a kernel without
 * CONFIG_ADVISE_SYSCALLS (tinyconfig) has THP but no madvise().
 */
static bool madvise_hugepage_works(void)
{
	size_t len = 2 * HPAGE_SIZE;
	char *raw, *p;
	int ret;

	raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return false;
	p = (char *)(((uintptr_t)raw + HPAGE_SIZE - 1) & ~(HPAGE_SIZE - 1));
	ret = madvise(p, HPAGE_SIZE, MADV_HUGEPAGE);
	if (ret)
		msg("madvise(MADV_HUGEPAGE): %s\n", strerror(errno));
	munmap(raw, len);
	return !ret;
}

/*
 * Make anonymous faults use huge pages: through madvise() on a THP mode
 * other than "never", else by setting the mode to "always" (restored by the
 * teardown).  Returns 0, or a reason to skip.
 */
static const char *thp_prepare(FIXTURE_DATA(integrity) *self)
{
	char mode[128], *b, *e;
	int err;

	if (read_file(THP_ENABLED, mode, sizeof(mode)))
		return "no transparent huge pages";
	thp_madvise = madvise_hugepage_works();
	if (thp_madvise && !strstr(mode, "[never]"))
		return NULL;
	if (strstr(mode, "[always]"))
		return NULL;
	b = strchr(mode, '[');
	e = b ? strchr(b, ']') : NULL;
	if (!e || e - b - 1 >= (long)sizeof(self->thp_old))
		return "cannot parse the THP mode";
	err = write_file(THP_ENABLED, "always");
	if (err)
		return "THP not usable: no madvise() and the mode is read-only";
	memcpy(self->thp_old, b + 1, e - b - 1);
	self->thp_old[e - b - 1] = '\0';
	msg("%s: %s -> always\n", THP_ENABLED, self->thp_old);
	return NULL;
}

TEST_F_TIMEOUT(integrity, thp_churn, CHURN_TIMEOUT_S)
{
	unsigned long mib = self->budget_mib / 4 ?: 2;
	long long faults = vmstat_read("thp_fault_alloc");
	const char *why;
	int ret;

	why = thp_prepare(self);
	if (why)
		SKIP(return, "%s", why);
	ret = churn(self->st, churn_thp, NULL, mib, self->workers,
		    self->poke_ms);
	churn_report(_metadata, self, "thp");
	if (faults >= 0) {
		faults = vmstat_read("thp_fault_alloc") - faults;
		TH_LOG("thp: %lld huge pages faulted in", faults);
		pr_value("thp_faults", faults);
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(mib * MIB, self->st->done);
	EXPECT_EQ(0ULL, self->st->mismatches);
	assert_reported(_metadata, self, "thp");
}

/* Bytes of [p, p + len) that are not zero. */
static uint64_t nonzero_bytes(const void *p, size_t len)
{
	const uint64_t *w = p;
	uint64_t n = 0;
	size_t i, b;

	for (i = 0; i < len / 8; i++) {
		if (!w[i])
			continue;
		for (b = 0; b < 8; b++)
			n += !!((w[i] >> (b * 8)) & 0xff);
	}
	return n;
}

/*
 * In a child: map @len bytes; with @fill_it write and check the pattern
 * (left behind as stale data at exit), otherwise count the nonzero bytes
 * read before writing into @stale, then write and check the pattern.
 */
static int nostale_child(struct churn_stats *st, size_t len, bool fill_it,
			 uint64_t *stale)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		uint64_t seed = chunk_seed(getpid(), 0);
		char *p;

		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			note_failure(st);
			_exit(1);
		}
		if (!fill_it)
			*stale = nonzero_bytes(p, len);
		fill(p, len, seed, 0);
		check(st, p, len, seed, 0);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return 0;
}

TEST_F_TIMEOUT(integrity, no_stale_data, CHURN_TIMEOUT_S)
{
	unsigned long pct = env_ulong("PR_INTEGRITY_NOSTALE_PCT", 60);
	unsigned long settle = env_ulong("PR_INTEGRITY_SETTLE_S", 30);
	size_t len = meminfo_kib("MemFree") / 100 * pct * 1024;
	uint64_t *stale;
	double t0;
	int err;

	len &= ~(HPAGE_SIZE - 1);
	ASSERT_LT(0UL, len) TH_LOG("no free memory to fill");
	stale = mmap(NULL, sizeof(*stale), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stale);
	*stale = 0;

	TH_LOG("filling %zu MiB (%lu %% of MemFree) and freeing it", len / MIB,
	       pct);
	ASSERT_EQ(0, nostale_child(self->st, len, true, stale));
	ASSERT_EQ(0ULL, self->st->mismatches);

	t0 = now_s();
	err = report_now();
	if (err == -ENOENT || err == -ENODEV) {
		TH_LOG("no report_now (%s): waiting %lu s for the reports",
		       strerror(-err), settle);
		sleep(settle);
	} else {
		ASSERT_EQ(0, err) TH_LOG("report_now: %s", strerror(-err));
	}
	TH_LOG("reported in %.1f s", now_s() - t0);
	assert_reported(_metadata, self, "nostale");

	ASSERT_EQ(0, nostale_child(self->st, len, false, stale));
	TH_LOG("nostale: %zu MiB allocated again, %llu nonzero bytes, %llu mismatches",
	       len / MIB, (unsigned long long)*stale,
	       (unsigned long long)self->st->mismatches);
	pr_value("nostale_mib", len / MIB);
	pr_value("nostale_bytes", *stale);
	EXPECT_EQ(0ULL, *stale);
	EXPECT_EQ(0ULL, self->st->mismatches);
	munmap(stale, sizeof(*stale));
}

TEST_HARNESS_MAIN
