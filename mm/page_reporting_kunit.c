// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for free page reporting, with a fake device that records what
 * it is handed.  Included from mm/page_reporting.c so the tests can reach
 * the parameter handlers and the worker.
 *
 * Blocks are made with a known, allocated buddy: allocate order + 1, split
 * it into base pages, and free one half.  The half becomes a free block of
 * exactly @order that cannot merge while the test holds the other half.
 *
 * The worker is run by hand, as its timer would run it, after the zone's
 * stamp was set back to make the zone look quiet for a given time.  The
 * kernel goes on allocating and freeing meanwhile, so a case checks what
 * its own blocks went through, not what the whole zone did.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/shmem_fs.h>
#include <linux/vmalloc.h>

#define PRT_ORDER	4
#define PRT_BLOCKS	8
#define PRT_TRIES	10	/* runs of the worker that others may upset */
/* Every block of PRT_ORDER in 1 GiB of 4 KiB pages: a device is told all. */
#define PRT_RECORDS	16384U

struct prt_rec {
	unsigned long pfn;
	unsigned int order;
};

struct prt_dev {
	struct page_reporting_dev_info info;
	struct kunit *test;
	int fail;			/* report() returns this */
	struct page *fail_page;		/* ... or -EIO for a batch holding it */
	struct page *lose_page;		/* ... or keeps a batch holding it */
	struct scatterlist lost[PAGE_REPORTING_CAPACITY];
	unsigned int nlost;
	bool block;			/* report() waits for @release */
	/* Called in report() before it returns, for interleavings. */
	void (*during)(struct prt_dev *dev, struct scatterlist *sgl,
		       unsigned int nents);
	struct task_struct *thread;	/* a helper thread of the case */
	struct completion entered;
	struct completion release;
	struct completion unregistered;
	unsigned int calls;
	unsigned int failed;		/* calls that returned an error */
	unsigned long pages;		/* pages of the calls that did not */
	unsigned int max_nents;
	unsigned int min_order;		/* smallest entry seen */
	unsigned int nrec;
	unsigned int dropped;		/* entries past the record's end */
	struct prt_rec *rec;		/* PRT_RECORDS of them */
	void *priv;			/* for @during */
	/* parameters as they were before the test */
	unsigned int saved[8];
};

/* The parameters a test may change; prt_exit() restores them all. */
static unsigned int * const prt_params[] = {
	&page_reporting_order, &page_reporting_delay_ms,
	&page_reporting_max_delay_ms, &page_reporting_reuse_window_ms,
	&page_reporting_idle_ms, &page_reporting_fragments,
	&page_reporting_batch,
};

static struct prt_dev *prt_of(struct page_reporting_dev_info *info)
{
	return container_of(info, struct prt_dev, info);
}

/* Does the block of @order at @start cover [pfn, pfn + 2^pfn_order)? */
static bool prt_covers(unsigned long start, unsigned int order,
		       unsigned long pfn, unsigned int pfn_order)
{
	return pfn >= start &&
	       pfn + (1UL << pfn_order) <= start + (1UL << order);
}

static int prt_report(struct page_reporting_dev_info *info,
		      struct scatterlist *sgl, unsigned int nents)
{
	struct prt_dev *dev = prt_of(info);
	unsigned long pages = 0;
	struct scatterlist *sg;
	int err = dev->fail;
	unsigned int i;

	dev->calls++;
	dev->max_nents = max(dev->max_nents, nents);
	for_each_sg(sgl, sg, nents, i) {
		unsigned long pfn = page_to_pfn(sg_page(sg));
		unsigned int order = get_order(sg->length);

		KUNIT_EXPECT_EQ_MSG(dev->test, sg->length, PAGE_SIZE << order,
				    "entry %u is not a whole block", i);
		KUNIT_EXPECT_GE_MSG(dev->test, order, page_reporting_order,
				    "entry %u is below the reporting order", i);
		KUNIT_EXPECT_EQ_MSG(dev->test, pfn & ((1UL << order) - 1), 0UL,
				    "entry %u is not aligned to its order", i);
		KUNIT_EXPECT_FALSE_MSG(dev->test, PageBuddy(sg_page(sg)),
				       "entry %u is still on a free list", i);
		if (dev->fail_page &&
		    prt_covers(pfn, order, page_to_pfn(dev->fail_page), 0))
			err = -EIO;
		if (dev->lose_page &&
		    prt_covers(pfn, order, page_to_pfn(dev->lose_page), 0))
			err = -ENOTRECOVERABLE;
		dev->min_order = min(dev->min_order, order);
		pages += 1UL << order;
		if (dev->nrec < PRT_RECORDS) {
			struct prt_rec *r = &dev->rec[dev->nrec++];

			r->pfn = pfn;
			r->order = order;
		} else {
			dev->dropped++;
		}
	}
	if (dev->block) {
		complete(&dev->entered);
		wait_for_completion(&dev->release);
	}
	if (dev->during)
		dev->during(dev, sgl, nents);
	if (err == -ENOTRECOVERABLE) {
		for_each_sg(sgl, sg, nents, i)
			dev->lost[dev->nlost++] = *sg;
		dev->lose_page = NULL;
	}
	if (err)
		dev->failed++;
	else
		dev->pages += pages;
	return err;
}

static void prt_forget_reports(struct prt_dev *dev)
{
	dev->calls = 0;
	dev->failed = 0;
	dev->pages = 0;
	dev->max_nents = 0;
	dev->min_order = NR_PAGE_ORDERS;
	dev->nrec = 0;
	dev->dropped = 0;
}

/*
 * Did one report entry cover [pfn, pfn + 2^order)?  Entries of failed
 * reports count: the device was handed them.
 */
static bool prt_was_reported(struct prt_dev *dev, unsigned long pfn,
			     unsigned int order)
{
	unsigned int i;

	for (i = 0; i < dev->nrec; i++)
		if (prt_covers(dev->rec[i].pfn, dev->rec[i].order, pfn, order))
			return true;
	/* Not recorded is not the same as not reported. */
	KUNIT_EXPECT_EQ_MSG(dev->test, dev->dropped, 0U,
			    "the fake device dropped entries past %u: cannot tell",
			    PRT_RECORDS);
	return false;
}

/* The free block containing @page, or NULL if @page is not free. */
static struct page *prt_free_head(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned int order;

	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		struct page *head = pfn_to_page(pfn & ~((1UL << order) - 1));

		if (PageBuddy(head) && buddy_order(head) >= order)
			return head;
	}
	return NULL;
}

/* Is @page a free block of exactly @order right now? */
static bool prt_is_free_block(struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(page);
	bool free;

	spin_lock_irq(&zone->lock);
	free = PageBuddy(page) && buddy_order(page) == order;
	spin_unlock_irq(&zone->lock);
	return free;
}

/*
 * Check the per-order counts of @zone against its free lists, entry by
 * entry: every count, and so zoneinfo's "reported", must be what a walk
 * of the lists finds, and no marked block may sit on an isolated list.
 */
static void prt_expect_count_exact(struct kunit *test, struct zone *zone)
{
	unsigned long marked[NR_PAGE_ORDERS] = {}, isolated = 0, counted;
	unsigned int order, mt;
	struct page *page;
	bool same = true;

	spin_lock_irq(&zone->lock);
	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			list_for_each_entry(page,
					    &zone->free_area[order].free_list[mt],
					    buddy_list) {
				if (!PageReported(page))
					continue;
				marked[order]++;
				if (is_migrate_isolate(mt))
					isolated++;
			}
		same &= marked[order] == zone->free_area[order].nr_reported;
	}
	counted = zone_reported_pages(zone);
	spin_unlock_irq(&zone->lock);
	KUNIT_EXPECT_TRUE_MSG(test, same,
			      "zone %s: a per-order count disagrees with its free lists",
			      zone->name);
	KUNIT_EXPECT_EQ_MSG(test, isolated, 0UL,
			    "zone %s: marked blocks on an isolated list", zone->name);
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		counted -= marked[order] << order;
	KUNIT_EXPECT_EQ_MSG(test, counted, 0UL,
			    "zone %s: reported pages disagree with its free lists",
			    zone->name);
}

struct prt_block {
	struct page *free;	/* the half given back */
	struct page *held;	/* its buddy, still allocated */
};

/*
 * Make a free block of @order whose buddy stays allocated.  The block sits
 * on a movable free list.  The kernel's own allocations, which go on during
 * a test, are served from the unmovable lists and reach into movable ones
 * only when those run dry, and little else allocates movable memory this
 * early (at most an initramfs being unpacked): the block is far less
 * likely to be taken than on an unmovable list, though not immune.
 */
static void prt_make_block(struct kunit *test, struct prt_block *b,
			   unsigned int order)
{
	struct page *page = alloc_pages(GFP_HIGHUSER_MOVABLE, order + 1);
	unsigned long i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	split_page(page, order + 1);
	b->free = page;
	b->held = page + (1UL << order);
	for (i = 0; i < (1UL << order); i++)
		__free_page(b->free + i);
}

static void prt_release_held(struct prt_block *b, unsigned int order)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++)
		__free_page(b->held + i);
}

/* Let the order-0 frees above reach the buddy lists. */
static void prt_settle(void)
{
	drain_all_pages(NULL);
}

/* The counters the engine keeps in /proc/vmstat. */
static const enum vm_event_item prt_items[] = {
	PGREPORTED, PGREPORT_CALLS, PGREPORT_FAILED, PGREPORT_REUSED,
	PGREPORT_WASTED, PGREPORT_PASSES, PGREPORT_COMPACT, PGREPORT_LEAKED,
};

struct prt_events {
	unsigned long v[ARRAY_SIZE(prt_items)];
};

static void prt_snap(struct prt_events *ev)
{
	unsigned long events[NR_VM_EVENT_ITEMS];
	unsigned int i;

	all_vm_events(events);
	for (i = 0; i < ARRAY_SIZE(prt_items); i++)
		ev->v[i] = events[prt_items[i]];
}

/* How much counter @item moved since @ev. */
static unsigned long prt_moved(const struct prt_events *ev,
			       enum vm_event_item item)
{
	struct prt_events now;
	unsigned int i;

	prt_snap(&now);
	for (i = 0; i < ARRAY_SIZE(prt_items); i++)
		if (prt_items[i] == item)
			return now.v[i] - ev->v[i];
	return 0;
}

/*
 * The device is the only one: what it was handed since @ev is all the
 * counters may have counted.
 */
static void prt_expect_device_counters(struct kunit *test, struct prt_dev *dev,
				       const struct prt_events *ev)
{
	KUNIT_EXPECT_EQ_MSG(test, prt_moved(ev, PGREPORT_CALLS),
			    (unsigned long)dev->calls,
			    "page_reporting_calls is not the number of report() calls");
	KUNIT_EXPECT_EQ_MSG(test, prt_moved(ev, PGREPORT_FAILED),
			    (unsigned long)dev->failed,
			    "page_reporting_failed is not the number of failed calls");
	KUNIT_EXPECT_EQ_MSG(test, prt_moved(ev, PGREPORTED), dev->pages,
			    "page_reporting_pages is not what successful calls were handed");
}

/* This CPU's count of reused pages; the caller keeps it from migrating. */
static unsigned long prt_reused_here(void)
{
	return __this_cpu_read(vm_event_states.event[PGREPORT_REUSED]);
}

/* Set a parameter as an admin would, through its handler. */
static void prt_set(struct kunit *test, const struct kernel_param *kp,
		    unsigned int value)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", value);
	KUNIT_ASSERT_EQ_MSG(test, kp->ops->set(num, kp), 0,
			    "%s=%s was refused", kp->name, num);
}

#define PRT_SET(test, name, value) prt_set(test, &__param_##name, value)

KUNIT_DEFINE_ACTION_WRAPPER(prt_vfree, vfree, const void *);

static int prt_init(struct kunit *test)
{
	struct prt_dev *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	unsigned int i;
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(prt_params) > ARRAY_SIZE(dev->saved));
	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->test = test;
	dev->info.report = prt_report;
	init_completion(&dev->entered);
	init_completion(&dev->release);
	init_completion(&dev->unregistered);
	prt_forget_reports(dev);
	for (i = 0; i < ARRAY_SIZE(prt_params); i++)
		dev->saved[i] = READ_ONCE(*prt_params[i]);
	/* From here on prt_exit() has what it restores. */
	test->priv = dev;

	dev->rec = vzalloc(array_size(PRT_RECORDS, sizeof(*dev->rec)));
	KUNIT_ASSERT_NOT_NULL(test, dev->rec);
	err = kunit_add_action_or_reset(test, prt_vfree, dev->rec);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = page_reporting_register(&dev->info);
	if (err == -EBUSY) {
		/* A real balloon reports here: nothing to test, nothing to undo. */
		test->priv = NULL;
		kunit_skip(test, "another device reports free pages");
	}
	KUNIT_ASSERT_EQ(test, err, 0);
	PRT_SET(test, page_reporting_order, PRT_ORDER);
	/* Report what is free already, so each test starts from quiet. */
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	prt_forget_reports(dev);
	return 0;
}

static void prt_exit(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	unsigned int i;

	if (!dev)
		return;
	/* Never leave a report() blocked behind a failed expectation. */
	WRITE_ONCE(dev->block, false);
	complete_all(&dev->release);
	page_reporting_unregister(&dev->info);
	page_reporting_kunit_between_lists = NULL;
	for (i = 0; i < ARRAY_SIZE(prt_params); i++)
		WRITE_ONCE(*prt_params[i], dev->saved[i]);
}

static void prt_reports_exactly_the_freed_blocks(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b[PRT_BLOCKS];
	unsigned int i, seen = 0;
	struct prt_events ev;

	prt_snap(&ev);
	for (i = 0; i < PRT_BLOCKS; i++)
		prt_make_block(test, &b[i], PRT_ORDER);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);

	/*
	 * Others may take a movable block before the pass: every block still
	 * free after it must have been reported, and most should be.
	 */
	for (i = 0; i < PRT_BLOCKS; i++) {
		unsigned long pfn = page_to_pfn(b[i].free);
		unsigned int j, entries = 0;

		if (!prt_is_free_block(b[i].free, PRT_ORDER))
			continue;
		seen++;
		for (j = 0; j < dev->nrec; j++)
			entries += dev->rec[j].pfn == pfn &&
				   dev->rec[j].order == PRT_ORDER;
		KUNIT_EXPECT_EQ_MSG(test, entries, 1U,
				    "freed block %u should be one entry of its order", i);
		KUNIT_EXPECT_TRUE_MSG(test, PageReported(b[i].free),
				      "block %u came back unmarked", i);
	}
	KUNIT_EXPECT_GE_MSG(test, seen, PRT_BLOCKS / 2,
			    "most test blocks were taken by others; little checked");
	prt_expect_device_counters(test, dev, &ev);
	for (i = 0; i < PRT_BLOCKS; i++)
		prt_release_held(&b[i], PRT_ORDER);
	prt_expect_count_exact(test, page_zone(b[0].free));
}

/*
 * Blocks of PRT_ORDER and PRT_ORDER + 1 taken off the movable lists of
 * @zone, so that the allocator's next movable PRT_ORDER allocation splits
 * a larger block; given back by prt_return_small().
 */
struct prt_hideout {
	struct list_head pages;
};

static void prt_hide_small(struct zone *zone, struct prt_hideout *h)
{
	unsigned int order;

	INIT_LIST_HEAD(&h->pages);
	lockdep_assert_held(&zone->lock);
	for (order = PRT_ORDER; order <= PRT_ORDER + 1; order++) {
		struct list_head *list =
			&zone->free_area[order].free_list[MIGRATE_MOVABLE];
		struct page *page, *next;

		list_for_each_entry_safe(page, next, list, buddy_list) {
			if (!__isolate_free_page(page, order))
				return;
			set_page_private(page, order);
			list_add(&page->lru, &h->pages);
		}
	}
}

static void prt_return_small(struct zone *zone, struct prt_hideout *h)
{
	struct page *page, *next;

	lockdep_assert_held(&zone->lock);
	list_for_each_entry_safe(page, next, &h->pages, lru) {
		unsigned int order = page_private(page);

		list_del(&page->lru);
		set_page_private(page, 0);
		__putback_isolated_page(page, order, MIGRATE_MOVABLE);
	}
}

/*
 * An allocation that splits a reported block: the pages it takes lose the
 * mark and count as reused, the parts split off keep the mark, since the
 * host has nothing behind them either.
 */
static void prt_split_keeps_the_rest_marked(struct kunit *test)
{
	unsigned long before = 0, after = 0, reused_before, reused = 0;
	unsigned int big = PRT_ORDER + 2;
	struct prt_hideout hide;
	struct prt_block b;
	struct page *page = NULL;
	struct zone *zone;
	bool ours = false;

	prt_make_block(test, &b, big);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	zone = page_zone(b.free);

	/*
	 * Put the block first in line: no smaller movable block left, and
	 * it at the head of its list.  Interrupts stay off until the
	 * allocation is done, so the counts move on this CPU only.
	 */
	local_irq_disable();
	spin_lock(&zone->lock);
	if (PageBuddy(b.free) && buddy_order(b.free) == big &&
	    PageReported(b.free)) {
		prt_hide_small(zone, &hide);
		list_move(&b.free->buddy_list,
			  &zone->free_area[big].free_list[MIGRATE_MOVABLE]);
		before = zone_reported_pages(zone);
		reused_before = prt_reused_here();
		spin_unlock(&zone->lock);
		/* The test block's zone and type, but no sleeping. */
		page = alloc_pages(GFP_NOWAIT | __GFP_HIGHMEM | __GFP_MOVABLE |
				   __GFP_NOWARN, PRT_ORDER);
		spin_lock(&zone->lock);
		reused = prt_reused_here() - reused_before;
		after = zone_reported_pages(zone);
		ours = page == b.free;
		prt_return_small(zone, &hide);
	}
	spin_unlock(&zone->lock);
	local_irq_enable();

	KUNIT_ASSERT_NOT_NULL_MSG(test, page, "the block was not reported and free");
	KUNIT_EXPECT_TRUE_MSG(test, ours, "the allocation did not split the block");
	if (ours) {
		KUNIT_EXPECT_EQ_MSG(test, reused, 1UL << PRT_ORDER,
				    "reuse is not what the allocation took");
		KUNIT_EXPECT_EQ_MSG(test, before - after, 1UL << PRT_ORDER,
				    "the parts split off lost their mark");
		spin_lock_irq(&zone->lock);
		KUNIT_EXPECT_TRUE(test, PageReported(b.free + (1UL << PRT_ORDER)));
		KUNIT_EXPECT_TRUE(test, PageReported(b.free + (2UL << PRT_ORDER)));
		spin_unlock_irq(&zone->lock);
	}
	KUNIT_EXPECT_FALSE_MSG(test, PageReported(page),
			       "an allocated block still carries the mark");
	__free_pages(page, PRT_ORDER);
	prt_release_held(&b, big);
	prt_expect_count_exact(test, zone);
}

/*
 * Compaction takes free blocks whole through __isolate_free_page(); a
 * reported one is reused like an allocation.
 */
static void prt_compaction_target_counts_as_reuse(struct kunit *test)
{
	unsigned long isolated = 0, counted = 0;
	struct prt_block b;
	struct zone *zone;
	bool reported;

	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	zone = page_zone(b.free);

	/*
	 * With interrupts off the count moves on this CPU only; no
	 * expectation is checked under the lock.
	 */
	spin_lock_irq(&zone->lock);
	reported = PageBuddy(b.free) && PageReported(b.free);
	if (reported) {
		int mt = get_pageblock_migratetype(b.free);
		unsigned long before = prt_reused_here();

		isolated = __isolate_free_page(b.free, PRT_ORDER);
		if (isolated) {
			counted = prt_reused_here() - before;
			__putback_isolated_page(b.free, PRT_ORDER, mt);
		}
	}
	spin_unlock_irq(&zone->lock);

	KUNIT_EXPECT_TRUE_MSG(test, reported, "the block was not reported");
	KUNIT_EXPECT_EQ_MSG(test, isolated, reported ? 1UL << PRT_ORDER : 0UL,
			    "__isolate_free_page() refused the block");
	KUNIT_EXPECT_EQ_MSG(test, counted, isolated,
			    "a reported block taken by compaction was not counted");

	prt_release_held(&b, PRT_ORDER);
	prt_expect_count_exact(test, zone);
}

static void prt_batches_stay_within_the_limit(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b[PRT_BLOCKS];
	struct prt_events ev;
	unsigned int i;

	PRT_SET(test, page_reporting_batch, 3);
	prt_snap(&ev);
	for (i = 0; i < PRT_BLOCKS; i++)
		prt_make_block(test, &b[i], PRT_ORDER);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);

	KUNIT_EXPECT_GE_MSG(test, dev->calls, DIV_ROUND_UP(PRT_BLOCKS, 3),
			    "%u blocks in batches of 3 need more calls",
			    PRT_BLOCKS);
	KUNIT_EXPECT_LE_MSG(test, dev->max_nents, 3U,
			    "a report exceeded the batch size");
	prt_expect_device_counters(test, dev, &ev);
	for (i = 0; i < PRT_BLOCKS; i++) {
		KUNIT_EXPECT_TRUE(test, prt_was_reported(dev, page_to_pfn(b[i].free),
							 PRT_ORDER));
		prt_release_held(&b[i], PRT_ORDER);
	}
}

/* Make @zone look as if it had been quiet for @quiet_for; its new stamp. */
static unsigned long prt_set_quiet(struct zone *zone, unsigned long quiet_for)
{
	unsigned long stamp;

	spin_lock_irq(&zone->lock);
	stamp = jiffies - quiet_for;
	WRITE_ONCE(zone->reporting_stamp, stamp);
	spin_unlock_irq(&zone->lock);
	return stamp;
}

/*
 * Run the worker now, as its timer would, without forcing a pass.  Returns
 * the stamp it gave @zone: a stamp that differs afterwards tells that the
 * zone saw an allocation or a free in the meantime.
 */
static unsigned long prt_run_worker(struct zone *zone, unsigned long quiet_for)
{
	unsigned long stamp = prt_set_quiet(zone, quiet_for);

	mod_delayed_work(page_reporting_wq, &page_reporting_work, 0);
	flush_delayed_work(&page_reporting_work);
	return stamp;
}

/*
 * Run the worker as if @zone had been quiet for @quiet_for until the block
 * at @pfn is reported.  Any allocation restamps the zone, and queueing the
 * work may itself allocate (a new kworker, its stack), so a single run can
 * find the zone busy after all.  A run that left the stamp alone was not
 * disturbed: it gets no second chance.  Returns the stamp of the last run.
 */
static unsigned long prt_run_worker_until_reported(struct prt_dev *dev,
						   struct zone *zone,
						   unsigned long quiet_for,
						   unsigned long pfn,
						   unsigned int order)
{
	unsigned long stamp;
	unsigned int i;

	for (i = 0; i < PRT_TRIES; i++) {
		stamp = prt_run_worker(zone, quiet_for);
		if (prt_was_reported(dev, pfn, order) ||
		    READ_ONCE(zone->reporting_stamp) == stamp)
			break;
	}
	return stamp;
}

/*
 * A run of the idle tier must consume its request and stop watching the
 * zone.  A free since the run may have made a new request, but such a free
 * also restamped the zone; a run disturbed like that is repeated, so that
 * the check is always made on a run that left the zone with its stamp.
 */
static void prt_expect_idle_consumed(struct kunit *test, struct zone *zone,
				     unsigned long quiet_for)
{
	struct page_reporting_zone *prz = page_reporting_zone_of(zone);
	bool checked = false, requested = false;
	unsigned long stamp;
	unsigned int i;

	for (i = 0; i < PRT_TRIES && !checked; i++) {
		stamp = prt_run_worker(zone, quiet_for);
		spin_lock_irq(&zone->lock);
		checked = zone->reporting_stamp == stamp;
		requested = test_bit(ZONE_REPORTING_IDLE, &zone->flags);
		spin_unlock_irq(&zone->lock);
	}
	KUNIT_ASSERT_TRUE_MSG(test, checked,
			      "every run of the worker was disturbed; nothing checked");
	KUNIT_EXPECT_FALSE_MSG(test, requested,
			       "the idle tier ran but left its request behind");
	KUNIT_EXPECT_EQ(test, prz->idle_free, 0UL);
}

static void prt_failed_report_leaves_pages_unmarked(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	struct prt_dev *dev = test->priv;
	struct prt_events ev;
	struct prt_block b;
	struct page *page;
	struct zone *zone;

	prt_snap(&ev);
	prt_make_block(test, &b, PRT_ORDER);
	zone = page_zone(b.free);
	prt_settle();
	/* Whatever else is unreported goes first; fail the block's batch. */
	dev->fail_page = b.free;
	KUNIT_ASSERT_EQ_MSG(test, page_reporting_flush(), -EIO,
			    "report-now did not pass the device's error on");
	KUNIT_ASSERT_TRUE_MSG(test, prt_was_reported(dev, page_to_pfn(b.free),
						     PRT_ORDER),
			      "the block was not in the failed report");
	KUNIT_EXPECT_GE_MSG(test, dev->failed, 1U, "no call failed");
	prt_expect_device_counters(test, dev, &ev);
	spin_lock_irq(&zone->lock);
	KUNIT_EXPECT_TRUE_MSG(test, PageBuddy(b.free),
			      "a block of the failed report was not returned");
	KUNIT_EXPECT_FALSE_MSG(test, PageReported(b.free),
			       "a block of the failed report is marked");
	spin_unlock_irq(&zone->lock);
	prt_expect_count_exact(test, zone);
	KUNIT_EXPECT_TRUE_MSG(test, test_bit(ZONE_REPORTING_REQUESTED, &zone->flags),
			      "no retry was requested after the failure");
	KUNIT_EXPECT_TRUE(test, page_reporting_backoff);
	KUNIT_EXPECT_TRUE_MSG(test, time_after(page_reporting_retry_at,
					       jiffies + delay),
			      "a failing device would be retried after one delay");

	/*
	 * Something new to report, allocator activity, then a quiet zone:
	 * without the back-off the worker would report the new pageblock.
	 */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	__free_pages(page, MAX_PAGE_ORDER);
	dev->fail_page = NULL;
	prt_forget_reports(dev);
	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_EQ_MSG(test, dev->calls, 0U,
			    "the device was retried before its back-off ended");

	/* Report-now does not wait for the back-off, and succeeds. */
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_EXPECT_TRUE(test, prt_was_reported(dev, page_to_pfn(b.free),
						 PRT_ORDER));
	KUNIT_EXPECT_TRUE(test, PageReported(b.free));
	KUNIT_EXPECT_FALSE(test, page_reporting_backoff);
	prt_release_held(&b, PRT_ORDER);
	prt_expect_count_exact(test, zone);
}

static void prt_merged_reported_buddies_are_reported_again(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b;
	struct page *head;

	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_ASSERT_TRUE(test, PageReported(b.free));

	/* Freeing the buddy merges it with the reported half. */
	prt_forget_reports(dev);
	prt_release_held(&b, PRT_ORDER);
	prt_settle();
	head = prt_free_head(b.free);
	KUNIT_ASSERT_NOT_NULL(test, head);
	KUNIT_EXPECT_GT_MSG(test, buddy_order(head), PRT_ORDER,
			    "the halves did not merge");
	KUNIT_EXPECT_FALSE_MSG(test, PageReported(head),
			       "the merged block must not count as reported");
	prt_expect_count_exact(test, page_zone(head));

	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, page_to_pfn(b.free),
						     PRT_ORDER + 1),
			      "the merged block was not reported as a whole");
}

/* In report(): free the buddy of the block in flight, then clear requests. */
static void prt_free_buddy_in_flight(struct prt_dev *dev,
				     struct scatterlist *sgl, unsigned int nents)
{
	struct prt_block *b = dev->priv;
	struct zone *zone = page_zone(b->free);
	struct scatterlist *sg;
	bool in_flight = false;
	unsigned int i;

	for_each_sg(sgl, sg, nents, i)
		in_flight |= sg_page(sg) == b->free;
	if (!b->held || !in_flight)
		return;
	prt_release_held(b, PRT_ORDER);
	b->held = NULL;
	prt_settle();
	clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
	clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
}

/*
 * A block that merges with its buddy while it is with the device comes
 * back as part of a larger, unreported block: the tier of that block is
 * requested, and only that one.
 */
static void prt_merge_at_putback_requests_its_tier(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	bool idle = false, eager = true;
	struct prt_block b;
	struct zone *zone;
	unsigned int i;

	KUNIT_ASSERT_LT(test, PRT_ORDER + 1, pageblock_order);
	PRT_SET(test, page_reporting_idle_ms, 60000);
	/* A pageblock freed by others meanwhile requests the eager tier. */
	for (i = 0; i < PRT_TRIES && eager; i++) {
		prt_make_block(test, &b, PRT_ORDER);
		prt_settle();
		zone = page_zone(b.free);
		dev->priv = &b;
		dev->during = prt_free_buddy_in_flight;
		KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
		dev->during = NULL;
		if (b.held) {
			prt_release_held(&b, PRT_ORDER);
			KUNIT_FAIL(test, "the block was not reported");
			return;
		}
		cancel_delayed_work_sync(&page_reporting_work);
		idle = test_bit(ZONE_REPORTING_IDLE, &zone->flags);
		eager = test_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
	}
	KUNIT_EXPECT_TRUE_MSG(test, idle,
			      "the merged block's tier was not requested");
	KUNIT_EXPECT_FALSE_MSG(test, eager,
			       "a merge below pageblock order requested the pageblock tier");
	KUNIT_EXPECT_FALSE(test, PageReported(b.free));
	prt_expect_count_exact(test, zone);
}

static void prt_reports_order_zero(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b[PRT_BLOCKS];
	unsigned int i, seen = 0;

	/*
	 * A free single page is the allocator's first choice, so others may
	 * take some of these before the pass: every page still free after
	 * it must have been reported, and most should be.  Everything free
	 * already is reported first, so the pass looked at is a short one.
	 */
	PRT_SET(test, page_reporting_order, 0);
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	prt_forget_reports(dev);
	for (i = 0; i < PRT_BLOCKS; i++)
		prt_make_block(test, &b[i], 0);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	for (i = 0; i < PRT_BLOCKS; i++) {
		struct page *page = b[i].free;

		if (!prt_is_free_block(page, 0))
			continue;
		seen++;
		KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, page_to_pfn(page), 0),
				      "free single page %u was not reported at order 0", i);
		KUNIT_EXPECT_TRUE(test, PageReported(page));
	}
	KUNIT_EXPECT_GE_MSG(test, seen, 1U,
			    "every test page was taken by others; nothing checked");
	for (i = 0; i < PRT_BLOCKS; i++)
		prt_release_held(&b[i], 0);
	prt_expect_count_exact(test, page_zone(b[0].free));
}

static void prt_no_idle_tier_at_pageblock_order(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct page *page;
	struct zone *zone;

	PRT_SET(test, page_reporting_order, pageblock_order);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zone = page_zone(page);
	__free_pages(page, MAX_PAGE_ORDER);
	/* Left by a free while the order was lower: must be dropped. */
	set_bit(ZONE_REPORTING_IDLE, &zone->flags);
	dev->fail = -EIO;
	KUNIT_EXPECT_EQ(test, page_reporting_flush(), -EIO);
	KUNIT_EXPECT_TRUE(test, test_bit(ZONE_REPORTING_REQUESTED, &zone->flags));
	KUNIT_EXPECT_FALSE_MSG(test, test_bit(ZONE_REPORTING_IDLE, &zone->flags),
			       "an idle request survived a pass at pageblock order");
}

static void prt_small_blocks_wait_for_an_idle_zone(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	struct prt_dev *dev = test->priv;
	struct page_reporting_zone *prz;
	unsigned long pfn;
	struct prt_block b;
	struct zone *zone;

	KUNIT_ASSERT_LT(test, PRT_ORDER, pageblock_order);
	PRT_SET(test, page_reporting_idle_ms, 60000);
	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	prz = page_reporting_zone_of(zone);
	pfn = page_to_pfn(b.free);
	KUNIT_EXPECT_TRUE_MSG(test, test_bit(ZONE_REPORTING_IDLE, &zone->flags),
			      "freeing a small block did not request the idle tier");

	/* Quiet for more than the delay, less than the idle time. */
	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			       "a small block was reported before the zone went idle");
	KUNIT_EXPECT_NE(test, prz->idle_free, 0UL);

	prt_run_worker_until_reported(dev, zone, page_reporting_idle() + 1,
				      pfn, PRT_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			      "a small block was not reported once the zone was idle");
	prt_expect_idle_consumed(test, zone, page_reporting_idle() + 1);
	prt_release_held(&b, PRT_ORDER);
}

static void prt_small_blocks_go_from_a_steady_zone(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	struct prt_dev *dev = test->priv;
	struct page_reporting_zone *prz;
	struct prt_block b;
	struct zone *zone;
	unsigned long pfn;

	/* Busy (stamped just now) but steady: free memory did not shrink. */
	PRT_SET(test, page_reporting_idle_ms, 60000);
	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	prz = page_reporting_zone_of(zone);
	pfn = page_to_pfn(b.free);

	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			       "the first look at a zone cannot tell it is steady");
	KUNIT_EXPECT_NE(test, prz->idle_free, 0UL);
	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			       "a zone was taken as steady before an idle period passed");

	/* As if the idle period had passed since the first look. */
	cancel_delayed_work_sync(&page_reporting_work);
	prz->idle_at = jiffies - page_reporting_idle() - 1;
	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			      "a small block was not reported from a steady zone");
	prt_release_held(&b, PRT_ORDER);
}

/*
 * A fresh zone reports its pageblocks once it has been quiet for the
 * delay, and not before.
 */
static void prt_pageblocks_go_after_the_short_delay(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	struct prt_dev *dev = test->priv;
	unsigned long pfn;
	struct page *page;
	struct zone *zone;

	/* A block of the largest order cannot merge, so it stays as freed. */
	PRT_SET(test, page_reporting_idle_ms, 60000);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	zone = page_zone(page);
	KUNIT_EXPECT_EQ_MSG(test, page_reporting_zone_wait(zone), delay,
			    "a fresh zone does not wait the plain delay");
	__free_pages(page, MAX_PAGE_ORDER);

	/* Allocator activity just now: not quiet yet. */
	prt_run_worker(zone, 0);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, MAX_PAGE_ORDER),
			       "a pageblock was reported while the zone was busy");
	prt_run_worker_until_reported(dev, zone, delay + 1, pfn, MAX_PAGE_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, MAX_PAGE_ORDER),
			      "a pageblock was not reported after the quiet delay");
}

/* Wait up to @timeout for the block at @pfn to be reported. */
static bool prt_wait_reported(struct prt_dev *dev, unsigned long pfn,
			      unsigned int order, unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;

	while (!prt_was_reported(dev, pfn, order)) {
		if (time_after(jiffies, deadline))
			return false;
		schedule_timeout_uninterruptible(1);
	}
	return true;
}

/*
 * A pageblock freed while the worker is armed for much later (the idle
 * tier's timer, say) pulls the worker in to its own, short wait.
 */
static void prt_pageblock_free_pulls_the_worker_in(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	struct prt_dev *dev = test->priv;
	unsigned long pfn;
	struct page *page;
	struct zone *zone;

	PRT_SET(test, page_reporting_idle_ms, 60000);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	zone = page_zone(page);
	mod_delayed_work(page_reporting_wq, &page_reporting_work, 60 * HZ);
	clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
	__free_pages(page, MAX_PAGE_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test, prt_wait_reported(dev, pfn, MAX_PAGE_ORDER,
						      20 * delay + 10 * HZ),
			      "the worker stayed armed for later after a pageblock free");
}

/*
 * Pages parked on the per-cpu lists are drained into the buddy lists before
 * a pass, so a pageblock they complete is reported in that very pass, and
 * the drain's own frees leave no request behind for another pass.
 */
static void prt_drain_serves_its_own_frees(struct kunit *test)
{
	unsigned int order = pageblock_order, i;
	struct prt_dev *dev = test->priv;
	bool reported = false, again = true;
	struct zone *zone = NULL;
	unsigned long j, pfn = 0;
	struct page *page;

	PRT_SET(test, page_reporting_idle_ms, 60000);
	for (i = 0; i < PRT_TRIES && (!reported || again); i++) {
		page = alloc_pages(GFP_HIGHUSER_MOVABLE, order);
		KUNIT_ASSERT_NOT_NULL(test, page);
		zone = page_zone(page);
		pfn = page_to_pfn(page);
		split_page(page, order);
		/*
		 * All but one page reach the buddy lists; the last one stays on
		 * this CPU's list, so only a drain completes the pageblock.
		 */
		for (j = 1; j < pageblock_nr_pages; j++)
			__free_page(page + j);
		prt_settle();
		__free_page(page);
		/*
		 * Only the idle tier is requested, as by a free that merged a
		 * block of PRT_ORDER: a pageblock in this pass is the drain's.
		 */
		clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
		set_bit(ZONE_REPORTING_IDLE, &zone->flags);
		prt_forget_reports(dev);
		prt_run_worker(zone, page_reporting_idle() + 1);
		cancel_delayed_work_sync(&page_reporting_work);
		reported = prt_was_reported(dev, pfn, order);
		again = test_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
	}
	KUNIT_EXPECT_TRUE_MSG(test, reported,
			      "a pageblock completed by the drain was not reported in the pass");
	KUNIT_EXPECT_FALSE_MSG(test, again,
			       "the drain's frees requested another pass");
	prt_expect_count_exact(test, zone);
}

/*
 * Blocks on isolated pageblocks are never marked, so zoneinfo's count is of
 * reportable memory only, and coming back from isolation makes them
 * reportable again.
 */
static void prt_isolated_blocks_stay_unmarked(struct kunit *test)
{
#ifdef CONFIG_MEMORY_ISOLATION
	unsigned int order = pageblock_order;
	struct prt_dev *dev = test->priv;
	unsigned long pfn;
	struct page *page;
	struct zone *zone;
	int err;

	page = alloc_pages(GFP_HIGHUSER_MOVABLE, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zone = page_zone(page);
	pfn = page_to_pfn(page);
	__free_pages(page, order);
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_ASSERT_TRUE(test, PageReported(page));

	err = start_isolate_page_range(pfn, pfn + pageblock_nr_pages,
				       MIGRATE_MOVABLE, 0, GFP_KERNEL);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "cannot isolate the pageblock");
	KUNIT_EXPECT_FALSE_MSG(test, PageReported(page),
			       "a block kept its mark on an isolated pageblock");
	prt_expect_count_exact(test, zone);

	clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
	undo_isolate_page_range(pfn, pfn + pageblock_nr_pages, MIGRATE_MOVABLE);
	KUNIT_EXPECT_TRUE_MSG(test, test_bit(ZONE_REPORTING_REQUESTED, &zone->flags),
			      "a pageblock back from isolation requested no pass");
	prt_forget_reports(dev);
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_EXPECT_TRUE(test, prt_was_reported(dev, pfn, order));
	prt_expect_count_exact(test, zone);
#else
	kunit_skip(test, "no pageblock isolation without CONFIG_MEMORY_ISOLATION");
#endif
}

static void prt_second_device_is_refused(struct kunit *test)
{
	struct page_reporting_dev_info other = { .report = prt_report };

	KUNIT_EXPECT_EQ(test, page_reporting_register(&other), -EBUSY);
}

/* Large blocks need only their own size above the low watermark. */
static void prt_large_blocks_need_only_their_size(struct kunit *test)
{
	unsigned int order, max = READ_ONCE(page_reporting_batch);
	struct prt_dev *dev = test->priv;
	unsigned long target, pfn;
	struct page *block, *page, *next;
	struct zone *zone;
	LIST_HEAD(held);

	block = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, block);
	zone = page_zone(block);
	pfn = page_to_pfn(block);
	/*
	 * Leave the zone half a batch of such blocks above its low watermark,
	 * less than a rule that reserves a whole batch of them wants, but
	 * more than this one block.
	 */
	target = low_wmark_pages(zone) +
		 ((unsigned long)(max / 2) << MAX_PAGE_ORDER);
	for (order = MAX_PAGE_ORDER; order >= PRT_ORDER; order--) {
		while (zone_page_state(zone, NR_FREE_PAGES) >
		       target + (1UL << order)) {
			page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NORETRY |
					   __GFP_NOWARN, order);
			if (!page)
				break;
			set_page_private(page, order);
			list_add(&page->lru, &held);
		}
	}
	KUNIT_EXPECT_LT(test, zone_page_state(zone, NR_FREE_PAGES),
			low_wmark_pages(zone) + ((unsigned long)max << MAX_PAGE_ORDER));
	__free_pages(block, MAX_PAGE_ORDER);
	KUNIT_EXPECT_EQ(test, page_reporting_flush(), 0);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, MAX_PAGE_ORDER),
			      "a large block was held back with its own size free above the low watermark");
	list_for_each_entry_safe(page, next, &held, lru) {
		order = page_private(page);
		list_del(&page->lru);
		set_page_private(page, 0);
		__free_pages(page, order);
	}
}

static void prt_make_pageblocks(struct kunit *test, struct page **pages,
				unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		pages[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
}

/* Free @n blocks of MAX_PAGE_ORDER and report them with a paced pass. */
static void prt_paced_report(struct kunit *test, struct prt_dev *dev,
			     struct zone *zone, struct page **pages,
			     unsigned int n)
{
	unsigned long wait = page_reporting_zone_wait(zone);
	unsigned int i;

	for (i = 0; i < n; i++)
		__free_pages(pages[i], MAX_PAGE_ORDER);
	prt_run_worker_until_reported(dev, zone, wait + 1,
				      page_to_pfn(pages[0]), MAX_PAGE_ORDER);
	KUNIT_ASSERT_TRUE_MSG(test, prt_was_reported(dev, page_to_pfn(pages[0]),
						     MAX_PAGE_ORDER),
			      "a paced pass did not report the blocks");
}

/* Close the reuse window of @zone now, as if its time were over. */
static void prt_close_window(struct zone *zone)
{
	struct page_reporting_zone *prz = page_reporting_zone_of(zone);

	cancel_delayed_work_sync(&page_reporting_work);
	if (prz->window_end)
		prz->window_end = jiffies - 1;
	mod_delayed_work(page_reporting_wq, &page_reporting_work, 0);
	flush_delayed_work(&page_reporting_work);
}

/*
 * Memory reported and then allocated again within the window lengthens the
 * zone's wait: the next pageblock is reported after twice the delay, not
 * after the delay.  Memory left alone shortens the wait again.
 */
static void prt_reuse_lengthens_the_wait(struct kunit *test)
{
	unsigned long delay, pfn, wasted;
	struct prt_dev *dev = test->priv;
	struct page_reporting_zone *prz;
	struct page *pages[4];
	struct prt_events ev;
	struct zone *zone;
	unsigned int i;

	PRT_SET(test, page_reporting_idle_ms, 60000);
	PRT_SET(test, page_reporting_reuse_window_ms, 60000);
	delay = page_reporting_delay();
	prt_make_pageblocks(test, pages, ARRAY_SIZE(pages));
	zone = page_zone(pages[0]);
	prz = page_reporting_zone_of(zone);
	KUNIT_ASSERT_EQ(test, prz->level, 0U);

	/* Report, then take the same amount straight back. */
	prt_paced_report(test, dev, zone, pages, ARRAY_SIZE(pages));
	KUNIT_EXPECT_NE_MSG(test, prz->window_end, 0UL,
			    "a paced pass opened no reuse window");
	prt_snap(&ev);
	prt_make_pageblocks(test, pages, ARRAY_SIZE(pages));
	prt_close_window(zone);
	wasted = prt_moved(&ev, PGREPORT_WASTED);
	KUNIT_EXPECT_EQ_MSG(test, prz->level, 1U,
			    "reusing what was reported did not lengthen the wait");
	KUNIT_EXPECT_EQ(test, page_reporting_zone_wait(zone), 2 * delay);
	/* The allocations may also take memory that was never reported. */
	KUNIT_EXPECT_GE_MSG(test, wasted * 4, prz->window_reported,
			    "page_reporting_wasted missed the reuse");
	KUNIT_EXPECT_LE(test, wasted, prz->window_reported);

	/* Quiet for more than the delay, less than the new wait: not yet. */
	prt_forget_reports(dev);
	pfn = page_to_pfn(pages[0]);
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		__free_pages(pages[i], MAX_PAGE_ORDER);
	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, MAX_PAGE_ORDER),
			       "a zone that reuses its reports was reported after the plain delay");
	prt_run_worker_until_reported(dev, zone, 2 * delay + 1, pfn,
				      MAX_PAGE_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, MAX_PAGE_ORDER),
			      "not reported after the lengthened wait");

	/* Nothing taken back this time: the wait shortens again. */
	prt_close_window(zone);
	KUNIT_EXPECT_EQ_MSG(test, prz->level, 0U,
			    "leaving reported memory alone did not shorten the wait");
	KUNIT_EXPECT_EQ(test, page_reporting_zone_wait(zone), delay);
}

/* The learnt wait never exceeds page_reporting_max_delay_ms. */
static void prt_wait_stops_at_the_maximum(struct kunit *test)
{
	struct page_reporting_zone *prz;
	struct page *page;
	struct zone *zone;
	unsigned int i;

	PRT_SET(test, page_reporting_delay_ms, 100);
	PRT_SET(test, page_reporting_max_delay_ms, 350);
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zone = page_zone(page);
	__free_page(page);
	prz = page_reporting_zone_of(zone);
	cancel_delayed_work_sync(&page_reporting_work);
	for (i = 0; i < 6; i++) {
		/* A window in which all that was reported came back. */
		prz->window_reported = 1;
		prz->window_reused = READ_ONCE(zone->reporting_reused) - 1;
		prz->window_end = jiffies - 1;
		prt_close_window(zone);
	}
	KUNIT_EXPECT_EQ(test, page_reporting_zone_wait(zone),
			msecs_to_jiffies(350));
	KUNIT_EXPECT_LE_MSG(test, prz->level, 3U,
			    "the level went on growing past the maximum wait");
}

/*
 * With the fragments fallback off, an idle zone whose free memory is mostly
 * small holes between movable pages is compacted, and comes back to the
 * device as pageblocks, not as the holes.
 */
static void prt_fragmented_zone_is_compacted_first(struct kunit *test)
{
	unsigned long chunk = 1UL << PRT_ORDER, pages, i;
	struct prt_dev *dev = test->priv;
	unsigned long freed, whole = 0;
	struct zone *zone = NULL;
	bool many;
	struct prt_events ev;
	struct file *file;
	struct page *page;

	if (!IS_ENABLED(CONFIG_COMPACTION))
		kunit_skip(test, "CONFIG_COMPACTION is off");
	PRT_SET(test, page_reporting_fragments, 0);
	PRT_SET(test, page_reporting_idle_ms, 60000);

	/*
	 * Page cache pages are movable: 32 pageblocks of them, half of it then
	 * freed in holes.  Where pageblocks are too large for that (512 MiB
	 * with 64 KiB pages), a few: compaction still runs, but whether it
	 * frees a whole pageblock then depends on what else shares them.
	 */
	pages = 32 * pageblock_nr_pages;
	many = pages <= totalram_pages() / 4;
	if (!many)
		pages = 3 * PAGE_REPORTING_COMPACT_MIN;
	if (pages > totalram_pages() / 2)
		kunit_skip(test, "%lu MiB pageblocks: too large for this guest",
			   pageblock_nr_pages >> (20 - PAGE_SHIFT));
	file = shmem_file_setup("prt-fragments", pages << PAGE_SHIFT, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	for (i = 0; i < pages; i++) {
		page = shmem_read_mapping_page(file->f_mapping, i);
		if (IS_ERR(page)) {
			fput(file);
			KUNIT_FAIL(test, "shmem page %lu: %ld", i, PTR_ERR(page));
			return;
		}
		if (!i)
			zone = page_zone(page);
		put_page(page);
	}
	/* Every other chunk back: holes of PRT_ORDER between used pages. */
	for (i = 0; i < pages; i += 2 * chunk)
		shmem_truncate_range(file_inode(file), i << PAGE_SHIFT,
				     ((i + chunk) << PAGE_SHIFT) - 1);
	freed = pages / 2;
	prt_settle();
	KUNIT_ASSERT_NOT_NULL(test, zone);

	prt_snap(&ev);
	prt_forget_reports(dev);
	prt_run_worker(zone, page_reporting_idle() + 1);
	for (i = 0; i < dev->nrec; i++)
		if (dev->rec[i].order >= pageblock_order)
			whole += 1UL << dev->rec[i].order;
	KUNIT_EXPECT_EQ_MSG(test, prt_moved(&ev, PGREPORT_COMPACT), 1UL,
			    "the fragmented idle zone was not compacted once");
	KUNIT_EXPECT_GE_MSG(test, dev->min_order, pageblock_order,
			    "a block below pageblock order was reported with the fallback off");
	if (many)
		KUNIT_EXPECT_GE_MSG(test, whole, freed / 4,
				    "compaction gave back %lu pages as pageblocks of %lu freed",
				    whole, freed);
	else
		kunit_info(test, "%lu MiB pageblocks: %lu of %lu freed pages came back as pageblocks",
			   pageblock_nr_pages >> (20 - PAGE_SHIFT), whole, freed);
	fput(file);
}

/*
 * With the fallback on, fragments compaction could not merge are reported
 * as they are.
 */
static void prt_fragments_go_when_compaction_cannot_help(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b;
	struct zone *zone;

	PRT_SET(test, page_reporting_idle_ms, 60000);
	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	prt_run_worker_until_reported(dev, zone, page_reporting_idle() + 1,
				      page_to_pfn(b.free), PRT_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, page_to_pfn(b.free),
						     PRT_ORDER),
			      "a fragment was not reported with the fallback on");
	prt_release_held(&b, PRT_ORDER);
}

/* In the middle of @list, under zone->lock: hide @page among the marked. */
static void prt_bury(struct list_head *list, struct page *page)
{
	struct list_head *pos = list->next;
	unsigned long n = 0, i;

	list_for_each(pos, list)
		n++;
	pos = list;
	for (i = 0; i < n / 2; i++)
		pos = pos->next;
	list_move(&page->buddy_list, pos);
}

/*
 * A block among thousands of marked ones is found, and no hold of
 * zone->lock looks at more than PAGE_REPORTING_SCAN list entries.
 */
static void prt_walks_are_bounded_per_lock_hold(struct kunit *test)
{
	unsigned int i, n = 2048, order = 0;
	struct prt_dev *dev = test->priv;
	struct prt_block *b, extra;
	struct zone *zone;
	int mt;

	PRT_SET(test, page_reporting_order, order);
	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++)
		prt_make_block(test, &b[i], order);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);

	prt_make_block(test, &extra, order);
	prt_settle();
	zone = page_zone(extra.free);
	spin_lock_irq(&zone->lock);
	mt = get_pageblock_migratetype(extra.free);
	if (PageBuddy(extra.free) && !PageReported(extra.free))
		prt_bury(&zone->free_area[order].free_list[mt], extra.free);
	spin_unlock_irq(&zone->lock);

	prt_forget_reports(dev);
	page_reporting_kunit_scan_max = 0;
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_EXPECT_LE_MSG(test, page_reporting_kunit_scan_max,
			    (unsigned int)PAGE_REPORTING_SCAN,
			    "a lock hold looked at %u entries",
			    page_reporting_kunit_scan_max);
	if (prt_is_free_block(extra.free, order))
		KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, page_to_pfn(extra.free),
							     order),
				      "a block among marked ones was not reported");
	prt_release_held(&extra, order);
	for (i = 0; i < n; i++)
		prt_release_held(&b[i], order);
	prt_expect_count_exact(test, zone);
}

/*
 * A pass out of budget tells report-now so, and leaves the rest for the
 * next pass.
 */
static void prt_report_now_says_when_blocks_are_left(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b[PRT_BLOCKS];
	unsigned int i, left = 0;

	PRT_SET(test, page_reporting_batch, 1);
	for (i = 0; i < PRT_BLOCKS; i++)
		prt_make_block(test, &b[i], PRT_ORDER);
	prt_settle();
	page_reporting_kunit_budget = 1UL << PRT_ORDER;
	KUNIT_EXPECT_EQ_MSG(test, page_reporting_flush(), -EAGAIN,
			    "a pass that ran out of budget said it was done");
	page_reporting_kunit_budget = 0;
	for (i = 0; i < PRT_BLOCKS; i++)
		left += !prt_was_reported(dev, page_to_pfn(b[i].free), PRT_ORDER);
	KUNIT_EXPECT_GT(test, left, 0U);
	KUNIT_EXPECT_EQ(test, page_reporting_flush(), 0);
	for (i = 0; i < PRT_BLOCKS; i++) {
		KUNIT_EXPECT_TRUE(test, prt_was_reported(dev, page_to_pfn(b[i].free),
							 PRT_ORDER));
		prt_release_held(&b[i], PRT_ORDER);
	}
}

static int prt_report_now_thread(void *arg)
{
	struct prt_dev *dev = arg;
	const struct kernel_param *kp = &__param_report_now;

	/* As sysfs calls it for built-in code: under the parameter lock. */
	kernel_param_lock(NULL);
	WRITE_ONCE(dev->priv, ERR_PTR(kp->ops->set("1", kp)));
	kernel_param_unlock(NULL);
	complete_all(&dev->unregistered);
	return 0;
}

/*
 * The report_now parameter runs under the global parameter lock: it must
 * queue the pass and return, never wait for the device there.
 */
static void prt_report_now_parameter_does_not_wait(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct task_struct *t;
	struct prt_block b;
	bool returned;

	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	dev->block = true;
	dev->priv = NULL;
	t = kthread_run(prt_report_now_thread, dev, "prt-report-now");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_NE_MSG(test, wait_for_completion_timeout(&dev->entered,
							      30 * HZ), 0UL,
			    "the queued pass never called report()");
	/* report() is held: a parameter write that waits cannot return. */
	returned = wait_for_completion_timeout(&dev->unregistered, 30 * HZ);
	WRITE_ONCE(dev->block, false);
	complete_all(&dev->release);
	if (!returned)
		wait_for_completion(&dev->unregistered);
	KUNIT_EXPECT_TRUE_MSG(test, returned,
			      "report_now waited for the device under the parameter lock");
	KUNIT_EXPECT_EQ(test, PTR_ERR(dev->priv), 0L);
	flush_delayed_work(&page_reporting_work);
	prt_release_held(&b, PRT_ORDER);
}

/* The sysfs file waits for the pass and returns what it returned. */
static void prt_report_now_file_returns_the_result(struct kunit *test)
{
#ifdef CONFIG_SYSFS
	struct prt_dev *dev = test->priv;
	struct prt_block b;

	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	dev->fail = -EIO;
	KUNIT_EXPECT_EQ(test, report_now_store(NULL, NULL, "1", 2), -EIO);
	dev->fail = 0;
	KUNIT_EXPECT_EQ(test, report_now_store(NULL, NULL, "0", 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, report_now_store(NULL, NULL, "1", 2), 2);
	KUNIT_EXPECT_TRUE(test, prt_was_reported(dev, page_to_pfn(b.free),
						 PRT_ORDER));
	prt_release_held(&b, PRT_ORDER);
#else
	kunit_skip(test, "no report_now file without CONFIG_SYSFS");
#endif
}

static int prt_unregister_thread(void *arg)
{
	struct prt_dev *dev = arg;

	page_reporting_unregister(&dev->info);
	/* Past this point report() must have returned, for good. */
	WRITE_ONCE(dev->priv, ERR_PTR(READ_ONCE(dev->block) ? -EBUSY : 0));
	complete_all(&dev->unregistered);
	return 0;
}

/* Never leave the unregister thread behind a failed assertion. */
static void prt_join_unregister(void *arg)
{
	struct prt_dev *dev = arg;

	/* Woken or not yet, the thread is held until it is joined. */
	wake_up_process(dev->thread);
	WRITE_ONCE(dev->block, false);
	complete_all(&dev->release);
	wait_for_completion(&dev->unregistered);
	put_task_struct(dev->thread);
}

/*
 * Unregister waits for the report in flight, and once it has begun no new
 * report starts: not for the rest of the order, not for the orders below,
 * whatever the batch size.
 */
static void prt_unregister_stops_the_pass(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block big[3], small[3];
	unsigned long deadline;
	struct task_struct *t;
	unsigned int i;

	/*
	 * The thread first: creating it allocates, and an allocation might
	 * take one of the test blocks.
	 */
	t = kthread_create(prt_unregister_thread, dev, "prt-unregister");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	dev->thread = get_task_struct(t);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, prt_join_unregister,
							dev), 0);

	/* Partial batches of two orders, at the default batch size. */
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		prt_make_block(test, &big[i], PRT_ORDER + 1);
		prt_make_block(test, &small[i], PRT_ORDER);
	}
	prt_settle();
	dev->block = true;
	WRITE_ONCE(page_reporting_force, true);
	mod_delayed_work(page_reporting_wq, &page_reporting_work, 0);
	KUNIT_ASSERT_NE_MSG(test, wait_for_completion_timeout(&dev->entered,
							      30 * HZ), 0UL,
			    "the forced pass never called report()");

	/* report() is held; unregister withdraws the device and waits. */
	wake_up_process(t);
	deadline = jiffies + 30 * HZ;
	while (READ_ONCE(page_reporting_dev) && time_before(jiffies, deadline))
		schedule_timeout_uninterruptible(1);
	KUNIT_EXPECT_NULL_MSG(test, READ_ONCE(page_reporting_dev),
			      "unregister did not withdraw the device");
	/* Blocked in unregister, or it did not wait for report(). */
	while (!completion_done(&dev->unregistered) &&
	       !wait_task_inactive(t, TASK_UNINTERRUPTIBLE) &&
	       time_before(jiffies, deadline))
		schedule_timeout_uninterruptible(1);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&dev->unregistered),
			       "unregister returned while report() was running");
	WRITE_ONCE(dev->block, false);
	complete_all(&dev->release);
	wait_for_completion(&dev->unregistered);
	KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(dev->priv), 0L,
			    "report() was still running when unregister returned");
	KUNIT_EXPECT_EQ_MSG(test, dev->calls, 1U,
			    "report() was called again after unregister began");

	for (i = 0; i < ARRAY_SIZE(big); i++) {
		KUNIT_EXPECT_NOT_NULL_MSG(test, prt_free_head(big[i].free),
					  "a block was left isolated");
		KUNIT_EXPECT_NOT_NULL_MSG(test, prt_free_head(small[i].free),
					  "a block was left isolated");
		prt_release_held(&big[i], PRT_ORDER + 1);
		prt_release_held(&small[i], PRT_ORDER);
	}
	/* prt_exit's unregister is a no-op now. */
}

static void prt_unregister_cancels_a_pending_pass(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b;
	struct zone *zone;

	/* A pass that will be due when its timer fires, 100 ms from now. */
	PRT_SET(test, page_reporting_idle_ms, 60000);
	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	prt_set_quiet(zone, page_reporting_idle() + 1);
	mod_delayed_work(page_reporting_wq, &page_reporting_work,
			 msecs_to_jiffies(100));
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&page_reporting_work));

	page_reporting_unregister(&dev->info);
	KUNIT_EXPECT_FALSE_MSG(test, delayed_work_pending(&page_reporting_work),
			       "unregister left the worker pending");
	KUNIT_EXPECT_FALSE_MSG(test, work_busy(&page_reporting_work.work),
			       "unregister left the worker running");
	KUNIT_EXPECT_EQ_MSG(test, dev->calls, 0U, "report() ran after unregister");
	KUNIT_EXPECT_NOT_NULL_MSG(test, prt_free_head(b.free),
				  "a block was left isolated");
	KUNIT_EXPECT_EQ(test, page_reporting_flush(), -ENODEV);
	prt_release_held(&b, PRT_ORDER);
}

static void prt_unregister_forgets_the_marks(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	unsigned long pfn;
	struct prt_block b;
	struct zone *zone;

	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	pfn = page_to_pfn(b.free);
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_ASSERT_TRUE(test, PageReported(b.free));

	page_reporting_unregister(&dev->info);
	spin_lock_irq(&zone->lock);
	KUNIT_EXPECT_FALSE_MSG(test, PageReported(b.free),
			       "a mark outlived the device it was reported to");
	KUNIT_EXPECT_EQ(test, zone_reported_pages(zone), 0UL);
	spin_unlock_irq(&zone->lock);
	prt_expect_count_exact(test, zone);

	/* The next device is told about the block again. */
	prt_forget_reports(dev);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&dev->info), 0);
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			      "a block marked for the old device was not reported to the new one");
	prt_release_held(&b, PRT_ORDER);
}

static struct page *prt_moving;

/*
 * Unregister's walk has just left the unmovable list of the block's order:
 * move the marked block there from the movable list, not walked yet, the way
 * a fallback steals its pageblock.
 */
static void prt_move_behind_the_walk(struct zone *zone, unsigned int order,
				     int mt)
{
	struct page *page = prt_moving;

	if (!page || mt != MIGRATE_UNMOVABLE || page_zone(page) != zone)
		return;
	spin_lock_irq(&zone->lock);
	if (PageBuddy(page) && buddy_order(page) == order && PageReported(page) &&
	    get_pageblock_migratetype(page) == MIGRATE_MOVABLE) {
		set_pageblock_migratetype(page, MIGRATE_UNMOVABLE);
		list_move_tail(&page->buddy_list,
			       &zone->free_area[order].free_list[MIGRATE_UNMOVABLE]);
		prt_moving = NULL;
	}
	spin_unlock_irq(&zone->lock);
}

static void prt_unregister_catches_a_moving_mark(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	unsigned int order = pageblock_order;
	struct page *page;
	struct zone *zone;
	bool moved;

	/* A whole free pageblock, so its migratetype can change with it. */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zone = page_zone(page);
	__free_pages(page, order);
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	KUNIT_ASSERT_TRUE(test, prt_is_free_block(page, order) &&
			  PageReported(page));

	prt_moving = page;
	page_reporting_kunit_between_lists = prt_move_behind_the_walk;
	page_reporting_unregister(&dev->info);
	page_reporting_kunit_between_lists = NULL;
	moved = !prt_moving;
	prt_moving = NULL;

	spin_lock_irq(&zone->lock);
	if (PageBuddy(page) && get_pageblock_migratetype(page) == MIGRATE_UNMOVABLE) {
		set_pageblock_migratetype(page, MIGRATE_MOVABLE);
		list_move(&page->buddy_list,
			  &zone->free_area[buddy_order(page)].free_list[MIGRATE_MOVABLE]);
	}
	spin_unlock_irq(&zone->lock);

	KUNIT_ASSERT_TRUE_MSG(test, moved, "the block was taken before it could move");
	KUNIT_EXPECT_FALSE_MSG(test, PageReported(page),
			       "a mark that moved behind unregister's walk survived it");
	prt_expect_count_exact(test, zone);
}

static struct prt_block prt_splitting;
static struct page *prt_split_off;

/*
 * Unregister is about to leave the pageblock order: split the marked test
 * block, of a lower order, as an allocation would, so that its parts are
 * marked at orders lower still.
 */
static void prt_split_behind_the_walk(struct zone *zone, unsigned int order,
				      int mt)
{
	unsigned int big = PRT_ORDER + 2;
	struct page *block = prt_splitting.free;
	struct prt_hideout hide;
	bool ready;

	if (order != pageblock_order || mt != MIGRATE_TYPES - 1 || prt_split_off ||
	    page_zone(block) != zone)
		return;
	spin_lock_irq(&zone->lock);
	ready = PageBuddy(block) && buddy_order(block) == big && PageReported(block);
	if (ready) {
		prt_hide_small(zone, &hide);
		list_move(&block->buddy_list,
			  &zone->free_area[big].free_list[MIGRATE_MOVABLE]);
	}
	spin_unlock_irq(&zone->lock);
	if (!ready)
		return;
	prt_split_off = alloc_pages(GFP_NOWAIT | __GFP_HIGHMEM | __GFP_MOVABLE |
				    __GFP_NOWARN, PRT_ORDER);
	spin_lock_irq(&zone->lock);
	prt_return_small(zone, &hide);
	spin_unlock_irq(&zone->lock);
}

/* Marks that splits spread to lower orders during unregister are dropped too. */
static void prt_unregister_catches_split_marks(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	unsigned int big = PRT_ORDER + 2;
	struct zone *zone;
	bool split;

	KUNIT_ASSERT_LT(test, big, pageblock_order);
	prt_make_block(test, &prt_splitting, big);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	zone = page_zone(prt_splitting.free);

	prt_split_off = NULL;
	page_reporting_kunit_between_lists = prt_split_behind_the_walk;
	page_reporting_unregister(&dev->info);
	page_reporting_kunit_between_lists = NULL;
	split = prt_split_off == prt_splitting.free;

	KUNIT_EXPECT_TRUE_MSG(test, split,
			      "the marked block was not split during unregister");
	spin_lock_irq(&zone->lock);
	KUNIT_EXPECT_EQ_MSG(test, zone_reported_pages(zone), 0UL,
			    "marks made by a split during unregister survived it");
	spin_unlock_irq(&zone->lock);
	prt_expect_count_exact(test, zone);
	if (prt_split_off)
		__free_pages(prt_split_off, PRT_ORDER);
	prt_release_held(&prt_splitting, big);
}

/*
 * A device that may still use the blocks it was handed (-ENOTRECOVERABLE)
 * keeps them: they never reach a free list again, are reserved, so that
 * offlining and contiguous allocations give up on them at once, and leave
 * the managed memory.
 */
static void prt_lost_blocks_are_never_reused(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	unsigned long managed, lost = 0;
	struct prt_events ev;
	struct prt_block b;
	struct zone *zone;
	unsigned int i;
	bool kept = true, reserved = true;

	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	managed = zone_managed_pages(zone);
	prt_snap(&ev);
	dev->lose_page = b.free;
	KUNIT_EXPECT_EQ(test, page_reporting_flush(), -ENOTRECOVERABLE);
	KUNIT_ASSERT_GT_MSG(test, dev->nlost, 0U, "the block was not in a report");

	for (i = 0; i < dev->nlost; i++) {
		struct page *page = sg_page(&dev->lost[i]);
		unsigned long j, pages = dev->lost[i].length >> PAGE_SHIFT;

		kept &= !PageBuddy(page) && page_count(page) == 1;
		for (j = 0; j < pages; j++)
			reserved &= PageReserved(nth_page(page, j));
		lost += pages;
	}
	KUNIT_EXPECT_TRUE_MSG(test, kept,
			      "a block the device may still use was given back");
	KUNIT_EXPECT_TRUE_MSG(test, reserved,
			      "a block the device may still use is not reserved: offlining would wait for it");
	KUNIT_EXPECT_EQ(test, managed - zone_managed_pages(zone), lost);
	KUNIT_EXPECT_EQ(test, prt_moved(&ev, PGREPORT_LEAKED), lost);

	/* The fake device did let go, after all: give them back. */
	for (i = 0; i < dev->nlost; i++) {
		struct page *page = sg_page(&dev->lost[i]);
		unsigned long j, pages = dev->lost[i].length >> PAGE_SHIFT;

		for (j = 0; j < pages; j++)
			__ClearPageReserved(nth_page(page, j));
		adjust_managed_page_count(page, pages);
		__free_pages(page, get_order(dev->lost[i].length));
	}
	prt_release_held(&b, PRT_ORDER);
	prt_expect_count_exact(test, zone);
}

static void prt_expect_rejected(struct kunit *test,
				const struct kernel_param *kp,
				unsigned int *var, const char *val)
{
	unsigned int old = READ_ONCE(*var);

	KUNIT_EXPECT_EQ_MSG(test, kp->ops->set(val, kp), -EINVAL,
			    "%s=\"%s\" was accepted", kp->name, val);
	KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(*var), old,
			    "%s changed after rejecting \"%s\"", kp->name, val);
}

/* @max is taken and @max + 1 is refused. */
static void prt_expect_bound(struct kunit *test, const struct kernel_param *kp,
			     unsigned int *var, unsigned int max)
{
	unsigned int old = READ_ONCE(*var);
	char num[16];

	snprintf(num, sizeof(num), "%u", max + 1);
	prt_expect_rejected(test, kp, var, num);
	snprintf(num, sizeof(num), "%u", max);
	KUNIT_EXPECT_EQ_MSG(test, kp->ops->set(num, kp), 0,
			    "%s=%s was refused", kp->name, num);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*var), max);
	WRITE_ONCE(*var, old);
}

static void prt_parameters_reject_bad_values(struct kunit *test)
{
	static const char * const bad[] = {
		"", "garbage", "-1", "4x", "99999999999999999999",
	};
	static const struct {
		const struct kernel_param *kp;
		unsigned int *var;
		unsigned int max;
	} params[] = {
		{ &__param_page_reporting_order, &page_reporting_order,
		  MAX_PAGE_ORDER },
		{ &__param_page_reporting_delay_ms, &page_reporting_delay_ms,
		  PAGE_REPORTING_MAX_DELAY_MS },
		{ &__param_page_reporting_max_delay_ms,
		  &page_reporting_max_delay_ms, PAGE_REPORTING_MAX_DELAY_MS },
		{ &__param_page_reporting_reuse_window_ms,
		  &page_reporting_reuse_window_ms, PAGE_REPORTING_MAX_DELAY_MS },
		{ &__param_page_reporting_idle_ms, &page_reporting_idle_ms,
		  PAGE_REPORTING_MAX_IDLE_MS },
		{ &__param_page_reporting_fragments, &page_reporting_fragments,
		  1 },
		{ &__param_page_reporting_batch, &page_reporting_batch,
		  PAGE_REPORTING_CAPACITY },
	};
	const struct kernel_param *order = &__param_page_reporting_order;
	const struct kernel_param *batch = &__param_page_reporting_batch;
	const struct kernel_param *idle = &__param_page_reporting_idle_ms;
	unsigned int i, j;
	char *buf;

	BUILD_BUG_ON(ARRAY_SIZE(params) != ARRAY_SIZE(prt_params));
	for (i = 0; i < ARRAY_SIZE(params); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++)
			prt_expect_rejected(test, params[i].kp, params[i].var,
					    bad[j]);
		prt_expect_bound(test, params[i].kp, params[i].var,
				 params[i].max);
	}
	prt_expect_rejected(test, batch, &page_reporting_batch, "0");
	KUNIT_EXPECT_EQ(test, __param_report_now.ops->set("0", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, __param_report_now.ops->set("maybe", NULL),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, batch->ops->set("7", batch), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(page_reporting_batch), 7U);
	KUNIT_EXPECT_EQ(test, order->ops->set("0", order), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(page_reporting_order), 0U);
	KUNIT_EXPECT_EQ(test, __param_report_now.ops->set("1", NULL), 0);
	flush_delayed_work(&page_reporting_work);

	/* What sysfs shows: sysfs_emit() wants a page-aligned page. */
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_GT(test, batch->ops->get(buf, batch), 0);
	KUNIT_EXPECT_STREQ(test, buf, "7\n");
	KUNIT_EXPECT_EQ(test, idle->ops->set("4321", idle), 0);
	KUNIT_EXPECT_GT(test, idle->ops->get(buf, idle), 0);
	KUNIT_EXPECT_STREQ(test, buf, "4321\n");
	/* Unset reads back as -1; the engine ignores frees meanwhile. */
	WRITE_ONCE(page_reporting_order, -1);
	KUNIT_EXPECT_GT(test, order->ops->get(buf, order), 0);
	KUNIT_EXPECT_STREQ_MSG(test, buf, "-1\n", "an unset order must read back as -1");
	WRITE_ONCE(page_reporting_order, 0);
}

static struct kunit_case page_reporting_test_cases[] = {
	KUNIT_CASE(prt_reports_exactly_the_freed_blocks),
	KUNIT_CASE(prt_split_keeps_the_rest_marked),
	KUNIT_CASE(prt_compaction_target_counts_as_reuse),
	KUNIT_CASE(prt_batches_stay_within_the_limit),
	KUNIT_CASE(prt_failed_report_leaves_pages_unmarked),
	KUNIT_CASE(prt_no_idle_tier_at_pageblock_order),
	KUNIT_CASE(prt_merged_reported_buddies_are_reported_again),
	KUNIT_CASE(prt_merge_at_putback_requests_its_tier),
	KUNIT_CASE(prt_reports_order_zero),
	KUNIT_CASE(prt_small_blocks_wait_for_an_idle_zone),
	KUNIT_CASE(prt_small_blocks_go_from_a_steady_zone),
	KUNIT_CASE(prt_pageblocks_go_after_the_short_delay),
	KUNIT_CASE(prt_pageblock_free_pulls_the_worker_in),
	KUNIT_CASE(prt_large_blocks_need_only_their_size),
	KUNIT_CASE(prt_reuse_lengthens_the_wait),
	KUNIT_CASE(prt_wait_stops_at_the_maximum),
	KUNIT_CASE_SLOW(prt_fragmented_zone_is_compacted_first),
	KUNIT_CASE(prt_fragments_go_when_compaction_cannot_help),
	KUNIT_CASE(prt_walks_are_bounded_per_lock_hold),
	KUNIT_CASE(prt_report_now_says_when_blocks_are_left),
	KUNIT_CASE(prt_report_now_parameter_does_not_wait),
	KUNIT_CASE(prt_report_now_file_returns_the_result),
	KUNIT_CASE(prt_drain_serves_its_own_frees),
	KUNIT_CASE(prt_isolated_blocks_stay_unmarked),
	KUNIT_CASE(prt_second_device_is_refused),
	KUNIT_CASE(prt_unregister_stops_the_pass),
	KUNIT_CASE(prt_unregister_cancels_a_pending_pass),
	KUNIT_CASE(prt_unregister_forgets_the_marks),
	KUNIT_CASE(prt_unregister_catches_a_moving_mark),
	KUNIT_CASE(prt_unregister_catches_split_marks),
	KUNIT_CASE(prt_lost_blocks_are_never_reused),
	KUNIT_CASE(prt_parameters_reject_bad_values),
	{}
};

static struct kunit_suite page_reporting_test_suite = {
	.name = "page_reporting",
	.init = prt_init,
	.exit = prt_exit,
	.test_cases = page_reporting_test_cases,
};

kunit_test_suite(page_reporting_test_suite);
