// `greentune train`: trains one of the paper's networks and reports accuracy, time and energy per
// epoch, with the machine and energy sources the figures come from.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/help_text.hpp"
#include "cli/output_option.hpp"
#include "greentune/common/atomic_file.hpp"
#include "greentune/common/error.hpp"
#include "greentune/data/load.hpp"
#include "greentune/energy/discovery.hpp"
#include "greentune/energy/monitor.hpp"
#include "greentune/nn/runtime.hpp"
#include "greentune/nn/trainer.hpp"
#include "greentune/system/machine.hpp"

namespace {

using namespace greentune;

struct TrainCliOptions {
  nn::TrainOptions train;
  std::string dataset;
  std::string data_dir;
  size_t subset = 0;
  size_t test_subset = 0;
  double validation = 0.1;
  bool paper_mode = false;
  cli::OutputTarget json;
  bool no_energy = false;
  bool no_profile = false;
  int channels_last = 0;
};

std::string joules_text(const energy::Measurement& m, bool have_energy) {
  return have_energy ? fmt::format("{:.1f}", m.total_joules) : "-";
}

// A live bar on a terminal; nothing otherwise (the per-epoch line is the record).
class ProgressBar {
 public:
  explicit ProgressBar(int epochs) : epochs_(epochs), live_(isatty(STDERR_FILENO) != 0) {}
  void update(int epoch, int64_t batch, int64_t batches) {
    if (!live_) return;
    auto now = std::chrono::steady_clock::now();
    if (batch == 1) epoch_start_ = now;
    if (batch != batches && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
    const double eta = elapsed / static_cast<double>(batch) * static_cast<double>(batches - batch);
    constexpr int width = 30;
    const int filled = static_cast<int>(width * batch / batches);
    fmt::print(stderr, "\repoch {}/{} [{}{}] {}/{} batches, ETA {:.0f}s   ", epoch, epochs_,
               std::string(static_cast<size_t>(filled), '#'),
               std::string(static_cast<size_t>(width - filled), '.'), batch, batches, eta);
    if (batch == batches) fmt::print(stderr, "\r{:80}\r", "");
  }

 private:
  int epochs_;
  bool live_;
  std::chrono::steady_clock::time_point epoch_start_, last_;
};

nlohmann::json hyperparameters_json(const nn::Hyperparameters& hp) {
  return {{"optimizer", hp.optimizer},
          {"lr", hp.lr},
          {"beta1", hp.beta1},
          {"beta2", hp.beta2},
          {"eps", hp.eps},
          {"weight_decay", hp.weight_decay},
          {"momentum", hp.momentum},
          {"epochs", hp.epochs},
          {"batch_size", hp.batch_size},
          {"seed", hp.seed}};
}

int run_train(TrainCliOptions& o) {
  if (o.train.device == "cpu") nn::restart_with_short_openmp_spin();
  auto& hp = o.train.hp;
  if (o.validation < 0 || o.validation >= 1) {
    throw InputError(
        fmt::format("--validation {} is out of range; expected 0 <= F < 1", o.validation));
  }
  o.train.profile_layers = !o.no_profile;
  o.train.channels_last = o.channels_last != 0;
  nn::validate(hp);
  cli::prepare_outputs({&o.json});

  data::LoadOptions load;
  load.data_dir = o.data_dir;
  load.validation_fraction = o.validation;
  load.seed = hp.seed;
  load.paper_mode = o.paper_mode;
  load.train_subset = o.subset;
  load.test_subset = o.test_subset;
  const data::Split split = data::load_split(o.dataset, load);

  if (o.train.device == "cpu") nn::configure_threads(o.train.threads);
  const auto machine = system::describe_machine();
  fmt::print("greentune train: {} on {} ({} train, {} validation{}, {} test images)\n",
             o.train.model_spec, o.dataset, split.train.count(), split.validation.count(),
             o.paper_mode ? " = test, paper mode" : "", split.test.count());
  fmt::print("runtime: {} | torch {} | {} threads | BLAS {} | allocator {} | device {}\n",
             machine.cpu_model.empty() ? "unknown CPU" : machine.cpu_model, nn::torch_version(),
             nn::torch_threads(), machine.blas, machine.allocator, o.train.device);

  // Threads that wait for each other at every parallel region suffer most from a busy machine
  // (a 2-thread epoch here ranged from 5 s to 62 s while other builds ran): say so up front.
  if (std::ifstream loadavg("/proc/loadavg"); loadavg) {
    double load_average = 0;
    if (loadavg >> load_average && machine.logical_cpus > 0 &&
        load_average > machine.logical_cpus) {
      fmt::print(stderr,
                 "note: load average {:.1f} on {} usable CPUs: other work competes with training, "
                 "so times and energy are inflated (--threads 1 suffers least)\n",
                 load_average, machine.logical_cpus);
    }
  }

  std::unique_ptr<energy::Monitor> monitor;
  if (!o.no_energy) {
    monitor = std::make_unique<energy::Monitor>(
        energy::open_sources(energy::SystemPaths::from_environment(), {}),
        energy::MonitorOptions{});
    for (const auto& d : monitor->domains()) {
      fmt::print("energy: {} ({}, {}): {}\n", d.name, d.source, energy::to_string(d.kind),
                 d.method);
    }
  }
  const bool have_energy = monitor != nullptr;

  ProgressBar bar(hp.epochs);
  o.train.on_batch = [&bar](int epoch, int64_t batch, int64_t batches) {
    bar.update(epoch, batch, batches);
  };
  auto result = nn::train(o.train, split, monitor.get(), [&](const nn::EpochRecord& e) {
    fmt::print(stderr,
               "epoch {}/{}: loss {:.4f}, validation loss {:.4f}, accuracy {:.4f}, {:.2f} s, "
               "{:.0f} images/s, {} J\n",
               e.epoch, hp.epochs, e.train_loss, e.validation_loss, e.validation_accuracy,
               e.train_seconds, e.images_per_second, joules_text(e.train_energy, have_energy));
    return true;
  });

  fmt::print("\n{:>5} {:>10} {:>10} {:>9} {:>9} {:>8} {:>10} {:>10} {:>10}\n", "epoch",
             "train_loss", "val_loss", "val_acc", "train_s", "eval_s", "images/s", "train_J",
             "J/1000img");
  for (const auto& e : result.epochs) {
    fmt::print("{:>5} {:>10.4f} {:>10.4f} {:>9.4f} {:>9.2f} {:>8.2f} {:>10.0f} {:>10} {:>10}\n",
               e.epoch, e.train_loss, e.validation_loss, e.validation_accuracy, e.train_seconds,
               e.eval_seconds, e.images_per_second, joules_text(e.train_energy, have_energy),
               have_energy ? fmt::format("{:.2f}", e.joules_per_1000_images) : "-");
  }
  if (!result.epochs.empty() && !result.epochs.back().layers.empty()) {
    fmt::print("\nlayer types, last epoch (share of forward+backward time; joules attributed):\n");
    for (const auto& l : result.epochs.back().layers) {
      fmt::print("  {:<10} {:>6.1f} %  {}\n", l.layer_type, 100 * l.time_share,
                 have_energy ? fmt::format("{:.1f} J", l.joules) : "-");
    }
  }
  fmt::print("\nmodel {} ({} parameters)\n", result.model_spec, result.parameter_count);
  if (result.diverged) {
    fmt::print("diverged: {}\n", result.diverged_reason);
  } else {
    fmt::print("test accuracy {:.4f}, best validation accuracy {:.4f}\n", result.test_accuracy,
               result.best_validation_accuracy);
  }
  fmt::print("total {:.2f} s{}\n", result.seconds,
             have_energy ? fmt::format(", {:.1f} J in train/eval windows", result.joules) : "");

  if (o.json.requested()) {
    auto record = result.to_json();
    record["dataset"] = {{"name", o.dataset},
                         {"train", split.train.count()},
                         {"validation", split.validation.count()},
                         {"test", split.test.count()},
                         {"paper_mode", o.paper_mode}};
    record["hyperparameters"] = hyperparameters_json(hp);
    record["device"] = o.train.device;
    record["channels_last"] = o.train.channels_last;
    record["machine"] = {{"host", machine.hostname},
                         {"cpu", machine.cpu_model},
                         {"logical_cpus", machine.logical_cpus},
                         {"blas", machine.blas},
                         {"allocator", machine.allocator},
                         {"kernel", machine.kernel},
                         {"threads", nn::torch_threads()},
                         {"torch", nn::torch_version()}};
    nlohmann::json sources = nlohmann::json::array();
    if (monitor) {
      for (const auto& d : monitor->domains()) {
        sources.push_back({{"domain", d.name},
                           {"source", d.source},
                           {"kind", energy::to_string(d.kind)},
                           {"method", d.method}});
      }
    }
    record["energy_sources"] = sources;
    cli::write_output(o.json, record.dump(2) + "\n");
  }
  return result.diverged ? 3 : 0;
}

constexpr int64_t kLargest = std::numeric_limits<int64_t>::max();

const bool registered = cli::register_command(
    "train", "Train one of the paper's networks and report accuracy, time and energy per epoch",
    [](CLI::App& app) {
      auto o = std::make_shared<TrainCliOptions>();
      auto& hp = o->train.hp;
      app.add_option("--model", o->train.model_spec,
                     "densepoly[:linear=N], denselinear[:linear=N], "
                     "simplecnn[:conv=M,linear=N,relu=0|1,bn=0|1]; act=none|relu between linear "
                     "layers (the paper: none)")
          ->capture_default_str();
      app.add_option("--dataset", o->dataset, "fashion-mnist or cifar10")->required();
      app.add_option("--data-dir", o->data_dir, "Where the dataset's files are");
      app.add_option("--epochs", hp.epochs, "Epochs")->capture_default_str();
      app.add_option("--batch-size", hp.batch_size, "Batch size")->capture_default_str();
      app.add_option("--optimizer", hp.optimizer, "adam or sgd")->capture_default_str();
      app.add_option("--lr", hp.lr, "Learning rate")->capture_default_str();
      app.add_option("--beta1", hp.beta1, "Adam beta1")->capture_default_str();
      app.add_option("--beta2", hp.beta2, "Adam beta2")->capture_default_str();
      app.add_option("--eps", hp.eps, "Adam epsilon")->capture_default_str();
      app.add_option("--weight-decay", hp.weight_decay, "Weight decay")->capture_default_str();
      app.add_option("--momentum", hp.momentum, "SGD momentum")->capture_default_str();
      app.add_option("--seed", hp.seed, "Seed for initialisation, shuffling and the split")
          ->capture_default_str()
          ->check(cli::whole_number(0, kLargest));
      app.add_option("--subset", o->subset,
                     "Use a seeded random subset of N training images (default: all)")
          ->check(cli::whole_number(1, kLargest, "leave --subset out to use every image"));
      app.add_option("--test-subset", o->test_subset,
                     "Use a seeded random subset of N test images (default: all)")
          ->check(cli::whole_number(1, kLargest, "leave --test-subset out to use every image"));
      app.add_option("--validation", o->validation, "Fraction of the training set held out")
          ->capture_default_str();
      app.add_flag("--paper-mode", o->paper_mode,
                   "Select on the test set as the paper did (no validation split)");
      app.add_option("--device", o->train.device, "cpu or cuda")->capture_default_str();
      app.add_option("--threads", o->train.threads, "CPU threads (0: every usable CPU)")
          ->capture_default_str()
          ->check(cli::whole_number(0, nn::kMaxThreads));
      app.add_option("--channels-last", o->channels_last,
                     "1: NHWC tensors, 0: NCHW (faster with LibTorch 1.13 on CPU)")
          ->capture_default_str();
      cli::add_output_option(app, "--json", o->json,
                             "Print the full record as JSON on stdout at the end (the table goes "
                             "to stderr)");
      app.add_flag("--no-energy", o->no_energy, "Do not open energy sources");
      app.add_flag("--no-profile", o->no_profile, "Do not time layer types");
      cli::set_examples(app, "greentune train --dataset fashion-mnist --epochs 5",
                        "greentune train --model densepoly --dataset fashion-mnist --subset 2000 "
                        "--json=run.json");
      return cli::Runner([o] { return run_train(*o); });
    });

}  // namespace
