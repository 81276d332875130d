#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lint-check.sh - sparse (C=2) and W=1 over the objects the series touches,
# in ours and in base; fail on any warning ours has that base does not.
# Warnings are compared with line numbers stripped, since the series moves
# lines around.  The series' new files have no base counterpart: every
# warning in them counts.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/lint
mkdir -p "$out"
objs=(mm/page_reporting.o mm/page_alloc.o mm/vmstat.o)

# kernel-doc on every C source and header the series adds or changes that
# carries kernel-doc comments of ours.
docfiles=(mm/page_reporting.c mm/page_reporting.h include/linux/page_reporting.h)
for f in drivers/virtio/virtio_balloon.c drivers/virtio/virtio_balloon_device_kunit.c; do
	[ -f "$top/$f" ] && docfiles+=("$f")
done
(cd "$top" && "$top/build/src/base/scripts/kernel-doc" -none -Wall "${docfiles[@]}") \
	>"$out/kernel-doc.log" 2>&1 || true
if [ -s "$out/kernel-doc.log" ]; then
	cat "$out/kernel-doc.log"
	echo "lint-check: kernel-doc warnings"
	exit 1
fi
echo "lint-check: kernel-doc clean on ${docfiles[*]}"

exec 9>"$top/build/.kbuild.lock"
flock 9
for tree in base ours; do
	make -C "$top/build/src/$tree" O="$top/build/obj/$tree-x86" ARCH=x86_64 \
		CC="ccache gcc" C=2 W=1 -j"$(nproc)" "${objs[@]}" >"$out/$tree.raw" 2>&1 || {
		cat "$out/$tree.raw"; exit 1; }
	grep -E 'warning:|error:' "$out/$tree.raw" |
		sed -E "s#$top/build/src/$tree/##; s#^([^:]+):[0-9]+:[0-9]+:#\1:#" |
		sort -u >"$out/$tree.warnings" || true
done
comm -13 "$out/base.warnings" "$out/ours.warnings" >"$out/new.warnings"
echo "lint-check: sparse + W=1 on ${objs[*]}: $(wc -l <"$out/base.warnings") warning(s) in base, $(wc -l <"$out/new.warnings") new in ours"
if [ -s "$out/new.warnings" ]; then
	cat "$out/new.warnings"
	exit 1
fi
