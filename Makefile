# The two commands a new user needs (both install what is missing through scripts/bootstrap):
#   make run    the main job: builds the two executables only (greentune, greentune-train), then
#               a real study on FashionMNIST with the embedded SQLite store
#   make test   bootstrap, build everything (tests and benchmarks too), and every test
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
GREENTUNE = $(BUILD)/greentune

.PHONY: all build programs configure test run bench format clean

all: build

configure:
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build:
	scripts/bootstrap build
	@$(MAKE) --no-print-directory configure
	cmake --build $(BUILD) -j $(JOBS)

# The CLI and the libraries it links, nothing else (the target greentune_cli builds both
# executables).
programs:
	scripts/bootstrap build
	@$(MAKE) --no-print-directory configure
	cmake --build $(BUILD) -j $(JOBS) --target greentune_cli

# Configured again: a build folder first configured by `make run`, before GoogleTest was
# installed, has no tests yet.
test:
	scripts/bootstrap test
	@$(MAKE) --no-print-directory configure
	cmake $(BUILD) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

run: programs
	$(GREENTUNE) info --torch
	mkdir -p out
	$(GREENTUNE) experiment examples/quick.toml
	@echo "The report: $(CURDIR)/out/quick-report/report.html (run 'make run' again to continue an interrupted run)"

bench:
	scripts/bootstrap bench
	@$(MAKE) --no-print-directory configure
	cmake $(BUILD) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	bench/run-all

format:
	git ls-files '*.cpp' '*.hpp' '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
