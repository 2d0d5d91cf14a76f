# attache: `make run` opens attache against the embedded Graph emulator; `make test` runs every test.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
APT_PACKAGES := libncursesw5-dev libsqlite3-dev pkg-config tmux openssl
ARGS ?=

.PHONY: setup build run test release bench clean

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

# Fails, too, when a test leaves a temporary folder or a tmux server behind.
test: setup
	$(SWIFT) build --build-tests
	scripts/run-tests

release: setup
	$(SWIFT) build -c release --product attache

# Upload speed and memory beside curl and msgraph-core (docs/benchmarks.md); needs PyPI.
bench: release
	@command -v curl >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq curl time; }
	@[ -x /usr/bin/time ] || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq time; }
	@python3 -c "import msgraph_core, kiota_serialization_json" 2>/dev/null || python3 -m pip install -q -r bench/requirements.txt
	python3 bench/run.py $(ARGS)

clean:
	rm -rf .build
