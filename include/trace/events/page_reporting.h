/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM page_reporting

#if !defined(_TRACE_PAGE_REPORTING_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_PAGE_REPORTING_H

#include <linux/tracepoint.h>

/*
 * One event per report() call: which zone and free list the batch came
 * from, how many blocks and base pages it held, what the device said, and
 * how long the zone now waits for quiet before it reports (the learnt
 * wait, see mm/page_reporting.c).
 */
TRACE_EVENT(page_reporting_batch,

	TP_PROTO(int nid, const char *zone, unsigned int order,
		 unsigned int nents, int err, unsigned int wait_ms),

	TP_ARGS(nid, zone, order, nents, err, wait_ms),

	TP_STRUCT__entry(
		__field(int, nid)
		__string(zone, zone)
		__field(unsigned int, order)
		__field(unsigned int, nents)
		__field(int, err)
		__field(unsigned int, wait_ms)
	),

	TP_fast_assign(
		__entry->nid = nid;
		__assign_str(zone);
		__entry->order = order;
		__entry->nents = nents;
		__entry->err = err;
		__entry->wait_ms = wait_ms;
	),

	TP_printk("nid=%d zone=%s order=%u nents=%u pages=%lu err=%d wait_ms=%u",
		  __entry->nid, __get_str(zone), __entry->order,
		  __entry->nents, (unsigned long)__entry->nents << __entry->order,
		  __entry->err, __entry->wait_ms)
);

#endif /* _TRACE_PAGE_REPORTING_H */

#include <trace/define_trace.h>
