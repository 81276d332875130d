#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test initramfs: mount the basics, load the balloon driver,
# run the routine named by "pr.run=" on the kernel command line, report with
# "@@PR <event>" markers on the console, and power off.
#
# Command line keys:  pr.run=binds|drain|engine|fragment|churn|hold|
#                            inflate|stats|poison|cycles|unplug|freeze
#                     pr.mib=N  pr.chunk_kib=N  pr.rounds=N  pr.phases=N  pr.settle=S
#                     pr.module=tree|oot|none
#                     pr.balloon_mib=N (inflate, cycles)  pr.cycles=N (cycles)
#                     pr.unplugs=N pr.unplug_mib=N (unplug)
#                     pr.sleeps=s2idle|mem|mem-qmp,... pr.freeze_mib=N
#                     pr.rtc_s=S (freeze)
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmp /tmp

marker() { echo "@@PR $*"; }
finish() { marker "done"; sync; reboot -f; sleep 5; echo o >/proc/sysrq-trigger; }

arg() {
	read -r pr_cmdline </proc/cmdline
	for kv in $pr_cmdline; do
		case "$kv" in "pr.$1="*) echo "${kv#*=}"; return ;; esac
	done
	echo "$2"
}

# Counters of the reporting engine, when the kernel has them.
vmstat_markers() {
	grep -E '^(page_reporting|pgreport)' /proc/vmstat 2>/dev/null |
		while read -r k v; do marker "value name=$k v=$v"; done
}

balloon_dev() {
	for d in /sys/bus/virtio/drivers/virtio_balloon/virtio*; do
		[ -e "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

# Feature bit N of the bound balloon device ("1" when negotiated).
feature() {
	f=$(cat "$(balloon_dev)/features" 2>/dev/null)
	echo "$f" | cut -c$(($1 + 1))
}

# A parameter write must fail and leave the value as it was.
param_rejects() {
	p=/sys/module/page_reporting/parameters/$1
	old=$(cat "$p")
	if echo "$2" >"$p" 2>/dev/null; then
		marker "result fail reason=$1-accepted-$2"
		return 1
	fi
	if [ "$(cat "$p")" != "$old" ]; then
		marker "result fail reason=$1-changed-by-$2"
		return 1
	fi
}

# pr.run=engine: the reporting engine seen from inside the guest, after
# memory was freed: the page_reporting_engine kselftest (pr-engine).
engine_checks() {
	pr-memtouch drain "$mib" || { marker "result fail reason=workload"; return; }
	sleep 2
	vmstat_markers
	if pr-engine; then
		marker "result pass"
	else
		marker "result fail reason=kselftest"
	fi
}

meminfo_kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# Free memory in KiB: MemFree plus the pages parked on the per-CPU lists,
# which MemFree leaves out (their high marks grow with allocation traffic);
# x86 pages are 4 KiB.
free_kib() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	echo $(($(meminfo_kib MemFree) + pcp * 4))
}

# Wait up to $3 s until MemTotal is at most $1 KiB (or at least $1 KiB when
# $2 is "ge") and has stopped moving for a second; prints the last reading.
# Fails if the deadline passes first.
wait_memtotal() {
	want=$1 how=$2 end=$(($(date +%s) + $3)) prev=-1
	while :; do
		cur=$(meminfo_kib MemTotal)
		if [ "$how" = ge ]; then
			[ "$cur" -ge "$want" ] && reached=1 || reached=0
		else
			[ "$cur" -le "$want" ] && reached=1 || reached=0
		fi
		if [ "$reached" = 1 ]; then
			[ "$cur" = "$prev" ] && { echo "$cur"; return 0; }
			prev=$cur
		fi
		[ "$(date +%s)" -ge "$end" ] && { echo "$cur"; return 1; }
		sleep 1
	done
}

# 1 when the free page reporting engine has a device registered: report_now
# refuses with ENODEV otherwise (our engine); on an engine without report_now,
# its "Free page reporting enabled" boot message (printed once per boot).
reporting_registered() {
	p=/sys/kernel/mm/page_reporting/report_now
	if [ -e "$p" ]; then
		echo 1 2>/dev/null >"$p" && echo 1 || echo 0
	elif dmesg | grep -q "Free page reporting enabled"; then
		echo 1
	else
		echo 0
	fi
}

# pr.run=inflate: the host inflates the balloon by pr.balloon_mib (QMP
# "balloon" on the "inflate" marker) and deflates it again (on "deflate").
# Without DEFLATE_ON_OOM inflated pages leave MemTotal, so MemTotal has to
# drop by the balloon size and come back.  The guest first touches and frees
# most of its memory, so the pages the balloon takes are resident on the host
# and QEMU's discard of them shows in its RSS (run without free page
# reporting, which would discard them first).
balloon_inflate() {
	size=$(arg balloon_mib 512)
	before=$(meminfo_kib MemTotal)
	marker "value name=memtotal_before_kib v=$before"
	pr-memtouch drain $(($(meminfo_kib MemFree) / 1024 - 96)) ||
		{ marker "result fail reason=workload"; return; }
	marker "inflate balloon_mib=$size"
	if ! now=$(wait_memtotal $((before - size * 1024 + 1024)) le 120); then
		marker "value name=memtotal_inflated_kib v=$now"
		marker "result fail reason=memtotal-not-dropped"
		return
	fi
	marker "value name=memtotal_inflated_kib v=$now"
	marker "value name=inflate_drop_kib v=$((before - now))"
	marker "deflate"
	if ! now=$(wait_memtotal "$before" ge 120); then
		marker "value name=memtotal_deflated_kib v=$now"
		marker "result fail reason=memtotal-not-restored"
		return
	fi
	marker "value name=memtotal_deflated_kib v=$now"
	marker "value name=deflate_gap_kib v=$((before - now))"
	marker "result pass"
}

# pr.run=stats: the host turns on stats polling (QMP qom-set on the
# "stats-arm" marker) and reads guest-stats after each of two 128 MiB
# allocation rounds (qom-get on "stats-check" and "stats-check2", whose
# "expect" checks the reply).  Each round adds 32768 minor faults, so the
# fault count the host sees tells whether the guest answered polls after it
# (the driver's first stats buffer, sent at probe, shows a few hundred).
balloon_stats() {
	balloon_dev >/dev/null || { marker "result fail reason=driver-not-bound"; return; }
	[ "$(feature 1)" = 1 ] || { marker "result fail reason=stats-vq-not-negotiated"; return; }
	marker "value name=memtotal_kib v=$(meminfo_kib MemTotal)"
	marker stats-arm
	for check in stats-check stats-check2; do
		sleep 2
		pr-memtouch drain 128 >/dev/null || { marker "result fail reason=workload"; return; }
		# Two polls at 2 s, then the host reads what the guest sent.
		sleep "$(arg settle 6)"
		marker "value name=minor_faults v=$(awk '$1 == "pgfault" { f = $2 } $1 == "pgmajfault" { m = $2 } END { print f - m }' /proc/vmstat)"
		marker "$check"
	done
	# Stay up until the host has read the stats (it polls the console at 20 Hz).
	sleep 3
	marker "result pass"
}

# pr.run=poison: free page reporting against page poisoning / init_on_free;
# the poison-matrix-* scenarios vary the guest command line and QEMU's
# page-poison and free-page-reporting.  Prints the negotiated REPORTING
# (bit 5) and PAGE_POISON (bit 4) features, whether the driver registered
# with the reporting engine and whether it logged why it turned reporting
# off.  Then frees memory, lets it be reported, and allocates it again: a
# discarded page that should have kept the poison pattern makes the
# allocator log "pagealloc: memory corruption"; one that should have stayed
# zeroed (init_on_free: the allocator skips zeroing it again) fails
# pr-memtouch's zero check.
balloon_poison() {
	balloon_dev >/dev/null || { marker "result fail reason=driver-not-bound"; return; }
	said=0
	dmesg | grep -q "free page reporting disabled" && said=1
	marker "reporting negotiated=$(feature 5) registered=$(reporting_registered) poison=$(feature 4) said_disabled=$said"
	before=$(awk '$1 == "page_reporting_pages" { print $2 }' /proc/vmstat)
	mib=$(($(meminfo_kib MemFree) * 2 / 3 / 1024))
	pr-memtouch drain "$mib" || { marker "result fail reason=workload"; return; }
	# Let the freed memory be reported (report_now waits for a full pass).
	echo 1 2>/dev/null >/sys/kernel/mm/page_reporting/report_now || sleep 3
	[ -n "$before" ] && marker "value name=reported_pages v=$(($(awk '$1 == "page_reporting_pages" { print $2 }' /proc/vmstat) - before))"
	pr-memtouch zero "$mib" || { marker "result fail reason=zero-check"; return; }
	pr-memtouch drain "$mib" || { marker "result fail reason=workload"; return; }
	marker "result pass"
}

# pr.run=cycles: unload and reload the driver pr.cycles times while a
# background loop allocates and frees memory and the host holds the balloon
# pr.balloon_mib below the guest size (QMP on "cycles-begin"; released on
# "cycles-end").  Every unload must unbind and leave the reporting engine,
# every load must bind, negotiate REPORTING and register again.  At the end,
# with the balloon empty, MemTotal must be as before and free memory (MemFree
# and the per-CPU lists) close to it (no page lost in the balloon or left
# isolated by an interrupted report).
balloon_cycles() {
	n=$(arg cycles 10)
	rn=/sys/kernel/mm/page_reporting/report_now
	balloon_dev >/dev/null || { marker "result fail reason=driver-not-bound"; return; }
	[ -n "$ko" ] || { marker "result fail reason=no-module"; return; }
	sync
	echo 3 >/proc/sys/vm/drop_caches
	total0=$(meminfo_kib MemTotal)
	free0=$(free_kib)
	marker "value name=memfree_before_kib v=$free0"
	marker "cycles-begin balloon_mib=$(arg balloon_mib 128)"
	rm -f /tmp/cycles-stop /tmp/cycles-load
	# The load meanwhile: pr.cycles_load=drain (free 96 MiB over and over)
	# or integrity (the pr-integrity anonymous churn, 256 MiB a round,
	# every word checked; its failures and MiB are counted).
	case $(arg cycles_load drain) in
	integrity)
		(while [ ! -e /tmp/cycles-stop ]; do
			if PR_INTEGRITY_MIB=256 pr-integrity -t anon_churn >/tmp/cycles-int.log 2>&1; then
				echo "ok 256" >>/tmp/cycles-load
			else
				echo "fail 0" >>/tmp/cycles-load
				cat /tmp/cycles-int.log
			fi
		done) &
		;;
	*)
		(while [ ! -e /tmp/cycles-stop ]; do pr-memtouch drain 96 >/dev/null || break; done) &
		;;
	esac
	bg=$!
	ok=0 why=
	i=1
	calls0=$(awk '$1 == "page_reporting_calls" { print $2 }' /proc/vmstat)
	while [ $i -le "$n" ]; do
		sleep "0.$((i % 5 + 1))"
		# MemTotal shows how much of the balloon this load had inflated.
		marker "cycle n=$i memtotal_kib=$(meminfo_kib MemTotal)"
		rmmod virtio_balloon || { why=rmmod-$i; break; }
		balloon_dev >/dev/null && { why=still-bound-$i; break; }
		if [ -e "$rn" ] && echo 1 2>/dev/null >"$rn"; then why=still-registered-$i; break; fi
		insmod "$ko" || { why=insmod-$i; break; }
		j=0
		while ! balloon_dev >/dev/null && [ $j -lt 100 ]; do sleep 0.1; j=$((j + 1)); done
		balloon_dev >/dev/null || { why=not-bound-$i; break; }
		[ "$(feature 5)" = 1 ] || { why=reporting-not-negotiated-$i; break; }
		[ "$(reporting_registered)" = 1 ] || { why=not-registered-$i; break; }
		ok=$i
		i=$((i + 1))
	done
	touch /tmp/cycles-stop
	wait "$bg"
	marker "value name=cycles_ok v=$ok"
	if [ -e /tmp/cycles-load ]; then
		marker "value name=cycles_load_mib v=$(awk '{ s += $2 } END { print s + 0 }' /tmp/cycles-load)"
		marker "value name=cycles_load_failures v=$(grep -c '^fail' /tmp/cycles-load)"
	fi
	[ -n "$calls0" ] && marker "value name=cycles_report_calls v=$(($(awk '$1 == "page_reporting_calls" { print $2 }' /proc/vmstat) - calls0))"
	[ -z "$why" ] || { marker "result fail reason=$why"; return; }
	marker "cycles-end"
	if ! now=$(wait_memtotal "$total0" ge 120); then
		marker "result fail reason=memtotal-not-restored"
		return
	fi
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	free1=$(free_kib)
	marker "value name=memtotal_delta_kib v=$((total0 - now))"
	marker "value name=memfree_after_kib v=$free1"
	marker "value name=memfree_lost_kib v=$((free0 - free1))"
	marker "result pass"
}

# pr.run=integrity: the pr-integrity kselftest (selftests/mm/
# page_reporting_integrity.c) with the engine at its most eager: worker
# processes churn anonymous, tmpfs and THP memory with a pattern in every
# word and count the words that changed, then memory filled, freed and
# reported must read back as zero.  pr.integrity_mib is the anonymous budget
# (tmpfs and THP a quarter each), pr.workers the processes,
# pr.integrity_tests a comma-separated list of tests to run (default all:
# anon_churn,tmpfs_churn,thp_churn,no_stale_data).  The TAP output goes to
# the console; the test prints its figures as "# @@PR value name=integrity_*"
# diagnostics, this adds the run's time, reported pages and exit status and
# a result from the exit status.
integrity_run() {
	balloon_dev >/dev/null || { marker "result fail reason=driver-not-bound"; return; }
	[ "$(feature 5)" = 1 ] || { marker "result fail reason=reporting-not-negotiated"; return; }
	sel=
	for t in $(arg integrity_tests all | tr , ' '); do
		[ "$t" = all ] || sel="$sel -t $t"
	done
	before=$(awk '$1 == "page_reporting_pages" { print $2 }' /proc/vmstat)
	start=$(date +%s)
	marker "integrity-begin mib=$(arg integrity_mib 4096) workers=$(arg workers 2)"
	# shellcheck disable=SC2086 # $sel is a list of options
	PR_INTEGRITY_MIB=$(arg integrity_mib 4096) PR_INTEGRITY_WORKERS=$(arg workers 2) \
		pr-integrity $sel 2>&1
	rc=$?
	marker "value name=integrity_seconds v=$(($(date +%s) - start))"
	[ -n "$before" ] && marker "value name=integrity_reported_pages v=$(($(awk '$1 == "page_reporting_pages" { print $2 }' /proc/vmstat) - before))"
	marker "value name=integrity_exit v=$rc"
	vmstat_markers
	if [ "$rc" = 0 ]; then
		marker "result pass"
	else
		marker "result fail reason=tap-exit-$rc"
	fi
}

# Helpers of pr.run=unplug and pr.run=freeze.
vmstat_value() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
uptime_cs() { awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime; }

# The engine as eager as it goes: no quiet period (ours only), single pages.
reporting_eager() {
	p=/sys/module/page_reporting/parameters
	[ -e $p/page_reporting_delay_ms ] && echo 0 >$p/page_reporting_delay_ms
	echo 0 >$p/page_reporting_order
}

# Background loop touching and freeing $1 MiB until churn_stop.
churn_start() {
	rm -f /tmp/churn-stop
	(while [ ! -e /tmp/churn-stop ]; do pr-memtouch drain "$1" >/dev/null || break; done) &
	churn_pid=$!
}
churn_stop() { touch /tmp/churn-stop; wait "$churn_pid"; }

# The hotplug slot (/sys/bus/pci/slots/N) holding the bound balloon.
balloon_slot() {
	pci=$(basename "$(dirname "$(readlink -f "$(balloon_dev)")")")
	for s in /sys/bus/pci/slots/*; do
		[ "$(cat "$s/address" 2>/dev/null)" = "${pci%.*}" ] && { echo "$s"; return 0; }
	done
	return 1
}

# Wait up to $2 s for the balloon driver to be bound ($1 = bound) or ($1 =
# gone) for no virtio device to be left and slot $3 to be empty: the guest
# has ejected the device and the host has deleted it, so that the slot takes
# a new one.
wait_balloon() {
	end=$(($(date +%s) + $2))
	while :; do
		if [ "$1" = bound ]; then
			balloon_dev >/dev/null && return 0
		elif ! balloon_dev >/dev/null && [ -z "$(ls /sys/bus/virtio/devices)" ] &&
			[ "$(cat "$3/adapter")" = 0 ]; then
			return 0
		fi
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# Free memory (free_kib) with the caches dropped and no report in flight
# (pages being reported are off the free lists): a full pass with report_now
# (ours; refused at once with no device), else a 3 s wait.
settled_free_kib() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	if [ -e /sys/kernel/mm/page_reporting/report_now ]; then
		echo 1 2>/dev/null >/sys/kernel/mm/page_reporting/report_now
	else
		sleep 3
	fi
	free_kib
}

# Reporting works after a replug or resume: a fresh $1 MiB drain (between the
# markers "$2-touch" and "$2-freed", for the host's RSS) is reported.  Prints
# the reported KiB as value "$2_reported_kib" (our engine's counters only).
drain_reported() {
	p0=$(vmstat_value page_reporting_pages)
	marker "$2-touch mib=$1"
	pr-memtouch drain "$1" >/dev/null || return 1
	marker "$2-freed mib=$1"
	echo 1 2>/dev/null >/sys/kernel/mm/page_reporting/report_now || sleep 3
	[ -z "$p0" ] || marker "value name=$2_reported_kib v=$((($(vmstat_value page_reporting_pages) - p0) * 4))"
}

# Trace the workqueues' work items, from empty, for pass_met.
# Fails if the kernel cannot.
report_trace_start() {
	t=/sys/kernel/debug/tracing
	[ -d $t/events/workqueue ] || return 1
	echo 0 >$t/tracing_on
	echo 1 >$t/events/workqueue/workqueue_execute_start/enable
	echo 1 >$t/events/workqueue/workqueue_execute_end/enable
	echo >$t/trace
	echo 1 >$t/tracing_on
}

# 1 if the event traced since the trace was last emptied met the engine at
# work: its work item (the report pass) running when the event began or
# starting after that.  The event is the first trace marker "$1" (written by
# the guest) or, for a hot-unplug, the ACPI hotplug work that the host's
# device_del queues.
pass_met() {
	awk -v mark="tracing_mark_write: $1" '
	/workqueue_execute_start: .*page_reporting_work_fn/ { busy = 1; if (began) met = 1 }
	/workqueue_execute_end: .*page_reporting_work_fn/ { busy = 0 }
	/workqueue_execute_start: .*acpi_hotplug_work_fn/ || index($0, mark) {
		if (!began) { began = 1; if (busy) met = 1 }
	}
	END { print met + 0 }' /sys/kernel/debug/tracing/trace
}

# Hold reporting back (ours: page_reporting_delay_ms and _idle_ms 60000) and
# keep the per-CPU page lists small, so that pages freed one by one reach
# the free lists, unreported, for a long pass (report_pass).  The first call
# saves the settings for reporting_released.
reporting_held() {
	p=/sys/module/page_reporting/parameters
	if [ -z "$held_saved" ]; then
		held_saved="$(cat $p/page_reporting_delay_ms) $(cat $p/page_reporting_idle_ms)"
		held_saved="$held_saved $(cat $p/page_reporting_batch)"
		held_saved="$held_saved $(cat /proc/sys/vm/percpu_pagelist_high_fraction)"
	fi
	echo 60000 >$p/page_reporting_delay_ms
	echo 60000 >$p/page_reporting_idle_ms
	echo 100000 >/proc/sys/vm/percpu_pagelist_high_fraction
}

# Undo reporting_held and report_pass's batch size.
reporting_released() {
	p=/sys/module/page_reporting/parameters
	[ -n "$held_saved" ] || return 0
	# shellcheck disable=SC2086 # $held_saved is a list of values
	set -- $held_saved
	echo "$1" >$p/page_reporting_delay_ms
	echo "$2" >$p/page_reporting_idle_ms
	echo "$3" >$p/page_reporting_batch
	echo "$4" >/proc/sys/vm/percpu_pagelist_high_fraction
	held_saved=
}

# Start a long report pass and return once it has made its first report:
# a process (holes_pid, to be killed later) frees every other page of $1
# MiB, then report_now (pass_pid) reports them one page per report (some
# 16000 per 128 MiB: about a quarter of a second under TCG), in the
# background.  Needs reporting_held.
report_pass() {
	rm -f /tmp/holes.log
	pr-memtouch fragment "$1" 4 >/tmp/holes.log &
	holes_pid=$!
	k=0
	until grep -q freed /tmp/holes.log 2>/dev/null || [ $k -ge 600 ]; do sleep 0.1; k=$((k + 1)); done
	[ $k -lt 600 ] || return 1
	echo 1 >/sys/module/page_reporting/parameters/page_reporting_batch
	calls=$(vmstat_value page_reporting_calls)
	echo >/sys/kernel/debug/tracing/trace
	(echo 1 2>/dev/null >/sys/kernel/mm/page_reporting/report_now) &
	pass_pid=$!
	wait_calls_above "$calls"
}

# Wait (a few s at most) until page_reporting_calls in /proc/vmstat exceeds
# $1, with builtins only (fast).
wait_calls_above() {
	k=0
	while [ $k -lt 1000 ]; do
		while read -r key v; do
			[ "$key" = page_reporting_calls ] && break
		done </proc/vmstat
		[ "$v" -gt "$1" ] && return 0
		k=$((k + 1))
	done
	return 1
}

# pr.run=unplug: hot-unplug the balloon in the middle of a report pass and
# plug it back, pr.unplugs (4) times, alternately by the host (QMP device_del
# on the "unplug" marker) and by the guest (echo 0 > the slot's power, after
# the "eject" marker).  Reports under TCG are quick (hundreds of MiB of large
# blocks in a few ms), so the pass is made long: a process frees every other
# page of pr.unplug_mib (512) MiB while the engine holds back
# (page_reporting_delay_ms and _idle_ms 60000; small per-CPU page lists, so
# that the pages reach the free lists), then a report_now pass with one page
# per report (page_reporting_batch 1: some 65000 reports, about a second)
# starts, and once it has made its first report the guest prints the marker
# (the host's device_del reaches the guest some 0.1 s later) or ejects the
# device.  The workqueues' trace tells whether the removal met the pass
# (value unplug_met_report counts those removals; our engine only: the base
# one has none of these knobs).  After each removal the device must be gone
# (driver unbound, no virtio device left, the slot empty: the host deleted
# it) and the engine must have let it go (report_now refused); then the host
# plugs a device back (device_add on "replug"), which must bind, negotiate
# REPORTING and register.  After the last removal no page may be missing
# (free memory within a few MiB of before: nothing left isolated by an
# interrupted report) and 80 % of memory must be allocatable with no device
# ("gone-touch" to "gone-freed"); the device plugged back then reports it
# (the host's RSS drops) and a further 256 MiB drain ("again-touch" to
# "again-freed").
balloon_unplug() {
	n=$(arg unplugs 4)
	rn=/sys/kernel/mm/page_reporting/report_now
	balloon_dev >/dev/null || { marker "result fail reason=driver-not-bound"; return; }
	[ "$(feature 5)" = 1 ] || { marker "result fail reason=reporting-not-negotiated"; return; }
	reporting_eager
	timed=0
	[ -e $rn ] && report_trace_start && timed=1
	# After report_trace_start, whose ring buffer takes memory.
	free0=$(settled_free_kib)
	marker "value name=memfree_before_kib v=$free0"
	i=1 met=0 why=
	while :; do
		slot=$(balloon_slot) || { why=no-hotplug-slot-$i; break; }
		t0=$(uptime_cs)
		calls0=$(vmstat_value page_reporting_calls)
		holes_pid=
		if [ $timed = 1 ]; then
			reporting_held
			report_pass "$(arg unplug_mib 512)" || { why=workload-$i; break; }
		fi
		if [ $((i % 2)) = 1 ]; then
			by=host
			marker "unplug n=$i by=$by slot=${slot##*/}"
		else
			by=guest
			marker "eject n=$i by=$by slot=${slot##*/}"
			echo pr-eject 2>/dev/null >/sys/kernel/debug/tracing/trace_marker
			echo 0 >"$slot/power" || why=eject-$i
		fi
		[ -n "$why" ] || wait_balloon gone 30 "$slot" || why=device-not-removed-$i
		[ -z "$holes_pid" ] || kill "$holes_pid"
		wait
		[ -z "$why" ] || break
		marker "value name=unplug_ms_$i v=$((($(uptime_cs) - t0) * 10))"
		if [ $timed = 1 ]; then
			m=$(pass_met pr-eject)
			marker "unplug-met n=$i by=$by met_report=$m calls=$(($(vmstat_value page_reporting_calls) - calls0))"
			met=$((met + m))
		fi
		if [ -e "$rn" ] && echo 1 2>/dev/null >"$rn"; then why=still-registered-$i; break; fi
		[ "$i" -ge "$n" ] && break
		marker "replug n=$i"
		wait_balloon bound 30 || { why=not-replugged-$i; break; }
		[ "$(feature 5)" = 1 ] || { why=reporting-not-negotiated-$i; break; }
		[ "$(reporting_registered)" = 1 ] || { why=not-registered-$i; break; }
		i=$((i + 1))
	done
	[ $timed = 1 ] && reporting_released
	[ -z "$why" ] || { marker "result fail reason=$why"; return; }
	marker "value name=unplugs_ok v=$i"
	[ $timed = 1 ] && marker "value name=unplug_met_report v=$met"
	marker "value name=unplug_memfree_lost_kib v=$((free0 - $(settled_free_kib)))"
	mib=$(($(meminfo_kib MemTotal) * 8 / 10 / 1024))
	marker "gone-touch mib=$mib"
	pr-memtouch drain "$mib" >/dev/null || { marker "result fail reason=touch-unplugged"; return; }
	marker "gone-freed mib=$mib"
	t0=$(uptime_cs)
	marker "replug n=$i"
	wait_balloon bound 30 || { marker "result fail reason=not-replugged"; return; }
	marker "value name=replug_ms v=$((($(uptime_cs) - t0) * 10))"
	[ "$(feature 5)" = 1 ] || { marker "result fail reason=reporting-not-negotiated-replugged"; return; }
	[ "$(reporting_registered)" = 1 ] || { marker "result fail reason=not-registered-replugged"; return; }
	marker "replugged dev=$(basename "$(balloon_dev)")"
	drain_reported 256 again || { marker "result fail reason=workload"; return; }
	marker "value name=memfree_lost_kib v=$((free0 - $(settled_free_kib)))"
	vmstat_markers
	marker "result pass"
}

# pr.run=freeze: system sleeps in the middle of a report pass, while a
# background loop allocates and frees memory.  pr.sleeps lists the sleeps in
# order: "s2idle" (echo freeze > /sys/power/state) is woken by the host (QMP
# send-key, delayed, on the "s2idle" marker; the keyboard is made a wakeup
# source: under QEMU an RTC alarm cannot wake s2idle, its ACPI fixed event
# exists only in S3); "mem" (S3) by an RTC alarm pr.rtc_s (3) s ahead;
# "mem-qmp" (S3) by the host (QMP system_wakeup, delayed, on the "s3-qmp"
# marker).  Before each sleep a long report pass is started as for
# pr.run=unplug (pr.freeze_mib (256) MiB of single pages; ours only), so the
# freezer meets it (value sleeps_met_report counts the sleeps whose request
# found the pass running, from the workqueues' trace).  After each resume
# the driver must still be bound, REPORTING negotiated and reporting
# registered; after the last, a fresh 512 MiB drain ("resume-touch" to
# "resume-freed") must be reported and free memory be as before.
balloon_freeze() {
	balloon_dev >/dev/null || { marker "result fail reason=driver-not-bound"; return; }
	[ "$(feature 5)" = 1 ] || { marker "result fail reason=reporting-not-negotiated"; return; }
	reporting_eager
	echo enabled >/sys/bus/serio/devices/serio0/power/wakeup ||
		{ marker "result fail reason=no-keyboard-wakeup"; return; }
	timed=0
	[ -e /sys/kernel/mm/page_reporting/report_now ] && report_trace_start && timed=1
	free0=$(settled_free_kib)
	marker "value name=memfree_before_kib v=$free0"
	churn_start 128
	[ $timed = 1 ] && reporting_held
	n=0 met=0 why=
	for state in $(arg sleeps s2idle,mem,s2idle,mem-qmp,s2idle,mem | tr , ' '); do
		n=$((n + 1))
		sleep 1
		holes_pid=
		if [ $timed = 1 ]; then
			report_pass "$(arg freeze_mib 256)" || { why=workload-$n; break; }
			echo pr-sleep >/sys/kernel/debug/tracing/trace_marker
		fi
		calls=$(vmstat_value page_reporting_calls)
		case "$state" in
		s2idle)
			marker "s2idle n=$n calls=$calls"
			echo freeze >/sys/power/state || why=s2idle-failed-$n
			;;
		mem)
			echo 0 >/sys/class/rtc/rtc0/wakealarm
			if echo "+$(arg rtc_s 3)" >/sys/class/rtc/rtc0/wakealarm; then
				marker "s3 n=$n calls=$calls"
				echo mem >/sys/power/state || why=s3-failed-$n
			else
				why=rtc-$n
			fi
			;;
		mem-qmp)
			marker "s3-qmp n=$n calls=$calls"
			echo mem >/sys/power/state || why=s3-qmp-failed-$n
			;;
		*)
			why=unknown-sleep-$state
			;;
		esac
		if [ -n "$holes_pid" ]; then
			kill "$holes_pid"
			wait "$holes_pid" "$pass_pid"
		fi
		[ -z "$why" ] || break
		m=
		if [ $timed = 1 ]; then
			m=$(pass_met pr-sleep)
			met=$((met + m))
			m=" met_report=$m"
		fi
		marker "resumed n=$n state=$state exits=$(dmesg | grep -c 'PM: suspend exit')$m"
		wait_balloon bound 10 || { why=unbound-after-$n; break; }
		[ "$(feature 5)" = 1 ] || { why=reporting-not-negotiated-after-$n; break; }
		[ "$(reporting_registered)" = 1 ] || { why=not-registered-after-$n; break; }
	done
	churn_stop
	[ $timed = 1 ] && reporting_released
	marker "value name=sleeps_ok v=$(dmesg | grep -c 'PM: suspend exit')"
	[ $timed = 1 ] && marker "value name=sleeps_met_report v=$met"
	[ -z "$why" ] || { marker "result fail reason=$why"; return; }
	drain_reported 512 resume || { marker "result fail reason=workload"; return; }
	marker "value name=memfree_lost_kib v=$((free0 - $(settled_free_kib)))"
	vmstat_markers
	marker "result pass"
}

# The longest section with interrupts off while reporting works, from the
# irqsoff tracer (guests built with configs/guest-irqsoff.config).  Two
# windows, each started from zero and silent on the console, whose output
# runs with interrupts off too: a drain (whole pageblocks, which every
# engine reports) and irregular holes (small blocks: ours compacts first).
# For each, the latency, where the section began and ended, the stack at
# its end, and whether that stack is the reporting engine's.
irqsoff_window() {
	echo 0 >"$tr/tracing_max_latency"
	echo 1 >"$tr/tracing_on"
	"$@" >/tmp/irqsoff-workload.log 2>&1 &
	wl=$!
	sleep "$(arg window_s 40)"
	echo 0 >"$tr/tracing_on"
	kill "$wl" 2>/dev/null
	wait "$wl" 2>/dev/null
}

irqsoff_report() {
	us=$(cat "$tr/tracing_max_latency")
	site=$(awk '/=> started at:/ { s = $NF } /=> ended at:/ { e = $NF }
		/^ => / { if (n < 8) st = st (n ? "," : "") $2; n++ }
		END { printf "started=%s ended=%s stack=%s", s, e, st }' "$tr/trace")
	case "$site" in
	*page_reporting* | *compact_zone_for_reporting*) ours=1 ;;
	*) ours=0 ;;
	esac
	marker "irqsoff window=$1 max_us=$us $site"
	marker "value name=irqsoff_$1_us v=$us"
	marker "value name=irqsoff_$1_in_reporting v=$ours"
}

irqsoff_run() {
	tr=/sys/kernel/debug/tracing
	if ! grep -qw irqsoff $tr/available_tracers 2>/dev/null; then
		marker "result fail reason=no-irqsoff-tracer"
		return
	fi
	echo 0 >$tr/tracing_on
	echo irqsoff >$tr/current_tracer
	# Boot-time reporting first, then nothing else on the console.
	sleep "$(arg settle 5)"
	marker "window-begin name=drain"
	irqsoff_window pr-memtouch drain "$mib"
	irqsoff_report drain
	marker "window-begin name=holes"
	irqsoff_window pr-memtouch holes "$mib" "$(arg seed 1)"
	irqsoff_report holes
	echo nop >$tr/current_tracer
	vmstat_markers
	marker "result pass"
}

marker "boot kernel=$(uname -r)"
module=$(arg module tree)
case "$module" in
tree) ko=/lib/modules/virtio_balloon.ko ;;
oot) ko=/lib/modules/oot/virtio_balloon.ko ;;
*) ko= ;;
esac
if [ -n "$ko" ]; then
	insmod "$ko" || marker "result fail reason=insmod-failed"
fi

i=0
while ! balloon_dev >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if dev=$(balloon_dev); then
	marker "ready dev=${dev##*/} reporting=$(feature 5) poison=$(feature 4)"
else
	marker "ready dev=none"
fi

run=$(arg run hold)
mib=$(arg mib 768)
case "$run" in
binds)
	if ! balloon_dev >/dev/null; then
		marker "result fail reason=driver-not-bound"
	elif [ "$(feature 5)" != 1 ]; then
		marker "result fail reason=reporting-not-negotiated"
	else
		marker "result pass"
	fi
	finish
	;;
drain)
	pr-memtouch drain "$mib" || marker "result fail reason=workload"
	;;
fragment)
	pr-memtouch fragment "$mib" "$(arg chunk_kib 64)" &
	;;
holes)
	pr-memtouch holes "$mib" "$(arg seed 1)" &
	;;
burst)
	# Bursty churn; with pr.then=drain, a one-shot free afterwards that the
	# host must get back however long the churn taught the engine to wait.
	sleep "$(arg settle 3)"
	pr-memtouch burst "$mib" "$(arg rounds 12)" "$(arg pause_ms 1000)" ||
		marker "result fail reason=workload"
	vmstat_markers
	if [ "$(arg "then" none)" = drain ]; then
		pr-memtouch drain "$(arg drain_mib 512)" || marker "result fail reason=workload"
	else
		finish
	fi
	;;
engine)
	engine_checks
	finish
	;;
churn)
	# Let boot-time reporting settle, then time the allocation loop.
	sleep "$(arg settle 3)"
	pr-memtouch churn "$mib" "$(arg rounds 20)" "$(arg phases 1)" ||
		marker "result fail reason=workload"
	vmstat_markers
	finish
	;;
inflate)
	balloon_inflate
	finish
	;;
stats)
	balloon_stats
	finish
	;;
poison)
	balloon_poison
	finish
	;;
cycles)
	balloon_cycles
	finish
	;;
integrity)
	integrity_run
	finish
	;;
irqsoff)
	irqsoff_run
	finish
	;;
unplug)
	balloon_unplug
	;;
freeze)
	balloon_freeze
	;;
hold) ;;
*)
	marker "result fail reason=unknown-run-$run"
	finish
	;;
esac

# Hold: the host ends the run once it has decided.  Report the engine's
# counters meanwhile so a run's log shows them moving.
while :; do
	sleep 2
	vmstat_markers
done
