# attache: `make run` opens attache against the embedded Graph emulator; `make test` runs every test.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
APT_PACKAGES := libncursesw5-dev libsqlite3-dev pkg-config tmux
ARGS ?=

.PHONY: setup build run test release clean

# Installs what a fresh machine lacks (Debian packages; needs root, or sudo).
setup:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: setup
	$(SWIFT) build

run: setup
	$(SWIFT) build --product attache
	.build/debug/attache $(ARGS)

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

release: setup
	$(SWIFT) build -c release --product attache

clean:
	rm -rf .build
