# The two commands a newcomer needs:  make run   and   make test
SWIFT ?= swift
BIN = .build/debug

.PHONY: deps build run test unit e2e fuzz bench deploy-check image

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build --build-tests

# The agent on the shipped defaults (vigil.yaml, conf.d/, state in ./run).
run: deps
	$(SWIFT) build
	$(BIN)/vigil run -c vigil.yaml

# Everything CI runs: one build, unit tests, end-to-end tests, a bounded fuzz run.
test: build unit e2e fuzz deploy-check

unit:
	$(SWIFT) test --skip-build --skip VigilEndToEndTests

# One suite at a time: they start containerd, agents and clients, and
# blocking waits in parallel suites could starve Swift's 2-thread pool here.
e2e:
	$(SWIFT) test --skip-build --no-parallel --filter VigilEndToEndTests

fuzz:
	@if [ -x Fuzz/run.sh ]; then Fuzz/run.sh; fi

bench:
	$(SWIFT) build -c release
	.build/release/vigil-bench abi

# The Kubernetes manifests and the systemd unit, validated offline.
deploy-check: deps
	scripts/check-deploy.sh

# An OCI archive of vigil and its modules (docs/deploy.md).
image:
	$(SWIFT) build
	scripts/build-image.sh $(BIN) .build/vigil-image.tar
