#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh base|ours
#
# Out-of-tree build of our virtio_balloon.ko against the kernel objects in
# build/obj/<tree>-x86 (made by scripts/build-kernel.sh).  M= builds of 6.12
# write next to the sources, so the module sources are first mirrored into
# build/module/<tree>/ and built there; the path of the .ko is printed last.
#
# KBUILD_EXTRA is passed to make as is, e.g. KBUILD_EXTRA="W=1 C=1" for extra
# warnings and sparse.  Builds share build/.kbuild.lock with kernel builds.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:?usage: build-module.sh base|ours}
case "$tree" in base|ours) ;; *) echo "build-module: unknown tree '$tree'" >&2; exit 2 ;; esac
src=$top/build/src/$tree
obj=$top/build/obj/$tree-x86
mod=$top/build/module/$tree
[ -f "$obj/Module.symvers" ] ||
	{ echo "build-module: $obj is not built; run scripts/build-kernel.sh $tree" >&2; exit 1; }

mkdir -p "$mod/drivers/virtio" "$mod/include/uapi/linux"
rsync -a "$top/Kbuild" "$mod/Kbuild"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='modules.order' \
	"$top/drivers/virtio/" "$mod/drivers/virtio/"
rsync -a "$top/include/uapi/linux/virtio_balloon.h" "$mod/include/uapi/linux/"

# shellcheck disable=SC2086 # KBUILD_EXTRA is a list of make arguments
(
	flock 9
	make -C "$src" O="$obj" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)" \
		M="$mod" ${KBUILD_EXTRA:-} modules
) 9>"$top/build/.kbuild.lock"

ko=$mod/drivers/virtio/virtio_balloon.ko
[ -f "$ko" ] || { echo "build-module: $ko not produced" >&2; exit 1; }
echo "$ko"
