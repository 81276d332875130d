#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh base|ours|ours-debug|base-irqsoff|ours-irqsoff
#
# Out-of-tree x86_64 guest build of one source tree into build/obj/<name>-x86:
# tinyconfig plus configs/guest.config (plus $EXTRA_CONFIG fragments).
# ours-debug is the ours tree with configs/guest-debug.config on top; the
# -irqsoff variants add configs/guest-irqsoff.config to either tree.
# Builds are serialized on build/.kbuild.lock so two never run at once.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: build-kernel.sh base|ours|ours-debug|base-irqsoff|ours-irqsoff}
case "$name" in
base|ours) tree=$name ;;
ours-debug) tree=ours EXTRA_CONFIG="configs/guest-debug.config ${EXTRA_CONFIG:-}" ;;
base-irqsoff|ours-irqsoff)
	tree=${name%-irqsoff} EXTRA_CONFIG="configs/guest-irqsoff.config ${EXTRA_CONFIG:-}" ;;
*) echo "build-kernel: unknown tree '$name'" >&2; exit 2 ;;
esac
src=$top/build/src/$tree
obj=$top/build/obj/$name-x86${OBJ_SUFFIX:-}
[ -d "$src" ] || { echo "build-kernel: $src missing; run scripts/base-tree.sh" >&2; exit 1; }

mkdir -p "$obj"
exec 9>"$top/build/.kbuild.lock"
flock 9

export KBUILD_BUILD_USER=pr KBUILD_BUILD_HOST=pr KBUILD_BUILD_TIMESTAMP="2024-01-01"
kmake() { make -s -C "$src" O="$obj" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)" "$@"; }

frags=("$top/configs/guest.config")
for f in ${EXTRA_CONFIG:-}; do frags+=("$top/$f"); done
want=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$obj/.config.frag" 2>/dev/null)" != "$want" ]; then
	kmake tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${frags[@]}" >/dev/null
	kmake olddefconfig >/dev/null
	# Every option the fragments ask for must have survived olddefconfig;
	# where fragments disagree, the last one says what was asked.
	bad=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=n) opt=${line%%=*}
			grep -q "^$opt=" "$obj/.config" && { echo "build-kernel: $opt not disabled" >&2; bad=1; } ;;
		CONFIG_*) grep -qxF "$line" "$obj/.config" ||
			{ echo "build-kernel: $line did not stick" >&2; bad=1; } ;; esac
	done < <(cat "${frags[@]}" | awk -F= '/^CONFIG_/ { v[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; o[n++] = $1 } }
		END { for (i = 0; i < n; i++) print v[o[i]] }')
	[ $bad -eq 0 ] || exit 1
	echo "$want" >"$obj/.config.frag"
fi

echo "build-kernel: $name -> ${obj#"$top"/}"
kmake bzImage modules
