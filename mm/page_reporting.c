// SPDX-License-Identifier: GPL-2.0
/*
 * Free page reporting: tell a device (a hypervisor's balloon, say) which
 * blocks of guest memory are free, so it can take their backing away.
 *
 * A block is reported at most once while it stays free: PG_reported marks
 * it on the free list, and the buddy allocator drops the mark when the block
 * is allocated, merged or isolated.  zone->reported_pages counts the marked
 * pages of a zone, under zone->lock.
 *
 * Pacing.  Freeing a block of at least page_reporting_order stamps its zone
 * with the time and requests a pass; allocations from the buddy lists stamp
 * it too.  Blocks come in two tiers:
 *
 * - pageblocks and larger (ZONE_REPORTING_REQUESTED): reported once the zone
 *   has been quiet for page_reporting_delay_ms, or once the request is
 *   PAGE_REPORTING_MAX_WAIT delays old, whichever comes first.  A burst of
 *   frees is reported as one pass shortly after it ends, while a workload
 *   that keeps allocating and freeing is left alone instead of having its
 *   memory taken away and faulted back in on every cycle.
 * - smaller blocks down to page_reporting_order (ZONE_REPORTING_IDLE): once
 *   the zone has been quiet for page_reporting_idle_ms, or has been steady
 *   for that long: its free memory did not shrink by more than 1/64 of the
 *   zone.  A guest's background activity rarely leaves a zone quiet for
 *   seconds, but only net allocation makes reporting a waste.  Small blocks
 *   are what a fragmented but idle guest has to give back, and what a busy
 *   one would take back soonest; reporting them splits the host's huge
 *   pages.
 *
 * A pass walks a zone's free lists from the highest order down, so the
 * device sees the largest blocks first, isolates up to a batch of
 * unreported blocks under zone->lock, drops the lock for report(), and puts
 * the blocks back at the tail of their lists marked reported.  No block on
 * the way to the device is on a free list, so nothing can allocate it before
 * the device is done with it.  The zone's free memory never drops below its
 * low watermark plus one batch because of reporting.
 *
 * A failed report() puts the device on probation: no paced pass for
 * PAGE_REPORTING_RETRY delays (a second at least), whatever the zones do
 * meanwhile.  A report-now request still runs at once.
 *
 * Locking.  page_reporting_mutex serializes register, unregister and the
 * queueing of report-now requests; nobody holds it while waiting for a
 * pass.  The worker never takes it: unregister clears the device pointer
 * and then waits for the worker with cancel_delayed_work_sync(), so a
 * running pass always sees a live device.  zone->lock covers the free
 * lists, PG_reported and zone->reported_pages; the zone's tier flags are
 * atomic bits, set under it by the free path and cleared by the worker.
 */
#include <linux/export.h>
#include <linux/freezer.h>
#include <linux/gfp.h>
#include <linux/lockdep.h>
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

/* A request waits at most this many delays for its zone to go quiet. */
#define PAGE_REPORTING_MAX_WAIT		32

/* After a failed report(), wait this many delays before trying again. */
#define PAGE_REPORTING_RETRY		PAGE_REPORTING_MAX_WAIT

#define PAGE_REPORTING_MAX_DELAY_MS	60000

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
		 "Quiet time in ms before a zone's free memory is reported (0.."
		 __stringify(PAGE_REPORTING_MAX_DELAY_MS) ", default 250)");

#define PAGE_REPORTING_MAX_IDLE_MS	3600000

static unsigned int page_reporting_idle_ms = 5000;
PAGE_REPORTING_PARAM(page_reporting_idle_ms, 0, PAGE_REPORTING_MAX_IDLE_MS);
MODULE_PARM_DESC(page_reporting_idle_ms,
		 "Quiet time in ms before blocks below pageblock order are reported (0.."
		 __stringify(PAGE_REPORTING_MAX_IDLE_MS) ", default 5000)");

static unsigned int page_reporting_batch = PAGE_REPORTING_CAPACITY;
PAGE_REPORTING_PARAM(page_reporting_batch, 1, PAGE_REPORTING_CAPACITY);
MODULE_PARM_DESC(page_reporting_batch,
		 "Most blocks per report() call (1.."
		 __stringify(PAGE_REPORTING_CAPACITY) ", default "
		 __stringify(PAGE_REPORTING_CAPACITY) ")");

static int page_reporting_report_now_set(const char *val,
					 const struct kernel_param *kp)
{
	bool now;

	if (kstrtobool(val, &now) || !now)
		return -EINVAL;
	return page_reporting_flush();
}

static const struct kernel_param_ops page_reporting_report_now_ops = {
	.set = page_reporting_report_now_set,
};

module_param_cb(report_now, &page_reporting_report_now_ops, NULL, 0200);
MODULE_PARM_DESC(report_now,
		 "Write 1 to report all free memory now and wait for it");

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
 * Report-now requests.  page_reporting_flush() bumps flush_req under the
 * mutex; the worker runs a forced pass and then publishes the request it
 * served in flush_done, with the pass's result in flush_err.
 */
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

static void page_reporting_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(page_reporting_work, page_reporting_work_fn);

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

	if (queue_delayed_work(system_freezable_wq, dwork, delay))
		return;
	/* Racing with the timer is harmless: at worst the run moves by @delay. */
	if (timer_pending(&dwork->timer) &&
	    time_after(READ_ONCE(dwork->timer.expires), jiffies + delay))
		mod_delayed_work(system_freezable_wq, dwork, delay);
}

/*
 * Called with zone->lock held when a free block of @order, at least
 * page_reporting_order, joins a free list.  The worker is only ever armed
 * through a timer from here, never woken directly under zone->lock.
 */
void __page_reporting_notify(struct zone *zone, unsigned int order)
{
	page_reporting_stamp(zone);

	if (order < page_reporting_eager_order()) {
		if (test_bit(ZONE_REPORTING_IDLE, &zone->flags))
			return;
		set_bit(ZONE_REPORTING_IDLE, &zone->flags);
		if (READ_ONCE(page_reporting_dev))
			page_reporting_schedule(max(page_reporting_idle(), 1UL));
		return;
	}

	if (test_bit(ZONE_REPORTING_REQUESTED, &zone->flags))
		return;
	WRITE_ONCE(zone->reporting_since, zone->reporting_stamp);
	set_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
	if (READ_ONCE(page_reporting_dev))
		page_reporting_schedule(max(page_reporting_delay(), 1UL));
}

/*
 * Take up to @max - *@n unreported blocks off @list into @sgl.  Returns 1 if
 * the batch filled up, 0 if the list has no more candidates, -ENOSPC if the
 * zone is too low on free memory to lend more blocks of @order.
 */
static int page_reporting_fill(struct zone *zone, unsigned int order,
			       struct list_head *list, struct scatterlist *sgl,
			       unsigned int *n, unsigned int max)
{
	unsigned long reserve = low_wmark_pages(zone) +
				((unsigned long)(max - *n) << order);
	struct page *page, *next;

	lockdep_assert_held(&zone->lock);

	if (!zone_watermark_ok(zone, 0, reserve, 0, ALLOC_CMA))
		return -ENOSPC;

	list_for_each_entry_safe(page, next, list, buddy_list) {
		if (PageReported(page))
			continue;
		if (*n == max) {
			/*
			 * Start the next fill here: the reported blocks
			 * skipped so far move behind it, to the tail.
			 */
			list_rotate_to_front(&page->buddy_list, list);
			return 1;
		}
		if (!__isolate_free_page(page, order))
			return -ENOSPC;
		sg_set_page(&sgl[(*n)++], page, PAGE_SIZE << order, 0);
	}
	return *n == max;
}

/*
 * Give the blocks in @sgl back to the buddy allocator.  They go to the tail
 * of their lists, so allocations keep preferring memory that is still
 * backed.  A block that merged with a buddy freed meanwhile is part of a new,
 * larger block that has not been reported; request another pass for it.
 */
static void page_reporting_putback(struct zone *zone, struct scatterlist *sgl,
				   unsigned int n, bool reported)
{
	struct scatterlist *sg;
	bool merged = false;
	unsigned int i;

	lockdep_assert_held(&zone->lock);

	for_each_sg(sgl, sg, n, i) {
		struct page *page = sg_page(sg);
		unsigned int order = get_order(sg->length);

		__putback_isolated_page(page, order,
					get_pageblock_migratetype(page));
		if (!reported)
			continue;
		if (PageBuddy(page) && buddy_order(page) == order) {
			__SetPageReported(page);
			zone->reported_pages += 1UL << order;
		} else {
			merged = true;
		}
	}
	if (merged)
		__page_reporting_notify(zone, MAX_PAGE_ORDER);
}

/* Hand one batch to the device and take it back. */
static int page_reporting_send(struct page_reporting_dev_info *prdev,
			       struct zone *zone, struct scatterlist *sgl,
			       unsigned int n)
{
	unsigned long pages = 0;
	struct scatterlist *sg;
	unsigned int i;
	int err;

	for_each_sg(sgl, sg, n, i)
		pages += sg->length >> PAGE_SHIFT;
	sg_mark_end(&sgl[n - 1]);

	err = prdev->report(prdev, sgl, n);

	trace_page_reporting_batch(zone_to_nid(zone), zone->name,
				   get_order(sgl[0].length), n, err);
	count_vm_event(PGREPORT_CALLS);
	if (err)
		count_vm_event(PGREPORT_FAILED);
	else
		count_vm_events(PGREPORTED, pages);

	spin_lock_irq(&zone->lock);
	page_reporting_putback(zone, sgl, n, !err);
	spin_unlock_irq(&zone->lock);

	sg_init_table(sgl, PAGE_REPORTING_CAPACITY);
	return err;
}

/*
 * Report every unreported block of @zone from @max_order down to
 * @min_order.  A zone too low on free memory for one order may still lend
 * smaller blocks, so -ENOSPC only ends that order.  One pass reports at
 * most the zone's free memory at its start: under a steady stream of frees
 * it returns -EAGAIN and leaves the rest to the next pass.  Once the device
 * is being unregistered it returns -ENODEV after the batch in flight.
 */
static int page_reporting_zone(struct page_reporting_dev_info *prdev,
			       struct zone *zone, struct scatterlist *sgl,
			       unsigned int min_order, unsigned int max_order)
{
	long budget = zone_page_state(zone, NR_FREE_PAGES);
	unsigned int max = READ_ONCE(page_reporting_batch);
	unsigned int n = 0;
	int order, mt, err;

	/*
	 * Pages parked on the per-cpu lists keep their buddies from
	 * merging into reportable blocks: after a large free, tens of
	 * pageblocks.  The zone is quiet, so handing them back costs little
	 * and completes those merges.
	 */
	drain_all_pages(zone);

	for (order = max_order; order >= (int)min_order; order--) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *list =
				&zone->free_area[order].free_list[mt];
			int ret = 0;

			if (is_migrate_isolate(mt))
				continue;
			/* An unlocked peek is enough to skip empty lists. */
			while (!data_race(list_empty(list))) {
				spin_lock_irq(&zone->lock);
				ret = page_reporting_fill(zone, order, list,
							  sgl, &n, max);
				spin_unlock_irq(&zone->lock);
				if (ret <= 0)
					break;
				err = page_reporting_send(prdev, zone, sgl, n);
				n = 0;
				if (err)
					return err;
				budget -= (long)max << order;
				if (budget <= 0)
					return -EAGAIN;
				/* Unregister waits for us: stop at a batch end. */
				if (!READ_ONCE(page_reporting_dev))
					return -ENODEV;
				cond_resched();
			}
			if (ret < 0)
				break;
		}
		/* Send what this order collected before the next one. */
		if (n) {
			err = page_reporting_send(prdev, zone, sgl, n);
			n = 0;
			if (err)
				return err;
		}
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

/* Is the first tier of @zone due: quiet for a delay, or waited long enough? */
static bool page_reporting_eager_due(struct zone *zone, unsigned long now,
				     unsigned long delay, unsigned long *next)
{
	unsigned long quiet = READ_ONCE(zone->reporting_stamp) + delay;
	unsigned long deadline = READ_ONCE(zone->reporting_since) +
				 delay * PAGE_REPORTING_MAX_WAIT;

	return page_reporting_due(time_before(quiet, deadline) ? quiet : deadline,
				  now, next);
}

/*
 * Is the second tier of @zone due: quiet for page_reporting_idle_ms, or
 * steady for that long: its free memory never shrank by more than 1/64 of
 * the zone below what the worker saw when it started watching?
 */
static bool page_reporting_idle_due(struct zone *zone, unsigned long now,
				    unsigned long *next)
{
	unsigned long free = zone_page_state(zone, NR_FREE_PAGES);
	unsigned long slack = zone_managed_pages(zone) / 64;
	unsigned long idle = page_reporting_idle();

	if (page_reporting_due(READ_ONCE(zone->reporting_stamp) + idle, now,
			       next))
		return true;
	if (zone->reporting_idle_free && free + slack >= zone->reporting_idle_free)
		return page_reporting_due(zone->reporting_idle_at + idle, now,
					  next);
	/* First look, or the zone is consuming memory: watch from now. */
	zone->reporting_idle_free = max(free, 1UL);
	zone->reporting_idle_at = now;
	*next = min(*next, max(idle, 1UL));
	return false;
}

/* Request again the tiers of @zone that an unfinished pass covered. */
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
	unsigned long delay = page_reporting_delay();
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
		unsigned int eager = page_reporting_eager_order();
		unsigned int min_order = READ_ONCE(page_reporting_order);
		unsigned int max_order = MAX_PAGE_ORDER;
		bool hi = true, lo = min_order < eager;

		/* No small-block tier at this order: nothing to wait for. */
		if (!lo)
			clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
		if (!force) {
			hi = test_bit(ZONE_REPORTING_REQUESTED, &zone->flags) &&
			     page_reporting_eager_due(zone, now, delay, &next);
			lo = lo && test_bit(ZONE_REPORTING_IDLE, &zone->flags) &&
			     page_reporting_idle_due(zone, now, &next);
		}
		if (!hi && !lo)
			continue;
		if (hi)
			clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
		else
			max_order = eager - 1;
		if (lo) {
			clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
			zone->reporting_idle_free = 0;
		} else {
			min_order = eager;
		}

		err = page_reporting_zone(prdev, zone, sgl, min_order,
					  max_order);
		if (err == -EAGAIN) {
			/* Out of budget: the rest after another delay. */
			page_reporting_request_again(zone, hi, lo);
			next = min(next, max(delay, 1UL));
			err = 0;
		} else if (err == -ENODEV) {
			break;
		} else if (err) {
			page_reporting_retry_later(zone, hi, lo);
			next = min(next, page_reporting_retry_interval());
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

/**
 * page_reporting_flush - report all free memory now
 *
 * Runs a full pass over every zone, ignoring the quiet-time pacing, and
 * waits for it to finish: for use right before a snapshot or a migration.
 * The wait holds no lock, lets the system freeze, and ends on a signal,
 * so a device that stops answering holds up only its callers.
 *
 * Return: 0 once every free block has been reported; -ENODEV when no device
 * is registered or it went away meanwhile; the error of a failed report();
 * -ERESTARTSYS when a signal ended the wait (the pass goes on).
 */
int page_reporting_flush(void)
{
	unsigned long seq;

	mutex_lock(&page_reporting_mutex);
	if (!page_reporting_dev) {
		mutex_unlock(&page_reporting_mutex);
		return -ENODEV;
	}
	seq = page_reporting_flush_req + 1;
	WRITE_ONCE(page_reporting_flush_req, seq);
	mod_delayed_work(system_freezable_wq, &page_reporting_work, 0);
	mutex_unlock(&page_reporting_mutex);

	/* Freezable: a caller waiting here must not hold up suspend. */
	if (wait_event_freezable(page_reporting_flush_wq,
				 page_reporting_flushed(seq)))
		return -ERESTARTSYS;
	return READ_ONCE(page_reporting_flush_err);
}

/*
 * Drop every PG_reported mark: they record what the previous device was
 * told, and the next one has been told nothing.  No worker runs.
 */
static void page_reporting_forget_all(void)
{
	unsigned int order, mt;
	struct zone *zone;
	struct page *page;

	for_each_populated_zone(zone) {
		for (order = 0; order < NR_PAGE_ORDERS; order++) {
			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				struct list_head *list =
					&zone->free_area[order].free_list[mt];

				spin_lock_irq(&zone->lock);
				list_for_each_entry(page, list, buddy_list)
					if (PageReported(page))
						page_reporting_forget(zone, page,
								      order);
				spin_unlock_irq(&zone->lock);
				cond_resched();
			}
		}
		spin_lock_irq(&zone->lock);
		WARN_ON_ONCE(zone->reported_pages);
		zone->reported_pages = 0;
		spin_unlock_irq(&zone->lock);
		clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
		clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
		zone->reporting_idle_free = 0;
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
 * page and report() will not be called again.  The marks of what it was
 * told are dropped, so a device registered later is told everything.
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
		if (page_reporting_flush_done != page_reporting_flush_req)
			page_reporting_flush_complete(page_reporting_flush_req,
						      -ENODEV);
	}
	mutex_unlock(&page_reporting_mutex);
}
EXPORT_SYMBOL_GPL(page_reporting_unregister);

#ifdef CONFIG_PAGE_REPORTING_KUNIT_TEST
#include "page_reporting_kunit.c"
#endif
