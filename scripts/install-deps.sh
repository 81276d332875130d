#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every host package the project needs from Debian's archive.
# Idempotent: returns quickly when everything is already installed.
set -euo pipefail

# The base tree is pinned; scripts/base-tree.sh records what was used.
: "${LINUX_SOURCE_VERSION:=6.12.117-1~deb12u1}"

pkgs=(
	build-essential flex bison bc libelf-dev libssl-dev dwarves
	sparse ccache cpio busybox-static kmod rsync python3 python3-docutils python3-ply python3-git
	qemu-system-x86 qemu-utils
	gcc-aarch64-linux-gnu qemu-system-arm shellcheck
	cmake g++ nlohmann-json3-dev libgtest-dev googletest gnuplot-nox
	git
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

src_installed=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)

if [ ${#missing[@]} -eq 0 ] && [ -n "$src_installed" ]; then
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -z "$src_installed" ]; then
	if apt-cache madison linux-source-6.12 | grep -F "$LINUX_SOURCE_VERSION" >/dev/null; then
		$SUDO apt-get install -y -qq --no-install-recommends \
			"linux-source-6.12=$LINUX_SOURCE_VERSION" >/dev/null
	else
		echo "install-deps: linux-source-6.12 $LINUX_SOURCE_VERSION is gone from the archive;" \
			"installing the newest 6.12 instead" >&2
		$SUDO apt-get install -y -qq --no-install-recommends linux-source-6.12 >/dev/null
	fi
fi
