// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KUnit tests of the virtio balloon driver against a fake balloon device.
 * Included from virtio_balloon.c, so that a case can reach the driver's
 * state and call its OOM notifier.
 *
 * The fake is a small virtio transport: split rings created with
 * vring_create_virtqueue(), a config space in memory and a "device" side
 * that runs in the notify callback.  It returns every buffer at once, but it
 * can also withhold what the tests ask it to: free page reports, inflate and
 * deflate requests, the statistics buffer.  A real host (QEMU always
 * answers) cannot be made to do that.  On the reporting queue it also checks
 * each report: device-writable, page-aligned blocks that are off the free
 * lists while the device has them.
 *
 * The driver binds to the fake through the virtio bus, so these tests run
 * the driver's probe and remove and the reporting engine's real passes.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/pm_wakeup.h>
#include <linux/string.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

/* Entries of every queue but the reporting one. */
#define VBT_VQ_SIZE		64
/* Most queues the driver asks for (inflate ... reporting). */
#define VBT_MAX_VQS		VB_VQ_ROLES
/* Generous bounds: a pass starts a delay (250 ms) after probe. */
#define VBT_REPORT_TIMEOUT	(30 * HZ)
#define VBT_REMOVE_TIMEOUT	(60 * HZ)
#define VBT_WAIT		(30 * HZ)

/* What the fake withholds, by queue. */
enum vbt_hold {
	VBT_HOLD_REPORTS = BIT(0),
	VBT_HOLD_ACKS = BIT(1),		/* inflate and deflate requests */
	VBT_HOLD_STATS = BIT(2),
};

/**
 * struct vbt_dev - the fake balloon device
 * @vdev: the virtio device the driver binds to
 * @features: device features offered
 * @report_vq_size: entries of the reporting queue
 * @lock: protects everything below it
 * @hold: what to withhold (enum vbt_hold)
 * @reset_sticks: the first reset leaves the status as it was, as if it never
 *	completed
 * @status: device status register
 * @config: config space
 * @vqs: the queues, once the driver found them
 * @last_avail: next available ring entry to take, per queue
 * @kept: heads of withheld buffers, per queue
 * @nkept: entries in @kept, per queue
 * @reports: reports seen on the reporting queue
 * @requests: inflate and deflate requests seen
 * @bad_blocks: report entries not device-writable, empty, unaligned or
 *	outside memory, and chains that run past the ring
 * @blocks_on_free_list: report entries allocated or on a free list
 * @held: heads of the blocks of a withheld report
 * @held_blocks: entries in @held
 * @held_pages: pages in @held
 * @reused_before_reset: withheld blocks allocated or free again at reset
 * @resets: 1 once a reset ended a withheld report
 * @actual_writes: writes of the "actual" config field
 * @actual_writes_locked: those made while the driver's balloon lock was held
 * @first_report: completed by the first report
 * @first_request: completed by the first inflate or deflate request
 * @released: completed by the release of @vdev
 * @removed: completed once unregistering @vdev returned
 */
struct vbt_dev {
	struct virtio_device vdev;
	u64 features;
	unsigned int report_vq_size;

	spinlock_t lock;	/* the device side against the driver side */
	unsigned int hold;
	bool reset_sticks;
	u8 status;
	struct virtio_balloon_config config;
	struct virtqueue *vqs[VBT_MAX_VQS];
	u16 last_avail[VBT_MAX_VQS];
	u16 kept[VBT_MAX_VQS][VBT_VQ_SIZE];
	unsigned int nkept[VBT_MAX_VQS];
	unsigned int reports;
	unsigned int requests;
	unsigned int bad_blocks;
	unsigned int blocks_on_free_list;
	struct page *held[PAGE_REPORTING_CAPACITY];
	unsigned int held_blocks;
	unsigned long held_pages;
	unsigned int reused_before_reset;
	unsigned int resets;
	unsigned int actual_writes;
	unsigned int actual_writes_locked;

	struct completion first_report;
	struct completion first_request;
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
static bool vbt_block_free(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned int order;

	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		struct page *head = pfn_to_page(pfn & ~((1UL << order) - 1));

		if (PageBuddy(head) && page_private(head) >= order)
			return true;
	}
	return false;
}

static bool vbt_block_reused(struct page *page)
{
	return page_count(page) || vbt_block_free(page);
}

/* Check the chain of a report starting at descriptor @head. */
static void vbt_take_report(struct vbt_dev *fake, const struct vring *vr,
			    u16 head, bool withhold)
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
			if (withhold && fake->held_blocks < ARRAY_SIZE(fake->held)) {
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

/* Put the buffer at @head on the used ring of @vq. */
static void vbt_use(struct vbt_dev *fake, struct virtqueue *vq, u16 head)
{
	struct virtio_device *vdev = &fake->vdev;
	/* The used ring is the device's to write. */
	struct vring *vr = (struct vring *)virtqueue_get_vring(vq);
	u16 used = virtio16_to_cpu(vdev, vr->used->idx);

	vr->used->ring[used % vr->num].id = cpu_to_virtio32(vdev, head);
	vr->used->ring[used % vr->num].len = cpu_to_virtio32(vdev, 0);
	/* The entry must be visible before the index that covers it. */
	virt_wmb();
	vr->used->idx = cpu_to_virtio16(vdev, used + 1);
}

/* What the fake holds back of the buffers of @vq. */
static unsigned int vbt_hold_of(struct virtqueue *vq)
{
	if (!strcmp(vq->name, "reporting"))
		return VBT_HOLD_REPORTS;
	if (!strcmp(vq->name, "inflate") || !strcmp(vq->name, "deflate"))
		return VBT_HOLD_ACKS;
	if (!strcmp(vq->name, "stats"))
		return VBT_HOLD_STATS;
	return 0;
}

/*
 * Take every new buffer of @vq.  All are returned at once, but for those
 * the fake withholds.  Returns whether any buffer was returned.
 */
static bool vbt_serve(struct vbt_dev *fake, struct virtqueue *vq)
{
	struct virtio_device *vdev = &fake->vdev;
	struct vring *vr = (struct vring *)virtqueue_get_vring(vq);
	unsigned int what = vbt_hold_of(vq);
	bool hold = fake->hold & what;
	u16 *last = &fake->last_avail[vq->index];
	bool returned = false;
	u16 avail, head;

	lockdep_assert_held(&fake->lock);

	avail = virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx));
	/* Read the entries only after the index that covers them. */
	virt_rmb();
	for (; *last != avail; (*last)++) {
		head = virtio16_to_cpu(vdev, vr->avail->ring[*last % vr->num]);
		if (what == VBT_HOLD_REPORTS)
			vbt_take_report(fake, vr, head, hold);
		if (what == VBT_HOLD_ACKS) {
			fake->requests++;
			complete(&fake->first_request);
		}
		if (hold && what != VBT_HOLD_REPORTS) {
			fake->kept[vq->index][fake->nkept[vq->index]++] = head;
			continue;
		}
		if (hold)
			continue;
		vbt_use(fake, vq, head);
		returned = true;
	}
	return returned;
}

/* The used buffer interrupt, as a transport would raise it. */
static void vbt_interrupt(struct virtqueue *vq)
{
	unsigned long flags;

	local_irq_save(flags);
	vring_interrupt(0, vq);
	local_irq_restore(flags);
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

	if (returned)
		vbt_interrupt(vq);
	return true;
}

/*
 * Return up to @max buffers the fake kept on the queue named @name, and
 * stop withholding @what.  Returns how many it returned.
 */
static unsigned int vbt_give_back(struct vbt_dev *fake, const char *name,
				  unsigned int what, unsigned int max)
{
	struct virtqueue *vq = NULL;
	unsigned int i, n = 0;

	spin_lock_irq(&fake->lock);
	fake->hold &= ~what;
	for (i = 0; i < VBT_MAX_VQS; i++) {
		struct virtqueue *q = fake->vqs[i];
		unsigned int *nkept;

		if (!q || strcmp(q->name, name))
			continue;
		nkept = &fake->nkept[q->index];
		while (*nkept && n < max) {
			vbt_use(fake, q, fake->kept[q->index][--*nkept]);
			n++;
		}
		vq = q;
	}
	spin_unlock_irq(&fake->lock);
	if (vq && n)
		vbt_interrupt(vq);
	return n;
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
	struct vb_device *vb = vdev->priv;
	bool locked;

	if (WARN_ON_ONCE(offset + len > sizeof(fake->config)))
		return;
	/*
	 * A config write may allocate on some transports, and allocating may
	 * enter the OOM notifier, which takes the balloon lock.
	 */
	locked = vb && mutex_is_locked(&vb->lock);
	spin_lock_irq(&fake->lock);
	memcpy((u8 *)&fake->config + offset, buf, len);
	if (offset == offsetof(struct virtio_balloon_config, actual)) {
		fake->actual_writes++;
		fake->actual_writes_locked += locked;
	}
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
 * blocks are the driver's again, once the status reads back 0.  Until this
 * point none of them may have gone back to a free list.  A fake whose reset
 * sticks never reads back 0, as a device that never completes its reset.
 */
static void vbt_reset(struct virtio_device *vdev)
{
	struct vbt_dev *fake = to_vbt(vdev);
	unsigned int i;

	bool sticks = false;

	spin_lock_irq(&fake->lock);
	for (i = 0; i < VBT_MAX_VQS; i++)
		fake->nkept[i] = 0;
	/* The reset that ends the withheld report; only it may stick. */
	if (fake->held_blocks && !fake->resets) {
		fake->resets = 1;
		sticks = fake->reset_sticks;
		for (i = 0; i < fake->held_blocks; i++)
			if (vbt_block_reused(fake->held[i]))
				fake->reused_before_reset++;
	}
	if (!sticks)
		fake->status = 0;
	spin_unlock_irq(&fake->lock);
}

static void vbt_del_vqs(struct virtio_device *vdev)
{
	struct vbt_dev *fake = to_vbt(vdev);
	struct virtqueue *vq, *next;

	spin_lock_irq(&fake->lock);
	memset(fake->vqs, 0, sizeof(fake->vqs));
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
		spin_lock_irq(&fake->lock);
		fake->last_avail[i] = 0;
		fake->nkept[i] = 0;
		fake->vqs[i] = vqs[i];
		spin_unlock_irq(&fake->lock);
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

#define VBT_BASE_FEATURES	(BIT_ULL(VIRTIO_F_VERSION_1) | \
				 VB_F(MUST_TELL_HOST) | VB_F(REPORTING))

/* Create the fake, offering @features, and bind the driver to it. */
static struct vbt_dev *vbt_plug_with(struct kunit *test, u64 features,
				     unsigned int report_vq_size,
				     unsigned int hold)
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

	fake->features = features;
	fake->report_vq_size = report_vq_size;
	fake->hold = hold;
	spin_lock_init(&fake->lock);
	init_completion(&fake->first_report);
	init_completion(&fake->first_request);
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

static struct vbt_dev *vbt_plug(struct kunit *test, unsigned int report_vq_size,
				bool withhold)
{
	return vbt_plug_with(test, VBT_BASE_FEATURES, report_vq_size,
			     withhold ? VBT_HOLD_REPORTS : 0);
}

static int vbt_unplug_fn(void *data)
{
	struct vbt_dev *fake = data;

	unregister_virtio_device(&fake->vdev);
	complete_all(&fake->removed);
	return 0;
}

/* Start removing the device, as hot-unplug or rmmod would, in a thread. */
static bool vbt_start_unplug(struct kunit *test, struct vbt_dev *fake)
{
	struct task_struct *task;

	task = kthread_run(vbt_unplug_fn, fake, "vbt-unplug");
	if (IS_ERR(task)) {
		KUNIT_FAIL(test, "cannot start the unplug thread: %ld",
			   PTR_ERR(task));
		return false;
	}
	return true;
}

/*
 * Wait for a removal started by vbt_start_unplug(), so that a removal that
 * hangs fails the test instead of hanging it.  Returns whether removal
 * completed; the fake may be freed only then.
 */
static bool vbt_wait_unplug(struct kunit *test, struct vbt_dev *fake)
{
	if (!wait_for_completion_timeout(&fake->removed, VBT_REMOVE_TIMEOUT)) {
		KUNIT_FAIL(test, "removal did not complete in %u s",
			   VBT_REMOVE_TIMEOUT / HZ);
		return false;
	}
	wait_for_completion(&fake->released);
	return true;
}

static bool vbt_unplug(struct kunit *test, struct vbt_dev *fake)
{
	return vbt_start_unplug(test, fake) && vbt_wait_unplug(test, fake);
}

static bool vbt_wait_report(struct vbt_dev *fake)
{
	return wait_for_completion_timeout(&fake->first_report,
					   VBT_REPORT_TIMEOUT);
}

/* Ask the driver to move the balloon to @frames, as the host would. */
static void vbt_set_target(struct vbt_dev *fake, u32 frames)
{
	__le32 target = cpu_to_le32(frames);

	spin_lock_irq(&fake->lock);
	memcpy(&fake->config.num_pages, &target, sizeof(target));
	spin_unlock_irq(&fake->lock);
	virtio_config_changed(&fake->vdev);
}

static u32 vbt_actual(struct vbt_dev *fake)
{
	__le32 actual;

	spin_lock_irq(&fake->lock);
	memcpy(&actual, &fake->config.actual, sizeof(actual));
	spin_unlock_irq(&fake->lock);
	return le32_to_cpu(actual);
}

/* Wait until "actual" reads @frames; false after VBT_WAIT. */
static bool vbt_wait_actual(struct vbt_dev *fake, u32 frames)
{
	unsigned long deadline = jiffies + VBT_WAIT;

	while (vbt_actual(fake) != frames) {
		if (time_after(jiffies, deadline))
			return false;
		schedule_timeout_uninterruptible(1);
	}
	return true;
}

static struct vb_device *vbt_vb(struct vbt_dev *fake)
{
	return fake->vdev.priv;
}

/* ---- Test cases ------------------------------------------------------------ */

/* The order the first registration settles, as it was before each case. */
static unsigned int vbt_saved_order;
static unsigned int vbt_saved_grace;

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

/*
 * A device that never completes its reset may still write to the pages of
 * the report it holds: they must stay off the free lists.  They are lost to
 * the guest, as they would be with such a device.
 */
static void vbt_unfinished_reset_keeps_the_pages(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug(test, PAGE_REPORTING_CAPACITY, true);
	unsigned int i, reused = 0;

	WRITE_ONCE(report_grace_ms, VB_REPORT_GRACE_MIN_MS);
	if (!vbt_wait_report(fake)) {
		KUNIT_FAIL(test, "no free page report in %u s after probe",
			   VBT_REPORT_TIMEOUT / HZ);
		if (vbt_unplug(test, fake))
			vbt_free(fake);
		return;
	}
	spin_lock_irq(&fake->lock);
	fake->reset_sticks = true;
	spin_unlock_irq(&fake->lock);
	if (!vbt_unplug(test, fake))
		return;

	KUNIT_EXPECT_GE(test, fake->resets, 1U);
	/* Each block is kept as an allocation of the engine's, nobody's else. */
	for (i = 0; i < fake->held_blocks; i++)
		reused += vbt_block_free(fake->held[i]) ||
			  page_count(fake->held[i]) != 1;
	KUNIT_EXPECT_GT(test, fake->held_blocks, 0U);
	KUNIT_EXPECT_EQ_MSG(test, reused, 0U,
			    "pages went back to the allocator although the reset never completed");
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

/* After restore, the device's queues are checked again. */
static void vbt_restore_checks_the_queues_again(struct kunit *test)
{
#ifdef CONFIG_PM_SLEEP
	struct vbt_dev *fake;
	int err;

	fake = vbt_plug(test, PAGE_REPORTING_CAPACITY, false);
	KUNIT_EXPECT_EQ_MSG(test, vbt_try_reporting_slot(), -EBUSY,
			    "the driver did not register for reporting");

	err = virtio_device_freeze(&fake->vdev);
	KUNIT_EXPECT_EQ(test, err, 0);
	/* The device comes back with a reporting queue too short for a batch. */
	fake->report_vq_size = PAGE_REPORTING_CAPACITY / 2;
	if (!err)
		KUNIT_EXPECT_EQ(test, virtio_device_restore(&fake->vdev), 0);
	KUNIT_EXPECT_EQ_MSG(test, vbt_try_reporting_slot(), 0,
			    "restore registered for reporting with a %u-entry queue",
			    PAGE_REPORTING_CAPACITY / 2);

	if (vbt_unplug(test, fake))
		vbt_free(fake);
#else
	kunit_skip(test, "no freeze and restore without CONFIG_PM_SLEEP");
#endif
}

/*
 * Once the device is given up on, the balloon stops following its target:
 * no request reaches the device, so inflating on would only take memory
 * from the guest.
 */
static void vbt_dead_device_is_not_inflated(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug_with(test, VBT_BASE_FEATURES,
					     PAGE_REPORTING_CAPACITY,
					     VBT_HOLD_ACKS);
	struct vb_device *vb = vbt_vb(fake);
	unsigned int writes;
	bool pending;

	/* 64 MiB: many requests of VB_FRAME_BATCH frames. */
	vbt_set_target(fake, SZ_64M >> VIRTIO_BALLOON_PFN_SHIFT);
	KUNIT_ASSERT_NE_MSG(test, wait_for_completion_timeout(&fake->first_request,
							      VBT_WAIT), 0UL,
			    "the driver sent no inflate request");

	/* The first request is held: give up on the device, as remove does. */
	spin_lock_irq(&fake->lock);
	writes = fake->actual_writes;
	spin_unlock_irq(&fake->lock);
	virtio_break_device(&fake->vdev);
	wake_up(&vb->ack_wait);
	flush_delayed_work(&vb->resize_work);
	pending = delayed_work_pending(&vb->resize_work);
	flush_delayed_work(&vb->resize_work);

	spin_lock_irq(&fake->lock);
	writes = fake->actual_writes - writes;
	spin_unlock_irq(&fake->lock);
	KUNIT_EXPECT_FALSE_MSG(test, pending,
			       "the balloon went on resizing with a broken device");
	KUNIT_EXPECT_LE_MSG(test, writes, 1U,
			    "the balloon was inflated %u more times with a broken device",
			    writes);
	KUNIT_EXPECT_LE(test, READ_ONCE(vb->held), VB_FRAME_BATCH);
	if (vbt_unplug(test, fake))
		vbt_free(fake);
}

struct vbt_oom {
	struct vb_device *vb;
	unsigned long freed;
	struct completion done;
};

static int vbt_oom_fn(void *data)
{
	struct vbt_oom *oom = data;

	vb_oom_notify(&oom->vb->oom_nb, 0, &oom->freed);
	complete_all(&oom->done);
	return 0;
}

/*
 * The OOM notifier runs under oom_lock: it must not wait for a request
 * the device has not answered.
 */
static void vbt_oom_notifier_does_not_wait(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug_with(test, VBT_BASE_FEATURES |
					     VB_F(DEFLATE_ON_OOM),
					     PAGE_REPORTING_CAPACITY, 0);
	struct vbt_oom *oom = kzalloc(sizeof(*oom), GFP_KERNEL);
	struct vb_device *vb = vbt_vb(fake);
	u32 frames = VB_FRAME_BATCH;
	struct task_struct *t;
	bool returned;

	KUNIT_ASSERT_NOT_NULL(test, oom);
	init_completion(&oom->done);
	oom->vb = vb;
	KUNIT_ASSERT_TRUE(test, vb->deflate_on_oom);
	vbt_set_target(fake, frames);
	KUNIT_ASSERT_TRUE(test, vbt_wait_actual(fake, frames));

	/* The next inflate request is held, with the balloon's lock. */
	reinit_completion(&fake->first_request);
	spin_lock_irq(&fake->lock);
	fake->hold |= VBT_HOLD_ACKS;
	spin_unlock_irq(&fake->lock);
	vbt_set_target(fake, 2 * frames);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&fake->first_request,
							  VBT_WAIT), 0UL);

	t = kthread_run(vbt_oom_fn, oom, "vbt-oom");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	returned = wait_for_completion_timeout(&oom->done, 10 * HZ);
	vbt_give_back(fake, "inflate", VBT_HOLD_ACKS, UINT_MAX);
	wait_for_completion(&oom->done);
	KUNIT_EXPECT_TRUE_MSG(test, returned,
			      "the OOM notifier waited for the device");
	KUNIT_EXPECT_EQ_MSG(test, oom->freed, 0UL,
			    "a busy balloon gave pages back to the OOM killer");
	kfree(oom);
	if (vbt_unplug(test, fake))
		vbt_free(fake);
}

/*
 * A request the device answers soon does not cost the OOM killer its
 * deflate: the notifier waits for it, briefly, and then gives pages back.
 */
static void vbt_oom_notifier_waits_for_a_quick_request(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug_with(test, VBT_BASE_FEATURES |
					     VB_F(DEFLATE_ON_OOM),
					     PAGE_REPORTING_CAPACITY, 0);
	struct vbt_oom *oom = kzalloc(sizeof(*oom), GFP_KERNEL);
	struct vb_device *vb = vbt_vb(fake);
	u32 frames = VB_FRAME_BATCH;
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, oom);
	init_completion(&oom->done);
	oom->vb = vb;
	KUNIT_ASSERT_TRUE(test, vb->deflate_on_oom);
	vbt_set_target(fake, frames);
	KUNIT_ASSERT_TRUE(test, vbt_wait_actual(fake, frames));

	/* The next inflate request is held, with the balloon's lock. */
	reinit_completion(&fake->first_request);
	spin_lock_irq(&fake->lock);
	fake->hold |= VBT_HOLD_ACKS;
	spin_unlock_irq(&fake->lock);
	vbt_set_target(fake, 2 * frames);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&fake->first_request,
							  VBT_WAIT), 0UL);

	t = kthread_run(vbt_oom_fn, oom, "vbt-oom");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	/* Well within the notifier's wait, the device answers. */
	schedule_timeout_uninterruptible(msecs_to_jiffies(10));
	vbt_give_back(fake, "inflate", VBT_HOLD_ACKS, UINT_MAX);
	wait_for_completion(&oom->done);
	KUNIT_EXPECT_GT_MSG(test, oom->freed, 0UL,
			    "the OOM notifier gave up on a request the device answered in 10 ms");
	kfree(oom);
	if (vbt_unplug(test, fake))
		vbt_free(fake);
}

/*
 * A device that holds a report but answers only on other queues gets a
 * bounded grace: VB_REPORT_GRACE_CAP grace periods after removal began, it
 * is reset although it still answers.
 */
static void vbt_answering_device_is_reset_in_the_end(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug_with(test, VBT_BASE_FEATURES |
					     VB_F(STATS_VQ),
					     PAGE_REPORTING_CAPACITY,
					     VBT_HOLD_REPORTS | VBT_HOLD_STATS);
	unsigned long grace = msecs_to_jiffies(VB_REPORT_GRACE_MIN_MS), until;
	unsigned int resets;

	WRITE_ONCE(report_grace_ms, VB_REPORT_GRACE_MIN_MS);
	if (!vbt_wait_report(fake)) {
		KUNIT_FAIL(test, "no free page report in %u s after probe",
			   VBT_REPORT_TIMEOUT / HZ);
		vbt_give_back(fake, "stats", VBT_HOLD_STATS, UINT_MAX);
		if (vbt_unplug(test, fake))
			vbt_free(fake);
		return;
	}
	if (!vbt_start_unplug(test, fake))
		return;

	/* Answer statistics requests every 20 ms, for twice the cap. */
	until = jiffies + 2 * VB_REPORT_GRACE_CAP * grace;
	while (time_before(jiffies, until)) {
		spin_lock_irq(&fake->lock);
		fake->hold |= VBT_HOLD_STATS;
		spin_unlock_irq(&fake->lock);
		vbt_give_back(fake, "stats", 0, 1);
		schedule_timeout_uninterruptible(msecs_to_jiffies(20));
	}
	spin_lock_irq(&fake->lock);
	resets = fake->resets;
	spin_unlock_irq(&fake->lock);
	KUNIT_EXPECT_EQ_MSG(test, resets, 1U,
			    "a device that held a report for %u grace periods was not reset",
			    2 * VB_REPORT_GRACE_CAP);
	vbt_give_back(fake, "stats", VBT_HOLD_STATS, UINT_MAX);
	if (!vbt_wait_unplug(test, fake))
		return;
	KUNIT_EXPECT_EQ(test, fake->reused_before_reset, 0U);
	vbt_free(fake);
}

/*
 * A device that holds a report but still answers on another queue is slow,
 * not stuck: remove waits for it past the grace period, and resets it only
 * once it has answered nothing for that long.
 */
static void vbt_slow_device_is_not_reset(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug_with(test, VBT_BASE_FEATURES |
					     VB_F(STATS_VQ),
					     PAGE_REPORTING_CAPACITY,
					     VBT_HOLD_REPORTS | VBT_HOLD_STATS);
	unsigned long grace = msecs_to_jiffies(1000), until;
	unsigned int resets, answers = 0;

	WRITE_ONCE(report_grace_ms, 1000);
	if (!vbt_wait_report(fake)) {
		KUNIT_FAIL(test, "no free page report in %u s after probe",
			   VBT_REPORT_TIMEOUT / HZ);
		vbt_give_back(fake, "stats", VBT_HOLD_STATS, UINT_MAX);
		if (vbt_unplug(test, fake))
			vbt_free(fake);
		return;
	}
	if (!vbt_start_unplug(test, fake))
		return;

	/* Answer every 200 ms for three grace periods. */
	until = jiffies + 3 * grace;
	while (time_before(jiffies, until)) {
		spin_lock_irq(&fake->lock);
		fake->hold |= VBT_HOLD_STATS;
		spin_unlock_irq(&fake->lock);
		answers += vbt_give_back(fake, "stats", 0, 1);
		schedule_timeout_uninterruptible(msecs_to_jiffies(200));
	}
	spin_lock_irq(&fake->lock);
	resets = fake->resets;
	spin_unlock_irq(&fake->lock);
	KUNIT_EXPECT_GE(test, answers, 5U);
	KUNIT_EXPECT_EQ_MSG(test, resets, 0U,
			    "a device that kept answering was reset");

	/* Silence: now it is reset, and removal completes. */
	if (!vbt_wait_unplug(test, fake))
		return;
	KUNIT_EXPECT_EQ(test, fake->resets, 1U);
	KUNIT_EXPECT_EQ(test, fake->reused_before_reset, 0U);
	vbt_free(fake);
}

/* Resizing keeps the system awake until the balloon reaches its target. */
static void vbt_resizing_keeps_the_system_awake(struct kunit *test)
{
#ifdef CONFIG_PM_SLEEP
	struct vbt_dev *fake;
	struct wakeup_source *ws;
	unsigned long deadline;
	bool active;

	fake = vbt_plug_with(test, VBT_BASE_FEATURES, PAGE_REPORTING_CAPACITY,
			     VBT_HOLD_ACKS);
	KUNIT_EXPECT_TRUE_MSG(test, device_can_wakeup(&fake->vdev.dev),
			      "the balloon is not marked wakeup-capable");
	/* The resize queued by probe is over: nothing is held yet. */
	flush_delayed_work(&vbt_vb(fake)->resize_work);
	/* As user space enables it, through power/wakeup. */
	KUNIT_ASSERT_EQ(test, device_wakeup_enable(&fake->vdev.dev), 0);
	ws = fake->vdev.dev.power.wakeup;
	KUNIT_ASSERT_NOT_NULL(test, ws);

	vbt_set_target(fake, VB_FRAME_BATCH);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&fake->first_request,
							  VBT_WAIT), 0UL);
	/* ws->active is the PM core's, under its lock: a snapshot will do. */
	KUNIT_EXPECT_TRUE_MSG(test, data_race((bool)ws->active),
			      "the system may suspend in the middle of a resize");

	vbt_give_back(fake, "inflate", VBT_HOLD_ACKS, UINT_MAX);
	KUNIT_EXPECT_TRUE(test, vbt_wait_actual(fake, VB_FRAME_BATCH));
	deadline = jiffies + VBT_WAIT;
	do {
		/* Unlocked, as above: the loop looks again. */
		active = data_race((bool)ws->active);
		if (active)
			schedule_timeout_uninterruptible(1);
	} while (active && time_before(jiffies, deadline));
	KUNIT_EXPECT_FALSE_MSG(test, active,
			       "the system was kept awake after the balloon reached its target");

	device_wakeup_disable(&fake->vdev.dev);
	if (vbt_unplug(test, fake))
		vbt_free(fake);
#else
	kunit_skip(test, "no wakeup sources without CONFIG_PM_SLEEP");
#endif
}

/*
 * "actual" is written with the balloon lock dropped, and the last write
 * is of the final size.
 */
static void vbt_actual_is_written_unlocked(struct kunit *test)
{
	struct vbt_dev *fake = vbt_plug(test, PAGE_REPORTING_CAPACITY, false);
	unsigned int locked;

	vbt_set_target(fake, 4 * VB_FRAME_BATCH);
	KUNIT_EXPECT_TRUE_MSG(test, vbt_wait_actual(fake, 4 * VB_FRAME_BATCH),
			      "actual never reached the target");
	vbt_set_target(fake, VB_FRAME_BATCH);
	KUNIT_EXPECT_TRUE_MSG(test, vbt_wait_actual(fake, VB_FRAME_BATCH),
			      "actual never came down to the target");
	flush_delayed_work(&vbt_vb(fake)->resize_work);
	spin_lock_irq(&fake->lock);
	locked = fake->actual_writes_locked;
	spin_unlock_irq(&fake->lock);
	KUNIT_EXPECT_EQ_MSG(test, locked, 0U,
			    "actual was written %u times under the balloon lock",
			    locked);
	if (vbt_unplug(test, fake))
		vbt_free(fake);
}

/* A device given up on before a suspend is a new one after resume. */
static void vbt_restore_follows_the_target_again(struct kunit *test)
{
#ifdef CONFIG_PM_SLEEP
	struct vbt_dev *fake = vbt_plug(test, PAGE_REPORTING_CAPACITY, false);
	struct vb_device *vb = vbt_vb(fake);
	int err;

	/* As vb_send_frames() does when the device breaks. */
	WRITE_ONCE(vb->dead, true);
	err = virtio_device_freeze(&fake->vdev);
	KUNIT_EXPECT_EQ(test, err, 0);
	if (!err)
		KUNIT_EXPECT_EQ(test, virtio_device_restore(&fake->vdev), 0);
	vbt_set_target(fake, VB_FRAME_BATCH);
	KUNIT_EXPECT_TRUE_MSG(test, vbt_wait_actual(fake, VB_FRAME_BATCH),
			      "the balloon did not follow the target after restore");
	if (vbt_unplug(test, fake))
		vbt_free(fake);
#else
	kunit_skip(test, "no freeze and restore without CONFIG_PM_SLEEP");
#endif
}

static int vbt_init(struct kunit *test)
{
	vbt_saved_order = READ_ONCE(page_reporting_order);
	vbt_saved_grace = READ_ONCE(report_grace_ms);
	return 0;
}

static void vbt_exit(struct kunit *test)
{
	WRITE_ONCE(page_reporting_order, vbt_saved_order);
	WRITE_ONCE(report_grace_ms, vbt_saved_grace);
}

static struct kunit_case vbt_cases[] = {
	KUNIT_CASE(vbt_reports_reach_the_device),
	KUNIT_CASE_SLOW(vbt_withheld_report_keeps_its_pages),
	KUNIT_CASE(vbt_unfinished_reset_keeps_the_pages),
	KUNIT_CASE(vbt_short_queue_leaves_reporting_off),
	KUNIT_CASE(vbt_restore_checks_the_queues_again),
	KUNIT_CASE(vbt_dead_device_is_not_inflated),
	KUNIT_CASE(vbt_oom_notifier_does_not_wait),
	KUNIT_CASE(vbt_oom_notifier_waits_for_a_quick_request),
	KUNIT_CASE_SLOW(vbt_slow_device_is_not_reset),
	KUNIT_CASE(vbt_answering_device_is_reset_in_the_end),
	KUNIT_CASE(vbt_resizing_keeps_the_system_awake),
	KUNIT_CASE(vbt_actual_is_written_unlocked),
	KUNIT_CASE(vbt_restore_follows_the_target_again),
	{}
};

static struct kunit_suite vbt_suite = {
	.name = "virtio_balloon_device",
	.init = vbt_init,
	.exit = vbt_exit,
	.test_cases = vbt_cases,
};

kunit_test_suite(vbt_suite);
