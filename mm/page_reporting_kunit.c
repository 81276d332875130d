// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for free page reporting, with a fake device that records what
 * it is handed.  Included from mm/page_reporting.c so the tests can reach
 * the parameter handlers and the worker.
 *
 * Blocks are made with a known, allocated buddy: allocate order + 1, split
 * it into base pages, and free one half.  The half becomes a free block of
 * exactly @order that cannot merge while the test holds the other half.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/vmalloc.h>

#define PRT_ORDER	4
#define PRT_BLOCKS	8
#define PRT_TRIES	10	/* runs of the worker that others may upset */
/* Every block of PRT_ORDER in 1 GiB: a re-registered device is told all. */
#define PRT_RECORDS	((unsigned int)(SZ_1G >> (PAGE_SHIFT + PRT_ORDER)))

struct prt_rec {
	unsigned long pfn;
	unsigned int order;
};

struct prt_dev {
	struct page_reporting_dev_info info;
	struct kunit *test;
	int fail;			/* report() returns this */
	struct page *fail_page;		/* ... or -EIO for a batch holding it */
	bool block;			/* report() waits for @release */
	struct completion entered;
	struct completion release;
	struct completion unregistered;
	unsigned int calls;
	unsigned int max_nents;
	unsigned int nrec;
	unsigned int dropped;		/* entries past the record's end */
	struct prt_rec *rec;		/* PRT_RECORDS of them */
	/* parameters as they were before the test */
	unsigned int saved_order, saved_delay, saved_idle, saved_batch;
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
	return err;
}

static void prt_forget_reports(struct prt_dev *dev)
{
	dev->calls = 0;
	dev->max_nents = 0;
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

/* Sum of the PG_reported blocks on @zone's free lists. */
static unsigned long prt_count_marked(struct zone *zone)
{
	unsigned long marked = 0;
	unsigned int order, mt;
	struct page *page;

	for (order = 0; order < NR_PAGE_ORDERS; order++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			list_for_each_entry(page,
					    &zone->free_area[order].free_list[mt],
					    buddy_list)
				if (PageReported(page))
					marked += 1UL << order;
	return marked;
}

static void prt_expect_count_exact(struct kunit *test, struct zone *zone)
{
	unsigned long marked, counted;

	spin_lock_irq(&zone->lock);
	marked = prt_count_marked(zone);
	counted = zone->reported_pages;
	spin_unlock_irq(&zone->lock);
	KUNIT_EXPECT_EQ_MSG(test, counted, marked,
			    "zone %s reported_pages disagrees with its free lists",
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

static unsigned long prt_event(enum vm_event_item item)
{
	unsigned long events[NR_VM_EVENT_ITEMS];

	all_vm_events(events);
	return events[item];
}

/* This CPU's count of reused pages; the caller keeps it from migrating. */
static unsigned long prt_reused_here(void)
{
	return __this_cpu_read(vm_event_states.event[PGREPORT_REUSED]);
}

KUNIT_DEFINE_ACTION_WRAPPER(prt_vfree, vfree, const void *);

static int prt_init(struct kunit *test)
{
	struct prt_dev *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->test = test;
	dev->info.report = prt_report;
	init_completion(&dev->entered);
	init_completion(&dev->release);
	init_completion(&dev->unregistered);
	dev->saved_order = page_reporting_order;
	dev->saved_delay = page_reporting_delay_ms;
	dev->saved_idle = page_reporting_idle_ms;
	dev->saved_batch = page_reporting_batch;
	/* From here on prt_exit() has what it restores. */
	test->priv = dev;

	dev->rec = vzalloc(array_size(PRT_RECORDS, sizeof(*dev->rec)));
	KUNIT_ASSERT_NOT_NULL(test, dev->rec);
	err = kunit_add_action_or_reset(test, prt_vfree, dev->rec);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, page_reporting_register(&dev->info), 0);
	page_reporting_order = PRT_ORDER;
	/* Report what is free already, so each test starts from quiet. */
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);
	prt_forget_reports(dev);
	return 0;
}

static void prt_exit(struct kunit *test)
{
	struct prt_dev *dev = test->priv;

	if (!dev)
		return;
	/* Never leave a report() blocked behind a failed expectation. */
	dev->block = false;
	complete_all(&dev->release);
	page_reporting_unregister(&dev->info);
	page_reporting_order = dev->saved_order;
	page_reporting_delay_ms = dev->saved_delay;
	page_reporting_idle_ms = dev->saved_idle;
	page_reporting_batch = dev->saved_batch;
}

static void prt_reports_exactly_the_freed_blocks(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b[PRT_BLOCKS];
	unsigned int i, mine = 0;

	for (i = 0; i < PRT_BLOCKS; i++)
		prt_make_block(test, &b[i], PRT_ORDER);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);

	for (i = 0; i < PRT_BLOCKS; i++) {
		unsigned long pfn = page_to_pfn(b[i].free);

		KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
				      "freed block %u was not reported", i);
	}
	for (i = 0; i < dev->nrec; i++) {
		unsigned int j;

		for (j = 0; j < PRT_BLOCKS; j++)
			if (dev->rec[i].pfn == page_to_pfn(b[j].free) &&
			    dev->rec[i].order == PRT_ORDER)
				mine++;
	}
	KUNIT_EXPECT_EQ_MSG(test, mine, PRT_BLOCKS,
			    "each freed block should be one entry of its order");

	for (i = 0; i < PRT_BLOCKS; i++) {
		struct zone *zone = page_zone(b[i].free);

		spin_lock_irq(&zone->lock);
		KUNIT_EXPECT_TRUE_MSG(test, PageBuddy(b[i].free),
				      "block %u is not back on a free list", i);
		KUNIT_EXPECT_TRUE_MSG(test, PageReported(b[i].free),
				      "block %u came back unmarked", i);
		spin_unlock_irq(&zone->lock);
		prt_release_held(&b[i], PRT_ORDER);
	}
	prt_expect_count_exact(test, page_zone(b[0].free));
}

static void prt_allocation_clears_the_mark(struct kunit *test)
{
	unsigned long reused = prt_event(PGREPORT_REUSED);
	struct page *page;
	struct zone *zone;

	/*
	 * After the initial flush every large free block is reported, and
	 * the kernel's own work, which goes on meanwhile, frees little onto
	 * the movable lists.
	 */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, PRT_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zone = page_zone(page);

	KUNIT_EXPECT_GE_MSG(test, prt_event(PGREPORT_REUSED) - reused,
			    1UL << PRT_ORDER,
			    "allocating a reported block was not counted");
	KUNIT_EXPECT_FALSE_MSG(test, PageReported(page),
			       "an allocated block still carries the mark");
	__free_pages(page, PRT_ORDER);
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
	unsigned int i;

	page_reporting_batch = 3;
	for (i = 0; i < PRT_BLOCKS; i++)
		prt_make_block(test, &b[i], PRT_ORDER);
	prt_settle();
	KUNIT_ASSERT_EQ(test, page_reporting_flush(), 0);

	KUNIT_EXPECT_GE_MSG(test, dev->calls, DIV_ROUND_UP(PRT_BLOCKS, 3),
			    "%u blocks in batches of 3 need more calls",
			    PRT_BLOCKS);
	KUNIT_EXPECT_LE_MSG(test, dev->max_nents, 3U,
			    "a report exceeded the batch size");
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

	mod_delayed_work(system_freezable_wq, &page_reporting_work, 0);
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
 * A pass of the idle tier must consume its request.  A free since the run
 * may have made a new one, but such a free also restamped the zone: only
 * a zone still carrying the run's @stamp shows the request's fate.  Only
 * the worker writes reporting_idle_free, and it cannot run again before
 * this thread sleeps.
 */
static void prt_expect_idle_consumed(struct kunit *test, struct zone *zone,
				     unsigned long stamp)
{
	bool requested;

	spin_lock_irq(&zone->lock);
	requested = zone->reporting_stamp == stamp &&
		    test_bit(ZONE_REPORTING_IDLE, &zone->flags);
	spin_unlock_irq(&zone->lock);
	KUNIT_EXPECT_FALSE_MSG(test, requested,
			       "the idle tier ran but left its request behind");
	KUNIT_EXPECT_EQ(test, zone->reporting_idle_free, 0UL);
}

static void prt_failed_report_leaves_pages_unmarked(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	unsigned long failed = prt_event(PGREPORT_FAILED);
	struct prt_dev *dev = test->priv;
	struct prt_block b;
	struct page *page;
	struct zone *zone;

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

	KUNIT_EXPECT_GE(test, dev->calls, 1U);
	KUNIT_EXPECT_GE_MSG(test, prt_event(PGREPORT_FAILED) - failed, 1UL,
			    "the failed report was not counted");
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

	/* Allocator activity, then a quiet zone: still no paced retry. */
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, PRT_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	__free_pages(page, PRT_ORDER);
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
	page_reporting_order = 0;
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

	page_reporting_order = pageblock_order;
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
	unsigned long pfn, stamp;
	struct prt_dev *dev = test->priv;
	struct prt_block b;
	struct zone *zone;

	KUNIT_ASSERT_LT(test, PRT_ORDER, pageblock_order);
	page_reporting_idle_ms = 60000;
	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	pfn = page_to_pfn(b.free);
	KUNIT_EXPECT_TRUE_MSG(test, test_bit(ZONE_REPORTING_IDLE, &zone->flags),
			      "freeing a small block did not request the idle tier");

	/* Quiet for more than the delay, less than the idle time. */
	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			       "a small block was reported before the zone went idle");

	KUNIT_EXPECT_NE(test, zone->reporting_idle_free, 0UL);

	stamp = prt_run_worker_until_reported(dev, zone, page_reporting_idle() + 1,
					      pfn, PRT_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			      "a small block was not reported once the zone was idle");
	prt_expect_idle_consumed(test, zone, stamp);
	prt_release_held(&b, PRT_ORDER);
}

static void prt_small_blocks_go_from_a_steady_zone(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	struct prt_dev *dev = test->priv;
	unsigned long pfn, stamp;
	struct prt_block b;
	struct zone *zone;

	/* Busy (stamped just now) but steady: free memory did not shrink. */
	page_reporting_idle_ms = 60000;
	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	pfn = page_to_pfn(b.free);

	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			       "the first look at a zone cannot tell it is steady");
	KUNIT_EXPECT_NE(test, zone->reporting_idle_free, 0UL);
	prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			       "a zone was taken as steady before an idle period passed");

	/* As if the idle period had passed since the first look. */
	zone->reporting_idle_at = jiffies - page_reporting_idle() - 1;
	stamp = prt_run_worker(zone, delay + 1);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, PRT_ORDER),
			      "a small block was not reported from a steady zone");
	prt_expect_idle_consumed(test, zone, stamp);
	prt_release_held(&b, PRT_ORDER);
}

static void prt_pageblocks_go_after_the_short_delay(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	struct prt_dev *dev = test->priv;
	unsigned long pfn;
	struct page *page;
	struct zone *zone;

	/* A block of the largest order cannot merge, so it stays as freed. */
	page_reporting_idle_ms = 60000;
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	zone = page_zone(page);
	__free_pages(page, MAX_PAGE_ORDER);

	/* Allocator activity just now: not quiet yet. */
	prt_run_worker(zone, 0);
	KUNIT_EXPECT_FALSE_MSG(test, prt_was_reported(dev, pfn, MAX_PAGE_ORDER),
			       "a pageblock was reported while the zone was busy");
	prt_run_worker_until_reported(dev, zone, delay + 1, pfn, MAX_PAGE_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test, prt_was_reported(dev, pfn, MAX_PAGE_ORDER),
			      "a pageblock was not reported after the quiet delay");
}

static void prt_pageblock_free_pulls_in_the_idle_timer(struct kunit *test)
{
	unsigned long delay = page_reporting_delay();
	struct prt_block b;
	struct page *page;
	struct zone *zone;
	unsigned int i;

	/*
	 * Only the idle tier's timer may be pending before the pageblock
	 * free.  Background frees can request either tier at any time, so
	 * start over until none did.
	 */
	page_reporting_idle_ms = 60000;
	for (i = 0; i < PRT_TRIES; i++) {
		cancel_delayed_work_sync(&page_reporting_work);
		for_each_populated_zone(zone) {
			clear_bit(ZONE_REPORTING_IDLE, &zone->flags);
			clear_bit(ZONE_REPORTING_REQUESTED, &zone->flags);
		}
		prt_make_block(test, &b, PRT_ORDER);
		prt_settle();
		if (delayed_work_pending(&page_reporting_work) &&
		    time_after(READ_ONCE(page_reporting_work.timer.expires),
			       jiffies + delay))
			break;
		prt_release_held(&b, PRT_ORDER);
	}
	KUNIT_ASSERT_LT_MSG(test, i, PRT_TRIES,
			    "a small block did not arm the idle timer");

	page = alloc_pages(GFP_HIGHUSER_MOVABLE, MAX_PAGE_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	__free_pages(page, MAX_PAGE_ORDER);
	KUNIT_EXPECT_TRUE_MSG(test,
			      time_before_eq(READ_ONCE(page_reporting_work.timer.expires),
					     jiffies + delay),
			      "a pageblock free left the worker waiting for the idle tier");
	prt_release_held(&b, PRT_ORDER);
}

static void prt_second_device_is_refused(struct kunit *test)
{
	struct page_reporting_dev_info other = { .report = prt_report };

	KUNIT_EXPECT_EQ(test, page_reporting_register(&other), -EBUSY);
}

static int prt_unregister_thread(void *arg)
{
	struct prt_dev *dev = arg;

	page_reporting_unregister(&dev->info);
	complete(&dev->unregistered);
	return 0;
}

static void prt_unregister_waits_for_a_running_pass(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct task_struct *t;
	struct prt_block b[2];
	unsigned long left, deadline;

	/*
	 * The thread first: creating it allocates, and an allocation might
	 * take one of the test blocks.
	 */
	t = kthread_create(prt_unregister_thread, dev, "prt-unregister");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/* One block per report, and at least two blocks to report. */
	page_reporting_batch = 1;
	prt_make_block(test, &b[0], PRT_ORDER);
	prt_make_block(test, &b[1], PRT_ORDER);
	prt_settle();
	dev->block = true;
	WRITE_ONCE(page_reporting_force, true);
	mod_delayed_work(system_freezable_wq, &page_reporting_work, 0);
	if (!wait_for_completion_timeout(&dev->entered, 30 * HZ)) {
		kthread_stop(t);
		KUNIT_FAIL(test, "the forced pass never called report()");
		return;
	}

	/* report() is now blocked; unregister must wait for it. */
	wake_up_process(t);
	left = wait_for_completion_timeout(&dev->unregistered, HZ / 5);
	KUNIT_EXPECT_EQ_MSG(test, left, 0UL,
			    "unregister returned while report() was running");
	/* Let unregister withdraw the device before the pass goes on. */
	deadline = jiffies + 30 * HZ;
	while (READ_ONCE(page_reporting_dev) && time_before(jiffies, deadline))
		schedule_timeout_uninterruptible(1);
	KUNIT_EXPECT_NULL_MSG(test, READ_ONCE(page_reporting_dev),
			      "unregister did not withdraw the device");
	complete_all(&dev->release);
	KUNIT_ASSERT_NE_MSG(test,
			    wait_for_completion_timeout(&dev->unregistered,
							30 * HZ),
			    0UL, "unregister did not finish after report() returned");
	KUNIT_EXPECT_EQ_MSG(test, dev->calls, 1U,
			    "the pass went on after unregister, instead of stopping after the batch in flight");

	KUNIT_EXPECT_NOT_NULL_MSG(test, prt_free_head(b[0].free),
				  "a block was left isolated");
	KUNIT_EXPECT_NOT_NULL_MSG(test, prt_free_head(b[1].free),
				  "a block was left isolated");
	prt_release_held(&b[0], PRT_ORDER);
	prt_release_held(&b[1], PRT_ORDER);
	/* prt_exit's unregister is a no-op now. */
}

static void prt_unregister_cancels_a_pending_pass(struct kunit *test)
{
	struct prt_dev *dev = test->priv;
	struct prt_block b;
	struct zone *zone;

	/* A pass that will be due when its timer fires, 100 ms from now. */
	page_reporting_idle_ms = 60000;
	prt_make_block(test, &b, PRT_ORDER);
	prt_settle();
	zone = page_zone(b.free);
	prt_set_quiet(zone, page_reporting_idle() + 1);
	mod_delayed_work(system_freezable_wq, &page_reporting_work,
			 msecs_to_jiffies(100));
	KUNIT_EXPECT_TRUE(test, delayed_work_pending(&page_reporting_work));

	page_reporting_unregister(&dev->info);
	KUNIT_EXPECT_FALSE_MSG(test, delayed_work_pending(&page_reporting_work),
			       "unregister left the worker pending");
	msleep(200);
	KUNIT_EXPECT_EQ_MSG(test, dev->calls, 0U,
			    "report() ran after unregister");
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
	KUNIT_EXPECT_EQ(test, zone->reported_pages, 0UL);
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

static void prt_expect_rejected(struct kunit *test,
				const struct kernel_param *kp,
				unsigned int *var, const char *val)
{
	unsigned int old = *var;

	KUNIT_EXPECT_EQ_MSG(test, kp->ops->set(val, kp), -EINVAL,
			    "%s=\"%s\" was accepted", kp->name, val);
	KUNIT_EXPECT_EQ_MSG(test, *var, old,
			    "%s changed after rejecting \"%s\"", kp->name, val);
}

/* @max is taken and @max + 1 is refused. */
static void prt_expect_bound(struct kunit *test, const struct kernel_param *kp,
			     unsigned int *var, unsigned int max)
{
	unsigned int old = *var;
	char num[16];

	snprintf(num, sizeof(num), "%u", max + 1);
	prt_expect_rejected(test, kp, var, num);
	snprintf(num, sizeof(num), "%u", max);
	KUNIT_EXPECT_EQ_MSG(test, kp->ops->set(num, kp), 0,
			    "%s=%s was refused", kp->name, num);
	KUNIT_EXPECT_EQ(test, *var, max);
	WRITE_ONCE(*var, old);
}

static void prt_parameters_reject_bad_values(struct kunit *test)
{
	static const char * const bad[] = {
		"", "garbage", "-1", "4x", "99999999999999999999",
	};
	const struct kernel_param *order = &__param_page_reporting_order;
	const struct kernel_param *delay = &__param_page_reporting_delay_ms;
	const struct kernel_param *batch = &__param_page_reporting_batch;
	const struct kernel_param *idle = &__param_page_reporting_idle_ms;
	unsigned int i;
	char *buf;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		prt_expect_rejected(test, order, &page_reporting_order, bad[i]);
		prt_expect_rejected(test, delay, &page_reporting_delay_ms, bad[i]);
		prt_expect_rejected(test, batch, &page_reporting_batch, bad[i]);
		prt_expect_rejected(test, idle, &page_reporting_idle_ms, bad[i]);
	}
	prt_expect_bound(test, idle, &page_reporting_idle_ms,
			 PAGE_REPORTING_MAX_IDLE_MS);
	prt_expect_bound(test, order, &page_reporting_order, MAX_PAGE_ORDER);
	prt_expect_bound(test, delay, &page_reporting_delay_ms,
			 PAGE_REPORTING_MAX_DELAY_MS);
	prt_expect_bound(test, batch, &page_reporting_batch,
			 PAGE_REPORTING_CAPACITY);
	prt_expect_rejected(test, batch, &page_reporting_batch, "0");
	KUNIT_EXPECT_EQ(test, __param_report_now.ops->set("0", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, __param_report_now.ops->set("maybe", NULL),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, batch->ops->set("7", batch), 0);
	KUNIT_EXPECT_EQ(test, page_reporting_batch, 7U);
	KUNIT_EXPECT_EQ(test, order->ops->set("0", order), 0);
	KUNIT_EXPECT_EQ(test, page_reporting_order, 0U);
	KUNIT_EXPECT_EQ(test, __param_report_now.ops->set("1", NULL), 0);

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
	KUNIT_CASE(prt_allocation_clears_the_mark),
	KUNIT_CASE(prt_compaction_target_counts_as_reuse),
	KUNIT_CASE(prt_batches_stay_within_the_limit),
	KUNIT_CASE(prt_failed_report_leaves_pages_unmarked),
	KUNIT_CASE(prt_no_idle_tier_at_pageblock_order),
	KUNIT_CASE(prt_merged_reported_buddies_are_reported_again),
	KUNIT_CASE(prt_reports_order_zero),
	KUNIT_CASE(prt_small_blocks_wait_for_an_idle_zone),
	KUNIT_CASE(prt_small_blocks_go_from_a_steady_zone),
	KUNIT_CASE(prt_pageblocks_go_after_the_short_delay),
	KUNIT_CASE(prt_pageblock_free_pulls_in_the_idle_timer),
	KUNIT_CASE(prt_second_device_is_refused),
	KUNIT_CASE(prt_unregister_waits_for_a_running_pass),
	KUNIT_CASE(prt_unregister_cancels_a_pending_pass),
	KUNIT_CASE(prt_unregister_forgets_the_marks),
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
