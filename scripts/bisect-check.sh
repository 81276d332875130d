#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bisect-check.sh - apply patches/ to the base tree one at a time and, after
# each, compile the objects built from what the patch touches (for a header,
# the objects that exercise it).  Uses its own worktree and object tree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base=$top/build/src/base
work=$top/build/bisect-work
obj=$top/build/obj/bisect-x86
full=$top/build/obj/ours-x86

git -C "$base" worktree remove --force "$work" >/dev/null 2>&1 || rm -rf "$work"
git -C "$base" worktree prune
git -C "$base" worktree add -q --detach "$work" base
trap 'git -C "$base" worktree remove --force "$work" >/dev/null 2>&1 || true' EXIT

exec 9>"$top/build/.kbuild.lock"
flock 9
kmake() { make -s -C "$work" O="$obj" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)" "$@"; }
mkdir -p "$obj"
cp "$top/build/obj/ours-x86/.config" "$obj/.config"
kmake olddefconfig >/dev/null
kmake prepare >/dev/null

# Objects that include a touched header, beyond the header's own .c file.
header_objs() {
	case "$1" in
	include/linux/page_reporting.h) echo mm/page_reporting.o drivers/hv/hv_balloon.o ;;
	include/linux/mmzone.h | include/linux/vm_event_item.h) echo mm/page_alloc.o mm/vmstat.o ;;
	mm/page_reporting.h) echo mm/page_alloc.o mm/page_reporting.o ;;
	include/trace/events/page_reporting.h) echo mm/page_reporting.o ;;
	include/uapi/linux/virtio_balloon.h) echo drivers/virtio/virtio_balloon.o ;;
	*.h) echo "" ;;
	esac
}

n=0
for p in "$top"/patches/0*.patch; do
	case "$p" in */0000-*) continue ;; esac
	n=$((n + 1))
	git -C "$work" -c user.name=bisect -c user.email=bisect@localhost am -q "$p"
	objs=()
	while read -r f; do
		case "$f" in
		# KUnit suites need CONFIG_KUNIT, which the guest configuration
		# lacks; the UML run builds them.  This one is #included by
		# the engine, so the engine's object stands for it.
		mm/page_reporting_kunit.c) objs+=(mm/page_reporting.o) ;;
		*_kunit.c) ;;
		# User-space selftests: compile them where the tree has them.
		tools/testing/selftests/*.c)
			gcc -Wall -Werror -fsyntax-only "$work/$f" ;;
		tools/*) ;;
		*.c) objs+=("${f%.c}.o") ;;
		*.h) read -ra more <<<"$(header_objs "$f")"; objs+=("${more[@]}") ;;
		esac
	done < <(git -C "$work" diff --name-only HEAD~1 HEAD)
	# Only objects the configuration builds (the full build of the final
	# tree has them): kbuild compiles a named object whatever its options.
	mapfile -t objs < <(printf '%s\n' "${objs[@]}" | sort -u | grep . |
		while read -r o; do [ -f "$full/$o" ] && echo "$o"; done || true)
	echo "bisect-check: $(basename "$p"): ${objs[*]:-(no objects)}"
	[ ${#objs[@]} -eq 0 ] || kmake "${objs[@]}"
done
echo "bisect-check: all $n patches build one at a time"
