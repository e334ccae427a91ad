# custmig — make targets
#
#   make build      debug build
#   make release    release build
#   make test       swift test (what CI runs)
#   make lint       swift format lint --strict
#   make format     swift format in place
#   make samples    regenerate Samples/ (deterministic: same bytes every time)
#   make bench      Tests/Benchmarks/run.sh (1M records; ROWS=… to change)
#   make clean

.PHONY: build release test lint format samples bench clean

build:
	swift build

release:
	swift build -c release

test:
	swift test

lint:
	swift format lint --strict -r Sources Tests

format:
	swift format -i -r Sources Tests

samples: release
	.build/release/custmig samples --rows 400 --out Samples --broken-share 0.01 --seed 1
	.build/release/custmig samples --rows 400 --out Samples/sap-tables --format tables --broken-share 0.01 --seed 1

bench:
	Tests/Benchmarks/run.sh

clean:
	rm -rf .build .build-* bench-out profile-report
