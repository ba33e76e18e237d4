// `greentune data fetch|show`: get a dataset onto this machine, and check what training will load.
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "greentune/data/fetch.hpp"
#include "greentune/data/load.hpp"
#include "greentune/data/locate.hpp"

namespace {

namespace data = greentune::data;

struct FetchArgs {
  std::string dataset;
  data::FetchOptions options;
  std::string dir;
};

struct ShowArgs {
  std::string dataset;
  std::string data_dir;
  double validation = 0.1;
  uint64_t seed = 1234;
  bool paper = false;
};

int run_fetch(FetchArgs& args) {
  const auto kind = data::parse_dataset_name(args.dataset);
  args.options.dir = args.dir;
  args.options.progress = ::isatty(STDERR_FILENO) == 1;
  const auto result = data::fetch_dataset(kind, args.options);
  if (result.already_present) {
    fmt::print("{} is already in {} (use --force to download it again)\n", data::dataset_name(kind),
               result.directory.string());
  } else {
    fmt::print("{}: {:.1f} MB downloaded, verified and installed in {}\n", data::dataset_name(kind),
               static_cast<double>(result.bytes_downloaded) / 1e6, result.directory.string());
  }
  return 0;
}

void print_set(const data::Dataset& set) {
  std::array<size_t, 256> histogram{};
  for (uint8_t label : set.labels) ++histogram[label];
  std::string classes;
  for (int c = 0; c < set.classes; ++c) classes += fmt::format(" {}", histogram[c]);
  fmt::print("{:<26} {:>6} images  {}x{}x{}  per class:{}\n", set.name, set.count(), set.channels,
             set.height, set.width, classes);
}

int run_show(const ShowArgs& args) {
  const auto kind = data::parse_dataset_name(args.dataset);
  const auto found = data::locate_dataset(kind, args.data_dir);
  data::LoadOptions options;
  options.data_dir = args.data_dir;
  options.validation_fraction = args.validation;
  options.seed = args.seed;
  options.paper_mode = args.paper;
  const auto start = std::chrono::steady_clock::now();
  const auto split = data::load_split(args.dataset, options);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  fmt::print("{} from {}\n", data::dataset_name(kind), found.directory.string());
  print_set(split.train);
  if (args.paper) {
    fmt::print("{:<26} the test set (paper mode: hyperparameters selected on test)\n",
               data::dataset_name(kind) + "/validation");
  } else {
    print_set(split.validation);
  }
  print_set(split.test);
  fmt::print("loaded and split in {:.3f} s\n", took.count());
  return 0;
}

const bool registered = greentune::cli::register_command(
    "data", "Fetch datasets and show what training will load", [](CLI::App& app) {
      app.require_subcommand(1);
      auto fetch_args = std::make_shared<FetchArgs>();
      CLI::App* fetch = app.add_subcommand(
          "fetch", "Download a dataset, verify its checksum and install it where greentune looks");
      fetch->add_option("dataset", fetch_args->dataset, "fashion-mnist or cifar10")->required();
      fetch->add_option("--dir", fetch_args->dir,
                        "Install here (default: $GREENTUNE_DATA_DIR/<name>, else ./data/<name>)");
      fetch->add_option("--url", fetch_args->options.url,
                        "Download from a mirror: fashion-mnist: the base URL of the four .gz "
                        "files; cifar10: the URL of cifar-10-binary.tar.gz");
      fetch
          ->add_option("--sha256", fetch_args->options.sha256,
                       "Expected SHA-256 of each file as served, replacing the built-in checksums "
                       "(fashion-mnist: 4, in the order train-images, train-labels, t10k-images, "
                       "t10k-labels; cifar10: 1)")
          ->take_all()
          ->allow_extra_args(false);
      fetch->add_flag("--force", fetch_args->options.force,
                      "Download even when the dataset is already there");
      greentune::cli::set_examples(*fetch, "greentune data fetch fashion-mnist",
                                   "greentune data fetch cifar10 --dir /data/cifar10");

      auto show_args = std::make_shared<ShowArgs>();
      CLI::App* show =
          app.add_subcommand("show", "Load a dataset as training would and print its split");
      show->add_option("dataset", show_args->dataset, "fashion-mnist or cifar10")->required();
      show->add_option("--data-dir", show_args->data_dir, "Look only here");
      show->add_option("--validation", show_args->validation,
                       "Fraction of the training set held out for validation")
          ->check(CLI::Range(0.0, 0.99));
      show->add_option("--seed", show_args->seed, "Seed of the validation split");
      show->add_flag("--paper-mode", show_args->paper,
                     "Paper-compatible: validate on the test set, carve nothing");
      greentune::cli::set_examples(*show, "greentune data show fashion-mnist",
                                   "greentune data show cifar10 --validation 0.2 --seed 7");
      greentune::cli::set_examples(app, "greentune data fetch fashion-mnist",
                                   "greentune data show fashion-mnist");

      return greentune::cli::Runner([fetch, fetch_args, show, show_args] {
        if (fetch->parsed()) return run_fetch(*fetch_args);
        if (show->parsed()) return run_show(*show_args);
        return 2;
      });
    });

}  // namespace
