# attache: `make run` opens attache against the embedded Graph emulator; `make test` runs every test;
# `make install` puts it on your PATH with its themes, man page and shell completions.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
# Every build gets a TMPDIR of its own, removed after (scripts/with-private-tmp says why).
SWIFTPM := scripts/with-private-tmp $(SWIFT)
# man-db and bash-completion: the install test reads the man page and loads the completions;
# openssl: the TLS test makes its own certificate authority; faketime: the clock-skew tests move attache's clock.
APT_PACKAGES := libncursesw5-dev libsqlite3-dev pkg-config tmux man-db bash-completion openssl faketime
ARGS ?=
# Inputs per fuzz target in `make test`.
TEST_FUZZ_RUNS ?= 2000

# `make install` puts everything under $(DESTDIR)$(PREFIX); each folder can be set on its own.
PREFIX ?= /usr/local
DESTDIR ?=
bindir ?= $(PREFIX)/bin
datadir ?= $(PREFIX)/share
man1dir ?= $(datadir)/man/man1
# attache looks for named themes in share/attache/themes beside the bin folder it runs from.
themedir ?= $(datadir)/attache/themes
bashcompdir ?= $(datadir)/bash-completion/completions
zshcompdir ?= $(datadir)/zsh/site-functions
fishcompdir ?= $(datadir)/fish/vendor_completions.d

# What `make install` installs. release: the optimised binary, built first when a source is
# newer than it (so `make release && sudo make install` builds as you and only copies as
# root). debug: the binary `make build` or `make test` already left in .build/debug,
# building nothing; the install test uses it, so CI pays for no second build.
BUILD ?= release
BIN := .build/$(BUILD)/attache
# The release binary is installed without its symbol table (about 105 MB down to 26 MB), as
# released tools are; `make install INSTALL_STRIP=` keeps it, for named crash backtraces.
INSTALL_STRIP ?= $(if $(filter release,$(BUILD)),-s)

.PHONY: setup build run test fuzz release bench bench-links clean install uninstall

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
	$(SWIFTPM) build

run: setup
	$(SWIFTPM) build --product attache
	.build/debug/attache $(ARGS)

# Fails, too, when a test leaves a temporary folder or a tmux server behind. Then every fuzz
# target runs briefly, on the same inputs everywhere (FUZZ_RUNS from a fixed seed).
test: setup
	$(SWIFTPM) build --build-tests
	scripts/run-tests
	FUZZ_RUNS=$(TEST_FUZZ_RUNS) scripts/fuzz

# Every fuzz target of Fuzz/ for FUZZ_SECONDS (default 60) each, under libFuzzer; fails on a
# crash or a broken invariant, naming the input (docs/reliability.md#fuzzing).
fuzz: setup
	scripts/fuzz

release: setup
	$(SWIFTPM) build -c release --product attache

# Upload speed and memory beside curl and msgraph-core (docs/benchmarks.md); needs PyPI.
bench: release
	@command -v curl >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq curl time; }
	@[ -x /usr/bin/time ] || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq time; }
	@python3 -c "import msgraph_core, kiota_serialization_json" 2>/dev/null || python3 -m pip install -q -r bench/requirements.txt
	python3 bench/run.py $(ARGS)

# The same tools through simulated links (latency, bandwidth) in a network namespace; as root.
bench-links: release
	@command -v curl >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq curl; }
	python3 bench/links.py $(ARGS)

clean:
	rm -rf .build Fuzz/.build

ifeq ($(BUILD),release)
$(BIN): Package.swift $(shell find Sources Plugins -type f)
	@$(MAKE) --no-print-directory setup
	$(SWIFTPM) build -c release --product attache
else ifeq ($(BUILD),debug)
$(BIN):
	@echo "make install BUILD=debug installs the binary \`make build\` made, and there is none: run that first" >&2; exit 1
else
$(error BUILD is release or debug, not '$(BUILD)')
endif

# The man page and the completions come from the binary itself, so they describe exactly
# the options it takes; they are made in a folder of their own, never in the checkout (a
# `sudo make install` would leave files there that you could not remove).
install: $(BIN)
	@set -euo pipefail; \
	staging=$$(mktemp -d); trap 'rm -rf "$$staging"' EXIT; \
	$(BIN) --generate-manual > "$$staging/attache.1"; \
	$(BIN) --generate-completion-script bash > "$$staging/attache.bash"; \
	$(BIN) --generate-completion-script zsh > "$$staging/_attache"; \
	$(BIN) --generate-completion-script fish > "$$staging/attache.fish"; \
	install -d "$(DESTDIR)$(bindir)" "$(DESTDIR)$(man1dir)" "$(DESTDIR)$(themedir)" \
		"$(DESTDIR)$(bashcompdir)" "$(DESTDIR)$(zshcompdir)" "$(DESTDIR)$(fishcompdir)"; \
	install -m 755 $(INSTALL_STRIP) $(BIN) "$(DESTDIR)$(bindir)/attache"; \
	install -m 644 themes/*.theme "$(DESTDIR)$(themedir)/"; \
	install -m 644 "$$staging/attache.1" "$(DESTDIR)$(man1dir)/attache.1"; \
	install -m 644 "$$staging/attache.bash" "$(DESTDIR)$(bashcompdir)/attache"; \
	install -m 644 "$$staging/_attache" "$(DESTDIR)$(zshcompdir)/_attache"; \
	install -m 644 "$$staging/attache.fish" "$(DESTDIR)$(fishcompdir)/attache.fish"; \
	echo "installed $(DESTDIR)$(bindir)/attache ($$($(BIN) --version)), its themes in $(DESTDIR)$(themedir),"; \
	echo "  attache(1) in $(DESTDIR)$(man1dir), completions for bash, zsh and fish"

# Removes what `make install` put there (with the same PREFIX and DESTDIR), and nothing
# else: a theme of your own in $(themedir) stays, and so does your state.
uninstall:
	rm -f "$(DESTDIR)$(bindir)/attache" "$(DESTDIR)$(man1dir)/attache.1" "$(DESTDIR)$(bashcompdir)/attache" \
		"$(DESTDIR)$(zshcompdir)/_attache" "$(DESTDIR)$(fishcompdir)/attache.fish" \
		$(foreach theme,$(notdir $(wildcard themes/*.theme)),"$(DESTDIR)$(themedir)/$(theme)")
	@rmdir "$(DESTDIR)$(themedir)" "$(DESTDIR)$(datadir)/attache" 2>/dev/null || true
