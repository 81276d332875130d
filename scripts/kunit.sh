#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit.sh [debug|arm64]
#
# Run the project's KUnit suites on the ours tree and print the TAP results:
# in UML by default; "debug" adds configs/kunit/debug.config in a separate
# build dir; "arm64" runs the engine's suite and the driver's decisions
# under QEMU on arm64 with 64 KiB pages (configs/kunit/arm64.config).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/src/ours
kcfg=$top/configs/kunit/page_reporting.kunitconfig
obj=$top/build/obj/ours-uml
arch=(--arch=um)
cc="ccache gcc"
args=()
extra=
case "${1:-}" in
debug)
	obj=$top/build/obj/ours-uml-debug
	extra=$top/configs/kunit/debug.config
	;;
arm64)
	obj=$top/build/obj/ours-arm64
	extra=$top/configs/kunit/arm64.config
	arch=(--arch=arm64 --cross_compile=aarch64-linux-gnu- --qemu_args=-m --qemu_args=8G)
	cc="ccache aarch64-linux-gnu-gcc"
	;;
"") ;;
*) echo "usage: kunit.sh [debug|arm64]" >&2; exit 2 ;;
esac
if [ -n "$extra" ]; then
	while read -r opt; do
		args+=(--kconfig_add "$opt")
	done < <(grep -h '^CONFIG' "$extra")
fi
# UML has the fake virtio transport the driver's device suite needs.
if [ "${1:-}" != arm64 ]; then
	for f in "$top"/configs/kunit/*.kunitconfig; do
		[ "$f" = "$kcfg" ] || args+=(--kunitconfig "$f")
	done
fi

exec 9>"$top/build/.kbuild.lock"
flock 9
cd "$src"
python3 tools/testing/kunit/kunit.py run "${arch[@]}" --kunitconfig "$kcfg" "${args[@]}" \
	--build_dir "$obj" --jobs "$(nproc)" --make_options "CC=$cc" \
	--raw_output=all --timeout 600
