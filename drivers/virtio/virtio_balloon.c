// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Driver for the virtio traditional memory balloon device.
 *
 * Its inflate, deflate and statistics protocol follows the virtio balloon
 * implementation inspired by Dor Laor and Marcelo Tosatti's implementations,
 *  Copyright 2008 Rusty Russell IBM Corporation
 *
 * The device asks the guest to give up memory (inflate) or lets it take
 * memory back (deflate) by changing a target in its configuration space.
 * The driver follows the target in a work item: it allocates guest pages,
 * keeps them on a balloon_compaction list and sends their 4 KiB frame
 * numbers on the inflate queue, or takes pages off the list, sends their
 * frames on the deflate queue and frees them.  The number of 4 KiB frames
 * the device holds is written back to the "actual" config field.
 *
 * Optional device features, and what the driver does with them:
 *
 * - MUST_TELL_HOST: deflated frames are sent on the deflate queue, and the
 *   device has acknowledged them, before the pages are freed.  The driver
 *   works this way even when the feature is not negotiated.
 * - STATS_VQ: the driver keeps one buffer of memory statistics queued.  The
 *   device hands it back when it wants fresh numbers; the driver then
 *   refreshes the statistics and queues the buffer again.
 * - DEFLATE_ON_OOM: ballooned pages remain part of the guest's managed
 *   memory, and an OOM notifier deflates a little before the OOM killer
 *   picks a victim.  Without it, ballooned pages are taken out of the
 *   managed page count.
 * - FREE_PAGE_HINT: during live migration the device writes a command id
 *   into free_page_hint_cmd_id.  For every new id the driver sends the id,
 *   allocates as many free MAX_PAGE_ORDER blocks as it can get without
 *   reclaim, hands them to the device so that it can skip migrating them,
 *   and ends the round with the STOP id.  The blocks stay reserved until
 *   the device writes the DONE id, the shrinker wants them back, or the
 *   device goes away.
 * - PAGE_POISON: tells the device what freed pages contain (zeroes with
 *   init_on_free, the PAGE_POISON byte with page poisoning) so that it can
 *   preserve it.  It is written to poison_val before DRIVER_OK, after every
 *   reset.
 * - REPORTING: the driver registers with the free page reporting engine,
 *   which hands it batches of free pages; each batch is added to the
 *   reporting queue as one device-writable chain and the driver waits for
 *   the device to return it.  The device may discard reported pages, so
 *   their content is undefined afterwards, which is only acceptable if
 *   freed pages carry no promised content or the device knows it through
 *   PAGE_POISON.  virtio_balloon_decide.h holds this negotiation and the
 *   numbering of the queues.
 *
 * A device that stops answering: every wait for the device sleeps, warns
 * once after VB_SLOW_WARN, and returns when the device breaks, except a
 * report's: its pages go back to the allocator, so it waits for a reset.
 * remove waits for a report in flight until the device has answered on no
 * queue for report_grace_ms (5 s by default): a device that is merely slow
 * but still returns buffers is not reset before VB_REPORT_GRACE_CAP grace
 * periods have passed.  Then remove stops resizing the
 * balloon, breaks the queues, so that every other request fails at once,
 * and resets the device.  Once its status reads back 0 the device has let
 * go of every buffer, the reported pages included, and the report fails;
 * the tear-down completes without the device.  A device whose status never
 * reads back 0 may still write to the reported pages, so they stay off the
 * free lists for good and the log says how many; its rings go back to the
 * transport with the rest, as remove must leave no interrupt behind.
 * (Suspend does not get that far: the freezer waits for the reporting work
 * and gives up, and the guest stays up.)  Inflate and deflate requests have
 * no such limit.
 *
 * Surprise removal breaks the device before remove runs, so the driver's own
 * waits return; but a removed virtio-pci device reads back all ones, and the
 * transport's reset waits for its status to read 0, so remove does not
 * return from the reset, with or without a report in flight.
 *
 * Driver states (enum vb_state):
 *
 * - VB_DOWN: the queues are absent or not usable yet: during probe before
 *   DRIVER_OK, after freeze, after a failed restore.  Nothing touches the
 *   inflate or deflate queue.
 * - VB_LIVE: the device is running; events from the device queue work.
 * - VB_QUIESCED: on the way down (remove, freeze): no new work is queued,
 *   the queues still work so that the balloon can be emptied.
 *
 * probe and restore go DOWN -> LIVE; remove and freeze go LIVE ->
 * QUIESCED -> DOWN.  Tear-down order: leave the page reporting engine
 * first (it waits for a report in flight, which waits for the device),
 * then stop the work items, empty the balloon, reset the device and only
 * then delete the queues and release hinted blocks.
 */

#include <linux/balloon_compaction.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/oom.h>
#include <linux/page_reporting.h>
#include <linux/poison.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmstat.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "virtio_balloon_decide.h"

/* Device frames (4 KiB) per guest page. */
#define VB_FRAMES_PER_PAGE \
	((unsigned int)(PAGE_SIZE >> VIRTIO_BALLOON_PFN_SHIFT))
/* Frames sent in one inflate or deflate request. */
#define VB_FRAME_BATCH		256U
/* Frames given back per OOM notification (1 MiB). */
#define VB_OOM_FRAMES		256U
#define VB_OOM_PRIORITY		80
/* Longest the OOM notifier waits for a request in flight to finish. */
#define VB_OOM_LOCK_WAIT	(HZ / 10)
/* Delay before retrying an inflation that found no free page. */
#define VB_RETRY_DELAY		(HZ / 5)
/* How often a waiter for the device checks whether it broke. */
#define VB_BROKEN_POLL		HZ
/* A request unanswered for this long gets a warning in the log. */
#define VB_SLOW_WARN		(30 * HZ)
/* How long a reset device may take to read back status 0. */
#define VB_RESET_WAIT		HZ

/* Free page hinting works on blocks of the largest buddy order. */
#define VB_HINT_ORDER		MAX_PAGE_ORDER
#define VB_HINT_PAGES		BIT(VB_HINT_ORDER)
#define VB_HINT_BYTES		(VB_HINT_PAGES << PAGE_SHIFT)
/* Only memory that is free right now: no reclaim, no reserves. */
#define VB_HINT_GFP \
	(__GFP_NORETRY | __GFP_NOWARN | __GFP_NOMEMALLOC)
/* Poll interval while the hint queue is full. */
#define VB_HINT_WAIT		(HZ / 10)
/* vb_device.hint_flags: the command id in config space changed. */
#define VB_HINT_CMD_STALE	0

/* Bits of vb->wake_pending and vb->wake_running: events that keep us awake. */
#define VB_WAKE_RESIZE		BIT(0)
#define VB_WAKE_STATS		BIT(1)

/*
 * How long remove waits for a report in flight while the device answers on
 * no queue at all.  Reporting a batch only asks the device to discard it,
 * which takes milliseconds; a device that keeps returning other buffers is
 * alive and is waited for, but for no more than VB_REPORT_GRACE_CAP grace
 * periods in all: a host whose reporting is stuck may still answer
 * statistics requests.
 */
#define VB_REPORT_GRACE_MIN_MS	100U
#define VB_REPORT_GRACE_MAX_MS	600000U
#define VB_REPORT_GRACE_CAP	12
static unsigned int report_grace_ms = 5000;

static int vb_report_grace_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms < VB_REPORT_GRACE_MIN_MS ||
	    ms > VB_REPORT_GRACE_MAX_MS)
		return -EINVAL;
	WRITE_ONCE(report_grace_ms, ms);
	return 0;
}

static const struct kernel_param_ops vb_report_grace_ops = {
	.set = vb_report_grace_set,
	.get = param_get_uint,
};

module_param_cb(report_grace_ms, &vb_report_grace_ops, &report_grace_ms, 0644);
MODULE_PARM_DESC(report_grace_ms,
		 "Silence in ms after which remove or freeze resets a device holding a free page report ("
		 __stringify(VB_REPORT_GRACE_MIN_MS) ".." __stringify(VB_REPORT_GRACE_MAX_MS)
		 ", default 5000)");

/* Driver states, described at the top of this file. */
enum vb_state {
	VB_DOWN,
	VB_LIVE,
	VB_QUIESCED,
};

/*
 * One balloon device.
 *
 * Lock order: @lock, then @event_lock or bdev.pages_lock.  @hint_lock is a
 * leaf.  Fields without a rule are set up by probe, or only changed by
 * probe, remove, freeze and restore, which the driver core serializes.
 */
struct vb_device {
	struct virtio_device *vdev;

	/* Queues; NULL when absent.  Only usable while @state != VB_DOWN. */
	struct virtqueue *inflate_vq;
	struct virtqueue *deflate_vq;
	struct virtqueue *stats_vq;	/* STATS_VQ */
	struct virtqueue *hint_vq;	/* FREE_PAGE_HINT, if usable */
	struct virtqueue *report_vq;	/* REPORTING */

	enum vb_free_fill fill;		/* content of freed pages */
	bool deflate_on_oom;		/* DEFLATE_ON_OOM negotiated */

	/*
	 * Written with both @lock and @event_lock held, so either one is
	 * enough to read it.  The hint loop also peeks at it without a lock,
	 * only to stop early.
	 */
	enum vb_state state;
	/*
	 * Taken by the queue and config callbacks, in interrupt context:
	 * they queue work only under it and only while @state is VB_LIVE.
	 * It also protects @wake_pending and @wake_running, the events whose
	 * work is queued or running: the device's wakeup source is held while
	 * either is not empty.
	 */
	spinlock_t event_lock;
	unsigned long wake_pending;
	unsigned long wake_running;
	/* When the device last returned a buffer on any queue (jiffies). */
	unsigned long last_answer;
	/*
	 * The device was given up on: requests fail, so the balloon stops
	 * following the target.  Set under @lock, read without it.
	 */
	bool dead;

	/*
	 * Serializes every change of the balloon with its request to the
	 * device: protects @held, @frames and the use of @inflate_vq and
	 * @deflate_vq.  The migration path only ever tries it.
	 */
	struct mutex lock;
	/* Frames the device holds; lockless readers use READ_ONCE(). */
	unsigned int held;
	/*
	 * Serializes the writes of @held to "actual", done outside @lock.
	 * Bit 0 of @actual_stale asks its holder to write once more.
	 */
	struct mutex actual_lock;
	unsigned long actual_stale;
	/* Frame numbers of the request being built. */
	__virtio32 frames[VB_FRAME_BATCH];
	/* The ballooned pages; bdev.pages_lock guards the list itself. */
	struct balloon_dev_info bdev;
	wait_queue_head_t ack_wait;	/* inflate/deflate buffer back */
	struct delayed_work resize_work; /* one batch towards target */

	/*
	 * Statistics.  Once the device is live @stats_work is the only user
	 * of @stats_vq, @stats and @vm_events, so they need no lock.
	 */
	struct work_struct stats_work;
	struct virtio_balloon_stat stats[VIRTIO_BALLOON_S_NR];
#ifdef CONFIG_VM_EVENT_COUNTERS
	unsigned long vm_events[NR_VM_EVENT_ITEMS];
#endif

	/*
	 * Free page hinting; @hint_wq is NULL when it is not in use.
	 * @hint_work is the only user of @hint_vq, @hint_cmd and the two
	 * id buffers; @hint_flags is atomic.
	 */
	struct workqueue_struct *hint_wq;
	struct work_struct hint_work;
	/* Woken on queue progress, a new command and shutdown. */
	wait_queue_head_t hint_wait;
	unsigned long hint_flags;	/* VB_HINT_CMD_STALE */
	u32 hint_cmd;			/* last id read from config */
	__virtio32 hint_cmd_buf;	/* id of the last round started */
	__virtio32 hint_stop_buf;	/* VIRTIO_BALLOON_CMD_ID_STOP */
	spinlock_t hint_lock;		/* protects the next two fields */
	struct list_head hint_pages;	/* hinted blocks kept reserved */
	/* Length of @hint_pages; the shrinker reads it with READ_ONCE(). */
	unsigned long hint_blocks;
	struct shrinker *hint_shrinker;

	/* Free page reporting. */
	struct page_reporting_dev_info prdev;
	/* Reporting buffer returned; also the end of a report in flight. */
	wait_queue_head_t report_wait;
	bool report_wanted;		/* negotiated, queue long enough */
	bool report_registered;		/* @prdev is registered */
	/*
	 * Written under @event_lock: a report is with the device; remove or
	 * freeze has begun, so no new report may start; the device was reset
	 * with a report in flight, whose pages are ours again, unless the
	 * reset never completed and they are lost to it.
	 */
	bool report_busy;
	bool report_closing;
	bool report_released;
	bool report_lost;

	struct notifier_block oom_nb;	/* with DEFLATE_ON_OOM */
};

static void vb_set_state(struct vb_device *vb, enum vb_state state)
{
	mutex_lock(&vb->lock);
	spin_lock_irq(&vb->event_lock);
	WRITE_ONCE(vb->state, state);
	spin_unlock_irq(&vb->event_lock);
	mutex_unlock(&vb->lock);
}

/*
 * Device events keep the system awake until the work they queued is done,
 * so that a request of the host is not left pending across a suspend that
 * a wakeup event should have held off.  vb_wake_hold() is called under
 * @event_lock as the work is queued; the work calls vb_wake_start() before
 * it looks at the device, so an event meanwhile holds again, and
 * vb_wake_done() once it has nothing left to do.
 */
static void vb_wake_hold(struct vb_device *vb, unsigned long event)
{
	lockdep_assert_held(&vb->event_lock);

	if (!vb->wake_pending && !vb->wake_running)
		pm_stay_awake(&vb->vdev->dev);
	vb->wake_pending |= event;
}

static void vb_wake_start(struct vb_device *vb, unsigned long event)
{
	spin_lock_irq(&vb->event_lock);
	vb->wake_pending &= ~event;
	vb->wake_running |= event;
	spin_unlock_irq(&vb->event_lock);
}

static void vb_wake_done(struct vb_device *vb, unsigned long event)
{
	unsigned long flags;

	spin_lock_irqsave(&vb->event_lock, flags);
	if (vb->wake_running & event) {
		vb->wake_running &= ~event;
		if (!vb->wake_pending && !vb->wake_running)
			pm_relax(&vb->vdev->dev);
	}
	spin_unlock_irqrestore(&vb->event_lock, flags);
}

/* Work for @events was cancelled: nothing is pending for them any more. */
static void vb_wake_drop(struct vb_device *vb, unsigned long events)
{
	spin_lock_irq(&vb->event_lock);
	if (vb->wake_pending || vb->wake_running) {
		vb->wake_pending &= ~events;
		vb->wake_running &= ~events;
		if (!vb->wake_pending && !vb->wake_running)
			pm_relax(&vb->vdev->dev);
	}
	spin_unlock_irq(&vb->event_lock);
}

/* The device returned a buffer: it is alive, whatever else it holds. */
static void vb_answered(struct vb_device *vb)
{
	WRITE_ONCE(vb->last_answer, jiffies);
}

/* ---- Talking to the device ---------------------------------------------- */

/*
 * Take one used buffer off @vq, or give up on it: once @vq is broken, or,
 * for a buffer whose pages go back to the allocator (@released given), only
 * once *@released says the device was reset.  Breaking a queue stops the
 * driver, not the device.
 */
static bool vb_take_used(struct virtqueue *vq, const bool *released,
			 bool *lost)
{
	unsigned int len;

	if (virtqueue_get_buf(vq, &len))
		return true;
	*lost = released ? READ_ONCE(*released) : virtqueue_is_broken(vq);
	return *lost;
}

/**
 * vb_wait_used() - wait until the device returns the buffer queued on @vq
 * @wq: wait queue woken by the callback of @vq
 * @vq: a queue with exactly one buffer outstanding
 * @released: NULL to give up once @vq breaks; else give up only once this
 *	flag is set, after the device was reset
 *
 * A device that breaks (surprise removal, or given up on by remove) never
 * answers and does not wake us either, so the wait also rechecks that once
 * in a while.  One that merely stays silent gets a warning, once.
 *
 * Return: true if the buffer came back, false if we gave up on it.
 */
static bool vb_wait_used(wait_queue_head_t *wq, struct virtqueue *vq,
			 const bool *released)
{
	unsigned long start = jiffies;
	bool lost = false, warned = false;

	might_sleep();
	while (!wait_event_timeout(*wq, vb_take_used(vq, released, &lost),
				   VB_BROKEN_POLL)) {
		if (warned || time_before(jiffies, start + VB_SLOW_WARN))
			continue;
		dev_warn(&vq->vdev->dev,
			 "device has not answered on the %s queue for %u s\n",
			 vq->name, VB_SLOW_WARN / HZ);
		warned = true;
	}
	return !lost;
}

/* Callback of the inflate and deflate queues. */
static void vb_ack_done(struct virtqueue *vq)
{
	struct vb_device *vb = vq->vdev->priv;

	vb_answered(vb);
	wake_up(&vb->ack_wait);
}

/* Store the frame numbers covering @page at @slot of the request. */
static void vb_set_frames(struct vb_device *vb, unsigned int slot,
			  struct page *page)
{
	u32 first = page_to_pfn(page) * VB_FRAMES_PER_PAGE;
	unsigned int i;

	BUILD_BUG_ON(PAGE_SHIFT < VIRTIO_BALLOON_PFN_SHIFT);
	BUILD_BUG_ON(VB_FRAME_BATCH % VB_FRAMES_PER_PAGE);
	lockdep_assert_held(&vb->lock);

	for (i = 0; i < VB_FRAMES_PER_PAGE; i++)
		vb->frames[slot + i] = cpu_to_virtio32(vb->vdev, first + i);
}

/*
 * Send the first @count frames of the request on @vq, synchronously.
 * Returns false if the device broke: it may or may not have seen the
 * frames, and no later request reaches it, so the balloon stops following
 * its target.
 */
static bool vb_send_frames(struct vb_device *vb, struct virtqueue *vq,
			   unsigned int count)
{
	struct scatterlist sg;
	int err;

	lockdep_assert_held(&vb->lock);

	sg_init_one(&sg, vb->frames, count * sizeof(vb->frames[0]));
	/*
	 * Requests are serialized by @lock, so the queue is empty.  With
	 * indirect descriptors refused, adding never allocates, which
	 * matters on the OOM path.
	 */
	err = virtqueue_add_outbuf(vq, &sg, 1, vb, GFP_NOWAIT | __GFP_NOWARN);
	if (err) {
		/* Only a broken device refuses: we go on without it. */
		WARN_ON_ONCE(!virtqueue_is_broken(vq));
		goto lost;
	}
	virtqueue_kick(vq);
	if (vb_wait_used(&vb->ack_wait, vq, NULL))
		return true;
	dev_warn_once(&vb->vdev->dev, "device broke during a balloon request\n");
lost:
	WRITE_ONCE(vb->dead, true);
	return false;
}

/*
 * Tell the device how many frames it holds.  Never called under @lock: on
 * some transports (virtio-ccw) a config write allocates memory, which may
 * end in our OOM notifier, and that takes @lock.  Whoever holds
 * @actual_lock writes until no change came in meanwhile, so the last value
 * written is the latest.  A caller that finds the mutex taken, such as the
 * OOM notifier entered from within that very write, leaves its value to
 * the holder.  A device that is down is not written to.
 */
static void vb_write_actual(struct vb_device *vb)
{
	u32 actual;

	lockdep_assert_not_held(&vb->lock);
	/* Fully ordered: the holder sees our @held, or we see its unlock. */
	test_and_set_bit(0, &vb->actual_stale);
	do {
		if (!mutex_trylock(&vb->actual_lock))
			return;
		while (test_and_clear_bit(0, &vb->actual_stale) &&
		       READ_ONCE(vb->state) == VB_LIVE) {
			actual = READ_ONCE(vb->held);
			/* Little endian even for legacy devices. */
			virtio_cwrite_le(vb->vdev, struct virtio_balloon_config,
					 actual, &actual);
		}
		mutex_unlock(&vb->actual_lock);
		/* Pairs with the caller's test_and_set_bit(). */
		smp_mb();
	} while (test_bit(0, &vb->actual_stale) &&
		 READ_ONCE(vb->state) == VB_LIVE);
}

static void vb_write_poison(struct vb_device *vb)
{
	u32 val;

	if (!virtio_has_feature(vb->vdev, VIRTIO_BALLOON_F_PAGE_POISON))
		return;
	val = vb_poison_value(vb->fill, PAGE_POISON);
	virtio_cwrite_le(vb->vdev, struct virtio_balloon_config, poison_val,
			 &val);
}

/* ---- Inflating and deflating -------------------------------------------- */

/**
 * vb_inflate() - move up to @want frames into the balloon
 * @vb: the balloon
 * @want: frames wanted; at most one batch is done
 *
 * Return: frames added; fewer than asked if free pages ran out.
 */
static unsigned int vb_inflate(struct vb_device *vb, unsigned int want)
{
	unsigned int count = 0, got;
	struct page *page;
	LIST_HEAD(staged);

	want = min(want, VB_FRAME_BATCH);

	/*
	 * Allocate before taking @lock: the allocation may end up compacting
	 * memory, which may want to migrate ballooned pages.
	 */
	for (got = 0; got < want; got += VB_FRAMES_PER_PAGE) {
		page = balloon_page_alloc();
		if (!page) {
			dev_info_ratelimited(&vb->vdev->dev,
					     "no free page to inflate with, will retry\n");
			break;
		}
		balloon_page_push(&staged, page);
	}

	mutex_lock(&vb->lock);
	if (vb->state == VB_LIVE) {
		while ((page = balloon_page_pop(&staged))) {
			balloon_page_enqueue(&vb->bdev, page);
			vb_set_frames(vb, count, page);
			count += VB_FRAMES_PER_PAGE;
			if (!vb->deflate_on_oom)
				adjust_managed_page_count(page, -1);
		}
		if (count) {
			WRITE_ONCE(vb->held, vb->held + count);
			vb_send_frames(vb, vb->inflate_vq, count);
		}
	}
	mutex_unlock(&vb->lock);
	if (count)
		vb_write_actual(vb);

	/* Only left if the device stopped meanwhile. */
	while ((page = balloon_page_pop(&staged)))
		__free_page(page);

	return count;
}

/**
 * vb_deflate_locked() - take up to @want frames out of the balloon
 * @vb: the balloon, whose @lock the caller holds
 * @want: frames wanted; at most one batch is done
 * @released: the pages taken out go here, for vb_release()
 *
 * The device learns about the frames before the pages are freed, which is
 * what MUST_TELL_HOST requires.  The caller writes "actual" once it has
 * dropped @lock.
 *
 * Return: frames taken out; 0 if the remaining pages are all isolated for
 * migration or the device is down.
 */
static unsigned int vb_deflate_locked(struct vb_device *vb, unsigned int want,
				      struct list_head *released)
{
	unsigned int count = 0;
	struct page *page;

	lockdep_assert_held(&vb->lock);
	if (vb->state == VB_DOWN)
		return 0;

	want = min3(want, VB_FRAME_BATCH, vb->held);
	while (count < want) {
		page = balloon_page_dequeue(&vb->bdev);
		if (!page)
			break;
		vb_set_frames(vb, count, page);
		list_add(&page->lru, released);
		count += VB_FRAMES_PER_PAGE;
	}
	if (count) {
		WRITE_ONCE(vb->held, vb->held - count);
		vb_send_frames(vb, vb->deflate_vq, count);
	}
	return count;
}

/* Give the pages vb_deflate_locked() took out back to the allocator. */
static void vb_release(struct vb_device *vb, struct list_head *released)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, released, lru) {
		list_del(&page->lru);
		if (!vb->deflate_on_oom)
			adjust_managed_page_count(page, 1);
		put_page(page);
	}
}

/* Move up to @want frames out of the balloon; returns the frames moved. */
static unsigned int vb_deflate(struct vb_device *vb, unsigned int want)
{
	unsigned int count;
	LIST_HEAD(released);

	mutex_lock(&vb->lock);
	count = vb_deflate_locked(vb, want, &released);
	mutex_unlock(&vb->lock);
	if (count)
		vb_write_actual(vb);
	vb_release(vb, &released);
	return count;
}

/* Give every page back; the device must not be VB_DOWN. */
static void vb_empty(struct vb_device *vb)
{
	while (READ_ONCE(vb->held)) {
		if (vb_deflate(vb, VB_FRAME_BATCH))
			continue;
		/* What is left is isolated for migration: let that finish. */
		usleep_range(1000, 2000);
	}
}

/* Frames to add (> 0) or remove (< 0) to reach the device's target. */
static s64 vb_resize_delta(struct vb_device *vb)
{
	u32 target;

	virtio_cread_le(vb->vdev, struct virtio_balloon_config, num_pages,
			&target);
	/* Whole guest pages only, or the balloon would never settle. */
	return (s64)ALIGN((u64)target, VB_FRAMES_PER_PAGE) -
	       READ_ONCE(vb->held);
}

static void vb_queue_resize(struct vb_device *vb, unsigned long delay)
{
	unsigned long flags;

	spin_lock_irqsave(&vb->event_lock, flags);
	if (vb->state == VB_LIVE)
		queue_delayed_work(system_freezable_wq, &vb->resize_work,
				   delay);
	spin_unlock_irqrestore(&vb->event_lock, flags);
}

/*
 * One batch towards the target, then the next one.  The system stays awake
 * until the balloon reaches its target or the device is given up on.
 */
static void vb_resize_work(struct work_struct *work)
{
	struct vb_device *vb = container_of(to_delayed_work(work),
					    struct vb_device, resize_work);
	unsigned long delay = 0;
	unsigned int want;
	s64 delta;

	vb_wake_start(vb, VB_WAKE_RESIZE);
	delta = READ_ONCE(vb->dead) ? 0 : vb_resize_delta(vb);
	if (delta > 0) {
		want = min_t(s64, delta, VB_FRAME_BATCH);
		if (vb_inflate(vb, want) < want)
			delay = VB_RETRY_DELAY;
	} else if (delta < 0) {
		want = min_t(s64, -delta, VB_FRAME_BATCH);
		/* Only pages under migration left: try again soon. */
		if (!vb_deflate(vb, want))
			delay = 1;
	}
	/* A request that failed has given up on the device. */
	if (!delta || READ_ONCE(vb->dead)) {
		vb_wake_done(vb, VB_WAKE_RESIZE);
		return;
	}
	vb_queue_resize(vb, delay);
}

/*
 * Called with oom_lock held.  An inflate or deflate request holds @lock
 * until the device answers: a few milliseconds from a device that works,
 * for ever from one that does not.  Wait for it VB_OOM_LOCK_WAIT at most,
 * so that a host inflating the balloon while the guest runs out of memory
 * does not make the OOM killer kill where a deflate would have done, and a
 * stuck request does not hold it up.  A balloon still busy then gives
 * nothing back this time.  The deflate request sent from here waits for
 * the device like any other, as upstream's does: a device that never
 * answers it holds up the OOM killer, there as here.
 */
static int vb_oom_notify(struct notifier_block *nb, unsigned long unused,
			 void *data)
{
	struct vb_device *vb = container_of(nb, struct vb_device, oom_nb);
	unsigned long deadline = jiffies + VB_OOM_LOCK_WAIT;
	unsigned long *freed = data;
	unsigned int count;
	LIST_HEAD(released);

	while (!mutex_trylock(&vb->lock)) {
		if (time_after(jiffies, deadline))
			return NOTIFY_OK;
		usleep_range(1000, 2000);
	}
	count = vb_deflate_locked(vb, VB_OOM_FRAMES, &released);
	mutex_unlock(&vb->lock);
	if (count)
		vb_write_actual(vb);
	vb_release(vb, &released);
	*freed += count / VB_FRAMES_PER_PAGE;
	return NOTIFY_OK;
}

#ifdef CONFIG_BALLOON_COMPACTION
/**
 * vb_migratepage() - replace a ballooned page by another one
 * @bdev: our balloon, embedded in struct vb_device
 * @newpage: locked page taking the place of @page
 * @page: locked ballooned page, isolated by compaction
 * @mode: migration mode (unused: the device round trip is synchronous)
 *
 * Called by balloon compaction through balloon_mops.  The device gets the
 * new frame first and gives the old one back second, so it never holds
 * fewer pages than "actual" says.
 *
 * Return: MIGRATEPAGE_SUCCESS, or -EAGAIN if the balloon is busy; the
 * migration core retries later or puts the page back.
 */
static int vb_migratepage(struct balloon_dev_info *bdev, struct page *newpage,
			  struct page *page, enum migrate_mode mode)
{
	struct vb_device *vb = container_of(bdev, struct vb_device, bdev);
	unsigned long flags;

	/* Compaction must not stall behind a device round trip. */
	if (!mutex_trylock(&vb->lock))
		return -EAGAIN;
	if (vb->state == VB_DOWN) {
		mutex_unlock(&vb->lock);
		return -EAGAIN;
	}

	get_page(newpage);		/* the balloon's reference */

	/*
	 * Without DEFLATE_ON_OOM ballooned pages are not counted as managed
	 * memory: move that hole along if the zone changes.
	 */
	if (!vb->deflate_on_oom && page_zone(page) != page_zone(newpage)) {
		adjust_managed_page_count(page, 1);
		adjust_managed_page_count(newpage, -1);
	}

	spin_lock_irqsave(&bdev->pages_lock, flags);
	balloon_page_insert(bdev, newpage);
	bdev->isolated_pages--;
	spin_unlock_irqrestore(&bdev->pages_lock, flags);
	count_vm_event(BALLOON_MIGRATE);

	vb_set_frames(vb, 0, newpage);
	vb_send_frames(vb, vb->inflate_vq, VB_FRAMES_PER_PAGE);
	vb_set_frames(vb, 0, page);
	vb_send_frames(vb, vb->deflate_vq, VB_FRAMES_PER_PAGE);
	mutex_unlock(&vb->lock);

	balloon_page_finalize(page);
	put_page(page);		/* drop the balloon's reference */
	return MIGRATEPAGE_SUCCESS;
}
#endif /* CONFIG_BALLOON_COMPACTION */

/* ---- Statistics ---------------------------------------------------------- */

static u64 vb_bytes(unsigned long pages)
{
	return (u64)pages << PAGE_SHIFT;
}

static void vb_stat(struct vb_device *vb, unsigned int *n, u16 tag, u64 val)
{
	struct virtio_balloon_stat *stat;

	if (WARN_ON_ONCE(*n >= ARRAY_SIZE(vb->stats)))
		return;
	stat = &vb->stats[(*n)++];
	stat->tag = cpu_to_virtio16(vb->vdev, tag);
	stat->val = cpu_to_virtio64(vb->vdev, val);
}

static void vb_event_stats(struct vb_device *vb, unsigned int *n)
{
#ifdef CONFIG_VM_EVENT_COUNTERS
	unsigned long *ev = vb->vm_events;
	unsigned long stalls = 0;
	int zone;

	all_vm_events(ev);
	vb_stat(vb, n, VIRTIO_BALLOON_S_SWAP_IN, vb_bytes(ev[PSWPIN]));
	vb_stat(vb, n, VIRTIO_BALLOON_S_SWAP_OUT, vb_bytes(ev[PSWPOUT]));
	vb_stat(vb, n, VIRTIO_BALLOON_S_MAJFLT, ev[PGMAJFAULT]);
	vb_stat(vb, n, VIRTIO_BALLOON_S_MINFLT, ev[PGFAULT]);
	vb_stat(vb, n, VIRTIO_BALLOON_S_OOM_KILL, ev[OOM_KILL]);

	/* The ALLOCSTALL_* counters are laid out in zone order. */
	for (zone = 0; zone < MAX_NR_ZONES; zone++)
		stalls += ev[ALLOCSTALL_NORMAL - ZONE_NORMAL + zone];
	vb_stat(vb, n, VIRTIO_BALLOON_S_ALLOC_STALL, stalls);

	vb_stat(vb, n, VIRTIO_BALLOON_S_ASYNC_SCAN,
		vb_bytes(ev[PGSCAN_KSWAPD]));
	vb_stat(vb, n, VIRTIO_BALLOON_S_DIRECT_SCAN,
		vb_bytes(ev[PGSCAN_DIRECT]));
	vb_stat(vb, n, VIRTIO_BALLOON_S_ASYNC_RECLAIM,
		vb_bytes(ev[PGSTEAL_KSWAPD]));
	vb_stat(vb, n, VIRTIO_BALLOON_S_DIRECT_RECLAIM,
		vb_bytes(ev[PGSTEAL_DIRECT]));
#ifdef CONFIG_HUGETLB_PAGE
	vb_stat(vb, n, VIRTIO_BALLOON_S_HTLB_PGALLOC, ev[HTLB_BUDDY_PGALLOC]);
	vb_stat(vb, n, VIRTIO_BALLOON_S_HTLB_PGFAIL,
		ev[HTLB_BUDDY_PGALLOC_FAIL]);
#endif
#endif /* CONFIG_VM_EVENT_COUNTERS */
}

/* Refresh the statistics buffer; returns the number of entries. */
static unsigned int vb_collect_stats(struct vb_device *vb)
{
	unsigned int n = 0;
	struct sysinfo si;

	vb_event_stats(vb, &n);

	si_meminfo(&si);
	vb_stat(vb, &n, VIRTIO_BALLOON_S_MEMFREE, vb_bytes(si.freeram));
	vb_stat(vb, &n, VIRTIO_BALLOON_S_MEMTOT, vb_bytes(si.totalram));
	vb_stat(vb, &n, VIRTIO_BALLOON_S_AVAIL, vb_bytes(si_mem_available()));
	vb_stat(vb, &n, VIRTIO_BALLOON_S_CACHES,
		vb_bytes(global_node_page_state(NR_FILE_PAGES)));
	return n;
}

/* Queue fresh statistics for the device to pick up (no kick). */
static int vb_queue_stats(struct vb_device *vb)
{
	struct scatterlist sg;
	unsigned int n;

	n = vb_collect_stats(vb);
	sg_init_one(&sg, vb->stats, n * sizeof(vb->stats[0]));
	return virtqueue_add_outbuf(vb->stats_vq, &sg, 1, vb, GFP_KERNEL);
}

/* Callback of the stats queue: the device returned the buffer. */
static void vb_stats_request(struct virtqueue *vq)
{
	struct vb_device *vb = vq->vdev->priv;
	unsigned long flags;

	vb_answered(vb);
	spin_lock_irqsave(&vb->event_lock, flags);
	if (vb->state == VB_LIVE) {
		vb_wake_hold(vb, VB_WAKE_STATS);
		queue_work(system_freezable_wq, &vb->stats_work);
	}
	spin_unlock_irqrestore(&vb->event_lock, flags);
}

static void vb_stats_work(struct work_struct *work)
{
	struct vb_device *vb = container_of(work, struct vb_device,
					    stats_work);
	unsigned int len;
	int err;

	vb_wake_start(vb, VB_WAKE_STATS);
	/* Only answer once the device has handed the buffer back. */
	if (!virtqueue_get_buf(vb->stats_vq, &len))
		goto done;

	err = vb_queue_stats(vb);
	if (err) {
		dev_warn_ratelimited(&vb->vdev->dev,
				     "cannot requeue statistics: %d\n", err);
		goto done;
	}
	virtqueue_kick(vb->stats_vq);
done:
	vb_wake_done(vb, VB_WAKE_STATS);
}

/* ---- Free page hinting --------------------------------------------------- */

/* The current command id, read from config space when it changed. */
static u32 vb_hint_cmd(struct vb_device *vb)
{
	if (test_and_clear_bit(VB_HINT_CMD_STALE, &vb->hint_flags))
		virtio_cread_le(vb->vdev, struct virtio_balloon_config,
				free_page_hint_cmd_id, &vb->hint_cmd);
	return vb->hint_cmd;
}

/* Tell the hint worker about a config change; under @event_lock. */
static void vb_hint_poke(struct vb_device *vb)
{
	lockdep_assert_held(&vb->event_lock);

	if (!vb->hint_wq || !vb->hint_vq)
		return;
	set_bit(VB_HINT_CMD_STALE, &vb->hint_flags);
	queue_work(vb->hint_wq, &vb->hint_work);
	wake_up(&vb->hint_wait);
}

/* Callback of the hint queue: the device consumed something. */
static void vb_hint_progress(struct virtqueue *vq)
{
	struct vb_device *vb = vq->vdev->priv;

	vb_answered(vb);
	wake_up(&vb->hint_wait);
}

/* Forget buffers the device is done with; the blocks stay reserved. */
static void vb_hint_reap(struct vb_device *vb)
{
	unsigned int len;

	while (virtqueue_get_buf(vb->hint_vq, &len))
		;
}

/* Room for one more block, always keeping a slot for the STOP id. */
static bool vb_hint_room(struct vb_device *vb)
{
	vb_hint_reap(vb);
	return vb->hint_vq->num_free > 1;
}

/* Whether the round for @cmd should go on. */
static bool vb_hint_active(struct vb_device *vb, u32 cmd)
{
	return READ_ONCE(vb->state) == VB_LIVE &&
	       !virtqueue_is_broken(vb->hint_vq) && vb_hint_cmd(vb) == cmd;
}

/* Lockless check for the wait: something ended or may end the round. */
static bool vb_hint_interrupted(struct vb_device *vb)
{
	return READ_ONCE(vb->state) != VB_LIVE ||
	       virtqueue_is_broken(vb->hint_vq) ||
	       test_bit(VB_HINT_CMD_STALE, &vb->hint_flags);
}

static int vb_hint_send_id(struct vb_device *vb, __virtio32 *id)
{
	struct scatterlist sg;
	int err;

	vb_hint_reap(vb);
	sg_init_one(&sg, id, sizeof(*id));
	err = virtqueue_add_outbuf(vb->hint_vq, &sg, 1, id, GFP_KERNEL);
	if (!err)
		virtqueue_kick(vb->hint_vq);
	return err;
}

/* Hint one free block; -ENOMEM means no free block is left. */
static int vb_hint_one_block(struct vb_device *vb)
{
	struct scatterlist sg;
	struct page *page;
	int err;

	page = alloc_pages(VB_HINT_GFP, VB_HINT_ORDER);
	if (!page)
		return -ENOMEM;

	sg_init_one(&sg, page_address(page), VB_HINT_BYTES);
	err = virtqueue_add_inbuf(vb->hint_vq, &sg, 1, page, GFP_KERNEL);
	if (err) {
		__free_pages(page, VB_HINT_ORDER);
		return err;
	}
	virtqueue_kick(vb->hint_vq);

	/* Only reachable by the shrinker once it is on the list. */
	spin_lock(&vb->hint_lock);
	list_add(&page->lru, &vb->hint_pages);
	WRITE_ONCE(vb->hint_blocks, vb->hint_blocks + 1);
	spin_unlock(&vb->hint_lock);
	return 0;
}

/* Give up to @blocks reserved blocks back to the allocator. */
static unsigned long vb_hint_release(struct vb_device *vb,
				     unsigned long blocks)
{
	struct page *page, *next;
	unsigned long done = 0;
	LIST_HEAD(victims);

	spin_lock(&vb->hint_lock);
	list_for_each_entry_safe(page, next, &vb->hint_pages, lru) {
		if (done == blocks)
			break;
		list_move(&page->lru, &victims);
		done++;
	}
	WRITE_ONCE(vb->hint_blocks, vb->hint_blocks - done);
	spin_unlock(&vb->hint_lock);

	/*
	 * The device may still have some of these queued: the protocol lets
	 * the driver reuse hinted memory at any time.
	 */
	list_for_each_entry_safe(page, next, &victims, lru) {
		list_del(&page->lru);
		__free_pages(page, VB_HINT_ORDER);
	}
	return done;
}

/* One hinting round: start id, as many free blocks as possible, STOP. */
static void vb_hint_round(struct vb_device *vb, u32 cmd)
{
	struct device *dev = &vb->vdev->dev;
	int err;

	vb->hint_cmd_buf = cpu_to_virtio32(vb->vdev, cmd);
	err = vb_hint_send_id(vb, &vb->hint_cmd_buf);
	if (err) {
		dev_err(dev, "cannot start free page hinting: %d\n", err);
		return;
	}

	while (vb_hint_active(vb, cmd)) {
		if (!vb_hint_room(vb)) {
			wait_event_timeout(vb->hint_wait,
					   vb_hint_room(vb) ||
					   vb_hint_interrupted(vb),
					   VB_HINT_WAIT);
			continue;
		}
		err = vb_hint_one_block(vb);
		if (err == -ENOMEM)
			break;
		if (err) {
			dev_err(dev, "cannot hint a free block: %d\n", err);
			break;
		}
	}

	err = vb_hint_send_id(vb, &vb->hint_stop_buf);
	if (err)
		dev_err(dev, "cannot stop free page hinting: %d\n", err);
}

static void vb_hint_work(struct work_struct *work)
{
	struct vb_device *vb = container_of(work, struct vb_device, hint_work);
	u32 cmd = vb_hint_cmd(vb);

	switch (cmd) {
	case VIRTIO_BALLOON_CMD_ID_STOP:
		/* A round in progress has seen it already. */
		break;
	case VIRTIO_BALLOON_CMD_ID_DONE:
		vb_hint_release(vb, ULONG_MAX);
		break;
	default:
		if (cmd != virtio32_to_cpu(vb->vdev, vb->hint_cmd_buf))
			vb_hint_round(vb, cmd);
		break;
	}
}

static unsigned long vb_hint_count(struct shrinker *shrinker,
				   struct shrink_control *sc)
{
	struct vb_device *vb = shrinker->private_data;

	return READ_ONCE(vb->hint_blocks) * VB_HINT_PAGES;
}

static unsigned long vb_hint_scan(struct shrinker *shrinker,
				  struct shrink_control *sc)
{
	struct vb_device *vb = shrinker->private_data;
	unsigned long blocks;

	blocks = vb_hint_release(vb, DIV_ROUND_UP(sc->nr_to_scan,
						  VB_HINT_PAGES));
	return blocks ? blocks * VB_HINT_PAGES : SHRINK_STOP;
}

/* Set up hinting if negotiated and the queue is usable (vb_setup_vqs()). */
static int vb_hint_init(struct vb_device *vb)
{
	struct device *dev = &vb->vdev->dev;

	if (!vb->hint_vq)
		return 0;

	vb->hint_wq = alloc_workqueue("%s-hint",
				      WQ_FREEZABLE | WQ_CPU_INTENSIVE, 0,
				      dev_name(dev));
	if (!vb->hint_wq)
		return -ENOMEM;

	vb->hint_shrinker = shrinker_alloc(0, "virtio-balloon-hint-%s",
					   dev_name(dev));
	if (!vb->hint_shrinker) {
		destroy_workqueue(vb->hint_wq);
		vb->hint_wq = NULL;
		return -ENOMEM;
	}
	vb->hint_shrinker->count_objects = vb_hint_count;
	vb->hint_shrinker->scan_objects = vb_hint_scan;
	vb->hint_shrinker->private_data = vb;
	shrinker_register(vb->hint_shrinker);
	return 0;
}

/* Undo vb_hint_init(); the hint work must not be running. */
static void vb_hint_exit(struct vb_device *vb)
{
	if (!vb->hint_wq)
		return;
	shrinker_free(vb->hint_shrinker);
	destroy_workqueue(vb->hint_wq);
	vb->hint_wq = NULL;
}

/* ---- Free page reporting ------------------------------------------------- */

/* Callback of the reporting queue. */
static void vb_report_done(struct virtqueue *vq)
{
	struct vb_device *vb = vq->vdev->priv;

	vb_answered(vb);
	wake_up(&vb->report_wait);
}

/**
 * vb_report() - hand a batch of free pages to the device
 * @prdev: our registration with the reporting engine
 * @sg: the pages, at most PAGE_REPORTING_CAPACITY entries
 * @nents: number of entries in @sg
 *
 * Called by the reporting engine, one batch at a time.  The device may
 * discard the pages, i.e. write to them, so they go in as device-writable
 * buffers.  The pages must not stay with the device once this returns.
 *
 * Return: 0 once the device returned the batch, else a negative errno and
 * the pages were never handed over or the device was reset;
 * -ENOTRECOVERABLE if the reset did not complete and the device may still
 * write to them.
 */
static int vb_report(struct page_reporting_dev_info *prdev,
		     struct scatterlist *sg, unsigned int nents)
{
	struct vb_device *vb = container_of(prdev, struct vb_device, prdev);
	struct virtqueue *vq = vb->report_vq;
	int err;

	spin_lock_irq(&vb->event_lock);
	if (vb->report_closing) {
		spin_unlock_irq(&vb->event_lock);
		return -ENODEV;
	}
	WRITE_ONCE(vb->report_busy, true);
	spin_unlock_irq(&vb->event_lock);

	/*
	 * The queue is idle and holds at least PAGE_REPORTING_CAPACITY
	 * direct descriptors, so this neither fails nor allocates, unless
	 * the device broke.
	 */
	err = virtqueue_add_inbuf(vq, sg, nents, vb, GFP_NOWAIT | __GFP_NOWARN);
	if (err) {
		dev_warn_ratelimited(&vb->vdev->dev,
				     "cannot queue free page report: %d\n", err);
	} else {
		virtqueue_kick(vq);
		/*
		 * The pages go back to the allocator when we return, so a
		 * broken queue is not enough: wait for the reset that
		 * vb_reporting_stop() ends up doing.
		 */
		if (!vb_wait_used(&vb->report_wait, vq, &vb->report_released))
			err = READ_ONCE(vb->report_lost) ? -ENOTRECOVERABLE : -EIO;
	}

	spin_lock_irq(&vb->event_lock);
	WRITE_ONCE(vb->report_busy, false);
	spin_unlock_irq(&vb->event_lock);
	wake_up(&vb->report_wait);
	return err;
}

/*
 * A reset is complete once the status reads back 0.  virtio-pci's reset
 * waits for that itself, without a bound; virtio-mmio's is a single write:
 * wait here, but not forever.
 */
static bool vb_reset_done(struct virtio_device *vdev)
{
	unsigned long deadline = jiffies + VB_RESET_WAIT;

	while (vdev->config->get_status(vdev)) {
		if (time_after(jiffies, deadline))
			return false;
		usleep_range(1000, 2000);
	}
	return true;
}

/*
 * The device sat on a report and answered nothing through the grace
 * period.  Stop resizing the balloon and break the queues first: no
 * request reaches the device any more, later ones fail at once, and every
 * wait for it but the report's returns.  Then reset it, which ends its use
 * of every buffer, and only once the reset is complete let the report go:
 * its pages are ours.  If it never completes, they are not.
 */
static void vb_abandon_device(struct vb_device *vb)
{
	bool reset;

	dev_err(&vb->vdev->dev,
		"device has held a free page report and answered nothing for %u ms: resetting it\n",
		READ_ONCE(report_grace_ms));
	WRITE_ONCE(vb->dead, true);
	virtio_break_device(vb->vdev);
	wake_up(&vb->ack_wait);
	wake_up(&vb->hint_wait);
	virtio_reset_device(vb->vdev);
	reset = vb_reset_done(vb->vdev);
	if (!reset)
		dev_err(&vb->vdev->dev,
			"device did not complete its reset: the pages of its report stay off the free lists\n");

	spin_lock_irq(&vb->event_lock);
	WRITE_ONCE(vb->report_lost, !reset);
	WRITE_ONCE(vb->report_released, true);
	spin_unlock_irq(&vb->event_lock);
	wake_up(&vb->report_wait);
}

static void vb_reporting_start(struct vb_device *vb)
{
	int err;

	if (!vb->report_wanted)
		return;
	spin_lock_irq(&vb->event_lock);
	vb->report_closing = false;
	vb->report_released = false;
	vb->report_lost = false;
	spin_unlock_irq(&vb->event_lock);
	err = page_reporting_register(&vb->prdev);
	if (err) {
		dev_warn(&vb->vdev->dev,
			 "free page reporting not started: %d\n", err);
		return;
	}
	vb->report_registered = true;
}

/*
 * When the device runs out of grace: a grace period after the later of
 * @start and its last answer, and VB_REPORT_GRACE_CAP of them after @start
 * at the latest.
 */
static unsigned long vb_grace_end(struct vb_device *vb, unsigned long start)
{
	unsigned long grace = msecs_to_jiffies(READ_ONCE(report_grace_ms));
	unsigned long answer = READ_ONCE(vb->last_answer);
	unsigned long end = start + grace;

	if (time_after(answer, start))
		end = answer + grace;
	if (time_after(end, start + VB_REPORT_GRACE_CAP * grace))
		end = start + VB_REPORT_GRACE_CAP * grace;
	return end;
}

/*
 * Leave the reporting engine, which waits for the report in flight, which
 * waits for the device.  New reports are refused first, so at most the one
 * in flight is left.  A device that answers on no queue for the grace
 * period, counted from now or from its last answer, whichever is later, is
 * given up on; one that keeps answering is slow, not stuck, and is waited
 * for, up to VB_REPORT_GRACE_CAP grace periods.
 */
static void vb_reporting_stop(struct vb_device *vb)
{
	unsigned long start = jiffies;
	long left;

	if (!vb->report_registered)
		return;

	spin_lock_irq(&vb->event_lock);
	vb->report_closing = true;
	spin_unlock_irq(&vb->event_lock);
	for (;;) {
		left = (long)(vb_grace_end(vb, start) - jiffies);
		if (left <= 0) {
			vb_abandon_device(vb);
			break;
		}
		if (wait_event_timeout(vb->report_wait,
				       !READ_ONCE(vb->report_busy), left))
			break;
	}

	page_reporting_unregister(&vb->prdev);
	vb->report_registered = false;
}

/* Set up the reporting device; vb_setup_vqs() decided whether it is used. */
static void vb_reporting_probe(struct vb_device *vb)
{
#ifdef PAGE_REPORTING_IDLE_TIER
	/*
	 * The device takes any page-aligned range, and this engine reports
	 * blocks below pageblock_order only from an idle or steady zone, after
	 * trying to compact them into pageblocks.  Memory freed by user space
	 * is physically scattered pages, which rarely merge while the rest of
	 * a mapping is in use: let the engine go down to single pages there.
	 */
	vb->prdev.flags = PAGE_REPORTING_F_SINGLE_PAGES;
#else
	/* A stock engine reports only what is asked, pageblocks by default. */
	vb->prdev.order = vb_report_order(PAGE_SHIFT, pageblock_order);
#endif
	vb->prdev.report = vb_report;
	vb_reporting_start(vb);
}

/* ---- Bring-up and tear-down ---------------------------------------------- */

static const char * const vb_vq_names[VB_VQ_ROLES] = {
	[VB_VQ_INFLATE] = "inflate",
	[VB_VQ_DEFLATE] = "deflate",
	[VB_VQ_STATS] = "stats",
	[VB_VQ_HINT] = "free_page_hint",
	[VB_VQ_REPORT] = "reporting",
};

static vq_callback_t * const vb_vq_callbacks[VB_VQ_ROLES] = {
	[VB_VQ_INFLATE] = vb_ack_done,
	[VB_VQ_DEFLATE] = vb_ack_done,
	[VB_VQ_STATS] = vb_stats_request,
	[VB_VQ_HINT] = vb_hint_progress,
	[VB_VQ_REPORT] = vb_report_done,
};

static struct virtqueue *vb_vq_of(struct virtqueue **vqs,
				  const struct vb_vq_layout *layout,
				  enum vb_vq_role role)
{
	int index = layout->index[role];

	return index < 0 ? NULL : vqs[index];
}

/* Reset the device and free its queues. */
static void vb_drop_vqs(struct vb_device *vb)
{
	virtio_reset_device(vb->vdev);
	vb->vdev->config->del_vqs(vb->vdev);
	vb->inflate_vq = NULL;
	vb->deflate_vq = NULL;
	vb->stats_vq = NULL;
	vb->hint_vq = NULL;
	vb->report_vq = NULL;
}

/*
 * @vq, or NULL if it has fewer than @need entries: its feature then goes
 * unused, and the log says why.  Checked again on restore, since the device
 * may come back with other queue sizes.
 */
static struct virtqueue *vb_vq_short(struct vb_device *vb,
				     struct virtqueue *vq, unsigned int need)
{
	unsigned int size;

	if (!vq)
		return NULL;
	size = virtqueue_get_vring_size(vq);
	if (size >= need)
		return vq;
	dev_warn(&vb->vdev->dev, "%s queue has %u entries, %u needed: not used\n",
		 vq->name, size, need);
	return NULL;
}

/* Find the queues for the negotiated features and fill the stats queue. */
static int vb_setup_vqs(struct vb_device *vb)
{
	struct virtqueue_info info[VB_VQ_ROLES] = {};
	struct virtqueue *vqs[VB_VQ_ROLES] = {};
	struct vb_vq_layout layout;
	unsigned int role;
	int err;

	vb_vq_layout(vb->vdev->features, &layout);
	for (role = 0; role < VB_VQ_ROLES; role++) {
		int index = layout.index[role];

		if (index < 0)
			continue;
		info[index].name = vb_vq_names[role];
		info[index].callback = vb_vq_callbacks[role];
	}

	err = virtio_find_vqs(vb->vdev, layout.count, vqs, info, NULL);
	if (err)
		return err;

	vb->inflate_vq = vb_vq_of(vqs, &layout, VB_VQ_INFLATE);
	vb->deflate_vq = vb_vq_of(vqs, &layout, VB_VQ_DEFLATE);
	vb->stats_vq = vb_vq_of(vqs, &layout, VB_VQ_STATS);
	vb->hint_vq = vb_vq_short(vb, vb_vq_of(vqs, &layout, VB_VQ_HINT), 2);
	/* A report is one chain of up to a batch of direct descriptors. */
	vb->report_vq = vb_vq_short(vb, vb_vq_of(vqs, &layout, VB_VQ_REPORT),
				    PAGE_REPORTING_CAPACITY);
	vb->report_wanted = !!vb->report_vq;

	/*
	 * The device asks for statistics by returning a buffer, so it needs
	 * one from the start.  It is kicked once the device is live.
	 */
	if (vb->stats_vq) {
		err = vb_queue_stats(vb);
		if (err) {
			dev_err(&vb->vdev->dev,
				"cannot queue statistics: %d\n", err);
			vb_drop_vqs(vb);
			return err;
		}
	}
	return 0;
}

/* Config change callback, possibly in interrupt context. */
static void vb_config_changed(struct virtio_device *vdev)
{
	struct vb_device *vb = vdev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vb->event_lock, flags);
	if (vb->state == VB_LIVE) {
		vb_wake_hold(vb, VB_WAKE_RESIZE);
		mod_delayed_work(system_freezable_wq, &vb->resize_work, 0);
		vb_hint_poke(vb);
	}
	spin_unlock_irqrestore(&vb->event_lock, flags);
}

/* DOWN -> LIVE, once the device has DRIVER_OK. */
static void vb_start(struct vb_device *vb)
{
	if (vb->stats_vq)
		virtqueue_kick(vb->stats_vq);

	vb_set_state(vb, VB_LIVE);
	vb_write_actual(vb);

	/* Catch up with whatever the device said before we listened. */
	vb_config_changed(vb->vdev);
	if (vb->stats_vq)
		vb_stats_request(vb->stats_vq);
}

/* LIVE -> QUIESCED: no work item runs or gets queued afterwards. */
static void vb_quiesce(struct vb_device *vb)
{
	if (vb->state != VB_LIVE)
		return;

	vb_set_state(vb, VB_QUIESCED);
	wake_up(&vb->hint_wait);
	cancel_delayed_work_sync(&vb->resize_work);
	cancel_work_sync(&vb->stats_work);
	vb_wake_drop(vb, VB_WAKE_RESIZE | VB_WAKE_STATS);
	if (vb->hint_wq)
		cancel_work_sync(&vb->hint_work);
}

/* QUIESCED -> DOWN: empty the balloon, then reset and drop the queues. */
static void vb_shutdown(struct vb_device *vb)
{
	if (vb->state == VB_DOWN) {
		/* A failed restore left the device FAILED; clear that. */
		virtio_reset_device(vb->vdev);
		return;
	}

	vb_empty(vb);
	vb_set_state(vb, VB_DOWN);
	/* A write of "actual" begun while the device was live is over. */
	mutex_lock(&vb->actual_lock);
	mutex_unlock(&vb->actual_lock);
	/*
	 * Even a device that never completed its reset gives up its queues:
	 * once remove returns, the transport frees the device, interrupts and
	 * all.  Its reported pages, which it may still write, stay off the
	 * free lists.
	 */
	vb_drop_vqs(vb);
	/* The device is reset: it cannot see hinted blocks any more. */
	vb_hint_release(vb, ULONG_MAX);
}

static void vb_init_struct(struct vb_device *vb, struct virtio_device *vdev)
{
	vb->vdev = vdev;
	vb->state = VB_DOWN;
	vb->deflate_on_oom =
		virtio_has_feature(vdev, VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
	vb->fill = vb_free_fill(page_poisoning_enabled_static(),
				want_init_on_free());

	spin_lock_init(&vb->event_lock);
	vb->last_answer = jiffies;
	mutex_init(&vb->lock);
	mutex_init(&vb->actual_lock);
	init_waitqueue_head(&vb->ack_wait);
	INIT_DELAYED_WORK(&vb->resize_work, vb_resize_work);
	INIT_WORK(&vb->stats_work, vb_stats_work);
	balloon_devinfo_init(&vb->bdev);
#ifdef CONFIG_BALLOON_COMPACTION
	vb->bdev.migratepage = vb_migratepage;
#endif

	INIT_WORK(&vb->hint_work, vb_hint_work);
	init_waitqueue_head(&vb->hint_wait);
	spin_lock_init(&vb->hint_lock);
	INIT_LIST_HEAD(&vb->hint_pages);
	vb->hint_cmd = VIRTIO_BALLOON_CMD_ID_STOP;
	vb->hint_cmd_buf = cpu_to_virtio32(vdev, VIRTIO_BALLOON_CMD_ID_STOP);
	vb->hint_stop_buf = cpu_to_virtio32(vdev, VIRTIO_BALLOON_CMD_ID_STOP);

	init_waitqueue_head(&vb->report_wait);
}

static int vb_validate(struct virtio_device *vdev)
{
	enum vb_free_fill fill = vb_free_fill(page_poisoning_enabled_static(),
					      want_init_on_free());
	u64 offered = vdev->features;

	vdev->features = vb_negotiate(offered, fill);
	if ((offered & ~vdev->features) & VB_F(REPORTING))
		dev_info(&vdev->dev,
			 "freed pages are %s but the device cannot keep them so: free page reporting disabled\n",
			 fill == VB_FILL_ZERO ? "zeroed" : "poisoned");
	return 0;
}

static int vb_probe(struct virtio_device *vdev)
{
	struct vb_device *vb;
	int err;

	if (!vdev->config->get) {
		dev_err(&vdev->dev, "config space cannot be read\n");
		return -EINVAL;
	}

	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	vdev->priv = vb;
	vb_init_struct(vb, vdev);

	err = vb_setup_vqs(vb);
	if (err)
		goto err_free;

	err = vb_hint_init(vb);
	if (err)
		goto err_vqs;

	if (vb->deflate_on_oom) {
		vb->oom_nb.notifier_call = vb_oom_notify;
		vb->oom_nb.priority = VB_OOM_PRIORITY;
		err = register_oom_notifier(&vb->oom_nb);
		if (err)
			goto err_hint;
	}

	/*
	 * The balloon cannot wake the system itself, but it handles wakeup
	 * events the transport passes up, with a wakeup source of its own.
	 */
	device_set_wakeup_capable(&vdev->dev, true);

	vb_write_poison(vb);
	virtio_device_ready(vdev);

	vb_reporting_probe(vb);
	vb_start(vb);
	return 0;

err_hint:
	vb_hint_exit(vb);
err_vqs:
	vb_drop_vqs(vb);
err_free:
	kfree(vb);
	vdev->priv = NULL;
	return err;
}

static void vb_remove(struct virtio_device *vdev)
{
	struct vb_device *vb = vdev->priv;

	vb_reporting_stop(vb);
	if (vb->deflate_on_oom)
		unregister_oom_notifier(&vb->oom_nb);
	vb_quiesce(vb);
	vb_shutdown(vb);
	vb_hint_exit(vb);
	kfree(vb);
}

#ifdef CONFIG_PM_SLEEP
static int vb_freeze(struct virtio_device *vdev)
{
	struct vb_device *vb = vdev->priv;

	/*
	 * No report is in flight: the engine's worker is freezable, so the
	 * freezer has waited for it, or failed the suspend, before this runs.
	 * The OOM notifier and the shrinker stay: with the device down and the
	 * balloon empty they have nothing to do.
	 */
	vb_reporting_stop(vb);
	vb_quiesce(vb);
	vb_shutdown(vb);
	return 0;
}

static int vb_restore(struct virtio_device *vdev)
{
	struct vb_device *vb = vdev->priv;
	int err;

	err = vb_setup_vqs(vb);
	if (err)
		return err;

	/* The reset cleared poison_val. */
	vb_write_poison(vb);
	/* Whatever broke before the suspend, this is a new device. */
	WRITE_ONCE(vb->dead, false);
	virtio_device_ready(vdev);

	vb_reporting_start(vb);
	vb_start(vb);
	return 0;
}
#endif /* CONFIG_PM_SLEEP */

static const unsigned int vb_features[] = {
	VIRTIO_BALLOON_F_MUST_TELL_HOST,
	VIRTIO_BALLOON_F_STATS_VQ,
	VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
	VIRTIO_BALLOON_F_FREE_PAGE_HINT,
	VIRTIO_BALLOON_F_PAGE_POISON,
	VIRTIO_BALLOON_F_REPORTING,
};

static const struct virtio_device_id vb_id_table[] = {
	{ VIRTIO_ID_BALLOON, VIRTIO_DEV_ANY_ID },
	{ }
};
MODULE_DEVICE_TABLE(virtio, vb_id_table);

static struct virtio_driver vb_driver = {
	.driver.name		= KBUILD_MODNAME,
	.id_table		= vb_id_table,
	.feature_table		= vb_features,
	.feature_table_size	= ARRAY_SIZE(vb_features),
	.validate		= vb_validate,
	.probe			= vb_probe,
	.remove			= vb_remove,
	.config_changed		= vb_config_changed,
#ifdef CONFIG_PM_SLEEP
	.freeze			= vb_freeze,
	.restore		= vb_restore,
#endif
};
module_virtio_driver(vb_driver);

MODULE_DESCRIPTION("Virtio memory balloon driver");
MODULE_LICENSE("GPL");

#ifdef CONFIG_VIRTIO_BALLOON_DEVICE_KUNIT_TEST
#include "virtio_balloon_device_kunit.c"
#endif
