# The two commands a new user needs (both install what is missing through scripts/bootstrap):
#   make run    the main job: a real study on FashionMNIST with the embedded SQLite store
#   make test   bootstrap, build, and every test
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
GREENTUNE = $(BUILD)/greentune

.PHONY: all build configure test run bench format clean

all: build

configure:
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build:
	scripts/bootstrap build
	@$(MAKE) --no-print-directory configure
	cmake --build $(BUILD) -j $(JOBS)

test:
	scripts/bootstrap test
	@$(MAKE) --no-print-directory configure
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

run: build
	$(GREENTUNE) info
	mkdir -p out
	$(GREENTUNE) experiment examples/quick.toml
	@echo "The report: $(CURDIR)/out/quick-report/report.html (run 'make run' again to continue an interrupted run)"

bench:
	scripts/bootstrap bench
	@$(MAKE) --no-print-directory configure
	cmake --build $(BUILD) -j $(JOBS)
	bench/run-all

format:
	git ls-files '*.cpp' '*.hpp' '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
