#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test initramfs: mount the basics, load the balloon driver,
# run the routine named by "pr.run=" on the kernel command line, report with
# "@@PR <event>" markers on the console, and power off.
#
# Command line keys:  pr.run=binds|drain|engine|fragment|churn|hold|
#                            inflate|stats|poison|cycles
#                     pr.mib=N  pr.chunk_kib=N  pr.rounds=N  pr.settle=S
#                     pr.module=tree|oot|none
#                     pr.balloon_mib=N (inflate, cycles)  pr.cycles=N (cycles)
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmp /tmp

marker() { echo "@@PR $*"; }
finish() { marker done; sync; reboot -f; sleep 5; echo o >/proc/sysrq-trigger; }

arg() {
	for kv in $(cat /proc/cmdline); do
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

# pr.run=engine: the reporting engine seen from inside the guest.
engine_checks() {
	pr-memtouch drain "$mib" || { marker "result fail reason=workload"; return; }
	sleep 2
	vmstat_markers
	marker "value name=zoneinfo_reported v=$(awk '$1 == "reported" { s += $2 } END { print s + 0 }' /proc/zoneinfo)"
	for v in garbage -1 11 99999999999 ""; do
		param_rejects page_reporting_order "$v" || return
	done
	for v in garbage -5 60001; do
		param_rejects page_reporting_delay_ms "$v" || return
	done
	for v in 0 33 x; do
		param_rejects page_reporting_batch "$v" || return
	done
	param_rejects report_now 0 || return
	before=$(awk '$1 == "page_reporting_calls" { print $2 }' /proc/vmstat)
	if ! echo 1 >/sys/module/page_reporting/parameters/report_now; then
		marker "result fail reason=report_now-failed"
		return
	fi
	marker "value name=report_now_calls v=$(( $(awk '$1 == "page_reporting_calls" { print $2 }' /proc/vmstat) - before ))"
	marker "result pass"
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
	p=/sys/module/page_reporting/parameters/report_now
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
	echo 1 2>/dev/null >/sys/module/page_reporting/parameters/report_now || sleep 3
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
	rn=/sys/module/page_reporting/parameters/report_now
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
engine)
	engine_checks
	finish
	;;
churn)
	# Let boot-time reporting settle, then time the allocation loop.
	sleep "$(arg settle 3)"
	pr-memtouch churn "$mib" "$(arg rounds 20)" || marker "result fail reason=workload"
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
