# SPDX-License-Identifier: GPL-2.0
#
# Free page reporting: build, demo and test entry points.
#
#   make demo                      boot a 1 GiB guest on upstream 6.12 and on
#                                  ours, free 768 MiB, watch the host get it
#                                  back (live timelines, one chart)
#   make demo-one KERNEL=ours|base just one of the two
#   make check                     every test; ends with "N passed, N failed"
#   make bench                     base vs ours, A/B alternated, medians
#   make stress                    the long reliability runs (about 25 min + builds)
#
# Everything is installed and built from scratch on first use; outputs go
# to build/.  The kernel builds virtio_balloon.ko from this directory through
# the top-level Kbuild file (scripts/build-module.sh).

KERNEL ?= ours
SCENARIO ?= drain-1g
B := build
RUNNER := $(B)/runner/pr-runner

.PHONY: all deps tree kernel-base kernel-ours kernel-ours-debug kernels module initramfs \
	runner runner-test demo demo-one bench stress kunit kunit-debug kunit-arm64 series export check \
	clean help

all: kernels initramfs runner

help:
	@sed -n '3,15p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@bash scripts/install-deps.sh

tree: deps
	@bash scripts/base-tree.sh

kernel-base kernel-ours kernel-ours-debug: kernel-%: tree
	@bash scripts/build-kernel.sh $*

kernels: kernel-base kernel-ours

module: kernel-ours
	@bash scripts/build-module.sh ours

$(B)/initramfs-%.cpio.gz: FORCE
	@bash scripts/make-initramfs.sh $* $@

initramfs: kernels
	@$(MAKE) -s $(B)/initramfs-base.cpio.gz $(B)/initramfs-ours.cpio.gz

runner: deps
	@cmake -S tools/runner -B $(B)/runner -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(B)/runner -j2 >/dev/null

runner-test: runner
	@cd $(B)/runner && ctest --output-on-failure

demo:
	@bash scripts/demo.sh

demo-one: kernel-$(KERNEL) runner
	@$(MAKE) -s $(B)/initramfs-$(KERNEL).cpio.gz
	@$(RUNNER) run --scenario $(SCENARIO) --label $(KERNEL) \
		--kernel $(B)/obj/$(KERNEL)-x86/arch/x86/boot/bzImage \
		--initrd $(B)/initramfs-$(KERNEL).cpio.gz \
		--out $(B)/results/demo-$(KERNEL)

bench: kernels runner
	@bash scripts/bench.sh

stress: deps
	@bash scripts/stress.sh

kunit: tree
	@bash scripts/kunit.sh

kunit-debug: tree
	@bash scripts/kunit.sh debug

kunit-arm64: tree
	@bash scripts/kunit.sh arm64

# The series as branch "ours" in build/src/ours, and back (scripts/series.sh).
series: tree

export:
	@bash scripts/series.sh export

check: deps
	@bash scripts/check.sh

clean:
	rm -rf $(B)/obj $(B)/runner $(B)/results $(B)/*.cpio.gz

.PHONY: FORCE
FORCE:
