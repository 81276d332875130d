#ifndef _LINUX_VIRTIO_BALLOON_H
#define _LINUX_VIRTIO_BALLOON_H
/* This header is BSD licensed so anyone can use the definitions to implement
 * compatible drivers/servers.
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions
 * are met:
 * 1. Redistributions of source code must retain the above copyright
 *    notice, this list of conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright
 *    notice, this list of conditions and the following disclaimer in the
 *    documentation and/or other materials provided with the distribution.
 * 3. Neither the name of IBM nor the names of its contributors
 *    may be used to endorse or promote products derived from this software
 *    without specific prior written permission.
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS ``AS IS'' AND
 * ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 * IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 * ARE DISCLAIMED.  IN NO EVENT SHALL IBM OR CONTRIBUTORS BE LIABLE
 * FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 * DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
 * OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
 * HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT
 * LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY
 * OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF
 * SUCH DAMAGE. */

/*
 * Interface of the virtio traditional memory balloon device
 * (virtio 1.2, "Traditional Memory Balloon Device").
 *
 * Drivers and device models on both sides of the virtio transport share
 * these definitions: every layout and value below is wire ABI and must
 * never change.
 */

#include <linux/types.h>
#include <linux/virtio_types.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_config.h>

/*
 * Device feature bits.
 *
 * MUST_TELL_HOST: the driver reports deflated pages on the deflate queue
 *	before it touches them again.
 * STATS_VQ:       a statistics queue follows the deflate queue.
 * DEFLATE_ON_OOM: the driver may shrink the balloon when the guest runs
 *	out of memory, without waiting for a new target.
 * FREE_PAGE_HINT: the free page hint queue lets the driver hint unused
 *	pages to the device on request (used during live migration).
 * PAGE_POISON:    the driver announces in poison_val what freed guest
 *	pages contain, so the device can keep that content.
 * REPORTING:      the free page reporting queue lets the driver hand
 *	free pages back to the device on its own initiative.
 */
#define VIRTIO_BALLOON_F_MUST_TELL_HOST	0
#define VIRTIO_BALLOON_F_STATS_VQ	1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM	2
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT	3
#define VIRTIO_BALLOON_F_PAGE_POISON	4
#define VIRTIO_BALLOON_F_REPORTING	5

/* The inflate and deflate queues carry 32-bit frame numbers of 4 KiB. */
#define VIRTIO_BALLOON_PFN_SHIFT 12

/*
 * Special values of free_page_hint_cmd_id.  Any other value starts a new
 * hinting round identified by that value.
 */
#define VIRTIO_BALLOON_CMD_ID_STOP	0	/* end the current round */
#define VIRTIO_BALLOON_CMD_ID_DONE	1	/* hinted pages may be reused */

/* Device configuration space; every field is little endian. */
struct virtio_balloon_config {
	/* Balloon size (in 4 KiB pages) the device asks for; read-only. */
	__le32 num_pages;
	/* Balloon size (in 4 KiB pages) the driver has reached. */
	__le32 actual;
	/*
	 * Command for free page hinting; read-only.  The second name is the
	 * historical one, still accepted for source compatibility.
	 */
	union {
		__le32 free_page_hint_cmd_id;
		__le32 free_page_report_cmd_id;	/* deprecated name */
	};
	/* Content of freed guest pages, valid with PAGE_POISON. */
	__le32 poison_val;
};

/* Tags of the statistics sent on the stats queue. */
#define VIRTIO_BALLOON_S_SWAP_IN	0	/* bytes swapped in */
#define VIRTIO_BALLOON_S_SWAP_OUT	1	/* bytes swapped out */
#define VIRTIO_BALLOON_S_MAJFLT		2	/* major page faults */
#define VIRTIO_BALLOON_S_MINFLT		3	/* minor page faults */
#define VIRTIO_BALLOON_S_MEMFREE	4	/* unused memory, bytes */
#define VIRTIO_BALLOON_S_MEMTOT		5	/* total memory, bytes */
#define VIRTIO_BALLOON_S_AVAIL		6	/* available memory, bytes */
#define VIRTIO_BALLOON_S_CACHES		7	/* disk caches, bytes */
#define VIRTIO_BALLOON_S_HTLB_PGALLOC	8	/* hugetlb page allocations */
#define VIRTIO_BALLOON_S_HTLB_PGFAIL	9	/* failed hugetlb allocations */
#define VIRTIO_BALLOON_S_OOM_KILL	10	/* OOM killer invocations */
#define VIRTIO_BALLOON_S_ALLOC_STALL	11	/* allocation stalls */
#define VIRTIO_BALLOON_S_ASYNC_SCAN	12	/* bytes scanned by kswapd */
#define VIRTIO_BALLOON_S_DIRECT_SCAN	13	/* bytes scanned directly */
#define VIRTIO_BALLOON_S_ASYNC_RECLAIM	14	/* bytes reclaimed by kswapd */
#define VIRTIO_BALLOON_S_DIRECT_RECLAIM	15	/* bytes reclaimed directly */
#define VIRTIO_BALLOON_S_NR		16

/*
 * Printable names of the statistics, indexed by tag, each one preceded by
 * the string literal passed as argument.
 */
#define VIRTIO_BALLOON_S_NAMES_WITH_PREFIX(VIRTIO_BALLOON_S_NAMES_prefix) { \
	VIRTIO_BALLOON_S_NAMES_prefix "swap-in", \
	VIRTIO_BALLOON_S_NAMES_prefix "swap-out", \
	VIRTIO_BALLOON_S_NAMES_prefix "major-faults", \
	VIRTIO_BALLOON_S_NAMES_prefix "minor-faults", \
	VIRTIO_BALLOON_S_NAMES_prefix "free-memory", \
	VIRTIO_BALLOON_S_NAMES_prefix "total-memory", \
	VIRTIO_BALLOON_S_NAMES_prefix "available-memory", \
	VIRTIO_BALLOON_S_NAMES_prefix "disk-caches", \
	VIRTIO_BALLOON_S_NAMES_prefix "hugetlb-allocations", \
	VIRTIO_BALLOON_S_NAMES_prefix "hugetlb-failures", \
	VIRTIO_BALLOON_S_NAMES_prefix "oom-kills", \
	VIRTIO_BALLOON_S_NAMES_prefix "alloc-stalls", \
	VIRTIO_BALLOON_S_NAMES_prefix "async-scans", \
	VIRTIO_BALLOON_S_NAMES_prefix "direct-scans", \
	VIRTIO_BALLOON_S_NAMES_prefix "async-reclaims", \
	VIRTIO_BALLOON_S_NAMES_prefix "direct-reclaims" \
}

#define VIRTIO_BALLOON_S_NAMES VIRTIO_BALLOON_S_NAMES_WITH_PREFIX("")

/*
 * One statistic on the stats queue: a tag from the list above and its
 * value.  The wire format has no padding, hence the packed attribute: the
 * record is 10 bytes long and val is not naturally aligned.  Kept as is for
 * compatibility; a new interface would rather use explicit reserved bytes
 * to align val on 8 bytes.
 */
struct virtio_balloon_stat {
	__virtio16 tag;
	__virtio64 val;
} __attribute__((packed));

#endif /* _LINUX_VIRTIO_BALLOON_H */
