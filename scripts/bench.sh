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
# returned against the guest size, 1/4/8/16 GiB), bench-tradeoff.png (bursty churn:
# cost of reporting against the memory given back, per kernel and pause), every run
# under runs/.
#
# Then the IRQs-off bench: both trees built once more with the irqsoff
# tracer (configs/guest-irqsoff.config), the scenarios tagged "irqsoff",
# results in $BENCH_OUT/irqsoff.
#
#   BENCH_REPEAT=N          repetitions per kernel and scenario (default 3)
#   BENCH_SCENARIOS=a,b,c   scenarios (default: those tagged "bench")
#   BENCH_OUT=DIR           output directory (default build/bench)
#   BENCH_IRQSOFF=0         skip the IRQs-off bench
#   --quick                 one repetition of bench-drain-1g (a smoke test, ~1 min)
#
# Exit status: the worst of the pr-runner bench runs (0: every run gave its figures,
# 1: some did not, 2: setup error).
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
# tagged TAG: the scenarios tagged TAG, comma-separated, in their bench_order.
tagged() { build/runner/pr-runner list --tag "$1" | sed 's/@.*//' | paste -sd, -; }
# kernels VARIANT: the --kernels argument for base and ours, built as VARIANT
# ("" for the plain guests, "-irqsoff"), each with its own initramfs.
kernels() {
	local k out=
	for k in base ours; do
		out+="${out:+,}$k=build/obj/$k$1-x86/arch/x86/boot/bzImage:build/initramfs-$k$1.cpio.gz"
	done
	echo "$out"
}
default_scenarios=$(tagged bench)

bash scripts/make-initramfs.sh base build/initramfs-base.cpio.gz
bash scripts/make-initramfs.sh ours build/initramfs-ours.cpio.gz

args=(bench
	--kernels "$(kernels "")"
	--out "${BENCH_OUT:-build/bench}")
if [ -n "$quick" ]; then
	args+=(--quick)
	[ -z "${BENCH_SCENARIOS:-}" ] || args+=(--scenarios "$BENCH_SCENARIOS")
else
	args+=(--repeat "${BENCH_REPEAT:-3}" --scenarios "${BENCH_SCENARIOS:-$default_scenarios}")
fi
status=0
build/runner/pr-runner "${args[@]}" || status=$?
if [ -n "$quick" ] || [ "${BENCH_IRQSOFF:-1}" = 0 ]; then
	exit $status
fi

# The IRQs-off bench, on kernels built for it.
for k in base-irqsoff ours-irqsoff; do
	bash scripts/build-kernel.sh "$k"
	bash scripts/make-initramfs.sh "$k" "build/initramfs-$k.cpio.gz"
done
build/runner/pr-runner bench --kernels "$(kernels -irqsoff)" \
	--repeat "${BENCH_REPEAT:-3}" --scenarios "$(tagged irqsoff)" \
	--out "${BENCH_OUT:-build/bench}/irqsoff" || { s=$?; [ $s -gt $status ] && status=$s; }
exit $status
