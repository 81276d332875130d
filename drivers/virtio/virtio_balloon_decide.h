/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pure decisions of the virtio balloon driver.
 *
 * Everything here maps plain inputs (feature bitmasks, booleans) to plain
 * outputs, with no access to a device or to global kernel state, so that
 * the KUnit suite in virtio_balloon_kunit.c can exercise every combination.
 * The driver samples the kernel state and feeds it in.
 */
#ifndef _VIRTIO_BALLOON_DECIDE_H
#define _VIRTIO_BALLOON_DECIDE_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/* Bit of a balloon feature in a 64-bit feature mask. */
#define VB_F(name)	BIT_ULL(VIRTIO_BALLOON_F_##name)

/**
 * enum vb_free_fill - what the page allocator leaves in pages it frees
 * @VB_FILL_NONE: nothing; free pages keep stale data.
 * @VB_FILL_ZERO: init_on_free clears them.
 * @VB_FILL_POISON: page poisoning writes PAGE_POISON into every byte and
 *	checks the pattern again on allocation.
 */
enum vb_free_fill {
	VB_FILL_NONE,
	VB_FILL_ZERO,
	VB_FILL_POISON,
};

/**
 * vb_free_fill() - classify the allocator's treatment of freed pages
 * @poisoning: page poisoning is enabled (page_poisoning_enabled_static())
 * @init_on_free: freed pages are zeroed (want_init_on_free())
 *
 * The memory core turns init_on_free off when poisoning is requested, so
 * poisoning wins if both are claimed.
 *
 * Return: the fill pattern the device has to preserve in free pages.
 */
static inline enum vb_free_fill vb_free_fill(bool poisoning, bool init_on_free)
{
	if (poisoning)
		return VB_FILL_POISON;
	if (init_on_free)
		return VB_FILL_ZERO;
	return VB_FILL_NONE;
}

/**
 * vb_negotiate() - trim the features both sides offered
 * @features: the device's features already masked by the driver's table
 * @fill: content of freed pages, from vb_free_fill()
 *
 * Rules, in order:
 *
 * - PAGE_POISON only makes sense when freed pages hold a defined value;
 *   without one it is dropped so that the device may discard freely.
 * - Reported pages can be discarded by the device and then read back as
 *   zeroes.  If freed pages must hold a value and the driver cannot tell the
 *   device which one (no PAGE_POISON), REPORTING is dropped.
 * - FREE_PAGE_HINT is kept in every case: hinted blocks are allocated by
 *   the driver and go through the allocator's free path again when they
 *   are given back, which rewrites whatever the allocator wants in them.
 *   Dropping it while keeping REPORTING would also shift the reporting
 *   queue away from the index the device gave it.
 * - Indirect descriptors are refused so that adding a report never
 *   allocates memory, and the platform DMA API is refused because the
 *   device works on guest physical frames.
 *
 * Only ever clears bits.
 *
 * Return: the feature mask to accept.
 */
static inline u64 vb_negotiate(u64 features, enum vb_free_fill fill)
{
	if (fill == VB_FILL_NONE)
		features &= ~VB_F(PAGE_POISON);
	else if (!(features & VB_F(PAGE_POISON)))
		features &= ~VB_F(REPORTING);

	features &= ~BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
	features &= ~BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
	return features;
}

/**
 * vb_poison_value() - value for the poison_val config field
 * @fill: content of freed pages, from vb_free_fill()
 * @pattern: the byte page poisoning writes (PAGE_POISON)
 *
 * The field describes a 32-bit word of a free page, so a poison byte is
 * replicated into all four bytes; the result is symmetric and needs no
 * byte swapping.
 *
 * Return: 0 for zeroed or untouched pages, else @pattern in every byte.
 */
static inline u32 vb_poison_value(enum vb_free_fill fill, u8 pattern)
{
	if (fill != VB_FILL_POISON)
		return 0;
	return pattern * 0x01010101U;
}

/**
 * vb_report_order() - the order to ask of a reporting engine that reports
 *	only blocks of the order it is asked for
 * @page_shift: PAGE_SHIFT
 * @pb_order: pageblock_order, the order such an engine falls back on
 *
 * Guests free memory in blocks much smaller than a 512 MiB pageblock of
 * 64 KiB pages, so an engine left at pageblock_order there reports almost
 * nothing.  Ask for 2 MiB blocks wherever a pageblock is larger: the
 * largest block a guest still frees often, and what a host's transparent
 * huge pages are made of.  (Upstream's driver asks for order 5 with 64 KiB
 * pages, the same 2 MiB.)
 *
 * Return: the order, or 0 to leave the engine its default.
 */
static inline unsigned int vb_report_order(unsigned int page_shift,
					   unsigned int pb_order)
{
	unsigned int order_2m = page_shift < 21 ? 21 - page_shift : 0;

	return pb_order > order_2m ? order_2m : 0;
}

/**
 * enum vb_vq_role - what a virtqueue is used for
 * @VB_VQ_INFLATE: frames handed to the device
 * @VB_VQ_DEFLATE: frames taken back from the device
 * @VB_VQ_STATS: memory statistics (STATS_VQ)
 * @VB_VQ_HINT: free page hinting (FREE_PAGE_HINT)
 * @VB_VQ_REPORT: free page reporting (REPORTING)
 * @VB_VQ_ROLES: number of roles
 */
enum vb_vq_role {
	VB_VQ_INFLATE,
	VB_VQ_DEFLATE,
	VB_VQ_STATS,
	VB_VQ_HINT,
	VB_VQ_REPORT,
	VB_VQ_ROLES
};

/**
 * struct vb_vq_layout - virtqueue index of every role
 * @index: queue index of each role, -1 if the role has no queue
 * @count: number of queues to set up
 */
struct vb_vq_layout {
	int index[VB_VQ_ROLES];
	unsigned int count;
};

/**
 * vb_vq_layout() - number the virtqueues for a negotiated feature set
 * @features: negotiated features
 * @layout: filled in
 *
 * Inflate and deflate always exist.  The optional queues follow in role
 * order, each only if its feature was negotiated, and take the next free
 * index: queues are numbered densely, as the virtio transports number the
 * queues they set up.  Devices create the optional queues in the same
 * order, so this matches them as long as every optional queue the device
 * offers is accepted (QEMU always offers STATS_VQ, and vb_negotiate() never
 * drops FREE_PAGE_HINT).
 */
static inline void vb_vq_layout(u64 features, struct vb_vq_layout *layout)
{
	static const u64 needs[VB_VQ_ROLES] = {
		[VB_VQ_STATS] = VB_F(STATS_VQ),
		[VB_VQ_HINT] = VB_F(FREE_PAGE_HINT),
		[VB_VQ_REPORT] = VB_F(REPORTING),
	};
	unsigned int role;

	layout->count = 0;
	for (role = 0; role < VB_VQ_ROLES; role++) {
		if (needs[role] && !(features & needs[role])) {
			layout->index[role] = -1;
			continue;
		}
		layout->index[role] = layout->count++;
	}
}

#endif /* _VIRTIO_BALLOON_DECIDE_H */
