#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [--quick]: A/B benchmark of the base (upstream) kernel against ours under
# QEMU (TCG): drain speed and host CPU cost, fragmented frees, allocation churn.
#
# Builds pr-runner if needed, rebuilds both initramfs images (cheap; the kernels must
# already be built: scripts/build-kernel.sh), runs `pr-runner bench` and prints its table.
# Results: $BENCH_OUT (default build/bench): bench.md (table and method), bench.json,
# one RSS chart per drain scenario, bench-scaling.png (drain time and QEMU CPU per GiB
# returned against the guest size, 1/4/8/16 GiB), every run under runs/.
#
#   BENCH_REPEAT=N          repetitions per kernel and scenario (default 3)
#   BENCH_SCENARIOS=a,b,c   scenarios (default: those tagged "bench")
#   BENCH_OUT=DIR           output directory (default build/bench)
#   --quick                 one repetition of bench-drain-1g (a smoke test, ~1 min)
#
# Exit status: that of pr-runner bench (0: every run gave its figures, 1: some did not,
# 2: setup error).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

quick=
case "${1:-}" in
--quick) quick=1 ;;
"") ;;
*)
	echo "usage: bench.sh [--quick]  (env BENCH_REPEAT, BENCH_SCENARIOS, BENCH_OUT)" >&2
	exit 2
	;;
esac

for tree in base ours; do
	bz=build/obj/$tree-x86/arch/x86/boot/bzImage
	[ -f "$bz" ] || { echo "bench: $bz missing; build the $tree kernel first" >&2; exit 2; }
done

# The runner: configure once, then an incremental build (a no-op when up to date).
if [ ! -f build/runner/CMakeCache.txt ]; then
	cmake -S tools/runner -B build/runner >/dev/null
fi
cmake --build build/runner -j"$(nproc)" >/dev/null
# The default scenarios: those tagged "bench", in their bench_order.
default_scenarios=$(build/runner/pr-runner list --tag bench | sed 's/@.*//' | paste -sd, -)

bash scripts/make-initramfs.sh base build/initramfs-base.cpio.gz
bash scripts/make-initramfs.sh ours build/initramfs-ours.cpio.gz

args=(bench
	--kernels "base=build/obj/base-x86/arch/x86/boot/bzImage:build/initramfs-base.cpio.gz,ours=build/obj/ours-x86/arch/x86/boot/bzImage:build/initramfs-ours.cpio.gz"
	--out "${BENCH_OUT:-build/bench}")
if [ -n "$quick" ]; then
	args+=(--quick)
	[ -z "${BENCH_SCENARIOS:-}" ] || args+=(--scenarios "$BENCH_SCENARIOS")
else
	args+=(--repeat "${BENCH_REPEAT:-3}" --scenarios "${BENCH_SCENARIOS:-$default_scenarios}")
fi
exec build/runner/pr-runner "${args[@]}"
