/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MM_PAGE_REPORTING_H
#define _MM_PAGE_REPORTING_H

#include <linux/mmzone.h>
#include <linux/jiffies.h>
#include <linux/jump_label.h>
#include <linux/page-flags.h>
#include <linux/page-isolation.h>
#include <linux/page_reporting.h>
#include <linux/vmstat.h>

#ifdef CONFIG_PAGE_REPORTING
DECLARE_STATIC_KEY_FALSE(page_reporting_enabled);

void __page_reporting_notify(struct zone *zone, unsigned int order);
unsigned int page_reporting_wait_ms(struct zone *zone);

/* True when @page, a free buddy block, has been handed to the device. */
static inline bool page_reported(struct page *page)
{
	return static_branch_unlikely(&page_reporting_enabled) &&
	       PageReported(page);
}

/* Free pages of @zone marked PG_reported; exact under zone->lock. */
static inline unsigned long zone_reported_pages(struct zone *zone)
{
	unsigned long pages = 0;
	unsigned int order;

	for (order = 0; order < NR_PAGE_ORDERS; order++)
		pages += READ_ONCE(zone->free_area[order].nr_reported) << order;
	return pages;
}

/*
 * Note buddy allocator activity in @zone, whose lock the caller holds.  The
 * stamp is written at most once per jiffy, to keep its cache line quiet.
 * Allocations stamp a zone once per lock hold, frees only when they build
 * a pageblock or request a tier: only net allocation makes reporting a
 * waste, so frees of small blocks need not postpone it.
 */
static inline void page_reporting_stamp(struct zone *zone)
{
	unsigned long now = jiffies;

	if (zone->reporting_stamp != now)
		WRITE_ONCE(zone->reporting_stamp, now);
}

/**
 * page_reporting_notify_free - a block of @order joined a free list of @zone
 * @zone: the zone, whose lock the caller holds
 * @order: order of the block after merging
 *
 * Called for every free in __free_one_page(), so it must stay cheap: one
 * static branch while no device is registered, a few compares after that.
 */
static inline void page_reporting_notify_free(struct zone *zone,
					      unsigned int order)
{
	if (!static_branch_unlikely(&page_reporting_enabled))
		return;
	if (order < READ_ONCE(page_reporting_order))
		return;
	/*
	 * A small block whose tier is already requested: nothing to
	 * record.  That is most order-0 frees, so they cost one bit test.
	 */
	if (order < pageblock_order &&
	    test_bit(ZONE_REPORTING_IDLE, &zone->flags))
		return;
	__page_reporting_notify(zone, order);
}

/**
 * page_reporting_note_alloc - the buddy allocator is about to allocate
 * @zone: the zone, whose lock the caller just took
 *
 * Reporting waits for a zone to be quiet, so allocations postpone it.
 * Called once per lock hold, not per page: a per-cpu list refill takes a
 * whole batch under one hold.
 */
static __always_inline void page_reporting_note_alloc(struct zone *zone)
{
	if (static_branch_unlikely(&page_reporting_enabled))
		page_reporting_stamp(zone);
}

/**
 * page_reporting_account_reuse - pages of a reported block are being allocated
 * @zone: the zone, whose lock the caller holds
 * @order: the order of the allocation taken from the block
 *
 * The rest of the block, if any, stays marked (see expand()).  Compaction
 * takes blocks whole through __isolate_free_page() and counts them whole,
 * although it may hand parts back unused.  The host has to back these
 * pages again; the per-zone count tells the engine how soon that happens.
 */
static inline void page_reporting_account_reuse(struct zone *zone,
						unsigned int order)
{
	lockdep_assert_held(&zone->lock);
	__count_vm_events(PGREPORT_REUSED, 1UL << order);
	/* The reporting worker reads it without the lock. */
	WRITE_ONCE(zone->reporting_reused, zone->reporting_reused + (1UL << order));
}

/**
 * page_reporting_set_mark - a free block is known to be reported
 * @zone: the zone, whose lock the caller holds
 * @page: the head of the block, on a free list
 * @order: its order
 */
static inline void page_reporting_set_mark(struct zone *zone,
					   struct page *page, unsigned int order)
{
	__SetPageReported(page);
	zone->free_area[order].nr_reported++;
}

/**
 * page_reporting_clear_mark - a reported block leaves the free lists
 * @zone: the zone, whose lock the caller holds
 * @page: the head of the block
 * @order: its order
 *
 * The block is being allocated, merged into a larger one or isolated; it is
 * no longer known to be reported.
 */
static inline void page_reporting_clear_mark(struct zone *zone,
					     struct page *page,
					     unsigned int order)
{
	__ClearPageReported(page);
	zone->free_area[order].nr_reported--;
}

/**
 * page_reporting_move - a free block moves to another free list
 * @zone: the zone, whose lock the caller holds
 * @page: the head of the block, already on its new list
 * @order: its order
 * @old_mt: the migratetype of the list it left
 * @new_mt: the migratetype of the list it joined
 *
 * A mark survives moves between the lists the engine reports from.  Blocks
 * on isolated pageblocks are kept unmarked: they are about to be taken
 * (offlining, contiguous allocations) or to come back, and coming back
 * makes them reportable again.
 */
static inline void page_reporting_move(struct zone *zone, struct page *page,
				       unsigned int order, int old_mt,
				       int new_mt)
{
	if (!static_branch_unlikely(&page_reporting_enabled))
		return;
	if (is_migrate_isolate(new_mt)) {
		if (PageReported(page))
			page_reporting_clear_mark(zone, page, order);
	} else if (is_migrate_isolate(old_mt)) {
		page_reporting_notify_free(zone, order);
	}
}
#else /* CONFIG_PAGE_REPORTING */
static inline bool page_reported(struct page *page)
{
	return false;
}

static inline void page_reporting_notify_free(struct zone *zone,
					      unsigned int order)
{
}

static inline void page_reporting_note_alloc(struct zone *zone)
{
}

static inline void page_reporting_account_reuse(struct zone *zone,
						unsigned int order)
{
}

static inline void page_reporting_set_mark(struct zone *zone,
					   struct page *page, unsigned int order)
{
}

static inline void page_reporting_clear_mark(struct zone *zone,
					     struct page *page,
					     unsigned int order)
{
}

static inline void page_reporting_move(struct zone *zone, struct page *page,
				       unsigned int order, int old_mt,
				       int new_mt)
{
}
#endif /* CONFIG_PAGE_REPORTING */
#endif /* _MM_PAGE_REPORTING_H */
