#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# series.sh checkout|export|check|rebase OLD_BASE
#
# The series is kept the way kernel developers keep one: as a branch.
#
#   patches/*.patch   the series as `git am` takes it; the only home of our
#                     hunks to files that upstream owns (mm/page_alloc.c, ...)
#   mm/ drivers/ include/ Documentation/ selftests/
#                     the files the series creates or rewrites, at their final
#                     content, so that git grep and git blame see only our code
#                     (selftests/ is the kernel's tools/testing/selftests/)
#   build/src/ours    a worktree of the base tree on branch "ours": base plus
#                     the series, one commit per patch
#
#   checkout  lay out branch "ours" from patches/ (again only if patches/
#             changed and the branch holds no work of its own; FORCE=1
#             drops that work)
#   export    write branch "ours" back: git format-patch into patches/ and
#             the final content of our files into the repository
#   check     fail unless patches/ applies to the base tree, reproduces
#             itself and our files, no file of ours is a copy of an upstream
#             one, and branch "ours" has nothing left to export
#   rebase    after the base tree moved to a new release (scripts/base-tree.sh
#             keeps the old one as OLD_BASE): replay branch "ours" onto it,
#             three-way, commit by commit
#
# Identity and dates are fixed on export, so the same branch gives the same
# bytes on every machine.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base=$top/build/src/base
ours=$top/build/src/ours
stamp_file=$top/build/src/ours.series
cover_src=$top/scripts/series/cover-letter.txt

SERIES_NAME="Free Page Reporting project"
SERIES_EMAIL="free-page-reporting@users.noreply.b-seed-1ae7e33d.example"
SERIES_DATE="2026-01-01T00:00:00Z"
SERIES_DATE_RFC="Thu, 1 Jan 2026 00:00:00 +0000"

# The repository's directories that mirror the kernel tree.
KERNEL_DIRS=(mm drivers include Documentation selftests)

die() { echo "series: $*" >&2; exit 1; }

git_fixed() {
	GIT_AUTHOR_NAME=$SERIES_NAME GIT_AUTHOR_EMAIL=$SERIES_EMAIL \
		GIT_COMMITTER_NAME=$SERIES_NAME GIT_COMMITTER_EMAIL=$SERIES_EMAIL \
		GIT_AUTHOR_DATE=$SERIES_DATE GIT_COMMITTER_DATE=$SERIES_DATE git "$@"
}

tree_path() {
	case "$1" in
	selftests/*) echo "tools/testing/$1" ;;
	*) echo "$1" ;;
	esac
}

repo_path() {
	case "$1" in
	tools/testing/selftests/*) echo "${1#tools/testing/}" ;;
	*) echo "$1" ;;
	esac
}

series_patches() {
	find "$top/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' |
		LC_ALL=C sort
}

patches_hash() {
	{ git -C "$base" rev-parse base; series_patches | xargs -r cat; } | sha256sum | cut -d' ' -f1
}

# Our files in the repository, as repository paths.
repo_files() {
	(cd "$top" && git ls-files -co --exclude-standard -- "${KERNEL_DIRS[@]}")
}

# Files the series between base and $2 in work tree $1 adds, as repository
# paths; they belong in the repository even before it has them.
added_files() {
	local f
	git -C "$1" diff --name-only --diff-filter=A base "$2" | while read -r f; do
		repo_path "$f"
	done
}

# new_worktree DIR: a detached worktree of the base commit at DIR.
new_worktree() {
	git -C "$base" worktree remove --force "$1" >/dev/null 2>&1 || rm -rf "$1"
	git -C "$base" worktree prune
	git -C "$base" worktree add -q --detach "$1" base
}

drop_worktree() {
	git -C "$base" worktree remove --force "$1" >/dev/null 2>&1 || rm -rf "$1"
	git -C "$base" worktree prune
}

# apply DIR: git am the series in worktree DIR.
apply() {
	local -a series
	mapfile -t series < <(series_patches)
	[ ${#series[@]} -gt 0 ] || return 0
	git_fixed -C "$1" am -q --whitespace=error-all "${series[@]}" || {
		git -C "$1" am --abort >/dev/null 2>&1 || true
		die "patches/ does not apply to the base tree"
	}
}

# format DIR REV OUT: the series base..REV of worktree DIR as patches in OUT,
# with the cover letter, identity and dates fixed.
format() {
	local dir=$1 rev=$2 out=$3 n
	rm -rf "$out" && mkdir -p "$out"
	n=$(git -C "$dir" rev-list --count "base..$rev")
	[ "$n" -gt 0 ] || return 0
	git -C "$dir" -c core.abbrev=12 -c diff.noprefix=false format-patch -q \
		--zero-commit --no-signature --cover-letter --base=base \
		-o "$out" "base..$rev"
	python3 - "$out" "$cover_src" "$SERIES_NAME <$SERIES_EMAIL>" "$SERIES_DATE_RFC" <<'PY'
import pathlib, re, sys
out, src, who, date = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
lines = open(src).read().split("\n")
subject, body = lines[0], "\n".join(lines[2:]).rstrip("\n")
for p in sorted(out.glob("*.patch")):
    head, sep, rest = p.read_text().partition("\n\n")
    fixed, skip = [], False
    for line in head.split("\n"):
        # A header's continuation lines belong to it.
        if line.startswith((" ", "\t")) and skip:
            continue
        skip = line.startswith(("From: ", "Date: "))
        if line.startswith("From: "):
            line = "From: " + who
        elif line.startswith("Date: "):
            line = "Date: " + date
        fixed.append(line)
    text = "\n".join(fixed) + sep + rest
    if p.name.startswith("0000-"):
        text = text.replace("*** SUBJECT HERE ***", subject, 1)
        text = text.replace("*** BLURB HERE ***", body, 1)
        # The shortlog is headed by the commits' author.
        text = re.sub(r"^.* \((\d+)\):$", who.split(" <")[0] + r" (\1):",
                      text, count=1, flags=re.M)
    p.write_text(text)
PY
}

# compare_files DIR REV: our files in the repository against revision REV of
# worktree DIR; prints every difference, returns 1 if there is one.
compare_files() {
	local dir=$1 rev=$2 f t rc=0
	while read -r f; do
		t=$(tree_path "$f")
		if ! git -C "$dir" cat-file -e "$rev:$t" 2>/dev/null; then
			echo "series: $f is in the repository but not in the series"
			rc=1
		elif [ ! -f "$top/$f" ]; then
			echo "series: $f is created by the series but missing from the repository"
			rc=1
		elif ! git -C "$dir" show "$rev:$t" | cmp -s - "$top/$f"; then
			echo "series: $f differs from the series"
			rc=1
		fi
	done < <({ repo_files; added_files "$dir" "$rev"; } | LC_ALL=C sort -u)
	return $rc
}

# no_copies: none of our files that upstream also has is mostly upstream's
# text (lines of more than three characters, in order, as difflib matches
# them).  Our rewrites share some lines with what they replace (includes,
# copyright lines, protocol definitions); a file that keeps most of its
# upstream lines must live as hunks in the series instead.
no_copies() {
	local -a pairs=()
	local f t
	while read -r f; do
		t=$(tree_path "$f")
		git -C "$base" cat-file -e "base:$t" 2>/dev/null || continue
		pairs+=("$f" "$t")
	done < <(repo_files)
	python3 - "$top" "$base" "${pairs[@]}" <<'PY'
import difflib, subprocess, sys
top, base, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
def sig(text):
    return [l.strip() for l in text.splitlines() if len(l.strip()) > 3]
bad = 0
for repo, tree in zip(pairs[0::2], pairs[1::2]):
    upstream = subprocess.run(["git", "-C", base, "show", "base:" + tree],
                              capture_output=True, text=True, errors="replace").stdout
    a, b = sig(upstream), sig(open(f"{top}/{repo}", errors="replace").read())
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    kept = sum(m.size for m in sm.get_matching_blocks())
    share = kept / max(1, len(b))
    verdict = "copy" if share > 0.5 else "ours"
    print(f"series: {repo}: {kept} of its {len(b)} lines are upstream's ({share:.0%}): {verdict}")
    bad += verdict == "copy"
if bad:
    print(f"series: {bad} file(s) are mostly upstream's: keep only our hunks, in the series")
sys.exit(1 if bad else 0)
PY
}

checkout() {
	local want have tip
	[ -d "$base/.git" ] || die "no base tree; run scripts/base-tree.sh"
	git -C "$base" config user.name "$SERIES_NAME"
	git -C "$base" config user.email "$SERIES_EMAIL"
	want=$(patches_hash)
	if [ -d "$ours" ]; then
		read -r have tip <"$stamp_file" 2>/dev/null || { have=; tip=; }
		[ "$have" = "$want" ] && [ -z "${FORCE:-}" ] && return 0
		if [ -z "${FORCE:-}" ] && [ "$(git -C "$ours" rev-parse HEAD)" != "$tip" ]; then
			die "patches/ changed, but branch ours in build/src/ours has work of its own:" \
				"'make export' it first, or 'make series FORCE=1' to drop it"
		fi
		git -C "$ours" am --abort >/dev/null 2>&1 || true
		git -C "$ours" checkout -q -B ours base
		git -C "$ours" reset -q --hard base
	else
		git -C "$base" worktree prune
		git -C "$base" worktree add -q -B ours "$ours" base
	fi
	apply "$ours"
	echo "$want $(git -C "$ours" rev-parse HEAD)" >"$stamp_file"
	echo "series: branch ours = base + $(git -C "$ours" rev-list --count base..HEAD) patch(es)"
}

export_series() {
	local f t tmp=$top/build/series-export
	[ -d "$ours" ] || die "no branch to export; run 'make series' first"
	[ -z "$(git -C "$ours" status --porcelain --untracked-files=no)" ] ||
		die "build/src/ours has uncommitted changes; commit them first"
	[ "$(git -C "$ours" rev-parse --abbrev-ref HEAD)" = ours ] ||
		die "build/src/ours is not on branch ours (a rebase in progress?)"
	format "$ours" ours "$tmp"
	rm -rf "$top/patches" && mv "$tmp" "$top/patches"
	while read -r f; do
		t=$(tree_path "$f")
		if git -C "$ours" cat-file -e "ours:$t" 2>/dev/null; then
			mkdir -p "$top/$(dirname "$f")"
			git -C "$ours" show "ours:$t" >"$top/$f"
		else
			rm -f "$top/$f"
		fi
	done < <({ repo_files; added_files "$ours" ours; } | LC_ALL=C sort -u)
	echo "$(patches_hash) $(git -C "$ours" rev-parse HEAD)" >"$stamp_file"
	echo "series: exported $(git -C "$ours" rev-list --count base..ours) patch(es) and our files"
}

check() {
	local work=$top/build/series-check out=$top/build/series-check.patches rc=0
	[ -d "$base/.git" ] || die "no base tree; run scripts/base-tree.sh"
	new_worktree "$work"
	trap 'drop_worktree "$work"' RETURN
	apply "$work"
	echo "series: patches/ applies: base + $(git -C "$work" rev-list --count base..HEAD) patch(es)"
	compare_files "$work" HEAD || {
		echo "series: our files are not what patches/ makes of them:" \
			"edit in build/src/ours and 'make export'"
		rc=1
	}
	format "$work" HEAD "$out"
	if ! diff -r -q "$top/patches" "$out" >/dev/null; then
		diff -r -u "$top/patches" "$out" | head -40
		echo "series: patches/ is not what 'make export' writes"
		rc=1
	fi
	if [ -d "$ours" ] && [ -z "${SERIES_IGNORE_BRANCH:-}" ]; then
		format "$ours" ours "$out.branch"
		if ! diff -r -q "$top/patches" "$out.branch" >/dev/null; then
			echo "series: branch ours in build/src/ours differs from patches/:" \
				"'make export', or 'make series FORCE=1' to drop it"
			rc=1
		fi
		rm -rf "$out.branch"
	fi
	rm -rf "$out"
	no_copies || rc=1
	return $rc
}

rebase_series() {
	local old=${1:?usage: series.sh rebase OLD_BASE}
	[ -d "$ours" ] || die "no branch ours to rebase"
	git -C "$ours" rebase --onto base "$old" ours ||
		die "conflicts: resolve them in build/src/ours (git rebase --continue), then 'make export'"
	echo "$(patches_hash) $(git -C "$ours" rev-parse HEAD)" >"$stamp_file"
	echo "series: branch ours rebased onto the new base; 'make export' writes it out"
}

case "${1:-}" in
checkout) checkout ;;
export) export_series ;;
check) check ;;
rebase) shift; rebase_series "$@" ;;
*) echo "usage: series.sh checkout|export|check|rebase OLD_BASE" >&2; exit 2 ;;
esac
