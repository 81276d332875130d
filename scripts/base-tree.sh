#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Lay out the two source trees every build and figure uses:
#
#   build/src/base  pristine Debian linux-source-6.12, committed on branch "base"
#   build/src/ours  a worktree on branch "ours": base plus the series
#                   (scripts/series.sh checkout)
#
# The series is re-applied only when patches/ changed, so unchanged files keep
# their timestamps and the out-of-tree builds stay incremental.  Debian's
# .gitignore ignores the whole top level, hence "add -f".
#
# When Debian's package moves to a new release, the old pristine commit is
# kept as tag base-<version> and the new one becomes "base"; branch ours is
# then replayed onto it three-way (scripts/series.sh rebase), so a stable
# update never overwrites upstream's lines with ours.
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

old_base=
have=$(cat "$src/base.pkgver" 2>/dev/null || true)
if [ -n "$have" ] && [ "$have" != "$pkgver" ] && [ -d "$src/ours" ]; then
	# A new release under a branch with our work: keep the old base for
	# the rebase, and replace the files of the new one in place.
	echo "base-tree: linux-source-6.12 $have -> $pkgver"
	old_base=base-$have
	git -C "$src/base" tag -f "$old_base" base >/dev/null
	tmp=$(mktemp -d "$src/new-base.XXXXXX")
	tar -C "$tmp" --strip-components=1 -xf "$tarball"
	git -C "$src/base" --work-tree="$tmp" add -A -f
	tree=$(git -C "$src/base" --work-tree="$tmp" write-tree)
	git -C "$src/base" update-ref refs/heads/base \
		"$(echo "Debian linux-source-6.12 $pkgver (pristine)" | git_q -C "$src/base" commit-tree "$tree")"
	git -C "$src/base" reset -q --hard base
	rm -rf "$tmp"
	echo "$pkgver" >"$src/base.pkgver"
elif [ "$have" != "$pkgver" ]; then
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

# Branch "ours" on top: the series, where it is worked on (scripts/series.sh).
if [ -n "$old_base" ]; then
	bash "$top/scripts/series.sh" rebase "$old_base"
fi
bash "$top/scripts/series.sh" checkout
