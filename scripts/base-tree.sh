#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Lay out the two source trees every build and figure uses:
#
#   build/src/base  pristine Debian linux-source-6.12, committed on branch "base"
#   build/src/ours  a worktree on branch "ours": base plus `git am patches/*.patch`
#
# The series is re-applied only when patches/ changed, so unchanged files keep
# their timestamps and the out-of-tree builds stay incremental.  Debian's
# .gitignore ignores the whole top level, hence "add -f".
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/src
tarball=/usr/src/linux-source-6.12.tar.xz

[ -r "$tarball" ] || { echo "base-tree: $tarball missing; run scripts/install-deps.sh" >&2; exit 1; }
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
mkdir -p "$src"

# Fixed identity and dates: the pristine commit, and so the series'
# base-commit line, is the same on every machine.
git_q() {
	GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
		git -c user.name=base-tree -c user.email=base-tree@localhost "$@"
}

if [ "$(cat "$src/base.pkgver" 2>/dev/null)" != "$pkgver" ]; then
	echo "base-tree: extracting linux-source-6.12 $pkgver"
	rm -rf "$src/base" "$src/ours" "$src/base.pkgver" "$src/ours.series"
	mkdir -p "$src/base"
	tar -C "$src/base" --strip-components=1 -xf "$tarball"
	git_q -C "$src/base" init -q -b base
	git_q -C "$src/base" add -A -f
	git_q -C "$src/base" commit -q -m "Debian linux-source-6.12 $pkgver (pristine)"
	echo "$pkgver" >"$src/base.pkgver"
fi

# Trees laid out before the dates were fixed: rewrite the commit, which
# changes no file.
tree=$(git -C "$src/base" rev-parse 'base^{tree}')
want=$(echo "Debian linux-source-6.12 $pkgver (pristine)" | git_q -C "$src/base" commit-tree "$tree")
if [ "$(git -C "$src/base" rev-parse base)" != "$want" ]; then
	git -C "$src/base" update-ref refs/heads/base "$want"
fi

kver=$(make -s -C "$src/base" kernelversion)
printf 'linux-source-6.12 %s (kernel %s)\n' "$pkgver" "$kver" >"$top/build/base-version.txt"
echo "base-tree: $(cat "$top/build/base-version.txt")"

if [ ! -d "$src/ours" ]; then
	git_q -C "$src/base" worktree add -q -B ours "$src/ours" base
fi

mapfile -t series < <(find "$top/patches" -maxdepth 1 -name '*.patch' ! -name '0000-*' 2>/dev/null | sort)
stamp=$( { git -C "$src/base" rev-parse base; cat "${series[@]}" </dev/null; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$src/ours.series" 2>/dev/null)" != "$stamp" ]; then
	git -C "$src/ours" am --abort >/dev/null 2>&1 || true
	git_q -C "$src/ours" reset -q --hard base
	if [ ${#series[@]} -gt 0 ]; then
		git_q -C "$src/ours" am -q --whitespace=error-all "${series[@]}" || {
			echo "base-tree: patches/ does not apply to the base tree" >&2
			git -C "$src/ours" am --abort >/dev/null 2>&1 || true
			exit 1
		}
	fi
	echo "$stamp" >"$src/ours.series"
	echo "base-tree: ours = base + ${#series[@]} patch(es)"
fi
