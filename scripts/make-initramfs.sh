#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make-initramfs.sh TREE OUT.cpio.gz [OOT_MODULE.ko]
#
# Busybox-static initramfs for the end-to-end runs.  Everything but the
# tree's own virtio_balloon.ko is identical between the base and ours
# kernels, so A/B runs differ only in the kernel under test.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:?usage: make-initramfs.sh base|ours OUT.cpio.gz [OOT.ko]}
out=${2:?usage: make-initramfs.sh base|ours OUT.cpio.gz [OOT.ko]}
oot=${3:-}
obj=$top/build/obj/$tree-x86
ko=$obj/drivers/virtio/virtio_balloon.ko
[ -f "$ko" ] || { echo "make-initramfs: $ko missing; build the $tree kernel first" >&2; exit 1; }

stage=$(mktemp -d "$top/build/initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,proc,sys,dev,tmp,lib/modules/oot,usr/bin}
cp /bin/busybox "$stage/bin/busybox"
install -m 0755 "$top/tools/guest/init.sh" "$stage/init"
gcc -static -O2 -Wall -Wextra -Werror -o "$stage/bin/pr-memtouch" "$top/tools/guest/memtouch.c"
bash "$top/scripts/build-selftests.sh"
for t in "$top"/build/selftests/*; do
	[ -x "$t" ] && cp "$t" "$stage/bin/"
done
cp "$ko" "$stage/lib/modules/virtio_balloon.ko"
[ -z "$oot" ] || cp "$oot" "$stage/lib/modules/oot/virtio_balloon.ko"
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --reproducible --quiet) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "make-initramfs: $out"
