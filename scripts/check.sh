#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - every test of the project, in dependency order, on one machine.
#
# Each step counts as one test, except the KUnit and runner suites, whose
# test cases count one each.  Logs go to build/check/; a failing step shows
# its log's tail.  The last line is "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
logs=$top/build/check
rm -rf "$logs" && mkdir -p "$logs"
pass=0
fail=0
failed=()

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); failed+=("$1"); echo "not ok - $1"; }

# step NAME CMD...: run CMD, log to build/check/NAME.log, count it.
step() {
	local name=$1 start=$SECONDS
	shift
	if "$@" >"$logs/$name.log" 2>&1; then
		ok "$name ($((SECONDS - start)) s)"
		return 0
	fi
	not_ok "$name"
	tail -n 25 "$logs/$name.log" | sed 's/^/    /'
	return 1
}


# checkpatch --strict with no exception: any ERROR or WARNING fails.  CHECK
# notes are counted and shown in the log but do not fail; the remaining
# ones are checkpatch misreading the TRACE_EVENT() layout, the generated
# page flag helpers (__SetPageReported() and the like), the parameter macro
# (which pastes its argument into a name and also takes its address) and
# the kselftest harness's FIXTURE_DATA() type.

checkpatch() {
	local p log rc=0
	for p in patches/0*.patch; do
		case "$p" in */0000-*) continue ;; esac
		log=$logs/checkpatch-$(basename "$p").log
		# From the kernel tree's root, as checkpatch expects, and with
		# Debian's python3 (ply, git) for its SPDX check rather than
		# another python3 earlier on PATH.
		(cd build/src/base && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict \
			--quiet --no-summary --show-types \
			"$top/$p") >"$log" 2>&1
		if ! grep -qE '^(ERROR|WARNING):' "$log" && ! grep -q Traceback "$log"; then
			ok "checkpatch --strict $(basename "$p") ($(grep -c '^CHECK:' "$log") CHECK notes)"
		else
			not_ok "checkpatch --strict $(basename "$p")"
			sed 's/^/    /' "$logs/checkpatch-$(basename "$p").log" | head -30
			rc=1
		fi
	done
	return $rc
}

# Count KUnit results from kunit.py's TAP output.
kunit_count() {
	local log=$1 n_ok n_bad
	# Test cases are indented under their suite; "ok 1 page_reporting"
	# at column 0 is the suite itself and does not count.
	n_ok=$(grep -cE '^\s+ok [0-9]+ ' "$log")
	n_bad=$(grep -cE '^\s+not ok [0-9]+ ' "$log")
	pass=$((pass + n_ok))
	fail=$((fail + n_bad))
	[ "$n_bad" -eq 0 ] || failed+=("kunit ($n_bad case(s))")
	echo "kunit: $n_ok passed, $n_bad failed"
	if [ "$n_ok" -eq 0 ] && [ "$n_bad" -eq 0 ]; then
		not_ok "kunit ran no test"
	fi
}

ctest_count() {
	local log=$1 line total bad
	line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
	if [ -z "$line" ]; then
		not_ok "runner unit tests did not run"
		return
	fi
	bad=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
	total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
	pass=$((pass + total - bad))
	fail=$((fail + bad))
	[ "$bad" -eq 0 ] || { failed+=("runner unit tests ($bad)"); grep -E '\*\*\*Failed|Failed' "$log" | sed 's/^/    /'; }
	echo "runner unit tests: $((total - bad)) passed, $bad failed"
}

echo "== setup"
step deps bash scripts/install-deps.sh
step base-tree bash scripts/base-tree.sh && sed 's/^/    /' build/base-version.txt

echo "== series"
step series-exported bash scripts/series.sh check
checkpatch

step docs bash scripts/check-docs.sh
step shellcheck shellcheck scripts/*.sh .ci/run tools/guest/init.sh

echo "== builds"
built_base=0 built_ours=0
step kernel-base bash scripts/build-kernel.sh base && built_base=1
step kernel-ours bash scripts/build-kernel.sh ours && built_ours=1
if [ $built_ours = 1 ]; then
	step hv_balloon-builds test -f build/obj/ours-x86/drivers/hv/hv_balloon.ko
fi
if [ $built_base = 1 ] && [ $built_ours = 1 ]; then
	step bisect bash scripts/bisect-check.sh
	step lint-sparse-w1-kernel-doc bash scripts/lint-check.sh
fi
# Our driver out of tree, against both kernels; the base initramfs carries
# it so that it is tested on an unmodified 6.12 as well.
oot_base=
if [ $built_base = 1 ] && step module-base env KBUILD_EXTRA="W=1 C=1" bash scripts/build-module.sh base; then
	oot_base=$(tail -n 1 "$logs/module-base.log")
	step module-base-warnings bash -c "! grep -E 'warning:|error:' '$logs/module-base.log'"
fi
[ $built_ours = 1 ] && step module-ours bash scripts/build-module.sh ours
# The guests the end-to-end runs may boot: only those built in this run, so
# that a failed build never lets a run test what an earlier one left.
declare -A ready=()
[ $built_base = 1 ] && step initramfs-base bash scripts/make-initramfs.sh base \
	build/initramfs-base.cpio.gz ${oot_base:+"$oot_base"} && ready[base]=1
[ $built_ours = 1 ] && step initramfs-ours bash scripts/make-initramfs.sh ours \
	build/initramfs-ours.cpio.gz && ready[ours]=1
# The debug guest (DEBUG_VM, lockdep, list debugging) boots in make stress;
# here the KUnit suites run under those options and KASAN.

# run_kunit NAME [debug]: the KUnit suites in UML, each case counted.  Any
# report from the kernel's debugging aids fails the run; UML's own PCI
# emulation warns at boot in every configuration and is not ours.
run_kunit() {
	local name=$1 log=$logs/$1.log rc reports
	shift
	bash scripts/kunit.sh "$@" >"$log" 2>&1
	rc=$?
	grep -E '^\s*(ok|not ok) [0-9]+ |Testing complete' "$log" | sed 's/^/    /'
	kunit_count "$log"
	[ $rc -eq 0 ] || { not_ok "$name: kunit.py exit status $rc"; tail -n 30 "$log" | sed 's/^/    /'; }
	reports=$(grep -E 'BUG:|WARNING:|possible circular|possible recursive|inconsistent lock|list_add corruption|list_del corruption|KASAN|UBSAN' "$log" |
		grep -v 'arch/um/drivers/virt-pci.c' || true)
	if [ -n "$reports" ]; then
		not_ok "$name: kernel reported problems"
		echo "$reports" | head -20 | sed 's/^/    /'
	else
		ok "$name: no BUG, WARNING, lockdep or list-debug report"
	fi
}

echo "== kunit (UML)"
run_kunit kunit
echo "== kunit (UML, DEBUG_VM PROVE_LOCKING DEBUG_LIST DEBUG_SG KASAN)"
run_kunit kunit-debug debug
echo "== kunit (arm64 under QEMU, 64 KiB pages: 512 MiB pageblocks)"
run_kunit kunit-arm64 arm64

echo "== host runner"
if step runner-build make -s runner; then
	(cd build/runner && ctest --output-on-failure) >"$logs/ctest.log" 2>&1
	ctest_count "$logs/ctest.log"
fi

# KVM if it works here, else TCG: probed once for all the runs.
accel=tcg
if [ -x build/runner/pr-runner ]; then
	accel=$(build/runner/pr-runner accel | head -n 1) || accel=tcg
fi
echo "== end to end (QEMU, $accel)"
# Each entry is SCENARIO@KERNEL; by default the scenarios tagged "check".
E2E_SCENARIOS=${E2E_SCENARIOS:-$(build/runner/pr-runner list --tag check)} ||
	not_ok "e2e: pr-runner list --tag check failed"
for e in $E2E_SCENARIOS; do
	s=${e%@*} k=${e#*@}
	if [ ! -x build/runner/pr-runner ] || [ -z "${ready[$k]:-}" ]; then
		not_ok "e2e $s on $k: guest or runner not built in this run"
		continue
	fi
	step "e2e-$s-$k" build/runner/pr-runner run --scenario "$s" --label "$k" \
		--kernel "build/obj/$k-x86/arch/x86/boot/bzImage" \
		--initrd "build/initramfs-$k.cpio.gz" --out "build/results/$s-$k" --quiet \
		--accel "$accel" &&
		grep -E 'PASS  rss|returned' "$logs/e2e-$s-$k.log" | sed 's/^/    /'
done

echo
[ $fail -eq 0 ] || printf 'failed: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
