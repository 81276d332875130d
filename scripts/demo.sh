#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - the main job: one guest workload on upstream's kernel and on
# ours, side by side.
#
# Installs what is missing, lays out the base tree and the series, builds
# both guest kernels and the runner, then boots the same 1 GiB guest twice
# under QEMU with -device virtio-balloon-pci,free-page-reporting=on: first
# on unmodified 6.12 with its own driver, then with the series applied.
# The guest touches 768 MiB and frees it; each run prints a live timeline
# of the QEMU process's host RSS with the guest's events.  At the end both
# runs go on one chart, aligned on the moment the guest freed the memory,
# with one summary line per kernel.
#
#   DEMO_SCENARIO=NAME    another scenario (default drain-1g; try
#                         bench-holes-1g: memory freed in scattered holes)
#   DEMO_KERNELS="A B"    the kernels, in run order (default "base ours")
#
# Outputs: build/results/demo-<kernel>/ per run, build/results/demo.png.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scenario=${DEMO_SCENARIO:-drain-1g}
read -ra kernels <<<"${DEMO_KERNELS:-base ours}"
runner=build/runner/pr-runner

say() { printf '\n== %s\n' "$*"; }
# Setup output goes to a log; a failure shows its tail.
quietly() {
	local log=build/demo-setup.log
	"$@" >>"$log" 2>&1 || { tail -n 30 "$log" >&2; echo "demo: '$*' failed, see $log" >&2; exit 2; }
}

mkdir -p build
: >build/demo-setup.log
start=$SECONDS
say "setup: packages, the base tree, the series, two guest kernels, the runner"
quietly bash scripts/install-deps.sh
quietly bash scripts/base-tree.sh
for k in "${kernels[@]}"; do
	quietly bash scripts/build-kernel.sh "$k"
	quietly bash scripts/make-initramfs.sh "$k" "build/initramfs-$k.cpio.gz"
done
quietly make -s runner
echo "ready after $((SECONDS - start)) s ($(head -n 1 build/base-version.txt))"
accel=$($runner accel | head -n 1)

status=0
dirs=()
for k in "${kernels[@]}"; do
	case "$k" in
	base) say "upstream 6.12, unmodified, with its own virtio_balloon" ;;
	ours) say "the same tree with the series applied" ;;
	*) say "$k" ;;
	esac
	$runner run --scenario "$scenario" --label "$k" --accel "$accel" \
		--kernel "build/obj/$k-x86/arch/x86/boot/bzImage" \
		--initrd "build/initramfs-$k.cpio.gz" --out "build/results/demo-$k" || status=1
	dirs+=("build/results/demo-$k")
done

say "side by side, from the guest's free (t = 0)"
$runner plot --out build/results/demo.png --align freed --summary \
	--title "$scenario: host RSS of QEMU, upstream 6.12 and ours" "${dirs[@]}"
exit $status
