#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make-patches.sh [OUTDIR]
#
# Regenerate the git-am series from the repository's sources.  Each
# scripts/series/NNNN-*.txt is one patch: a "Files:" line naming the files
# (repository paths, the same in the kernel tree) the patch brings to their
# final content, "-path" for a file it deletes, or "repo/path=tree/path" for
# a file kept elsewhere in the repository (selftests/ is the kernel's
# tools/testing/selftests/), a blank line, then the commit message.
# 0000-cover-letter.txt
# is the cover letter's subject and body.  Dates and identities are fixed, so
# the output is byte-for-byte reproducible.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/patches}
base=$top/build/src/base
work=$top/build/series-work
[ -d "$base/.git" ] || { echo "make-patches: no base tree; run scripts/base-tree.sh" >&2; exit 1; }

export GIT_AUTHOR_NAME="Free Page Reporting Developers" GIT_AUTHOR_EMAIL="pr-dev@localhost"
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"

git -C "$base" worktree remove --force "$work" >/dev/null 2>&1 || rm -rf "$work"
git -C "$base" worktree prune
git -C "$base" worktree add -q --detach "$work" base

n=0
for msg in "$top"/scripts/series/[0-9][0-9][0-9][0-9]-*.txt; do
	case "$msg" in */0000-*) continue ;; esac
	files=$(sed -n '1s/^Files: //p' "$msg")
	[ -n "$files" ] || { echo "make-patches: $msg: first line must be 'Files: ...'" >&2; exit 1; }
	for f in $files; do
		case "$f" in -*)	# "-path": the patch deletes path
			git -C "$work" rm -q "${f#-}"
			continue ;;
		esac
		src=${f%%=*} dst=${f#*=}
		[ -f "$top/$src" ] || { echo "make-patches: $msg names missing $src" >&2; exit 1; }
		mkdir -p "$work/$(dirname "$dst")"
		cp "$top/$src" "$work/$dst"
		git -C "$work" add -f "$dst"
	done
	tail -n +3 "$msg" | git -C "$work" commit -q --cleanup=strip -F -
	n=$((n + 1))
done

rm -rf "$out.tmp" && mkdir -p "$out.tmp"
if [ "$n" -gt 0 ]; then
	git -C "$work" -c core.abbrev=12 format-patch -q --zero-commit --no-signature --cover-letter \
		--base=base -o "$out.tmp" base..HEAD
	cover=$(ls "$out.tmp"/0000-*.patch)
	python3 - "$cover" "$top/scripts/series/0000-cover-letter.txt" <<'PY'
import sys
cover, src = sys.argv[1], sys.argv[2]
lines = open(src).read().split("\n")
subject, body = lines[0], "\n".join(lines[2:]).rstrip("\n")
text = open(cover).read()
text = text.replace("*** SUBJECT HERE ***", subject, 1)
text = text.replace("*** BLURB HERE ***", body, 1)
open(cover, "w").write(text)
PY
fi
rm -rf "$out" && mv "$out.tmp" "$out"
git -C "$base" worktree remove --force "$work"
echo "make-patches: $n patch(es) in ${out#"$top"/}"
