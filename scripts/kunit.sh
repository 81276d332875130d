#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit.sh [debug]
#
# Run the project's KUnit suites in UML on the ours tree and print the TAP
# results.  "debug" adds configs/kunit/debug.config in a separate build dir.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/src/ours
kcfg=$top/configs/kunit/page_reporting.kunitconfig
obj=$top/build/obj/ours-uml
args=()
if [ "${1:-}" = debug ]; then
	obj=$top/build/obj/ours-uml-debug
	while read -r opt; do
		args+=(--kconfig_add "$opt")
	done < <(grep -h '^CONFIG' "$top/configs/kunit/debug.config")
fi
for f in "$top"/configs/kunit/*.kunitconfig; do
	[ "$f" = "$kcfg" ] || args+=(--kunitconfig "$f")
done

exec 9>"$top/build/.kbuild.lock"
flock 9
cd "$src"
python3 tools/testing/kunit/kunit.py run --arch=um --kunitconfig "$kcfg" "${args[@]}" \
	--build_dir "$obj" --jobs "$(nproc)" --make_options "CC=ccache gcc" \
	--raw_output=all --timeout 600
