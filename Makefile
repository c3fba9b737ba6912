# Hearth: every entry point installs what is missing first (scripts/setup.sh is idempotent).
SWIFT ?= swift
ARGS ?=

PREFIX ?= /usr/local

.PHONY: run cluster bench-cluster test test-in-shared-build test-structured test-patches bench bench-peer bench-attention soak install setup build format lint clean

## Serve the default model on 127.0.0.1:5000 (pass flags with ARGS="--listen --api-key k").
run: setup
	$(SWIFT) build -c release --product hearth
	.build/release/hearth $(ARGS)

## N replicas (default 3) of the default model behind HAProxy on 127.0.0.1:5000, each
## conversation kept on one replica (docs/scaling.md); replica flags with ARGS.
N ?= 3
cluster: setup
	$(SWIFT) build -c release --product hearth
	scripts/cluster.sh run $(N) -- $(ARGS)

## The cluster against one replica: affinity and round robin under multi-turn chat load, and
## HAProxy's own latency (scripts/bench_cluster.py; about 10 minutes); then the model split over
## two RPC workers against the model alone (scripts/bench_rpc.py; about 5 minutes).
bench-cluster:
	scripts/setup.sh --test
	$(SWIFT) build -c release --product hearth
	.venv/bin/python scripts/bench_cluster.py $(ARGS)
	.venv/bin/python scripts/bench_rpc.py

## The whole test suite: Swift tests against the real model, then real Python clients. The
## tests build in one folder shared by every checkout on this machine (TEST_BUILD), so a fresh
## clone compiles only Hearth's own modules, not its dependencies again; a lock keeps two runs
## from sharing it at once. Logs and screenshots still go to this checkout's .build/.
TEST_BUILD ?= $(HOME)/.cache/hearth/swiftpm-test

test:
	scripts/setup.sh --test
	mkdir -p .build "$(dir $(TEST_BUILD))"
	flock "$(TEST_BUILD).lock" $(MAKE) --no-print-directory test-in-shared-build

test-in-shared-build:
	$(SWIFT) build --build-tests --scratch-path "$(TEST_BUILD)"
	$(SWIFT) test --skip-build --scratch-path "$(TEST_BUILD)"
	HEARTH_BIN="$(TEST_BUILD)/debug/hearth" .venv/bin/python -m pytest -q --durations=12 tests/python

## The structured-output corpus in full: 20 samples per schema at temperature 1 (about 40 minutes).
test-structured:
	scripts/setup.sh --test
	$(SWIFT) build -c release --product hearth
	HEARTH_BIN=.build/release/hearth HEARTH_SCHEMA_SAMPLES=20 HEARTH_SCHEMA_TOKENS=300 \
		.venv/bin/python -m pytest -q -s tests/python/test_structured_output.py -k corpus

## Soak: 8 clients for 10 minutes with dropped streams and bad requests (scripts/soak.py; not in CI).
soak:
	scripts/setup.sh --test
	$(SWIFT) build -c release --product hearth
	.venv/bin/python scripts/soak.py $(ARGS)

## Benchmark: the engine called directly next to the same workload through HTTP.
bench: setup
	$(SWIFT) build -c release --product hearth
	$(SWIFT) build -c release --product hearth-bench
	scripts/build-whisper-cli.sh >/dev/null
	.build/release/hearth-bench $(ARGS)

## The same, with llama.cpp's own llama-server (same commit, built once into ~/.cache/hearth) beside Hearth.
bench-peer: setup
	$(SWIFT) build -c release --product hearth
	$(SWIFT) build -c release --product hearth-bench
	scripts/bench-peer.sh $(ARGS)

## Attention at depth: llama.cpp built with Hearth's patches (patches/llama.cpp/) against the
## same source without them, llama-bench and llama-batched-bench side by side (about 25 minutes
## the first time: both builds).
bench-attention: setup
	unpatched=$$(scripts/build-llama-server.sh) && patched=$$(HEARTH_PEER_PATCHED=1 scripts/build-llama-server.sh) && \
		.venv/bin/python scripts/bench_attention.py --unpatched "$$(dirname "$$unpatched")" --patched "$$(dirname "$$patched")" $(ARGS)

## Hearth's llama.cpp patches against llama.cpp's own tests: test-backend-ops compares every
## flash-attention case of the patched CPU backend with ggml's reference path; the RPC tests run
## workers (test-rpc-lost-server kills one mid-session).
test-patches: setup
	patched=$$(HEARTH_PEER_PATCHED=1 scripts/build-llama-server.sh) && bin=$$(dirname "$$patched") && \
		"$$bin/test-backend-ops" -b CPU -o FLASH_ATTN_EXT && \
		bash "$$bin/test-rpc-multi-server.sh" "$$bin/ggml-rpc-server" "$$bin/test-rpc-multi-server" && \
		bash "$$bin/test-rpc-lost-server.sh" "$$bin/ggml-rpc-server" "$$bin/test-rpc-lost-server" && \
		echo "test-patches: FLASH_ATTN_EXT and the RPC tests pass"

## Install hearth, llama.cpp's libraries, the prompt folders and the default model under PREFIX
## (bin/, lib/hearth/, share/hearth/), relocatable; Swift's runtime is linked in statically.
install: setup
	$(SWIFT) build -c release --product hearth --static-swift-stdlib --scratch-path .build-install
	scripts/install.sh .build-install/release/hearth "$(PREFIX)"

setup:
	scripts/setup.sh

build: setup
	$(SWIFT) build

format:
	$(SWIFT) format format --in-place --recursive --parallel Package.swift Sources Tests

lint:
	$(SWIFT) format lint --recursive --parallel Package.swift Sources Tests

clean:
	rm -rf .build
