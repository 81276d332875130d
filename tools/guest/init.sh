#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test initramfs: mount the basics, load the balloon driver,
# run the routine named by "pr.run=" on the kernel command line, report with
# "@@PR <event>" markers on the console, and power off.
#
# Command line keys:  pr.run=binds|drain|engine|fragment|churn|hold
#                     pr.mib=N  pr.chunk_kib=N  pr.rounds=N  pr.settle=S
#                     pr.module=tree|oot|none
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
