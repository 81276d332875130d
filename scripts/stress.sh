#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# stress.sh: the long reliability runs (make stress), each an end-to-end
# scenario under QEMU (TCG); ends with "N passed, N failed".
#
#   integrity-stress-long@ours    >= 64 GiB churned through anonymous, tmpfs
#                                 and THP memory, every word checked, with
#                                 reports forced every 100 ms
#   module-cycles-100@ours        100 unload/reload cycles of the driver
#                                 while the integrity churn runs (also in
#                                 make check; repeated here with the rest)
#   integrity-stress@ours-debug   the check-sized churn on the debug guest
#                                 (DEBUG_VM, lockdep, DEBUG_LIST, poisoning)
#   poison-matrix-*@ours-debug    all 10 poison/zeroing combinations on the
#                                 debug guest
#
# STRESS_SCENARIOS overrides the list (SCENARIO@KERNEL ...; default: the
# scenarios tagged "stress", pr-runner list --tag stress).  Builds what is
# missing first.  Results under build/results/stress-*, logs under
# build/stress/.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

logs=build/stress
mkdir -p "$logs"
pass=0 fail=0 failed=()

bash scripts/install-deps.sh >"$logs/deps.log" 2>&1 || { echo "stress: install-deps failed" >&2; exit 2; }
bash scripts/base-tree.sh >"$logs/base-tree.log" 2>&1 || { echo "stress: base-tree failed" >&2; exit 2; }
make -s runner >"$logs/runner.log" 2>&1 || { echo "stress: runner build failed" >&2; exit 2; }
STRESS_SCENARIOS=${STRESS_SCENARIOS:-$(build/runner/pr-runner list --tag stress)} ||
	{ echo "stress: pr-runner list --tag stress failed" >&2; exit 2; }

kernels=$(for e in $STRESS_SCENARIOS; do echo "${e#*@}"; done | sort -u)
for k in $kernels; do
	echo "== kernel $k"
	if ! bash scripts/build-kernel.sh "$k" >"$logs/kernel-$k.log" 2>&1 ||
		! bash scripts/make-initramfs.sh "$k" "build/initramfs-$k.cpio.gz" >>"$logs/kernel-$k.log" 2>&1; then
		echo "stress: building $k failed (see $logs/kernel-$k.log)" >&2
		exit 2
	fi
done

for e in $STRESS_SCENARIOS; do
	s=${e%@*} k=${e#*@} start=$SECONDS
	log=$logs/$s-$k.log
	if build/runner/pr-runner run --scenario "$s" --label "$k" \
		--kernel "build/obj/$k-x86/arch/x86/boot/bzImage" \
		--initrd "build/initramfs-$k.cpio.gz" --out "build/results/stress-$s-$k" \
		--quiet >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok - $s on $k ($((SECONDS - start)) s)"
	else
		fail=$((fail + 1))
		failed+=("$s@$k")
		echo "not ok - $s on $k"
		tail -n 20 "$log" | sed 's/^/    /'
	fi
	# The figures: MiB churned, mismatches, cycles, combinations.
	grep -E 'value (integrity_[a-z]+_mib|integrity_[a-z]+_mismatches|integrity_nostale_bytes|cycles_ok|cycles_load_mib|cycles_load_failures) ' "$log" |
		sed -E 's/.*value ([a-z_]+) .*= ([0-9-]+).*/    \1 = \2/' | sort -u
done

echo
[ $fail -eq 0 ] || printf 'failed: %s\n' "${failed[@]}"
echo "poison/zeroing combinations run: $(echo "$STRESS_SCENARIOS" | tr ' ' '\n' | grep -c poison-matrix)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
