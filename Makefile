# pipekit — one crate, one release build; tests run against that same build.
CARGO   ?= cargo
PREFIX  ?= /usr/local
TARGET  ?= x86_64-unknown-linux-musl
BINS    := $(basename $(notdir $(wildcard src/bin/*.rs)))
RELEASE := target/release
# The release build is also the lint: clippy's driver wraps rustc for pipekit's own
# crates only (RUSTC_WORKSPACE_WRAPPER), so the dependencies are the ones the build
# compiles anyway, and pipekit's code is compiled once, with clippy's lints denied as
# errors. A separate `cargo clippy` type-checks every dependency again; this costs only
# the lint passes over pipekit's own code.
LINTED  := RUSTC_WORKSPACE_WRAPPER="$$(rustup which clippy-driver || echo clippy-driver-missing)" CLIPPY_ARGS=-Dwarnings

.PHONY: all deps build test demo man completions docs install install-dist bench lint clean dist fuzz

all: build

## deps: every system package and tool the build, tests, demo and benchmarks need (Debian, root; idempotent)
deps:
	bash scripts/deps.sh

## build-space.sh: room for the ~3 GB build, on tmpfs when the disk is short (see the script)
build:
	bash scripts/build-space.sh
	$(LINTED) $(CARGO) build --release --locked

## test: install what the tests need, build once (release), run every test.
## `cargo test` builds the binaries the integration tests run; a separate `cargo build`
## first would build the dependencies twice (dev-dependencies change their features).
## The static aarch64 device tools are built first: tests/dist_aarch64.rs runs them
## under qemu-user beside this machine's build. So is a riscv64 spictl (glibc: the rust
## mirror here has no riscv64 musl library): tests/spictl_qemu.rs runs it in a sifive_u
## guest against a real kernel SPI controller. The test build is linted (rustfmt's
## check first; clippy as the build's wrapper, see LINTED). Then Miri (scripts/miri.sh)
## interprets the unit tests of the unsafe kernels it can run.
## CARGO_TEST_FLAGS=--timings writes where the build's time went (target/cargo-timings).
test: deps
	bash scripts/build-space.sh
	$(CARGO) fmt --all -- --check
	TARGETS=aarch64-unknown-linux-musl TOOLS="spictl hidctl" bash scripts/dist.sh
	TARGETS=riscv64gc-unknown-linux-gnu TOOLS=spictl bash scripts/dist.sh
	$(LINTED) $(CARGO) test --release --locked $(CARGO_TEST_FLAGS)
	bash scripts/miri.sh

## dist: static (musl) binaries per tool, each with only its features, for TARGETS,
## packed as dist/pipekit-VERSION-TARGET.tar.gz; TARGETS= and TOOLS= narrow it.
dist: deps
	TARGETS="$(TARGETS)" TOOLS="$(TOOLS)" bash scripts/dist.sh

## demo: a real pipeline per tool on embedded defaults
demo: deps build
	bash scripts/demo.sh

man: build
	mkdir -p man
	for t in $(BINS); do $(RELEASE)/$$t --generate man > man/$$t.1; done

completions: build
	mkdir -p completions
	for t in $(BINS); do \
	  $(RELEASE)/$$t --generate complete-bash > completions/$$t.bash; \
	  $(RELEASE)/$$t --generate complete-zsh > completions/_$$t; \
	  $(RELEASE)/$$t --generate complete-fish > completions/$$t.fish; \
	done

docs: man completions

## install: binaries, man pages and completions under $(PREFIX) (DESTDIR= stages it);
## TOOLS= narrows it, TOOLS=pipekit installs the multicall binary
install: build
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" bash scripts/install.sh build $(RELEASE) $(TOOLS)

## install-dist: the same from dist/pipekit-VERSION-$(TARGET).tar.gz, checksums verified
install-dist:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" bash scripts/install.sh dist $(TARGET)

bench: deps build
	bash bench/run.sh

## fuzz: the cargo-fuzz targets under libFuzzer + AddressSanitizer, FUZZ_SECONDS each
## (default 600); FUZZ_TARGETS= and FUZZ_FEATURES= narrow it (scripts/fuzz.sh)
fuzz: deps
	FUZZ_SECONDS="$(FUZZ_SECONDS)" FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_FEATURES="$(FUZZ_FEATURES)" bash scripts/fuzz.sh

## lint: what `make test` checks as it builds (rustfmt, clippy -D warnings), alone;
## `cargo clippy` type-checks the dependencies separately from the release build
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --all-targets -- -D warnings

clean:
	$(CARGO) clean
