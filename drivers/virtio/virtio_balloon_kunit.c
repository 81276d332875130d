// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests for the decisions of the virtio balloon driver: what freed
 * pages contain, which features to accept, what to write to poison_val and
 * where each virtqueue sits.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "virtio_balloon_decide.h"

/* The balloon features the driver offers, i.e. its feature table. */
#define VB_ALL_FEATURES	(VB_F(MUST_TELL_HOST) | VB_F(STATS_VQ) | \
			 VB_F(DEFLATE_ON_OOM) | VB_F(FREE_PAGE_HINT) | \
			 VB_F(PAGE_POISON) | VB_F(REPORTING))

/* Transport bits vb_negotiate() must leave alone. */
#define VB_KEPT_TRANSPORT	(BIT_ULL(VIRTIO_F_VERSION_1) | \
				 BIT_ULL(VIRTIO_RING_F_EVENT_IDX))

/* Transport bits vb_negotiate() always refuses. */
#define VB_REFUSED_TRANSPORT	(BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) | \
				 BIT_ULL(VIRTIO_F_ACCESS_PLATFORM))

static void vb_test_fill_none(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, vb_free_fill(false, false), VB_FILL_NONE,
			    "no poisoning, no init_on_free: pages keep stale data");
}

static void vb_test_fill_zero(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, vb_free_fill(false, true), VB_FILL_ZERO,
			    "init_on_free alone zeroes freed pages");
}

static void vb_test_fill_poison(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, vb_free_fill(true, false), VB_FILL_POISON,
			    "page poisoning alone poisons freed pages");
}

static void vb_test_fill_poison_wins(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, vb_free_fill(true, true), VB_FILL_POISON,
			    "poisoning takes precedence over init_on_free, as in mm");
}

static void vb_test_none_drops_page_poison(struct kunit *test)
{
	u64 got = vb_negotiate(VB_ALL_FEATURES, VB_FILL_NONE);

	KUNIT_EXPECT_FALSE_MSG(test, got & VB_F(PAGE_POISON),
			       "PAGE_POISON kept although freed pages hold nothing");
	KUNIT_EXPECT_TRUE_MSG(test, got & VB_F(REPORTING),
			      "REPORTING dropped although any content is fine");
	KUNIT_EXPECT_TRUE_MSG(test, got & VB_F(FREE_PAGE_HINT),
			      "FREE_PAGE_HINT dropped without reason");
}

static void vb_test_zero_with_page_poison(struct kunit *test)
{
	u64 got = vb_negotiate(VB_ALL_FEATURES, VB_FILL_ZERO);

	KUNIT_EXPECT_TRUE_MSG(test, got & VB_F(PAGE_POISON),
			      "PAGE_POISON dropped although init_on_free is on");
	KUNIT_EXPECT_TRUE_MSG(test, got & VB_F(REPORTING),
			      "REPORTING dropped although the device knows the value");
	KUNIT_EXPECT_TRUE_MSG(test, got & VB_F(FREE_PAGE_HINT),
			      "FREE_PAGE_HINT dropped with init_on_free");
}

static void vb_test_zero_without_page_poison(struct kunit *test)
{
	u64 got = vb_negotiate(VB_ALL_FEATURES & ~VB_F(PAGE_POISON),
			       VB_FILL_ZERO);

	KUNIT_EXPECT_FALSE_MSG(test, got & VB_F(REPORTING),
			       "REPORTING kept although the device cannot be told about zeroing");
	KUNIT_EXPECT_TRUE_MSG(test, got & VB_F(FREE_PAGE_HINT),
			      "FREE_PAGE_HINT dropped: hinted blocks are re-initialized when freed");
	KUNIT_EXPECT_FALSE_MSG(test, got & VB_F(PAGE_POISON),
			       "PAGE_POISON appeared although the device did not offer it");
}

static void vb_test_poison_with_page_poison(struct kunit *test)
{
	u64 got = vb_negotiate(VB_ALL_FEATURES, VB_FILL_POISON);

	KUNIT_EXPECT_EQ_MSG(test, got, VB_ALL_FEATURES,
			    "every balloon feature works with poisoning announced");
}

static void vb_test_poison_without_page_poison(struct kunit *test)
{
	u64 got = vb_negotiate(VB_ALL_FEATURES & ~VB_F(PAGE_POISON),
			       VB_FILL_POISON);

	KUNIT_EXPECT_FALSE_MSG(test, got & VB_F(REPORTING),
			       "REPORTING kept: discarded pages would fail the poison check");
	KUNIT_EXPECT_TRUE_MSG(test, got & VB_F(FREE_PAGE_HINT),
			      "FREE_PAGE_HINT dropped: hinted blocks are re-poisoned when freed");
}

static void vb_test_other_features_untouched(struct kunit *test)
{
	u64 others = VB_F(MUST_TELL_HOST) | VB_F(STATS_VQ) |
		     VB_F(DEFLATE_ON_OOM);
	enum vb_free_fill fill;

	for (fill = VB_FILL_NONE; fill <= VB_FILL_POISON; fill++)
		KUNIT_EXPECT_EQ_MSG(test, vb_negotiate(others, fill) & others,
				    others,
				    "fill %d dropped a feature unrelated to freed pages",
				    fill);
}

static void vb_test_transport_bits(struct kunit *test)
{
	u64 offered = VB_ALL_FEATURES | VB_KEPT_TRANSPORT |
		      VB_REFUSED_TRANSPORT;
	enum vb_free_fill fill;
	u64 got;

	for (fill = VB_FILL_NONE; fill <= VB_FILL_POISON; fill++) {
		got = vb_negotiate(offered, fill);
		KUNIT_EXPECT_EQ_MSG(test, got & VB_REFUSED_TRANSPORT, 0ULL,
				    "fill %d: indirect descriptors or platform DMA accepted",
				    fill);
		KUNIT_EXPECT_EQ_MSG(test, got & VB_KEPT_TRANSPORT,
				    VB_KEPT_TRANSPORT,
				    "fill %d: VERSION_1 or EVENT_IDX lost", fill);
	}
}

/*
 * The negotiation as the virtio specification's balloon chapter states it,
 * one row per case, each outcome written down rather than computed: a
 * driver whose freed pages hold nothing in particular clears PAGE_POISON
 * (page poison, driver requirements); one whose freed pages are zeroed or
 * poisoned keeps it to tell the device, and without it cannot let the
 * device discard reported pages, so REPORTING goes (free page reporting:
 * a reported page comes back with whatever the device puts there).
 */
static const struct {
	bool poisoning, init_on_free;	/* the guest */
	bool offer_pp, offer_rep;	/* the device */
	bool want_pp, want_rep;		/* accepted */
} vb_spec_rows[] = {
	/* nothing in freed pages: any content will do */
	{ false, false, false, false, false, false },
	{ false, false, false, true,  false, true  },
	{ false, false, true,  false, false, false },
	{ false, false, true,  true,  false, true  },
	/* zeroed: the device must be told, or must not discard */
	{ false, true,  false, false, false, false },
	{ false, true,  false, true,  false, false },
	{ false, true,  true,  false, true,  false },
	{ false, true,  true,  true,  true,  true  },
	/* poisoned */
	{ true,  false, false, false, false, false },
	{ true,  false, false, true,  false, false },
	{ true,  false, true,  false, true,  false },
	{ true,  false, true,  true,  true,  true  },
	/* both claimed: poisoning wins, as in mm */
	{ true,  true,  false, true,  false, false },
	{ true,  true,  true,  true,  true,  true  },
};

static void vb_test_spec_table(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vb_spec_rows); i++) {
		u64 offered = VB_F(STATS_VQ) | VB_F(FREE_PAGE_HINT), got;

		if (vb_spec_rows[i].offer_pp)
			offered |= VB_F(PAGE_POISON);
		if (vb_spec_rows[i].offer_rep)
			offered |= VB_F(REPORTING);
		got = vb_negotiate(offered,
				   vb_free_fill(vb_spec_rows[i].poisoning,
						vb_spec_rows[i].init_on_free));
		KUNIT_EXPECT_EQ_MSG(test, !!(got & VB_F(PAGE_POISON)),
				    vb_spec_rows[i].want_pp,
				    "row %u: PAGE_POISON wrong", i);
		KUNIT_EXPECT_EQ_MSG(test, !!(got & VB_F(REPORTING)),
				    vb_spec_rows[i].want_rep,
				    "row %u: REPORTING wrong", i);
		KUNIT_EXPECT_EQ_MSG(test, got & (VB_F(STATS_VQ) | VB_F(FREE_PAGE_HINT)),
				    VB_F(STATS_VQ) | VB_F(FREE_PAGE_HINT),
				    "row %u: an unrelated feature was dropped", i);
	}
}

/*
 * The order asked of an engine that reports only what it is asked for:
 * 2 MiB blocks wherever a pageblock is larger, else the engine's default.
 */
static void vb_test_report_order(struct kunit *test)
{
	/* 4 KiB pages, 2 MiB pageblocks (x86, arm64 4K) */
	KUNIT_EXPECT_EQ(test, vb_report_order(12, 9), 0U);
	/* 4 KiB pages without huge pages: 4 MiB pageblocks */
	KUNIT_EXPECT_EQ(test, vb_report_order(12, 10), 9U);
	/* 16 KiB pages, 32 MiB pageblocks */
	KUNIT_EXPECT_EQ(test, vb_report_order(14, 11), 7U);
	/* 64 KiB pages, 512 MiB pageblocks: upstream's order 5 */
	KUNIT_EXPECT_EQ(test, vb_report_order(16, 13), 5U);
#if defined(CONFIG_ARM64) && defined(CONFIG_ARM64_64K_PAGES)
	/* And what this kernel's driver would ask of a stock engine. */
	KUNIT_EXPECT_EQ(test, vb_report_order(PAGE_SHIFT, pageblock_order), 5U);
#endif
}

static void vb_test_poison_value(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, vb_poison_value(VB_FILL_POISON, 0xaa),
			    0xaaaaaaaaU, "poison byte not replicated");
	KUNIT_EXPECT_EQ_MSG(test, vb_poison_value(VB_FILL_POISON, 0x5b),
			    0x5b5b5b5bU, "poison byte not replicated");
	KUNIT_EXPECT_EQ_MSG(test, vb_poison_value(VB_FILL_ZERO, 0xaa), 0U,
			    "init_on_free must announce zeroes");
	KUNIT_EXPECT_EQ_MSG(test, vb_poison_value(VB_FILL_NONE, 0xaa), 0U,
			    "nothing to announce without a fill");
}

/* Expect @want[role] as index of each role (-1: absent) and @count queues. */
static void vb_expect_layout(struct kunit *test, u64 features,
			     const int want[VB_VQ_ROLES], unsigned int count)
{
	struct vb_vq_layout layout;
	unsigned int role;

	vb_vq_layout(features, &layout);
	KUNIT_EXPECT_EQ_MSG(test, layout.count, count,
			    "features %#llx: wrong number of queues", features);
	for (role = 0; role < VB_VQ_ROLES; role++)
		KUNIT_EXPECT_EQ_MSG(test, layout.index[role], want[role],
				    "features %#llx: queue of role %u misplaced",
				    features, role);
}

static void vb_test_layout_minimal(struct kunit *test)
{
	static const int want[VB_VQ_ROLES] = { 0, 1, -1, -1, -1 };

	vb_expect_layout(test, 0, want, 2);
}

static void vb_test_layout_stats(struct kunit *test)
{
	static const int want[VB_VQ_ROLES] = { 0, 1, 2, -1, -1 };

	vb_expect_layout(test, VB_F(STATS_VQ), want, 3);
}

static void vb_test_layout_all(struct kunit *test)
{
	static const int want[VB_VQ_ROLES] = { 0, 1, 2, 3, 4 };

	vb_expect_layout(test, VB_ALL_FEATURES, want, 5);
}

static void vb_test_layout_hint_without_stats(struct kunit *test)
{
	static const int want[VB_VQ_ROLES] = { 0, 1, -1, 2, -1 };

	vb_expect_layout(test, VB_F(FREE_PAGE_HINT), want, 3);
}

static void vb_test_layout_report_shifts(struct kunit *test)
{
	static const int alone[VB_VQ_ROLES] = { 0, 1, -1, -1, 2 };
	static const int stats[VB_VQ_ROLES] = { 0, 1, 2, -1, 3 };
	static const int hint[VB_VQ_ROLES] = { 0, 1, -1, 2, 3 };

	vb_expect_layout(test, VB_F(REPORTING), alone, 3);
	vb_expect_layout(test, VB_F(STATS_VQ) | VB_F(REPORTING), stats, 4);
	vb_expect_layout(test, VB_F(FREE_PAGE_HINT) | VB_F(REPORTING), hint, 4);
}

static void vb_test_layout_ignores_other_bits(struct kunit *test)
{
	static const int want[VB_VQ_ROLES] = { 0, 1, 2, -1, -1 };

	vb_expect_layout(test, VB_F(STATS_VQ) | VB_F(MUST_TELL_HOST) |
			 VB_F(DEFLATE_ON_OOM) | VB_F(PAGE_POISON) |
			 VB_KEPT_TRANSPORT, want, 3);
}

static struct kunit_case vb_decide_cases[] = {
	KUNIT_CASE(vb_test_fill_none),
	KUNIT_CASE(vb_test_fill_zero),
	KUNIT_CASE(vb_test_fill_poison),
	KUNIT_CASE(vb_test_fill_poison_wins),
	KUNIT_CASE(vb_test_none_drops_page_poison),
	KUNIT_CASE(vb_test_zero_with_page_poison),
	KUNIT_CASE(vb_test_zero_without_page_poison),
	KUNIT_CASE(vb_test_poison_with_page_poison),
	KUNIT_CASE(vb_test_poison_without_page_poison),
	KUNIT_CASE(vb_test_other_features_untouched),
	KUNIT_CASE(vb_test_transport_bits),
	KUNIT_CASE(vb_test_spec_table),
	KUNIT_CASE(vb_test_report_order),
	KUNIT_CASE(vb_test_poison_value),
	KUNIT_CASE(vb_test_layout_minimal),
	KUNIT_CASE(vb_test_layout_stats),
	KUNIT_CASE(vb_test_layout_all),
	KUNIT_CASE(vb_test_layout_hint_without_stats),
	KUNIT_CASE(vb_test_layout_report_shifts),
	KUNIT_CASE(vb_test_layout_ignores_other_bits),
	{}
};

static struct kunit_suite vb_decide_suite = {
	.name = "virtio_balloon_decide",
	.test_cases = vb_decide_cases,
};

kunit_test_suite(vb_decide_suite);

MODULE_DESCRIPTION("KUnit tests for the virtio balloon driver's decisions");
MODULE_LICENSE("GPL");
