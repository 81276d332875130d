// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests of the virtio balloon driver against a fake balloon device.
 *
 * The fake is a small virtio transport: split rings created with
 * vring_create_virtqueue(), a config space in memory and a "device" side
 * that runs in the notify callback.  It returns every buffer at once, except
 * that it can withhold free page reports, the one thing a real host (QEMU
 * always answers) cannot be made to do.  On the reporting queue it also
 * checks each report: device-writable, page-aligned blocks that are off the
 * free lists while the device has them.
 *
 * The driver binds to the fake through the virtio bus, so these tests run
 * the driver's probe and remove and the reporting engine's real passes.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/page_reporting.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <linux/vmstat.h>

/* Entries of every queue but the reporting one. */
#define VBT_VQ_SIZE		64
/* Most queues the driver asks for (inflate ... reporting). */
#define VBT_MAX_VQS		5
/* Generous bounds: a pass starts a delay (250 ms) after probe. */
#define VBT_REPORT_TIMEOUT	(30 * HZ)
#define VBT_REMOVE_TIMEOUT	(60 * HZ)

/**
 * struct vbt_dev - the fake balloon device
 * @vdev: the virtio device the driver binds to
 * @features: device features offered
 * @report_vq_size: entries of the reporting queue
 * @withhold: keep free page reports instead of returning them
 * @lock: protects everything below it
 * @status: device status register
 * @config: config space
 * @report_vq: the reporting queue, once the driver found it
 * @last_avail: next available ring entry to take, per queue
 * @reports: reports seen on the reporting queue
 * @bad_blocks: report entries not device-writable, empty, unaligned or
 *	outside memory, and chains that run past the ring
 * @blocks_on_free_list: report entries allocated or on a free list
 * @held: heads of the blocks of a withheld report
 * @held_blocks: entries in @held
 * @held_pages: pages in @held
 * @reused_before_reset: withheld blocks allocated or free again at reset
 * @resets: resets while a report was withheld
 * @first_report: completed by the first report
 * @released: completed by the release of @vdev
 * @removed: completed once unregistering @vdev returned
 */
struct vbt_dev {
	struct virtio_device vdev;
	u64 features;
	unsigned int report_vq_size;
	bool withhold;

	spinlock_t lock;	/* the device side against the driver side */
	u8 status;
	struct virtio_balloon_config config;
	struct virtqueue *report_vq;
	u16 last_avail[VBT_MAX_VQS];
	unsigned int reports;
	unsigned int bad_blocks;
	unsigned int blocks_on_free_list;
	struct page *held[PAGE_REPORTING_CAPACITY];
	unsigned int held_blocks;
	unsigned long held_pages;
	unsigned int reused_before_reset;
	unsigned int resets;

	struct completion first_report;
	struct completion released;
	struct completion removed;
};

static struct vbt_dev *to_vbt(struct virtio_device *vdev)
{
	return container_of(vdev, struct vbt_dev, vdev);
}

/* ---- The device side --------------------------------------------------- */

/*
 * Is the block headed by @page back with the allocator: allocated, or on a
 * free list on its own or merged into a larger block?  Racy without
 * zone->lock, which is fine for a block that should be isolated.
 */
static bool vbt_block_reused(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned int order;

	if (page_count(page))
		return true;
	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		struct page *head = pfn_to_page(pfn & ~((1UL << order) - 1));

		if (PageBuddy(head) && page_private(head) >= order)
			return true;
	}
	return false;
}

/* Check the chain of a report starting at descriptor @head. */
static void vbt_take_report(struct vbt_dev *fake, const struct vring *vr,
			    u16 head)
{
	struct virtio_device *vdev = &fake->vdev;
	unsigned int n = 0;
	u16 i = head;

	lockdep_assert_held(&fake->lock);

	for (;;) {
		const struct vring_desc *d;
		struct page *page;
		u16 flags;
		u64 addr;
		u32 len;

		if (i >= vr->num) {
			fake->bad_blocks++;
			break;
		}
		d = &vr->desc[i];
		flags = virtio16_to_cpu(vdev, d->flags);
		addr = virtio64_to_cpu(vdev, d->addr);
		len = virtio32_to_cpu(vdev, d->len);
		page = pfn_to_page(PHYS_PFN(addr));

		if (!(flags & VRING_DESC_F_WRITE) || !len ||
		    !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len) ||
		    !pfn_valid(PHYS_PFN(addr))) {
			fake->bad_blocks++;
		} else {
			if (vbt_block_reused(page))
				fake->blocks_on_free_list++;
			if (fake->withhold &&
			    fake->held_blocks < ARRAY_SIZE(fake->held)) {
				fake->held[fake->held_blocks++] = page;
				fake->held_pages += len >> PAGE_SHIFT;
			}
		}
		if (!(flags & VRING_DESC_F_NEXT) || ++n >= vr->num)
			break;
		i = virtio16_to_cpu(vdev, d->next);
	}
	fake->reports++;
	complete(&fake->first_report);
}

/*
 * Take every new buffer of @vq.  All are returned at once, but for reports
 * while withholding.  Returns whether any buffer was returned.
 */
static bool vbt_serve(struct vbt_dev *fake, struct virtqueue *vq)
{
	struct virtio_device *vdev = &fake->vdev;
	/* The used ring is the device's to write. */
	struct vring *vr = (struct vring *)virtqueue_get_vring(vq);
	bool is_report = vq == fake->report_vq;
	u16 *last = &fake->last_avail[vq->index];
	bool returned = false;
	u16 avail, used, head;

	lockdep_assert_held(&fake->lock);

	avail = virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx));
	/* Read the entries only after the index that covers them. */
	virt_rmb();
	for (; *last != avail; (*last)++) {
		head = virtio16_to_cpu(vdev, vr->avail->ring[*last % vr->num]);
		if (is_report) {
			vbt_take_report(fake, vr, head);
			if (fake->withhold)
				continue;
		}
		used = virtio16_to_cpu(vdev, vr->used->idx);
		vr->used->ring[used % vr->num].id = cpu_to_virtio32(vdev, head);
		vr->used->ring[used % vr->num].len = cpu_to_virtio32(vdev, 0);
		/* The entry must be visible before the index that covers it. */
		virt_wmb();
		vr->used->idx = cpu_to_virtio16(vdev, used + 1);
		returned = true;
	}
	return returned;
}

static bool vbt_notify(struct virtqueue *vq)
{
	struct vbt_dev *fake = to_vbt(vq->vdev);
	unsigned long flags;
	bool returned = false;

	if (WARN_ON_ONCE(vq->index >= VBT_MAX_VQS))
		return false;

	spin_lock_irqsave(&fake->lock, flags);
	/* A device that is reset or not yet live ignores notifications. */
	if (fake->status & VIRTIO_CONFIG_S_DRIVER_OK)
		returned = vbt_serve(fake, vq);
	spin_unlock_irqrestore(&fake->lock, flags);

	if (returned) {
		/* The used buffer interrupt, as a transport would raise it. */
		local_irq_save(flags);
		vring_interrupt(0, vq);
		local_irq_restore(flags);
	}
	return true;
}

/* ---- The transport --------------------------------------------------------- */

static void vbt_get(struct virtio_device *vdev, unsigned int offset,
		    void *buf, unsigned int len)
{
	struct vbt_dev *fake = to_vbt(vdev);

	if (WARN_ON_ONCE(offset + len > sizeof(fake->config)))
		return;
	spin_lock_irq(&fake->lock);
	memcpy(buf, (u8 *)&fake->config + offset, len);
	spin_unlock_irq(&fake->lock);
}

static void vbt_set(struct virtio_device *vdev, unsigned int offset,
		    const void *buf, unsigned int len)
{
	struct vbt_dev *fake = to_vbt(vdev);

	if (WARN_ON_ONCE(offset + len > sizeof(fake->config)))
		return;
	spin_lock_irq(&fake->lock);
	memcpy((u8 *)&fake->config + offset, buf, len);
	spin_unlock_irq(&fake->lock);
}

static u8 vbt_get_status(struct virtio_device *vdev)
{
	struct vbt_dev *fake = to_vbt(vdev);
	u8 status;

	spin_lock_irq(&fake->lock);
	status = fake->status;
	spin_unlock_irq(&fake->lock);
	return status;
}

static void vbt_set_status(struct virtio_device *vdev, u8 status)
{
	struct vbt_dev *fake = to_vbt(vdev);

	spin_lock_irq(&fake->lock);
	fake->status = status;
	spin_unlock_irq(&fake->lock);
}

/*
 * A reset ends the device's use of every buffer: the withheld report's
 * blocks are the driver's again.  Until this point none of them may have
 * gone back to a free list.
 */
static void vbt_reset(struct virtio_device *vdev)
{
	struct vbt_dev *fake = to_vbt(vdev);
	unsigned int i;

	spin_lock_irq(&fake->lock);
	fake->status = 0;
	if (fake->held_blocks) {
		fake->resets++;
		for (i = 0; i < fake->held_blocks; i++)
			if (vbt_block_reused(fake->held[i]))
				fake->reused_before_reset++;
		fake->held_blocks = 0;
	}
	spin_unlock_irq(&fake->lock);
}

static void vbt_del_vqs(struct virtio_device *vdev)
{
	struct vbt_dev *fake = to_vbt(vdev);
	struct virtqueue *vq, *next;

	spin_lock_irq(&fake->lock);
	fake->report_vq = NULL;
	spin_unlock_irq(&fake->lock);
	list_for_each_entry_safe(vq, next, &vdev->vqs, list)
		vring_del_virtqueue(vq);
}

static int vbt_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			struct virtqueue *vqs[],
			struct virtqueue_info vqs_info[],
			struct irq_affinity *desc)
{
	struct vbt_dev *fake = to_vbt(vdev);
	unsigned int i;

	if (nvqs > VBT_MAX_VQS)
		return -EINVAL;

	for (i = 0; i < nvqs; i++) {
		struct virtqueue_info *info = &vqs_info[i];
		bool report = info->name && !strcmp(info->name, "reporting");

		vqs[i] = NULL;
		if (!info->name)
			continue;
		vqs[i] = vring_create_virtqueue(i, report ? fake->report_vq_size :
						VBT_VQ_SIZE, PAGE_SIZE, vdev,
						true, false, info->ctx,
						vbt_notify, info->callback,
						info->name);
		if (!vqs[i]) {
			vbt_del_vqs(vdev);
			return -ENOMEM;
		}
		fake->last_avail[i] = 0;
		if (report) {
			spin_lock_irq(&fake->lock);
			fake->report_vq = vqs[i];
			spin_unlock_irq(&fake->lock);
		}
	}
	return 0;
}

static u64 vbt_get_features(struct virtio_device *vdev)
{
	return to_vbt(vdev)->features;
}

static int vbt_finalize_features(struct virtio_device *vdev)
{
	vring_transport_features(vdev);
	return 0;
}

static const struct virtio_config_ops vbt_config_ops = {
	.get			= vbt_get,
	.set			= vbt_set,
	.get_status		= vbt_get_status,
	.set_status		= vbt_set_status,
	.reset			= vbt_reset,
	.find_vqs		= vbt_find_vqs,
	.del_vqs		= vbt_del_vqs,
	.get_features		= vbt_get_features,
	.finalize_features	= vbt_finalize_features,
};

static void vbt_release(struct device *dev)
{
	complete(&to_vbt(dev_to_virtio(dev))->released);
}

/* ---- Helpers ------------------------------------------------------------- */

/*
 * The fake is not test-managed memory: if removal hangs, the thread stuck in
 * it still points at the fake, which must then outlive the test.
 */
static void vbt_free(struct vbt_dev *fake)
{
	kfree(fake);
}

static int vbt_dummy_report(struct page_reporting_dev_info *prdev,
			    struct scatterlist *sg, unsigned int nents)
{
	return 0;
}

/*
 * Only one device reports free pages at a time.  Take the slot with a dummy
 * device and give it back: 0 if it was free, -EBUSY if a device holds it.
 * The first registration settles an unset page_reporting_order; undo that,
 * or the driver's own choice would never be seen.
 */
static int vbt_try_reporting_slot(void)
{
	struct page_reporting_dev_info dummy = { .report = vbt_dummy_report };
	unsigned int order = READ_ONCE(page_reporting_order);
	int err;

	err = page_reporting_register(&dummy);
	if (!err) {
		page_reporting_unregister(&dummy);
		WRITE_ONCE(page_reporting_order, order);
	}
	return err;
}

/* Create the fake and bind the driver to it. */
static struct vbt_dev *vbt_plug(struct kunit *test, unsigned int report_vq_size,
				bool withhold)
{
	struct vbt_dev *fake;
	int err;

	/* A real reporting device leaves no room for the driver under test. */
	err = vbt_try_reporting_slot();
	if (err == -EBUSY)
		kunit_skip(test, "another device reports free pages");
	KUNIT_ASSERT_EQ(test, err, 0);

	fake = kzalloc(sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake);

	fake->features = BIT_ULL(VIRTIO_F_VERSION_1) |
			 BIT_ULL(VIRTIO_BALLOON_F_MUST_TELL_HOST) |
			 BIT_ULL(VIRTIO_BALLOON_F_REPORTING);
	fake->report_vq_size = report_vq_size;
	fake->withhold = withhold;
	spin_lock_init(&fake->lock);
	init_completion(&fake->first_report);
	init_completion(&fake->released);
	init_completion(&fake->removed);

	fake->vdev.id.device = VIRTIO_ID_BALLOON;
	fake->vdev.config = &vbt_config_ops;
	fake->vdev.dev.release = vbt_release;

	err = register_virtio_device(&fake->vdev);
	if (err) {
		put_device(&fake->vdev.dev);
		wait_for_completion(&fake->released);
		vbt_free(fake);
		KUNIT_FAIL_AND_ABORT(test, "cannot register the fake device: %d",
				     err);
	}
	if (!fake->vdev.dev.driver) {
		unregister_virtio_device(&fake->vdev);
		wait_for_completion(&fake->released);
		vbt_free(fake);
		KUNIT_FAIL_AND_ABORT(test,
				     "virtio_balloon did not bind to the fake device");
	}
	return fake;
}

static int vbt_unplug_fn(void *data)
{
	struct vbt_dev *fake = data;

	unregister_virtio_device(&fake->vdev);
	complete(&fake->removed);
	return 0;
}

/*
 * Remove the device, as hot-unplug or rmmod would, from a thread of its
 * own, so that a removal that hangs fails the test instead of hanging it.
 * Returns whether removal completed; the fake is freed only then.
 */
static bool vbt_unplug(struct kunit *test, struct vbt_dev *fake)
{
	struct task_struct *task;

	task = kthread_run(vbt_unplug_fn, fake, "vbt-unplug");
	if (IS_ERR(task)) {
		KUNIT_FAIL(test, "cannot start the unplug thread: %ld",
			   PTR_ERR(task));
		return false;
	}
	if (!wait_for_completion_timeout(&fake->removed, VBT_REMOVE_TIMEOUT)) {
		KUNIT_FAIL(test, "removal did not complete in %u s",
			   VBT_REMOVE_TIMEOUT / HZ);
		return false;
	}
	wait_for_completion(&fake->released);
	return true;
}

static bool vbt_wait_report(struct vbt_dev *fake)
{
	return wait_for_completion_timeout(&fake->first_report,
					   VBT_REPORT_TIMEOUT);
}

/* ---- Test cases ------------------------------------------------------------ */

/* The order the first registration settles, as it was before each case. */
static unsigned int vbt_saved_order;

static void vbt_reports_reach_the_device(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug(test, PAGE_REPORTING_CAPACITY, false);
	bool reported = vbt_wait_report(fake);

	KUNIT_EXPECT_TRUE_MSG(test, reported,
			      "no free page report in %u s after probe",
			      VBT_REPORT_TIMEOUT / HZ);
	/* Unless an admin chose one, the driver sets the order: single pages. */
	if (vbt_saved_order == (unsigned int)-1)
		KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(page_reporting_order), 0U,
				    "the driver's request for single pages was lost");
	if (!vbt_unplug(test, fake))
		return;

	KUNIT_EXPECT_EQ_MSG(test, fake->bad_blocks, 0,
			    "report entries must be device-writable, page-aligned blocks");
	KUNIT_EXPECT_EQ_MSG(test, fake->blocks_on_free_list, 0,
			    "blocks were allocated or free while the device had them");
	vbt_free(fake);
}

static void vbt_withheld_report_keeps_its_pages(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug(test, PAGE_REPORTING_CAPACITY, true);
	unsigned long free_before, free_after, held_pages;
	unsigned int i, reports, reused = 0;

	if (!vbt_wait_report(fake)) {
		KUNIT_FAIL(test, "no free page report in %u s after probe",
			   VBT_REPORT_TIMEOUT / HZ);
		if (vbt_unplug(test, fake))
			vbt_free(fake);
		return;
	}
	free_before = global_zone_page_state(NR_FREE_PAGES);

	/*
	 * Nothing is going to happen: that is what is tested.  A driver
	 * that timed the report out would have given the pages back by now.
	 */
	msleep(1000);

	spin_lock_irq(&fake->lock);
	held_pages = fake->held_pages;
	reports = fake->reports;
	for (i = 0; i < fake->held_blocks; i++)
		reused += vbt_block_reused(fake->held[i]);
	spin_unlock_irq(&fake->lock);
	KUNIT_EXPECT_GT_MSG(test, held_pages, 0,
			    "the withheld report had no pages");
	KUNIT_EXPECT_EQ_MSG(test, reused, 0,
			    "pages of an unanswered report went back to the free lists");
	KUNIT_EXPECT_EQ_MSG(test, reports, 1,
			    "another report started while one was with the device");

	if (!vbt_unplug(test, fake))
		return;
	free_after = global_zone_page_state(NR_FREE_PAGES);

	KUNIT_EXPECT_EQ_MSG(test, fake->resets, 1,
			    "the device holding a report was not reset");
	KUNIT_EXPECT_EQ_MSG(test, fake->reused_before_reset, 0,
			    "pages went back to the free lists before the device was reset");
	/* Generous: the rest of the system may allocate meanwhile. */
	KUNIT_EXPECT_GE_MSG(test, free_after, free_before + held_pages / 2,
			    "the pages of the withheld report (%lu) did not come back",
			    held_pages);
	vbt_free(fake);
}

static void vbt_short_queue_leaves_reporting_off(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug(test, PAGE_REPORTING_CAPACITY / 2, false);

	/* The slot is still free: the driver did not register. */
	KUNIT_EXPECT_EQ_MSG(test, vbt_try_reporting_slot(), 0,
			    "the driver registered for reporting with a %u-entry queue",
			    PAGE_REPORTING_CAPACITY / 2);

	if (!vbt_unplug(test, fake))
		return;
	KUNIT_EXPECT_EQ_MSG(test, fake->reports, 0,
			    "a report reached a queue shorter than a batch");
	vbt_free(fake);
}

static int vbt_init(struct kunit *test)
{
	vbt_saved_order = READ_ONCE(page_reporting_order);
	return 0;
}

static void vbt_exit(struct kunit *test)
{
	WRITE_ONCE(page_reporting_order, vbt_saved_order);
}

static struct kunit_case vbt_cases[] = {
	KUNIT_CASE(vbt_reports_reach_the_device),
	KUNIT_CASE_SLOW(vbt_withheld_report_keeps_its_pages),
	KUNIT_CASE(vbt_short_queue_leaves_reporting_off),
	{}
};

static struct kunit_suite vbt_suite = {
	.name = "virtio_balloon_device",
	.init = vbt_init,
	.exit = vbt_exit,
	.test_cases = vbt_cases,
};

kunit_test_suite(vbt_suite);

MODULE_DESCRIPTION("KUnit tests of the virtio balloon driver against a fake device");
MODULE_LICENSE("GPL");
