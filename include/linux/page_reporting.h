/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_PAGE_REPORTING_H
#define _LINUX_PAGE_REPORTING_H

#include <linux/bits.h>
#include <linux/mmzone.h>
#include <linux/scatterlist.h>

/*
 * Most entries one report() call is handed.  Devices size their queues for
 * it, and hv_balloon checks it at build time against its hypercall limit.
 */
#define PAGE_REPORTING_CAPACITY		32

/*
 * Blocks smaller than pageblock_order are reported only from a zone that
 * has been idle or steady for a while (page_reporting_idle_ms), so a
 * driver may ask for small blocks without making a busy allocator pay for
 * it.  Drivers built for several kernels can test for this.
 */
#define PAGE_REPORTING_IDLE_TIER	1

/* Flags of struct page_reporting_dev_info */
#define PAGE_REPORTING_F_SINGLE_PAGES	BIT(0)	/* default order 0, see @flags */

/**
 * struct page_reporting_dev_info - a device that takes free page reports
 * @report: hand @nents free blocks in @sg to the device.  Called from a
 *	workqueue with no locks held; it may sleep, and must not return until
 *	the device no longer uses the pages.  Returns 0 when every block was
 *	reported; on error none of them is marked reported.  -ENOTRECOVERABLE
 *	says the device may still use them after all (a reset that did not
 *	complete): the engine then never gives them back to the allocator.
 * @order: smallest block order the device wants, or 0 to let the engine
 *	choose (see the page_reporting.page_reporting_order parameter).
 * @flags: PAGE_REPORTING_F_SINGLE_PAGES: when the engine chooses, the device
 *	takes single pages too (from idle zones); otherwise the engine's
 *	choice is pageblock_order.
 *
 * The engine keeps its own state; a driver fills in these fields only.
 */
struct page_reporting_dev_info {
	int (*report)(struct page_reporting_dev_info *prdev,
		      struct scatterlist *sg, unsigned int nents);
	unsigned int order;
	unsigned int flags;
};

/*
 * Smallest block order reported: set by the admin, or else by the first
 * device to register; (unsigned int)-1 until then.  A driver may read it,
 * or lower its device's demand by raising it (as hv_balloon does when the
 * host refuses small blocks).
 */
extern unsigned int page_reporting_order;

int page_reporting_register(struct page_reporting_dev_info *prdev);
void page_reporting_unregister(struct page_reporting_dev_info *prdev);

#endif /* _LINUX_PAGE_REPORTING_H */
