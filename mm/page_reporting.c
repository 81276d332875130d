// SPDX-License-Identifier: GPL-2.0
/*
 * Free page reporting: tell a device (a hypervisor's balloon, say) which
 * blocks of guest memory are free, so it can take their backing away.
 *
 * Marks.  A block is reported at most once while it stays free: PG_reported
 * marks it on the free list, and free_area->nr_reported counts the marked
 * blocks of each order, under zone->lock.  The buddy allocator drops the mark
 * when the block is allocated, merged or isolated; the parts of a reported
 * block that an allocation splits off stay marked, since the host has nothing
 * behind them either.
 *
 * Pacing.  Freeing a block of at least page_reporting_order stamps its zone
 * with the time and requests a pass; allocations from the buddy lists stamp
 * it too.  Blocks come in two tiers:
 *
 * - pageblocks and larger (ZONE_REPORTING_REQUESTED): reported once the zone
 *   has been quiet for its wait, or once the request is PAGE_REPORTING_MAX_WAIT
 *   waits old.  A burst of frees is reported as one pass shortly after it
 *   ends; a zone that never goes quiet is still served now and then.
 * - smaller blocks down to page_reporting_order (ZONE_REPORTING_IDLE): once
 *   the zone has been quiet, or steady (its free memory did not shrink by
 *   more than 1/64 of the zone), for page_reporting_idle_ms and at least its
 *   wait.  Reporting them one by one would split the host's huge pages under
 *   the memory the guest still uses, so a zone whose unreported free memory
 *   is mostly such fragments is compacted first and its new free pageblocks
 *   are reported whole.  What compaction cannot merge (unmovable pages in
 *   the way) is reported as it is, unless page_reporting_fragments is 0.
 *
 * A zone's wait starts at page_reporting_delay_ms and is learnt from what the
 * guest does with the memory a pass gave away.  A paced pass opens a window
 * of page_reporting_reuse_window_ms, which later passes join.  As soon as a
 * quarter of what the zone reported in the window is allocated again, the
 * reports were undone at the cost of faulting the memory back in, and the
 * zone waits twice as long from then on, up to page_reporting_max_delay_ms;
 * a window that ends with hardly any of it allocated (a sixteenth) halves
 * the wait.
 * So a workload that frees and reuses memory in bursts stops paying for
 * reports after a few rounds, while a guest that frees memory and goes idle
 * gets it back after the short delay.
 *
 * Passes.  A pass walks a zone's free lists from the highest order down, so
 * the device sees the largest blocks first.  It isolates up to a batch of
 * unmarked blocks under zone->lock, drops the lock for report(), and puts the
 * blocks back at the tail of their lists, marked.  No block on the way to the
 * device is on a free list, so nothing can allocate it before the device is
 * done with it.  A block is taken only while the zone keeps at least its low
 * watermark free without it.  The work under one hold of zone->lock is
 * bounded: a pass looks at no more than PAGE_REPORTING_SCAN list entries
 * before it drops the lock, takes unmarked blocks from both ends of a list,
 * where frees put them, and stops an order as soon as its counts say no
 * unmarked block is left.  Only when one is left elsewhere on a list does it
 * walk on, moving the marked blocks it passes behind the rest.
 *
 * A failed report() puts the device on probation: no paced pass for
 * PAGE_REPORTING_RETRY delays (a second at least), whatever the zones do
 * meanwhile.  A report-now request still runs at once.
 *
 * Locking.  page_reporting_mutex serializes register and unregister;
 * report-now requests are queued under page_reporting_flush_lock, so that
 * they never wait for an unregister that waits for the device.  The worker
 * never takes the mutex: unregister clears the device pointer and then
 * waits for the worker with cancel_delayed_work_sync(), and the
 * worker checks the pointer before every report(): once unregister has
 * cleared it, at most the report() that had passed that check is still to
 * come back, and unregister waits for it.  zone->lock covers the free lists, PG_reported,
 * the nr_reported counts and the zone's reporting stamps; the zone's tier
 * flags are atomic bits, set under it by the free path and cleared by the
 * worker.  The rest of a zone's reporting state is the worker's alone.
 */
#include <linux/export.h>
#include <linux/freezer.h>
#include <linux/gfp.h>
#include <linux/kobject.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/page-isolation.h>
#include <linux/page_reporting.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "page_reporting.h"

#define CREATE_TRACE_POINTS
#include <trace/events/page_reporting.h>

/* A request waits at most this many waits for its zone to go quiet. */
#define PAGE_REPORTING_MAX_WAIT		32

/* After a failed report(), wait this many delays before trying again. */
#define PAGE_REPORTING_RETRY		PAGE_REPORTING_MAX_WAIT

/*
 * List entries a pass looks at under one hold of zone->lock: twice a batch,
 * so that a batch fills in one hold unless marked blocks are in the way.
 */
#define PAGE_REPORTING_SCAN		(2 * PAGE_REPORTING_CAPACITY)

/* Rounds of unregister's clearing of marks before it gives up on one. */
#define PAGE_REPORTING_SWEEPS		8

/*
 * Compaction before the idle tier: at most once per this interval and zone,
 * and only for at least two pageblocks' worth of fragments.
 */
#define PAGE_REPORTING_COMPACT_INTERVAL	(30 * HZ)
#define PAGE_REPORTING_COMPACT_MIN	(2 * pageblock_nr_pages)

/* A zone's wait doubles at most this often, whatever the bounds. */
#define PAGE_REPORTING_MAX_LEVEL	20

#define PAGE_REPORTING_MAX_DELAY_MS	600000
#define PAGE_REPORTING_MAX_IDLE_MS	3600000

/*
 * An unsigned parameter and its bounds.  The value is parsed as unsigned:
 * anything outside [min, max], overflow and garbage included, is -EINVAL
 * and leaves the old value.  It reads back signed, so that an unset
 * page_reporting_order shows as -1; every other value fits in an int.
 */
struct page_reporting_param {
	unsigned int *value;
	unsigned int min;
	unsigned int max;
};

static int page_reporting_param_set(const char *val,
				    const struct kernel_param *kp)
{
	const struct page_reporting_param *p = kp->arg;
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < p->min || v > p->max)
		return -EINVAL;
	WRITE_ONCE(*p->value, v);
	return 0;
}

static int page_reporting_param_get(char *buffer,
				    const struct kernel_param *kp)
{
	const struct page_reporting_param *p = kp->arg;

	return sysfs_emit(buffer, "%d\n", (int)READ_ONCE(*p->value));
}

static const struct kernel_param_ops page_reporting_param_ops = {
	.set = page_reporting_param_set,
	.get = page_reporting_param_get,
};

/* A read-write parameter @name, taking values from @lo to @hi. */
#define PAGE_REPORTING_PARAM(name, lo, hi)				\
	static struct page_reporting_param name##_param = {		\
		.value = &(name), .min = (lo), .max = (hi),		\
	};								\
	module_param_cb(name, &page_reporting_param_ops, &name##_param, 0644)

/*
 * Smallest order reported.  -1 (as read back) until a device registers;
 * then the parameter if an admin set it, else the device's wish, else 0 for
 * a device that takes single pages, else pageblock_order.  hv_balloon
 * reads it, hence the export.
 */
unsigned int page_reporting_order = -1;
EXPORT_SYMBOL_GPL(page_reporting_order);
PAGE_REPORTING_PARAM(page_reporting_order, 0, MAX_PAGE_ORDER);
MODULE_PARM_DESC(page_reporting_order,
		 "Smallest block order reported (0.." __stringify(MAX_PAGE_ORDER) ")");

static unsigned int page_reporting_delay_ms = 250;
PAGE_REPORTING_PARAM(page_reporting_delay_ms, 0, PAGE_REPORTING_MAX_DELAY_MS);
MODULE_PARM_DESC(page_reporting_delay_ms,
		 "Quiet time in ms before a zone's free pageblocks are reported, while the zone does not reuse what it reported (0.."
		 __stringify(PAGE_REPORTING_MAX_DELAY_MS) ", default 250)");

static unsigned int page_reporting_max_delay_ms = 30000;
PAGE_REPORTING_PARAM(page_reporting_max_delay_ms, 0, PAGE_REPORTING_MAX_DELAY_MS);
MODULE_PARM_DESC(page_reporting_max_delay_ms,
		 "Longest quiet time in ms a zone that reuses what it reported is made to wait (0.."
		 __stringify(PAGE_REPORTING_MAX_DELAY_MS) ", default 30000)");

static unsigned int page_reporting_reuse_window_ms = 5000;
PAGE_REPORTING_PARAM(page_reporting_reuse_window_ms, 0, PAGE_REPORTING_MAX_DELAY_MS);
MODULE_PARM_DESC(page_reporting_reuse_window_ms,
		 "Reported memory allocated again within this many ms counts as reuse; 0 never lengthens the wait (0.."
		 __stringify(PAGE_REPORTING_MAX_DELAY_MS) ", default 5000)");

static unsigned int page_reporting_idle_ms = 5000;
PAGE_REPORTING_PARAM(page_reporting_idle_ms, 0, PAGE_REPORTING_MAX_IDLE_MS);
MODULE_PARM_DESC(page_reporting_idle_ms,
		 "Quiet time in ms before blocks below pageblock order are compacted or reported (0.."
		 __stringify(PAGE_REPORTING_MAX_IDLE_MS) ", default 5000)");

static unsigned int page_reporting_fragments = 1;
PAGE_REPORTING_PARAM(page_reporting_fragments, 0, 1);
MODULE_PARM_DESC(page_reporting_fragments,
		 "Report blocks below pageblock order that compaction could not merge (0 or 1, default 1)");

static unsigned int page_reporting_batch = PAGE_REPORTING_CAPACITY;
PAGE_REPORTING_PARAM(page_reporting_batch, 1, PAGE_REPORTING_CAPACITY);
MODULE_PARM_DESC(page_reporting_batch,
		 "Most blocks per report() call (1.."
		 __stringify(PAGE_REPORTING_CAPACITY) ", default "
		 __stringify(PAGE_REPORTING_CAPACITY) ")");

static int page_reporting_queue_flush(unsigned long *seq);

/*
 * Runs under the global kernel_param_lock for built-in code, so it only
 * queues the pass; /sys/kernel/mm/page_reporting/report_now waits for it.
 */
static int page_reporting_report_now_set(const char *val,
					 const struct kernel_param *kp)
{
	unsigned long seq;
	bool now;

	if (kstrtobool(val, &now) || !now)
		return -EINVAL;
	return page_reporting_queue_flush(&seq);
}

static const struct kernel_param_ops page_reporting_report_now_ops = {
	.set = page_reporting_report_now_set,
};

module_param_cb(report_now, &page_reporting_report_now_ops, NULL, 0200);
MODULE_PARM_DESC(report_now,
		 "Write 1 to start reporting all free memory now, without waiting for it");

DEFINE_STATIC_KEY_FALSE(page_reporting_enabled);

static DEFINE_MUTEX(page_reporting_mutex);

/*
 * The registered device.  Written under page_reporting_mutex, with release
 * semantics so that the worker, which loads it with acquire, also sees
 * page_reporting_sgl as it was set up for this device.
 */
static struct page_reporting_dev_info *page_reporting_dev;
/* Owned by the registered device's worker; allocated at register. */
static struct scatterlist *page_reporting_sgl;
/* Set by register: the next pass ignores pacing and covers every zone. */
static bool page_reporting_force;

/*
 * Report-now requests.  page_reporting_queue_flush() bumps flush_req under
 * page_reporting_flush_lock, never the mutex, which unregister holds while
 * it waits for the device; the worker runs a forced pass and then publishes
 * the request it served in flush_done, with the pass's result in flush_err.
 */
static DEFINE_SPINLOCK(page_reporting_flush_lock);
static unsigned long page_reporting_flush_req;
static unsigned long page_reporting_flush_done;
static int page_reporting_flush_err;
static DECLARE_WAIT_QUEUE_HEAD(page_reporting_flush_wq);

/*
 * After a failed report(): no paced pass before retry_at.  Only the worker
 * (and register, before any worker can run) touches these, so the hot paths
 * stamping zones cannot undo the back-off.
 */
static bool page_reporting_backoff;
static unsigned long page_reporting_retry_at;

/**
 * struct page_reporting_zone - what the worker keeps of a zone
 * @idle_free: free pages at the worker's first look at the idle tier, 0 if
 *	it is not watching
 * @idle_at: when it took that look
 * @level: the zone waits page_reporting_delay_ms << @level; read locklessly
 *	by the free path when it arms the worker
 * @window_end: end of the open reuse window, 0 if none is open
 * @window_reported: pages reported by the passes of the open window
 * @window_reused: zone->reporting_reused when the window opened, less what
 *	the engine's own compaction took
 * @compacted_at: when the engine last compacted the zone, 0 if never
 * @stuck: fragments its last compaction left, if it left most of them;
 *	0 if it helped
 *
 * Allocated at the first register for every possible node and zone, and
 * never freed: the free path may look at it as long as reporting is on.
 */
struct page_reporting_zone {
	unsigned long idle_free;
	unsigned long idle_at;
	unsigned int level;
	unsigned long window_end;
	unsigned long window_reported;
	unsigned long window_reused;
	unsigned long compacted_at;
	unsigned long stuck;
};

static struct page_reporting_zone *page_reporting_zones;

static struct page_reporting_zone *page_reporting_zone_of(struct zone *zone)
{
	return &page_reporting_zones[zone_to_nid(zone) * MAX_NR_ZONES +
				     zone_idx(zone)];
}

#ifdef CONFIG_PAGE_REPORTING_KUNIT_TEST
/* Most list entries looked at under one hold of zone->lock. */
static unsigned int page_reporting_kunit_scan_max;
/* Called by unregister between lists, with no lock held. */
static void (*page_reporting_kunit_between_lists)(struct zone *zone,
						  unsigned int order, int mt);
/* Pages a pass may report instead of the zone's free pages, if set. */
static unsigned long page_reporting_kunit_budget;
#endif

static void page_reporting_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(page_reporting_work, page_reporting_work_fn);
/*
 * Freezable, so that no pass is in flight while the system is frozen, and
 * unbound: a pass that compacts a zone may run for a while.  Allocated at
 * the first register.
 */
static struct workqueue_struct *page_reporting_wq;

static unsigned long page_reporting_delay(void)
{
	return msecs_to_jiffies(READ_ONCE(page_reporting_delay_ms));
}

static unsigned long page_reporting_idle(void)
{
	return msecs_to_jiffies(READ_ONCE(page_reporting_idle_ms));
}

/* How long a failing device is left alone; at least a second. */
static unsigned long page_reporting_retry_interval(void)
{
	return max_t(unsigned long, page_reporting_delay() * PAGE_REPORTING_RETRY,
		     HZ);
}

/* The longest a zone is made to wait, never shorter than the delay. */
static unsigned long page_reporting_max_wait(void)
{
	return max(msecs_to_jiffies(READ_ONCE(page_reporting_max_delay_ms)),
		   page_reporting_delay());
}

/* The wait of a zone at @level: the delay doubled @level times, capped. */
static unsigned long page_reporting_wait_at(unsigned int level)
{
	unsigned long delay = page_reporting_delay();
	unsigned long cap = page_reporting_max_wait();

	if (delay && level >= ilog2(cap / delay) + 1)
		return cap;
	return min(delay << level, cap);
}

/* How long @zone must be quiet before its pageblocks are reported. */
static unsigned long page_reporting_zone_wait(struct zone *zone)
{
	return page_reporting_wait_at(READ_ONCE(page_reporting_zone_of(zone)->level));
}

/* The same for its smaller blocks: the idle time, and never less. */
static unsigned long page_reporting_idle_wait(struct zone *zone)
{
	return max(page_reporting_idle(), page_reporting_zone_wait(zone));
}

/**
 * page_reporting_wait_ms - how long a zone must now be quiet
 * @zone: the zone
 *
 * Shown in /proc/zoneinfo, so an admin can see what the engine has learnt.
 *
 * Return: the quiet time in ms before the zone's free pageblocks are
 * reported, or 0 while no device has ever registered.
 */
unsigned int page_reporting_wait_ms(struct zone *zone)
{
	if (!static_key_enabled(&page_reporting_enabled))
		return 0;
	return jiffies_to_msecs(page_reporting_zone_wait(zone));
}

/* Smallest order of the first tier, reported after the short delay. */
static unsigned int page_reporting_eager_order(void)
{
	return max_t(unsigned int, READ_ONCE(page_reporting_order),
		     pageblock_order);
}

/*
 * Make the worker run within @delay.  A timer already pending for later
 * (say, the idle tier's) is pulled in; a sooner one, or work already queued,
 * is left alone.
 */
static void page_reporting_schedule(unsigned long delay)
{
	struct delayed_work *dwork = &page_reporting_work;

	if (queue_delayed_work(page_reporting_wq, dwork, delay))
		return;
	/* Racing with the timer is harmless: at worst the run moves by @delay. */
	if (timer_pending(&dwork->timer) &&
	    time_after(READ_ONCE(dwork->timer.expires), jiffies + delay))
		mod_delayed_work(page_reporting_wq, dwork, delay);
}

/*
 * Request the tier of a free block of @order in @zone, whose lock the
 * caller holds, and arm the worker for it.  The worker is only ever armed
 * through a timer from here, never woken directly under zone->lock.
 */
static void page_reporting_request(struct zone *zone, unsigned int order)
{
	lockdep_assert_held(&zone->lock);

	if (order < page_reporting_eager_order()) {
		if (test_bit(ZONE_REPORTING_IDLE, &zone->flags))
			return;
		WRITE_ONCE(zone->reporting_idle_since, jiffies);
		set_bit(ZONE_REPORTING_IDLE, &zone->flags);
		if (READ_ONCE(page_reporting_dev))
			page_reporting_schedule(max(page_reporting_idle_wait(zone), 1UL));
		return;
	}

	if (test_bit(ZONE_REPORTING_REQUESTED, &zone->flags))
		return;
	WRITE_ONCE(zone->reporting_since, jiffies);
	set_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
	if (READ_ONCE(page_reporting_dev))
		page_reporting_schedule(max(page_reporting_zone_wait(zone), 1UL));
}

/*
 * Called with zone->lock held when a free block of @order, at least
 * page_reporting_order, joins a free list.
 */
void __page_reporting_notify(struct zone *zone, unsigned int order)
{
	page_reporting_stamp(zone);
	page_reporting_request(zone, order);
}

/* Unmarked blocks of @area, that is, on its lists or isolated pageblocks. */
static unsigned long page_reporting_unmarked(struct free_area *area)
{
	return area->nr_free - area->nr_reported;
}

/* Are pageblocks of @zone isolated (offlining, contiguous allocations)? */
static bool page_reporting_isolating(struct zone *zone)
{
#ifdef CONFIG_MEMORY_ISOLATION
	/* A hint for how far to walk; the lists decide under the lock. */
	return data_race(zone->nr_isolate_pageblock);
#else
	return false;
#endif
}

/*
 * May @zone lend a block of @order to the device?  Only if it keeps its low
 * watermark free without it: the rule scales with what is taken, so large
 * blocks and large pageblocks (512 MiB with 64 KiB pages) go as readily as
 * small ones.  Blocks already taken for the batch count as taken.
 */
static bool page_reporting_can_lend(struct zone *zone, unsigned int order)
{
	return zone_watermark_ok(zone, 0,
				 low_wmark_pages(zone) + (1UL << order), 0,
				 ALLOC_CMA);
}

/*
 * Take up to @max - *@n unmarked blocks of @order off @list into @sgl,
 * looking at no more than PAGE_REPORTING_SCAN entries, and those only while
 * *@left, the entries this pass may still look at on @list, lasts.  Frees
 * put blocks at either end of a list and the engine puts marked ones back at
 * the tail, so unmarked blocks are taken from both ends first.  With
 * @rotate, a marked block at the head is moved behind the others and the walk
 * goes on, until *@first, the first block it moved, comes round again;
 * without, it ends there.
 *
 * Returns 1 if the batch filled up or the entries to look at under this
 * hold ran out (call again), 0 if @list has no candidate left, -ENOSPC if
 * the zone cannot lend a block of @order.
 */
static int page_reporting_fill(struct zone *zone, unsigned int order,
			       struct list_head *list, struct scatterlist *sgl,
			       unsigned int *n, unsigned int max,
			       unsigned long *left, bool rotate,
			       struct page **first)
{
	struct free_area *area = &zone->free_area[order];
	unsigned int scanned = 0;
	int ret = 1;

	lockdep_assert_held(&zone->lock);

	while (*n < max) {
		struct page *page;

		if (!page_reporting_unmarked(area) || !*left ||
		    list_empty(list)) {
			ret = 0;
			break;
		}
		if (scanned == PAGE_REPORTING_SCAN)
			break;
		scanned++;
		(*left)--;

		page = list_last_entry(list, struct page, buddy_list);
		if (PageReported(page)) {
			page = list_first_entry(list, struct page, buddy_list);
			if (PageReported(page)) {
				if (!rotate || page == *first) {
					ret = 0;
					break;
				}
				*first = *first ?: page;
				list_move_tail(&page->buddy_list, list);
				continue;
			}
		}
		if (!page_reporting_can_lend(zone, order) ||
		    !__isolate_free_page(page, order)) {
			ret = -ENOSPC;
			break;
		}
		sg_set_page(&sgl[(*n)++], page, PAGE_SIZE << order, 0);
	}
#ifdef CONFIG_PAGE_REPORTING_KUNIT_TEST
	page_reporting_kunit_scan_max = max(page_reporting_kunit_scan_max,
					    scanned);
#endif
	return ret;
}

/* The order of the free block that @page, of @order, has merged into. */
static unsigned int page_reporting_merged_order(struct page *page,
						unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	for (; order < NR_PAGE_ORDERS; order++) {
		struct page *head = pfn_to_page(pfn & ~((1UL << order) - 1));

		if (PageBuddy(head) && buddy_order(head) >= order)
			return buddy_order(head);
	}
	return MAX_PAGE_ORDER;
}

/*
 * Give the blocks in @sgl back to the buddy allocator.  They go to the tail
 * of their lists, so allocations keep preferring memory that is still
 * backed.  A block that merged with a buddy freed meanwhile is part of a new,
 * larger block that has not been reported: request its tier, without
 * stamping the zone, since no one allocated or freed anything.  Blocks whose
 * pageblock was isolated meanwhile stay unmarked, like everything there.
 */
static void page_reporting_putback(struct zone *zone, struct scatterlist *sgl,
				   unsigned int n, bool reported)
{
	struct scatterlist *sg;
	unsigned int i;

	lockdep_assert_held(&zone->lock);

	for_each_sg(sgl, sg, n, i) {
		struct page *page = sg_page(sg);
		unsigned int order = get_order(sg->length);
		int mt = get_pageblock_migratetype(page);

		__putback_isolated_page(page, order, mt);
		if (!reported || is_migrate_isolate(mt))
			continue;
		if (PageBuddy(page) && buddy_order(page) == order)
			page_reporting_set_mark(zone, page, order);
		else
			page_reporting_request(zone,
					       page_reporting_merged_order(page, order));
	}
}

/*
 * The device may still write to the blocks of @sgl: they must never be
 * reused.  Each becomes an allocation nobody frees, of reserved pages:
 * has_unmovable_pages() refuses reserved pages even in ZONE_MOVABLE, so
 * offlining and contiguous allocations fail at once on its pageblocks
 * instead of waiting forever for it to be migrated or freed.  It leaves
 * the managed memory.
 */
static void page_reporting_leak(struct scatterlist *sgl, unsigned int n,
				unsigned long pages)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(sgl, sg, n, i) {
		struct page *page = sg_page(sg);
		unsigned long nr = sg->length >> PAGE_SHIFT, j;

		set_page_refcounted(page);
		for (j = 0; j < nr; j++)
			__SetPageReserved(nth_page(page, j));
		adjust_managed_page_count(page, -(long)nr);
	}
	count_vm_events(PGREPORT_LEAKED, pages);
	pr_err("%lu pages stay with a device that did not let go of them\n",
	       pages);
}

/*
 * Hand one batch to the device and take it back.  Once unregister has
 * begun, no report starts: the batch goes back unmarked and the pass ends
 * with -ENODEV.
 */
static int page_reporting_send(struct page_reporting_dev_info *prdev,
			       struct zone *zone, struct scatterlist *sgl,
			       unsigned int n)
{
	unsigned long pages = 0;
	struct scatterlist *sg;
	unsigned int i;
	int err;

	if (READ_ONCE(page_reporting_dev) != prdev) {
		err = -ENODEV;
		goto putback;
	}

	for_each_sg(sgl, sg, n, i)
		pages += sg->length >> PAGE_SHIFT;
	sg_mark_end(&sgl[n - 1]);

	err = prdev->report(prdev, sgl, n);

	/* The zone's wait is worked out only while the event is on. */
	if (trace_page_reporting_batch_enabled()) {
		unsigned int wait_ms =
			jiffies_to_msecs(page_reporting_zone_wait(zone));

		trace_page_reporting_batch(zone_to_nid(zone), zone->name,
					   get_order(sgl[0].length), n, err,
					   wait_ms);
	}
	count_vm_event(PGREPORT_CALLS);
	if (err)
		count_vm_event(PGREPORT_FAILED);
	else
		count_vm_events(PGREPORTED, pages);
	if (err == -ENOTRECOVERABLE) {
		page_reporting_leak(sgl, n, pages);
		goto out;
	}

putback:
	spin_lock_irq(&zone->lock);
	page_reporting_putback(zone, sgl, n, !err);
	spin_unlock_irq(&zone->lock);
out:
	sg_init_table(sgl, PAGE_REPORTING_CAPACITY);
	return err;
}

/**
 * struct page_reporting_pass - one pass over a zone
 * @prdev: the device
 * @zone: the zone
 * @sgl: the batch being filled
 * @n: blocks in @sgl
 * @max: blocks per batch
 * @budget: pages the pass may still report
 * @reported: pages it reported
 */
struct page_reporting_pass {
	struct page_reporting_dev_info *prdev;
	struct zone *zone;
	struct scatterlist *sgl;
	unsigned int n;
	unsigned int max;
	long budget;
	unsigned long reported;
};

/* Send the batch of @pass, if any, and charge it to the budget. */
static int page_reporting_flush_batch(struct page_reporting_pass *pass)
{
	unsigned long pages = 0;
	struct scatterlist *sg;
	unsigned int i;
	int err;

	if (!pass->n)
		return 0;
	for_each_sg(pass->sgl, sg, pass->n, i)
		pages += sg->length >> PAGE_SHIFT;
	err = page_reporting_send(pass->prdev, pass->zone, pass->sgl, pass->n);
	pass->n = 0;
	pass->budget -= pages;
	if (!err)
		pass->reported += pages;
	return err;
}

/*
 * Report the unmarked blocks of @list, of @order.  Returns 0 when the list
 * has none left, -ENOSPC when the zone cannot lend more blocks of @order,
 * or the error that ends the pass.
 */
static int page_reporting_list(struct page_reporting_pass *pass,
			       unsigned int order, struct list_head *list,
			       bool rotate)
{
	struct zone *zone = pass->zone;
	/* A bound on the walk, not a count: blocks come and go meanwhile. */
	unsigned long left = data_race(zone->free_area[order].nr_free);
	struct page *first = NULL;
	int ret, err;

	/* An unlocked peek is enough to skip empty lists. */
	while (!data_race(list_empty(list))) {
		spin_lock_irq(&zone->lock);
		ret = page_reporting_fill(zone, order, list, pass->sgl,
					  &pass->n, pass->max, &left, rotate,
					  &first);
		spin_unlock_irq(&zone->lock);

		if (pass->n == pass->max) {
			err = page_reporting_flush_batch(pass);
			if (err)
				return err;
			if (pass->budget <= 0)
				return -EAGAIN;
		}
		if (ret <= 0)
			return ret;
		cond_resched();
	}
	return 0;
}

/*
 * Report every unmarked block of the zone of @pass from @max_order down to
 * @min_order.  A zone too low on free memory for one order may still lend
 * smaller blocks, so -ENOSPC only ends that order.  A pass reports at most
 * its budget: under a steady stream of frees it returns -EAGAIN and leaves
 * the rest to the next pass.  Once the device is being unregistered it
 * returns -ENODEV before the next report().
 */
static int page_reporting_zone(struct page_reporting_pass *pass,
			       unsigned int min_order, unsigned int max_order)
{
	struct zone *zone = pass->zone;
	int order, mt, ret = 0;

	for (order = max_order; order >= (int)min_order; order--) {
		struct free_area *area = &zone->free_area[order];
		bool rotate = false;

		/*
		 * Both ends of every list first.  Only when unmarked blocks
		 * are left somewhere else on the lists, walk through them;
		 * blocks on isolated pageblocks are among the unmarked, and
		 * while any pageblock is isolated that count cannot tell.
		 */
		for (;;) {
			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				if (is_migrate_isolate(mt))
					continue;
				ret = page_reporting_list(pass, order,
							  &area->free_list[mt],
							  rotate);
				if (ret == -ENOSPC)
					break;
				if (ret)
					return ret;
			}
			if (ret == -ENOSPC || rotate ||
			    /* Unlocked: the next fill looks again under the lock. */
			    !data_race(page_reporting_unmarked(area)) ||
			    page_reporting_isolating(zone))
				break;
			rotate = true;
		}
		/* Send what this order collected before the next one. */
		ret = page_reporting_flush_batch(pass);
		if (ret)
			return ret;
	}
	return 0;
}

/* Is @due reached?  If not, lower *@next to when it will be. */
static bool page_reporting_due(unsigned long due, unsigned long now,
			       unsigned long *next)
{
	if (!time_before(now, due))
		return true;
	*next = min(*next, due - now);
	return false;
}

/* Is the first tier of @zone due: quiet for its wait, or waited long enough? */
static bool page_reporting_eager_due(struct zone *zone, unsigned long now,
				     unsigned long wait, unsigned long *next)
{
	unsigned long quiet = READ_ONCE(zone->reporting_stamp) + wait;
	unsigned long deadline = READ_ONCE(zone->reporting_since) +
				 wait * PAGE_REPORTING_MAX_WAIT;

	return page_reporting_due(time_before(quiet, deadline) ? quiet : deadline,
				  now, next);
}

/*
 * Is the second tier of @zone due: quiet for @wait, or steady for that long:
 * its free memory never shrank by more than 1/64 of the zone below what the
 * worker saw when it started watching?
 */
static bool page_reporting_idle_due(struct zone *zone,
				    struct page_reporting_zone *prz,
				    unsigned long now, unsigned long wait,
				    unsigned long *next)
{
	unsigned long free = zone_page_state(zone, NR_FREE_PAGES);
	unsigned long slack = zone_managed_pages(zone) / 64;

	if (page_reporting_due(READ_ONCE(zone->reporting_stamp) + wait, now,
			       next))
		return true;
	if (prz->idle_free && free + slack >= prz->idle_free)
		return page_reporting_due(prz->idle_at + wait, now, next);
	/* First look, or the zone is consuming memory: watch from now. */
	prz->idle_free = max(free, 1UL);
	prz->idle_at = now;
	*next = min(*next, max(wait, 1UL));
	return false;
}

/* A paced pass reported @pages of @zone: the window it opens judges it. */
static void page_reporting_open_window(struct zone *zone,
				       struct page_reporting_zone *prz,
				       unsigned long pages, unsigned long now,
				       unsigned long *next)
{
	unsigned long window =
		msecs_to_jiffies(READ_ONCE(page_reporting_reuse_window_ms));

	if (!window)
		return;
	/* Passes within an open window join it, but do not extend it. */
	if (!prz->window_end) {
		prz->window_reported = 0;
		prz->window_reused = READ_ONCE(zone->reporting_reused);
		prz->window_end = (now + window) ?: 1;
		*next = min(*next, window);
	}
	prz->window_reported += pages;
}

/*
 * Judge the window of @zone.  A zone that allocates a quarter of what it
 * reported waits twice as long from then on: the verdict need not wait for
 * the window to end, so a workload that reuses its memory round after round
 * stops paying for reports within a few rounds.  A window that ends with
 * hardly any of it allocated (a sixteenth) halves the wait.
 */
static void page_reporting_learn(struct zone *zone,
				 struct page_reporting_zone *prz,
				 unsigned long now, unsigned long *next)
{
	unsigned long reused;

	if (!prz->window_end)
		return;
	reused = min(READ_ONCE(zone->reporting_reused) - prz->window_reused,
		     prz->window_reported);
	if (reused * 4 >= prz->window_reported) {
		if (prz->level < PAGE_REPORTING_MAX_LEVEL &&
		    page_reporting_wait_at(prz->level) < page_reporting_max_wait())
			WRITE_ONCE(prz->level, prz->level + 1);
	} else if (!page_reporting_due(prz->window_end, now, next)) {
		return;
	} else if (reused * 16 < prz->window_reported && prz->level) {
		WRITE_ONCE(prz->level, prz->level - 1);
	}
	count_vm_events(PGREPORT_WASTED, reused);
	prz->window_end = 0;
}

/* Free memory of @zone in unmarked blocks below pageblock_order. */
static unsigned long page_reporting_fragments_of(struct zone *zone)
{
	unsigned long pages = 0;
	unsigned int order;

	for (order = 0; order < pageblock_order; order++) {
		struct free_area *area = &zone->free_area[order];
		/* An estimate for a heuristic: exact counts need zone->lock. */
		unsigned long nr_free = data_race(area->nr_free);
		/* The two may even be out of step: see the test below. */
		unsigned long nr_reported = data_race(area->nr_reported);

		if (nr_free > nr_reported)
			pages += (nr_free - nr_reported) << order;
	}
	return pages;
}

/*
 * Before the idle tier reports a zone's fragments one by one, compact the
 * zone if they are most of its unreported free memory, so that they come
 * back to the host as whole pageblocks.  Compaction sweeps the zone once; it
 * runs at most once per PAGE_REPORTING_COMPACT_INTERVAL, and not again after
 * it left most fragments as they were, until they have grown by half: those
 * are held apart by pages it cannot move.  Returns true if it ran.
 */
static bool page_reporting_compact(struct zone *zone,
				   struct page_reporting_zone *prz,
				   unsigned long now)
{
	unsigned long free, fragments, unreported, reused;

	if (!IS_ENABLED(CONFIG_COMPACTION))
		return false;
	fragments = page_reporting_fragments_of(zone);
	free = zone_page_state(zone, NR_FREE_PAGES);
	unreported = free - min(free, zone_reported_pages(zone));
	if (fragments < PAGE_REPORTING_COMPACT_MIN || fragments * 2 < unreported)
		return false;
	if (prz->compacted_at) {
		if (time_before(now, prz->compacted_at + PAGE_REPORTING_COMPACT_INTERVAL))
			return false;
		/* Forgotten once over, so that jiffies cannot wrap around it. */
		prz->compacted_at = 0;
	}
	if (prz->stuck && fragments < prz->stuck + prz->stuck / 2)
		return false;

	reused = READ_ONCE(zone->reporting_reused);
	compact_zone_for_reporting(zone);
	count_vm_event(PGREPORT_COMPACT);
	/* Reported blocks it took as targets are nobody's reuse. */
	prz->window_reused += READ_ONCE(zone->reporting_reused) - reused;
	prz->compacted_at = jiffies ?: 1;
	free = page_reporting_fragments_of(zone);
	prz->stuck = free * 4 > fragments * 3 ? free : 0;
	return true;
}

/*
 * Request again the tiers of @zone that an unfinished pass covered.  Their
 * requests keep their age: the rest is due as soon as the next run looks,
 * a wait from now (see the callers).
 */
static void page_reporting_request_again(struct zone *zone, bool hi, bool lo)
{
	if (hi)
		set_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
	if (lo)
		set_bit(ZONE_REPORTING_IDLE, &zone->flags);
}

/*
 * report() failed: the device is in trouble.  Leave it alone for a while,
 * then retry the tiers of @zone that the failed pass covered.
 */
static void page_reporting_retry_later(struct zone *zone, bool hi, bool lo)
{
	page_reporting_backoff = true;
	page_reporting_retry_at = jiffies + page_reporting_retry_interval();
	page_reporting_request_again(zone, hi, lo);
}

/* Has @zone seen no buddy allocation or reportable free for @wait? */
static bool page_reporting_quiet(struct zone *zone, unsigned long now,
				 unsigned long wait)
{
	return !time_before(now, READ_ONCE(zone->reporting_stamp) + wait);
}

/* Do the per-cpu lists hold pages of @zone that a drain would free? */
static bool page_reporting_pcp_pages(struct zone *zone)
{
	int cpu;

	for_each_online_cpu(cpu)
		/* Unlocked: a stale count only adds or saves one drain. */
		if (data_race(per_cpu_ptr(zone->per_cpu_pageset, cpu)->count))
			return true;
	return false;
}

/*
 * Serve what is due of @zone: both tiers with @force, else each tier once
 * its wait is over.  Lowers *@next to when the zone next needs the worker.
 */
static int page_reporting_serve(struct page_reporting_dev_info *prdev,
				struct zone *zone, struct scatterlist *sgl,
				bool force, unsigned long now,
				unsigned long *next)
{
	struct page_reporting_zone *prz = page_reporting_zone_of(zone);
	unsigned int eager = page_reporting_eager_order();
	unsigned int min_order = READ_ONCE(page_reporting_order);
	unsigned int max_order = MAX_PAGE_ORDER;
	bool hi = true, lo = min_order < eager, compacted = false;
	struct page_reporting_pass pass = {
		.prdev = prdev,
		.zone = zone,
		.sgl = sgl,
		.max = READ_ONCE(page_reporting_batch),
		.budget = zone_page_state(zone, NR_FREE_PAGES),
	};
	unsigned long wait, since;
	int err;

	/* Unregister waits for this pass: no drain, no compaction after it. */
	if (READ_ONCE(page_reporting_dev) != prdev)
		return -ENODEV;
	/* Unset while a device reports: a test, or a write that raced register. */
	if (min_order > MAX_PAGE_ORDER)
		return 0;
	page_reporting_learn(zone, prz, now, next);
	wait = page_reporting_zone_wait(zone);

	/* No small-block tier at this order: nothing to wait for. */
	if (!lo)
		clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
	if (!force) {
		hi = test_bit(ZONE_REPORTING_REQUESTED, &zone->flags) &&
		     page_reporting_eager_due(zone, now, wait, next);
		lo = lo && test_bit(ZONE_REPORTING_IDLE, &zone->flags) &&
		     page_reporting_idle_due(zone, prz, now,
					     page_reporting_idle_wait(zone), next);
		/* Its new free pageblocks go in this pass. */
		compacted = lo && page_reporting_compact(zone, prz, now);
		if (compacted)
			hi = true;
	} else {
		/* A snapshot needs everything reported, and only once. */
		pass.budget *= 2;
	}
#ifdef CONFIG_PAGE_REPORTING_KUNIT_TEST
	if (page_reporting_kunit_budget)
		pass.budget = page_reporting_kunit_budget;
#endif
	if (lo && !READ_ONCE(page_reporting_fragments)) {
		clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
		prz->idle_free = 0;
		lo = false;
	}
	if (!hi && !lo)
		return 0;
	since = hi ? READ_ONCE(zone->reporting_since) :
		     READ_ONCE(zone->reporting_idle_since);

	/*
	 * Pages parked on the per-cpu lists keep their buddies from merging
	 * into reportable blocks: after a large free, tens of pageblocks.
	 * In a quiet zone, handing them back costs little and completes those
	 * merges; a zone served because it is steady, or because its request
	 * is old, may be busy, and a drain would only have every CPU refill
	 * its lists.  Compaction has just freed the pages it moved away from,
	 * mostly onto this CPU's list, and stamped the zone while doing so:
	 * after compaction, drain whatever the stamp says.  The requests are
	 * cleared only after the drain, and pageblocks it completes join this
	 * pass: its frees are the pass's own and must not ask for another one.
	 */
	if ((force || compacted || page_reporting_quiet(zone, now, wait)) &&
	    page_reporting_pcp_pages(zone)) {
		bool requested = test_bit(ZONE_REPORTING_REQUESTED, &zone->flags);

		drain_all_pages(zone);
		if (!requested && test_bit(ZONE_REPORTING_REQUESTED, &zone->flags))
			hi = true;
	}
	if (hi)
		clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
	else
		max_order = eager - 1;
	if (lo) {
		clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
		prz->idle_free = 0;
	} else {
		min_order = eager;
	}

	err = page_reporting_zone(&pass, min_order, max_order);
	if (pass.reported && !force) {
		page_reporting_open_window(zone, prz, pass.reported, now, next);
		count_vm_event(PGREPORT_PASSES);
		count_vm_events(PGREPORT_LATENCY_MS, jiffies_to_msecs(jiffies - since));
	}
	if (err == -EAGAIN) {
		/* Out of budget: the rest after another wait. */
		page_reporting_request_again(zone, hi, lo);
		*next = min(*next, max(wait, 1UL));
	} else if (err && err != -ENODEV) {
		page_reporting_retry_later(zone, hi, lo);
		*next = min(*next, page_reporting_retry_interval());
	}
	return err;
}

/* The pass for report-now request @seq is over with @err. */
static void page_reporting_flush_complete(unsigned long seq, int err)
{
	WRITE_ONCE(page_reporting_flush_err, err);
	/* Pairs with page_reporting_flushed(): the waiter sees @err. */
	smp_store_release(&page_reporting_flush_done, seq);
	wake_up_all(&page_reporting_flush_wq);
}

static void page_reporting_work_fn(struct work_struct *work)
{
	struct page_reporting_dev_info *prdev;
	unsigned long seq = READ_ONCE(page_reporting_flush_req);
	unsigned long next = ULONG_MAX;
	unsigned long now = jiffies;
	struct scatterlist *sgl;
	struct zone *zone;
	bool force;
	int err = 0;

	/* Pairs with page_reporting_register(): the sgl is ready. */
	prdev = smp_load_acquire(&page_reporting_dev);
	if (!prdev)
		return;
	sgl = page_reporting_sgl;
	force = xchg(&page_reporting_force, false);
	force |= seq != page_reporting_flush_done;

	if (page_reporting_backoff && !force &&
	    time_before(now, page_reporting_retry_at)) {
		page_reporting_schedule(page_reporting_retry_at - now);
		return;
	}
	page_reporting_backoff = false;

	for_each_populated_zone(zone) {
		int ret = page_reporting_serve(prdev, zone, sgl, force, now,
					       &next);

		if (ret == -EAGAIN) {
			/* Tell report-now; paced passes just go on. */
			err = err ?: ret;
			continue;
		}
		if (ret) {
			err = ret;
			break;
		}
	}

	if (seq != page_reporting_flush_done)
		page_reporting_flush_complete(seq, err);
	if (next != ULONG_MAX)
		page_reporting_schedule(next);
}

/* Has the pass serving report-now request @seq finished? */
static bool page_reporting_flushed(unsigned long seq)
{
	/* Pairs with page_reporting_flush_complete(): the result is set. */
	return (long)(smp_load_acquire(&page_reporting_flush_done) - seq) >= 0;
}

/*
 * Queue a report-now request, numbered *@seq; 0 or -ENODEV.  A request
 * that sees the device just before unregister withdraws it is completed by
 * unregister, which looks at flush_req under the same lock afterwards.
 */
static int page_reporting_queue_flush(unsigned long *seq)
{
	int err = 0;

	spin_lock(&page_reporting_flush_lock);
	if (!READ_ONCE(page_reporting_dev)) {
		err = -ENODEV;
	} else {
		*seq = page_reporting_flush_req + 1;
		WRITE_ONCE(page_reporting_flush_req, *seq);
		mod_delayed_work(page_reporting_wq, &page_reporting_work, 0);
	}
	spin_unlock(&page_reporting_flush_lock);
	return err;
}

/**
 * page_reporting_flush - report all free memory now
 *
 * Runs a full pass over every zone, ignoring the quiet-time pacing, and
 * waits for it to finish: for use right before a snapshot or a migration.
 * The wait holds no lock, lets the system freeze, and ends on a signal,
 * so a device that stops answering holds up only its callers.
 *
 * Return: 0 once every free block the zones can lend has been reported;
 * -EAGAIN when frees went on so fast that the pass stopped with blocks left;
 * -ENODEV when no device is registered or it went away meanwhile; the error
 * of a failed report(); -ERESTARTSYS when a signal ended the wait (the pass
 * goes on).  When passes for later requests finish before the caller wakes,
 * it gets the result of the latest: a pass that also began after its
 * request.
 */
static int page_reporting_flush(void)
{
	unsigned long seq;
	int err;

	err = page_reporting_queue_flush(&seq);
	if (err)
		return err;

	/* Freezable: a caller waiting here must not hold up suspend. */
	if (wait_event_freezable(page_reporting_flush_wq,
				 page_reporting_flushed(seq)))
		return -ERESTARTSYS;
	return READ_ONCE(page_reporting_flush_err);
}

#ifdef CONFIG_SYSFS
/*
 * /sys/kernel/mm/page_reporting/report_now: unlike the module parameter,
 * which runs under the global parameter lock, a write here waits for the
 * pass and returns its result.
 */
static ssize_t report_now_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	bool now;
	int err;

	if (kstrtobool(buf, &now) || !now)
		return -EINVAL;
	err = page_reporting_flush();
	return err ? err : count;
}

static struct kobj_attribute page_reporting_report_now_attr =
	__ATTR_WO(report_now);

static struct attribute *page_reporting_attrs[] = {
	&page_reporting_report_now_attr.attr,
	NULL,
};

static const struct attribute_group page_reporting_attr_group = {
	.attrs = page_reporting_attrs,
};

static int __init page_reporting_sysfs_init(void)
{
	struct kobject *kobj;
	int err;

	kobj = kobject_create_and_add("page_reporting", mm_kobj);
	if (!kobj)
		return -ENOMEM;
	err = sysfs_create_group(kobj, &page_reporting_attr_group);
	if (err)
		kobject_put(kobj);
	return err;
}
subsys_initcall(page_reporting_sysfs_init);
#endif /* CONFIG_SYSFS */

/*
 * Drop the marks of @list, of @order, looking at no more than
 * PAGE_REPORTING_SCAN entries per hold of zone->lock.  Marked blocks sit at
 * the tail, where the engine puts them back, so the walk starts there.
 * Every entry looked at goes to the head, and the walk ends when the first
 * one it moved comes round again: a walk that drops the lock goes on where
 * it stopped, and no list is walked more than once.
 */
static void page_reporting_forget_list(struct zone *zone, unsigned int order,
				       struct list_head *list)
{
	struct free_area *area = &zone->free_area[order];
	/* An unlocked bound on the walk: entries come and go meanwhile. */
	unsigned long left = data_race(area->nr_free);
	struct page *first = NULL;
	bool done = false;

	while (!done) {
		unsigned int scanned;

		spin_lock_irq(&zone->lock);
		for (scanned = 0; scanned < PAGE_REPORTING_SCAN; scanned++) {
			struct page *page;

			if (!left || !area->nr_reported || list_empty(list)) {
				done = true;
				break;
			}
			page = list_last_entry(list, struct page, buddy_list);
			if (page == first) {
				done = true;
				break;
			}
			if (PageReported(page))
				page_reporting_clear_mark(zone, page, order);
			list_move(&page->buddy_list, list);
			first = first ?: page;
			left--;
		}
		spin_unlock_irq(&zone->lock);
		cond_resched();
	}
}

/*
 * Drop every PG_reported mark: they record what the previous device was
 * told, and the next one has been told nothing.  No worker runs, but the
 * allocator goes on meanwhile: a marked block may move to a list of its
 * order already walked, so an order's lists are walked again until its
 * count says no mark is left; and splitting a marked block marks its parts
 * at lower orders, so the orders are walked from the top down, never
 * returning to one that was cleared.
 */
static void page_reporting_forget_all(void)
{
	struct zone *zone;

	for_each_populated_zone(zone) {
		struct page_reporting_zone *prz = page_reporting_zone_of(zone);
		unsigned int sweeps;
		int order, mt;

		for (order = MAX_PAGE_ORDER; order >= 0; order--) {
			struct free_area *area = &zone->free_area[order];

			/* Unlocked: marks only go away meanwhile, or move in the order. */
			for (sweeps = 0; data_race(area->nr_reported); sweeps++) {
				/*
				 * Churn kept moving marks back in: leave
				 * them.  The count stays exact; the next
				 * device is told of those blocks once they
				 * merge or split.
				 */
				if (sweeps == PAGE_REPORTING_SWEEPS)
					break;
				for (mt = 0; mt < MIGRATE_TYPES; mt++) {
					page_reporting_forget_list(zone, order,
								   &area->free_list[mt]);
#ifdef CONFIG_PAGE_REPORTING_KUNIT_TEST
					if (page_reporting_kunit_between_lists)
						page_reporting_kunit_between_lists(zone,
										   order, mt);
#endif
				}
			}
		}
		clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
		clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
		/* The next device starts from what it is told, not from this. */
		WRITE_ONCE(prz->level, 0);
		prz->window_end = 0;
		prz->idle_free = 0;
		prz->compacted_at = 0;
		prz->stuck = 0;
	}
}

/**
 * page_reporting_register - start reporting free pages to a device
 * @prdev: the device; report must be set
 *
 * Only one device reports at a time.  All memory already free is reported
 * after the first delay.
 *
 * Return: 0, -EBUSY if another device is registered, -ENOMEM.
 */
int page_reporting_register(struct page_reporting_dev_info *prdev)
{
	struct scatterlist *sgl;
	int err = 0;

	mutex_lock(&page_reporting_mutex);
	if (page_reporting_dev) {
		err = -EBUSY;
		goto out;
	}

	if (!page_reporting_wq) {
		page_reporting_wq = alloc_workqueue("page_reporting",
						    WQ_UNBOUND | WQ_FREEZABLE, 0);
		if (!page_reporting_wq) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (!page_reporting_zones) {
		page_reporting_zones = kcalloc(nr_node_ids * MAX_NR_ZONES,
					       sizeof(*page_reporting_zones),
					       GFP_KERNEL);
		if (!page_reporting_zones) {
			err = -ENOMEM;
			goto out;
		}
	}
	sgl = kmalloc_array(PAGE_REPORTING_CAPACITY, sizeof(*sgl), GFP_KERNEL);
	if (!sgl) {
		err = -ENOMEM;
		goto out;
	}
	sg_init_table(sgl, PAGE_REPORTING_CAPACITY);
	page_reporting_sgl = sgl;

	/* An admin may be setting it meanwhile: the parameter has no lock. */
	if (READ_ONCE(page_reporting_order) == -1) {
		unsigned int order = pageblock_order;

		if (prdev->order && prdev->order <= MAX_PAGE_ORDER)
			order = prdev->order;
		else if (prdev->flags & PAGE_REPORTING_F_SINGLE_PAGES)
			order = 0;
		cmpxchg(&page_reporting_order, -1, order);
	}

	page_reporting_backoff = false;
	WRITE_ONCE(page_reporting_force, true);
	/* Pairs with the acquire in the worker: it sees the sgl above. */
	smp_store_release(&page_reporting_dev, prdev);
	if (!static_key_enabled(&page_reporting_enabled)) {
		static_branch_enable(&page_reporting_enabled);
		pr_info("Free page reporting enabled (order %u)\n",
			page_reporting_order);
	}
	page_reporting_schedule(page_reporting_delay());
out:
	mutex_unlock(&page_reporting_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(page_reporting_register);

/**
 * page_reporting_unregister - stop reporting to a device
 * @prdev: the device passed to page_reporting_register()
 *
 * Waits for a pass in progress, so when this returns the device holds no
 * page and report() will not be called again; once this has begun, no new
 * report() starts.  The marks of what the device was told are dropped, so a
 * device registered later is told everything.
 */
void page_reporting_unregister(struct page_reporting_dev_info *prdev)
{
	mutex_lock(&page_reporting_mutex);
	if (page_reporting_dev == prdev) {
		WRITE_ONCE(page_reporting_dev, NULL);
		cancel_delayed_work_sync(&page_reporting_work);
		kfree(page_reporting_sgl);
		page_reporting_sgl = NULL;
		page_reporting_forget_all();
		/* Report-now callers still waiting will get no pass. */
		spin_lock(&page_reporting_flush_lock);
		if (page_reporting_flush_done != page_reporting_flush_req)
			page_reporting_flush_complete(page_reporting_flush_req,
						      -ENODEV);
		spin_unlock(&page_reporting_flush_lock);
	}
	mutex_unlock(&page_reporting_mutex);
}
EXPORT_SYMBOL_GPL(page_reporting_unregister);

#ifdef CONFIG_PAGE_REPORTING_KUNIT_TEST
#include "page_reporting_kunit.c"
#endif
