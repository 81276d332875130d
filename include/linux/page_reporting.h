/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_PAGE_REPORTING_H
#define _LINUX_PAGE_REPORTING_H

#include <linux/mmzone.h>
#include <linux/scatterlist.h>

/*
 * Most entries one report() call is handed.  Devices size their queues for
 * it, and hv_balloon checks it at build time against its hypercall limit.
 */
#define PAGE_REPORTING_CAPACITY		32

/**
 * struct page_reporting_dev_info - a device that takes free page reports
 * @report: hand @nents free blocks in @sg to the device.  Called from a
 *	workqueue with no locks held; it may sleep, and must not return until
 *	the device no longer uses the pages.  Returns 0 when every block was
 *	reported; on error none of them is marked reported.
 * @order: smallest block order the device wants, or 0 to let the engine
 *	choose (see the page_reporting.page_reporting_order parameter).
 *
 * The engine keeps its own state; a driver fills in these two fields only.
 */
struct page_reporting_dev_info {
	int (*report)(struct page_reporting_dev_info *prdev,
		      struct scatterlist *sg, unsigned int nents);
	unsigned int order;
};

int page_reporting_register(struct page_reporting_dev_info *prdev);
void page_reporting_unregister(struct page_reporting_dev_info *prdev);

#endif /* _LINUX_PAGE_REPORTING_H */
