#!/usr/bin/env python3
"""Apply each mutation to the ours tree, run the KUnit case that guards it,
and check that it fails; restore the file afterwards."""
import fcntl, os, re, subprocess, sys, time
TREE = "/work/main/build/src/ours"
TOP = "/work/main"
M = [
 ("M1 reserve a whole batch", "mm/page_reporting.c",
  "low_wmark_pages(zone) + (1UL << order), 0,",
  "low_wmark_pages(zone) + ((unsigned long)PAGE_REPORTING_CAPACITY << order), 0,",
  "page_reporting.prt_large_blocks_need_only_their_size"),
 ("M2 one sweep only", "mm/page_reporting.c",
  "if (sweeps == PAGE_REPORTING_SWEEPS)",
  "if (sweeps == 1)",
  "page_reporting.prt_unregister_catches_a_moving_mark"),
 ("M3 no device check before report()", "mm/page_reporting.c",
  "	if (READ_ONCE(page_reporting_dev) != prdev) {\n		err = -ENODEV;\n		goto putback;\n	}",
  "	if (0) {\n		err = -ENODEV;\n		goto putback;\n	}",
  "page_reporting.prt_unregister_stops_the_pass"),
 ("M4 report_now parameter waits", "mm/page_reporting.c",
  ["static int page_reporting_queue_flush(unsigned long *seq);\n",
   "	return page_reporting_queue_flush(&seq);\n}"],
  ["static int page_reporting_queue_flush(unsigned long *seq);\nstatic int page_reporting_flush(void);\n",
   "	return seq = 0, page_reporting_flush();\n}"],
  "page_reporting.prt_report_now_parameter_does_not_wait"),
 ("M5 -EAGAIN swallowed", "mm/page_reporting.c",
  "			err = err ?: ret;\n			continue;",
  "			continue;",
  "page_reporting.prt_report_now_says_when_blocks_are_left"),
 ("M6 split parts lose the mark", "mm/page_alloc.c",
  "		if (reported)\n			page_reporting_set_mark(zone, &page[size], high);",
  "",
  "page_reporting.prt_split_keeps_the_rest_marked"),
 ("M7 reuse counts the whole block", "mm/page_alloc.c",
  "		page_reporting_account_reuse(zone, low);",
  "		page_reporting_account_reuse(zone, high);",
  "page_reporting.prt_split_keeps_the_rest_marked"),
 ("M8 merge requests the pageblock tier", "mm/page_reporting.c",
  "			page_reporting_request(zone,\n					       page_reporting_merged_order(page, order));",
  "			page_reporting_request(zone, MAX_PAGE_ORDER);",
  "page_reporting.prt_merge_at_putback_requests_its_tier"),
 ("M9 unbounded walk", "mm/page_reporting.c",
  "		if (scanned == PAGE_REPORTING_SCAN)\n			break;",
  "",
  "page_reporting.prt_walks_are_bounded_per_lock_hold"),
 ("M10 reuse never lengthens", "mm/page_reporting.c",
  "			WRITE_ONCE(prz->level, prz->level + 1);",
  "			;",
  "page_reporting.prt_reuse_lengthens_the_wait"),
 ("M11 wait past the maximum", "mm/page_reporting.c",
  "		if (prz->level < PAGE_REPORTING_MAX_LEVEL &&\n		    page_reporting_wait_at(prz->level) < page_reporting_max_wait())",
  "		if (prz->level < PAGE_REPORTING_MAX_LEVEL)",
  "page_reporting.prt_wait_stops_at_the_maximum"),
 ("M12 no compaction first", "mm/page_reporting.c",
  "	if (!IS_ENABLED(CONFIG_COMPACTION))\n		return false;\n	fragments",
  "	if (1)\n		return false;\n	fragments",
  "page_reporting.prt_fragmented_zone_is_compacted_first"),
 ("M13 no back-off", "mm/page_reporting.c",
  "	if (page_reporting_backoff && !force &&",
  "	if (0 && page_reporting_backoff && !force &&",
  "page_reporting.prt_failed_report_leaves_pages_unmarked"),
 ("M14 isolated blocks keep marks", "mm/page_reporting.h",
  "	if (is_migrate_isolate(new_mt)) {\n		if (PageReported(page))\n			page_reporting_clear_mark(zone, page, order);",
  "	if (is_migrate_isolate(new_mt)) {\n		;",
  "page_reporting.prt_isolated_blocks_stay_unmarked"),
 ("M15 drain re-requests", "mm/page_reporting.c",
  "		if (!requested && test_bit(ZONE_REPORTING_REQUESTED, &zone->flags))\n			hi = true;",
  "",
  "page_reporting.prt_drain_serves_its_own_frees"),
 ("M16 never drain", "mm/page_reporting.c",
  "		drain_all_pages(zone);\n		if (!requested",
  "		if (!requested",
  "page_reporting.prt_drain_serves_its_own_frees"),
 ("M17 lost blocks not reserved", "mm/page_reporting.c",
  "		for (j = 0; j < nr; j++)\n			__SetPageReserved(nth_page(page, j));",
  "",
  "page_reporting.prt_lost_blocks_are_never_reused"),
 ("M18 lost blocks given back", "mm/page_reporting.c",
  "	if (err == -ENOTRECOVERABLE) {\n		page_reporting_leak(sgl, n, pages);\n		goto out;\n	}",
  "",
  "page_reporting.prt_lost_blocks_are_never_reused"),
 ("D1 no wakeup hold on config change", "drivers/virtio/virtio_balloon.c",
  "		vb_wake_hold(vb, VB_WAKE_RESIZE);\n		mod_delayed_work",
  "		mod_delayed_work",
  "virtio_balloon_device.vbt_resizing_keeps_the_system_awake"),
 ("D2 reset taken as done", "drivers/virtio/virtio_balloon.c",
  "	reset = vb_reset_done(vb->vdev);",
  "	reset = true;",
  "virtio_balloon_device.vbt_unfinished_reset_keeps_the_pages"),
 ("D3 dead device resized", "drivers/virtio/virtio_balloon.c",
  ["	delta = READ_ONCE(vb->dead) ? 0 : vb_resize_delta(vb);", "	if (!delta || READ_ONCE(vb->dead)) {"],
  ["	delta = vb_resize_delta(vb);", "	if (!delta) {"],
  "virtio_balloon_device.vbt_dead_device_is_not_inflated"),
 ("D4 OOM notifier waits", "drivers/virtio/virtio_balloon.c",
  "	while (!mutex_trylock(&vb->lock)) {\n		if (time_after(jiffies, deadline))\n			return NOTIFY_OK;\n		usleep_range(1000, 2000);\n	}",
  "	mutex_lock(&vb->lock);",
  "virtio_balloon_device.vbt_oom_notifier_does_not_wait"),
 ("D9 OOM notifier does not wait at all", "drivers/virtio/virtio_balloon.c",
  "	while (!mutex_trylock(&vb->lock)) {\n		if (time_after(jiffies, deadline))\n			return NOTIFY_OK;\n		usleep_range(1000, 2000);\n	}",
  "	if (!mutex_trylock(&vb->lock))\n		return NOTIFY_OK;",
  "virtio_balloon_device.vbt_oom_notifier_waits_for_a_quick_request"),
 ("D10 no cap on the grace", "drivers/virtio/virtio_balloon.c",
  "	if (time_after(end, start + VB_REPORT_GRACE_CAP * grace))\n		end = start + VB_REPORT_GRACE_CAP * grace;",
  "",
  "virtio_balloon_device.vbt_answering_device_is_reset_in_the_end"),
 ("D5 restore keeps probe's decision", "drivers/virtio/virtio_balloon.c",
  "	vb->report_wanted = !!vb->report_vq;",
  "	vb->report_wanted |= !!vb->report_vq;\n	if (vb->report_registered || vb->prdev.report)\n		vb->report_wanted = true;",
  "virtio_balloon_device.vbt_restore_checks_the_queues_again"),
 ("D6 grace ignores answers", "drivers/virtio/virtio_balloon.c",
  "	if (time_after(answer, start))\n		end = answer + grace;",
  "	(void)answer;",
  "virtio_balloon_device.vbt_slow_device_is_not_reset"),
 ("D11 actual written under the lock", "drivers/virtio/virtio_balloon.c",
  ["	lockdep_assert_not_held(&vb->lock);\n",
   "	mutex_unlock(&vb->lock);\n	if (count)\n		vb_write_actual(vb);\n\n"],
  ["",
   "	if (count)\n		vb_write_actual(vb);\n	mutex_unlock(&vb->lock);\n\n"],
  "virtio_balloon_device.vbt_actual_is_written_unlocked"),
 ("D12 dead kept over restore", "drivers/virtio/virtio_balloon.c",
  "	WRITE_ONCE(vb->dead, false);\n",
  "",
  "virtio_balloon_device.vbt_restore_follows_the_target_again"),
 ("D7 stock engine left at pageblocks", "drivers/virtio/virtio_balloon_decide.h",
  "	return pb_order > order_2m ? order_2m : 0;",
  "	return 0;",
  "virtio_balloon_decide.vb_test_report_order"),
 ("D8 REPORTING kept without PAGE_POISON", "drivers/virtio/virtio_balloon_decide.h",
  "	else if (!(features & VB_F(PAGE_POISON)))\n		features &= ~VB_F(REPORTING);",
  "	else if (!(features & VB_F(PAGE_POISON)) && fill == VB_FILL_POISON)\n		features &= ~VB_F(REPORTING);",
  "virtio_balloon_decide.vb_test_spec_table"),
]
only = sys.argv[1:]
os.makedirs(f"{TOP}/build/mut", exist_ok=True)
kcfg = f"{TOP}/configs/kunit/page_reporting.kunitconfig"
args = ["python3", "tools/testing/kunit/kunit.py", "run", "--arch=um", "--kunitconfig", kcfg,
        "--kunitconfig", f"{TOP}/configs/kunit/virtio_balloon.kunitconfig",
        "--build_dir", f"{TOP}/build/obj/ours-uml-mut", "--jobs", "2", "--make_options", "CC=ccache gcc",
        "--raw_output=all", "--timeout", "600"]
results = []
for name, f, old, new, glob in M:
    if only and not any(name.startswith(o) for o in only):
        continue
    path = f"{TREE}/{f}"
    src = open(path).read()
    olds, news = (old, new) if isinstance(old, list) else ([old], [new])
    if any(src.count(o) != 1 for o in olds):
        results.append((name, "MUTATION DOES NOT APPLY")); print(name, "does not apply", flush=True); continue
    mutated = src
    for o, n in zip(olds, news):
        mutated = mutated.replace(o, n)
    # Hold the build lock while the tree is mutated, so that no kernel
    # build started meanwhile (scripts/build-kernel.sh) compiles the mutant.
    lock = open(f"{TOP}/build/.kbuild.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    open(path, "w").write(mutated)
    try:
        t = time.time()
        p = subprocess.run(args + [glob], cwd=TREE, capture_output=True, text=True)
        out = p.stdout + p.stderr
        open(f"{TOP}/build/mut/{name.split()[0]}.log", "w").write(out)
        test = glob.split(".")[1]
        if re.search(r"not ok \d+ " + test, out): verdict = "fails (good)"
        elif re.search(r"ok \d+ " + test, out): verdict = "PASSES (check cannot fail)"
        else: verdict = "did not run"
        results.append((name, f"{verdict} [{int(time.time()-t)} s]"))
        print(name, verdict, flush=True)
    finally:
        open(path, "w").write(src)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
print()
for n, v in results: print(f"{n}: {v}")
