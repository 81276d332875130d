#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-selftests.sh - the project's kselftests, static, into build/selftests/
#
#   selftests/mm/page_reporting_integrity.c  ->  build/selftests/pr-integrity
#   selftests/mm/page_reporting_engine.c     ->  build/selftests/pr-engine
#
# selftests/ mirrors the kernel's tools/testing/selftests/ (the series
# carries it there).  The tests include "../kselftest_harness.h" as they do
# in the kernel tree; here it resolves through -isystem to the base tree's
# copy (build/src/base, laid out by scripts/base-tree.sh), as a system
# header because the harness itself is not -Wextra clean (unused parameter,
# setjmp clobbering in its macros).
# make-initramfs.sh calls this and copies every executable in
# build/selftests/ into the guest's /bin.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ksft=$top/build/src/base/tools/testing/selftests
out=$top/build/selftests
[ -f "$ksft/kselftest_harness.h" ] ||
	{ echo "build-selftests: $ksft/kselftest_harness.h missing; run scripts/base-tree.sh" >&2; exit 1; }
mkdir -p "$out"
for t in integrity engine; do
	gcc -static -O2 -Wall -Wextra -Werror -isystem "$ksft/mm" \
		-o "$out/pr-$t.tmp" "$top/selftests/mm/page_reporting_$t.c"
	mv "$out/pr-$t.tmp" "$out/pr-$t"
done
