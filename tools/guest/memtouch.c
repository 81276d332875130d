// SPDX-License-Identifier: GPL-2.0
/*
 * pr-memtouch - guest workload for the end-to-end runs.
 *
 *   pr-memtouch drain MIB        touch MIB of anonymous memory, then free it
 *   pr-memtouch fragment MIB KIB touch MIB, free every other KIB chunk, hold
 *   pr-memtouch churn MIB ROUNDS [PHASES]
 *                                map, touch and unmap MIB ROUNDS times
 *                                (page_fault1 style) and print the time taken;
 *                                with PHASES, do that PHASES times, each
 *                                started at another offset against the
 *                                kernel's timers, and print each time and
 *                                their median as churn_ms
 *   pr-memtouch zero MIB         map MIB and check that every byte of it reads
 *                                as zero before touching it (pages freed,
 *                                maybe reported and discarded, then reused)
 *   pr-memtouch burst MIB ROUNDS PAUSE_MS
 *                                bursty churn: ROUNDS times map MIB, touch it,
 *                                unmap it and pause PAUSE_MS; prints the median
 *                                time to touch as burst_ms and, where the
 *                                engine counts them, the MiB reported during
 *                                the first and the second half of the rounds
 *   pr-memtouch holes MIB SEED   touch MIB, free irregular holes (4 KiB to
 *                                1 MiB, chosen from SEED) that add up to about
 *                                half of it, hold the rest
 *
 * Each step prints a "@@PR <event>" marker on stdout (the serial console),
 * which the host runner timestamps against its RSS samples.  The pattern
 * written is checked before freeing, so a page the host dropped while still
 * in use would show up as a mismatch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void marker(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void marker(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("@@PR ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static unsigned long parse_ulong(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !v) {
		fprintf(stderr, "pr-memtouch: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* Write one word per page that names the page, then check it. */
static unsigned char *touch(size_t len, long page)
{
	unsigned char *p;
	size_t off;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		perror("pr-memtouch: mmap");
		exit(1);
	}
	for (off = 0; off < len; off += page)
		*(uint64_t *)(p + off) = (uint64_t)(uintptr_t)(p + off) ^ 0x5a5a5a5a5a5a5a5aull;
	for (off = 0; off < len; off += page) {
		if (*(uint64_t *)(p + off) != ((uint64_t)(uintptr_t)(p + off) ^ 0x5a5a5a5a5a5a5a5aull)) {
			marker("result fail reason=pattern-mismatch off=%zu", off);
			exit(1);
		}
	}
	return p;
}

/* Milliseconds taken by @rounds map-touch-unmap cycles of @len bytes. */
static long churn(size_t len, long page, unsigned long rounds)
{
	struct timespec t0, t1;
	unsigned long r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < rounds; r++)
		munmap(touch(len, page), len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

/* A vmstat counter, or -1 if the kernel has none of that name. */
static long vmstat(const char *name)
{
	char key[64];
	long v, found = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

#define MAX_PHASES	9

/*
 * On QEMU's instruction-counting clock one run is exactly repeatable, but
 * where it starts against the periodic timers (the tick, a worker that
 * re-arms) moves its time by a few milliseconds.  Phases started at
 * different offsets sample that, and their median does not depend on it.
 */
static int churn_phases(size_t len, long page, unsigned long mib,
			unsigned long rounds, unsigned long phases)
{
	long ms[MAX_PHASES];
	unsigned long i;

	if (phases > MAX_PHASES) {
		fprintf(stderr, "pr-memtouch: at most %d phases\n", MAX_PHASES);
		return 2;
	}
	marker("churn-begin mib=%lu rounds=%lu phases=%lu", mib, rounds, phases);
	for (i = 0; i < phases; i++) {
		if (i) {
			/* 1.137 s, 1.274 s, ...: no multiple of the tick or the delay. */
			struct timespec gap = { 1, 137000000L * i };

			while (gap.tv_nsec >= 1000000000L) {
				gap.tv_sec++;
				gap.tv_nsec -= 1000000000L;
			}
			nanosleep(&gap, NULL);
		}
		ms[i] = churn(len, page, rounds);
		if (phases > 1)
			marker("value name=churn_ms_%lu v=%ld", i + 1, ms[i]);
	}
	qsort(ms, phases, sizeof(ms[0]), cmp_long);
	marker("value name=churn_ms v=%ld", ms[phases / 2]);
	marker("churn-end");
	return 0;
}

#define MAX_ROUNDS	200

/*
 * Bursty churn: the round's memory is freed and the pause that follows is
 * longer than the engine's quiet time, so a naive engine reports it all and
 * the next round faults it back in from the host.  The time to touch is
 * what the guest's workload pays.
 */
static int burst(size_t len, long page, unsigned long mib, unsigned long rounds,
		 unsigned long pause_ms)
{
	struct timespec pause = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
	long ms[MAX_ROUNDS], reported[2] = { 0, 0 }, before, now;
	unsigned long r;

	if (rounds > MAX_ROUNDS) {
		fprintf(stderr, "pr-memtouch: at most %d rounds\n", MAX_ROUNDS);
		return 2;
	}
	marker("burst-begin mib=%lu rounds=%lu pause_ms=%lu", mib, rounds, pause_ms);
	before = vmstat("page_reporting_pages");
	for (r = 0; r < rounds; r++) {
		struct timespec t0, t1;
		unsigned char *p;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		p = touch(len, page);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		munmap(p, len);
		ms[r] = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		nanosleep(&pause, NULL);
		now = vmstat("page_reporting_pages");
		if (before >= 0 && now >= 0) {
			reported[2 * r >= rounds] += now - before;
			before = now;
		}
	}
	marker("burst-end");
	if (before >= 0) {
		long pages_per_mib = (1L << 20) / page;

		marker("value name=burst_reported_first_mib v=%ld", reported[0] / pages_per_mib);
		marker("value name=burst_reported_second_mib v=%ld", reported[1] / pages_per_mib);
	}
	qsort(ms, rounds, sizeof(ms[0]), cmp_long);
	marker("value name=burst_ms v=%ld", ms[rounds / 2]);
	return 0;
}

/*
 * Free irregular holes in @len bytes at @p: sizes from 4 KiB to 1 MiB in
 * page steps, each followed by as much kept, from a fixed seed so that the
 * base and our kernel see the same pattern.  Returns the bytes freed.
 */
static size_t holes(unsigned char *p, size_t len, long page, unsigned long seed)
{
	size_t off = 0, freed = 0;

	srandom(seed);
	while (off < len) {
		size_t hole = (size_t)(1 + random() % 256) * page;
		size_t keep = (size_t)(1 + random() % 256) * page;

		if (off + hole > len)
			hole = len - off;
		munmap(p + off, hole);
		freed += hole;
		off += hole + keep;
	}
	return freed;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long mib, kib;
	unsigned char *p;
	size_t len, chunk, off;

	if (argc < 3) {
		fprintf(stderr, "usage: pr-memtouch drain MIB | fragment MIB KIB | churn MIB ROUNDS [PHASES] | zero MIB | burst MIB ROUNDS PAUSE_MS | holes MIB SEED\n");
		return 2;
	}
	mib = parse_ulong(argv[2], "size in MiB");
	len = (size_t)mib << 20;

	if (!strcmp(argv[1], "drain")) {
		marker("touch-begin mib=%lu", mib);
		p = touch(len, page);
		marker("touched mib=%lu", mib);
		munmap(p, len);
		marker("freed mib=%lu", mib);
		return 0;
	}
	if (!strcmp(argv[1], "fragment") && argc == 4) {
		kib = parse_ulong(argv[3], "chunk size in KiB");
		chunk = (size_t)kib << 10;
		if (chunk % page || len % (2 * chunk)) {
			fprintf(stderr, "pr-memtouch: chunk must be page aligned and divide MIB/2\n");
			return 2;
		}
		marker("touch-begin mib=%lu", mib);
		p = touch(len, page);
		marker("touched mib=%lu", mib);
		for (off = 0; off < len; off += 2 * chunk)
			munmap(p + off, chunk);
		marker("freed mib=%lu chunk_kib=%lu", mib / 2, kib);
		/* Hold the other half until the host ends the run. */
		for (;;)
			pause();
	}
	if (!strcmp(argv[1], "burst") && argc == 5)
		return burst(len, page, mib, parse_ulong(argv[3], "round count"),
			     parse_ulong(argv[4], "pause in ms"));
	if (!strcmp(argv[1], "holes") && argc == 4) {
		unsigned long seed = parse_ulong(argv[3], "seed");

		marker("touch-begin mib=%lu", mib);
		p = touch(len, page);
		marker("touched mib=%lu", mib);
		marker("freed mib=%zu holes=irregular", holes(p, len, page, seed) >> 20);
		for (;;)
			pause();
	}
	if (!strcmp(argv[1], "churn") && (argc == 4 || argc == 5))
		return churn_phases(len, page, mib, parse_ulong(argv[3], "round count"),
				    argc == 5 ? parse_ulong(argv[4], "phase count") : 1);
	if (!strcmp(argv[1], "zero")) {
		const uint64_t *w;
		size_t i;

		marker("zero-begin mib=%lu", mib);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED) {
			perror("pr-memtouch: mmap");
			return 1;
		}
		w = (const uint64_t *)p;
		for (i = 0; i < len / sizeof(*w); i++) {
			if (w[i]) {
				marker("result fail reason=nonzero-memory off=%zu v=0x%llx",
				       i * sizeof(*w), (unsigned long long)w[i]);
				return 1;
			}
		}
		munmap(p, len);
		marker("zero-checked mib=%lu", mib);
		return 0;
	}
	fprintf(stderr, "pr-memtouch: unknown mode '%s'\n", argv[1]);
	return 2;
}
