// SPDX-License-Identifier: GPL-2.0
/*
 * page_reporting_engine - the free page reporting engine's interface, as
 * an admin sees it from inside a guest:
 *
 *   parameters_refuse_bad_values  every parameter refuses garbage, overflow
 *                                 and values out of its range with EINVAL and
 *                                 keeps its value; its largest value is taken
 *   report_now_refuses_zero       both report_now interfaces take only "1"
 *   report_now_parameter_returns  the module parameter queues a pass and
 *                                 returns (it runs under the global parameter
 *                                 lock)
 *   report_now_file_reports       /sys/kernel/mm/page_reporting/report_now
 *                                 waits for the pass: afterwards the zones
 *                                 hold reported memory and the counters moved
 *   counters_are_there            /proc/vmstat and /proc/zoneinfo show the
 *                                 engine's counters
 *
 * Tests that need a registered reporting device (a balloon with free page
 * reporting) skip without one, and all skip on a kernel without this
 * engine.  Figures are printed as "# @@PR value name=... v=..." lines,
 * which the project's host runner reads off the console.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#define PARAM_DIR	"/sys/module/page_reporting/parameters/"
#define REPORT_NOW	"/sys/kernel/mm/page_reporting/report_now"

/* Write @val to @path: 0 or -errno. */
static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The first line of @path in @buf, without its newline: 0 or -errno. */
static int read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* A /proc/vmstat counter, or -1 if the kernel has none of that name. */
static long vmstat_value(const char *name)
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

/* Sum of a per-zone /proc/zoneinfo field over all zones; -1 if absent. */
static long zoneinfo_sum(const char *field)
{
	char line[256], key[64];
	long v, sum = -1;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %63s %ld", key, &v) != 2)
			continue;
		key[strcspn(key, ":")] = '\0';
		if (!strcmp(key, field))
			sum = (sum < 0 ? 0 : sum) + v;
	}
	fclose(f);
	return sum;
}

/* The largest buddy order: /proc/buddyinfo has one column per order. */
static int max_page_order(void)
{
	char line[512];
	int n = 0, i;
	char *tok, *save;
	FILE *f = fopen("/proc/buddyinfo", "r");

	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	/* "Node 0, zone   Normal  n0 n1 ..." */
	for (i = 0, tok = strtok_r(line, " ,\n", &save); tok;
	     tok = strtok_r(NULL, " ,\n", &save), i++)
		if (i >= 4)
			n++;
	return n - 1;
}

static bool have_engine(void)
{
	return !access(REPORT_NOW, F_OK);
}

/* A reporting device is registered: report_now refuses with ENODEV otherwise. */
static bool have_device(void)
{
	return write_file(PARAM_DIR "report_now", "1") == 0;
}

struct param {
	const char *name;
	unsigned long max;	/* 0: MAX_PAGE_ORDER */
	bool zero_ok;
};

static const struct param params[] = {
	{ "page_reporting_order", 0, true },
	{ "page_reporting_delay_ms", 600000, true },
	{ "page_reporting_max_delay_ms", 600000, true },
	{ "page_reporting_reuse_window_ms", 600000, true },
	{ "page_reporting_idle_ms", 3600000, true },
	{ "page_reporting_fragments", 1, true },
	{ "page_reporting_batch", 32, false },
};

/* "\n", not "": sysfs drops an empty write before any parameter sees it. */
static const char * const garbage[] = {
	"\n", "garbage", "-1", "4x", "99999999999999999999",
};

TEST(parameters_refuse_bad_values)
{
	char path[256], old[64], now[64], num[32];
	unsigned int i, j;
	int max_order = max_page_order();

	if (!have_engine())
		SKIP(return, "not this engine: no %s", REPORT_NOW);
	ASSERT_GT(max_order, 0);
	for (i = 0; i < ARRAY_SIZE(params); i++) {
		unsigned long max = params[i].max ?: (unsigned long)max_order;

		snprintf(path, sizeof(path), PARAM_DIR "%s", params[i].name);
		ASSERT_EQ(0, read_file(path, old, sizeof(old)))
			TH_LOG("%s: %s", params[i].name, strerror(errno));

		for (j = 0; j < ARRAY_SIZE(garbage); j++) {
			EXPECT_EQ(-EINVAL, write_file(path, garbage[j]))
				TH_LOG("%s=\"%s\" was not refused", params[i].name, garbage[j]);
			ASSERT_EQ(0, read_file(path, now, sizeof(now)));
			EXPECT_STREQ(old, now)
				TH_LOG("%s changed after refusing \"%s\"",
				       params[i].name, garbage[j]);
		}
		/* Unset (-1, no device yet): setting it would settle it for good. */
		if (!strcmp(old, "-1"))
			continue;
		snprintf(num, sizeof(num), "%lu", max + 1);
		EXPECT_EQ(-EINVAL, write_file(path, num))
			TH_LOG("%s=%s, past its maximum, was not refused", params[i].name, num);
		if (!params[i].zero_ok)
			EXPECT_EQ(-EINVAL, write_file(path, "0"))
				TH_LOG("%s=0 was not refused", params[i].name);
		snprintf(num, sizeof(num), "%lu", max);
		EXPECT_EQ(0, write_file(path, num))
			TH_LOG("%s=%s, its maximum, was refused", params[i].name, num);
		ASSERT_EQ(0, read_file(path, now, sizeof(now)));
		EXPECT_STREQ(num, now);
		ASSERT_EQ(0, write_file(path, old));
	}
}

TEST(report_now_refuses_zero)
{
	if (!have_engine())
		SKIP(return, "not this engine: no %s", REPORT_NOW);
	EXPECT_EQ(-EINVAL, write_file(PARAM_DIR "report_now", "0"));
	EXPECT_EQ(-EINVAL, write_file(REPORT_NOW, "0"));
	EXPECT_EQ(-EINVAL, write_file(REPORT_NOW, "maybe"));
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

TEST(report_now_parameter_returns)
{
	struct timespec t0;
	double took;

	if (!have_engine())
		SKIP(return, "not this engine: no %s", REPORT_NOW);
	if (!have_device())
		SKIP(return, "no reporting device registered");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, write_file(PARAM_DIR "report_now", "1"));
	took = seconds_since(&t0);
	ksft_print_msg("@@PR value name=report_now_param_ms v=%.0f\n",
		       took * 1000);
	/* Generous: it only queues the pass. */
	EXPECT_LT(took, 5.0);
}

TEST(report_now_file_reports)
{
	long calls, pages, reported;

	if (!have_engine())
		SKIP(return, "not this engine: no %s", REPORT_NOW);
	if (!have_device())
		SKIP(return, "no reporting device registered");
	/* Something unreported for the pass to find: a buffer freed just now. */
	{
		size_t len = 64UL << 20;
		char *p = malloc(len);

		ASSERT_NE(NULL, p);
		memset(p, 0x5a, len);
		free(p);
	}
	calls = vmstat_value("page_reporting_calls");
	pages = vmstat_value("page_reporting_pages");
	ASSERT_EQ(0, write_file(REPORT_NOW, "1"));
	reported = zoneinfo_sum("reported");
	ksft_print_msg("@@PR value name=zoneinfo_reported v=%ld\n", reported);
	EXPECT_GT(vmstat_value("page_reporting_calls"), calls);
	EXPECT_GT(vmstat_value("page_reporting_pages"), pages);
	EXPECT_GT(reported, 0);
	EXPECT_EQ(0, vmstat_value("page_reporting_failed"));
}

TEST(counters_are_there)
{
	static const char * const counters[] = {
		"page_reporting_pages", "page_reporting_calls",
		"page_reporting_failed", "page_reporting_reused",
		"page_reporting_wasted", "page_reporting_passes",
		"page_reporting_latency_ms", "page_reporting_compactions",
		"page_reporting_leaked",
	};
	unsigned int i;

	if (!have_engine())
		SKIP(return, "not this engine: no %s", REPORT_NOW);
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		long v = vmstat_value(counters[i]);

		EXPECT_GE(v, 0) TH_LOG("/proc/vmstat has no %s", counters[i]);
		ksft_print_msg("@@PR value name=%s v=%ld\n", counters[i], v);
	}
	EXPECT_GE(zoneinfo_sum("reported"), 0);
	EXPECT_GE(zoneinfo_sum("reporting_wait_ms"), 0);
}

TEST_HARNESS_MAIN
