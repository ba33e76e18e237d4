#pragma once
// The trainer: one of the paper's networks (built from a spec), data already in memory, Adam or
// SGD, per-epoch metrics and energy. No LibTorch types here: tuning, experiments and the CLI
// include this from code that does not see LibTorch.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greentune/data/dataset.hpp"
#include "greentune/energy/monitor.hpp"

namespace greentune::nn {

struct Hyperparameters {
  std::string optimizer = "adam";  // "adam" or "sgd" (SGD uses momentum)
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0, momentum = 0.9;
  int epochs = 1;
  int batch_size = 512;
  uint64_t seed = 1234;
};

// The most CPU threads a run may ask for (--threads, [train].threads; 0 means every usable CPU).
inline constexpr int kMaxThreads = 1024;

struct TrainOptions {
  std::string model_spec = "simplecnn";
  Hyperparameters hp;
  std::string device = "cpu";  // "cpu" or "cuda" (InputError when CUDA is not available)
  int threads = 0;             // 0: every usable CPU (0 to kMaxThreads)
  bool profile_layers = true;  // time a few batches per epoch by layer type (attributed energy)
  // NHWC tensors. Off: with LibTorch 1.13 on CPU, channels-last BatchNorm2d was 35x slower than
  // NCHW and the whole SimpleCNN batch 2.6x slower (measured; see docs/training.md).
  bool channels_last = false;
  int profile_batches = 3;  // batches per epoch timed layer by layer; <= 0: every batch
  // Batches between reads of the training loss on the host. A read waits for the device, so on
  // CUDA the losses stay there and are read every N batches; a NaN/inf loss is then found within
  // N batches (reported at the batch where it happened) and training stops. <= 0: 1 on the CPU
  // (where a read costs nothing), 50 on CUDA.
  int loss_read_interval = 0;
  // Called after every training batch (a progress bar); batch is 1-based.
  std::function<void(int epoch, int64_t batch, int64_t batches)> on_batch;
};

// The share of one layer type in an epoch's forward+backward time, and the epoch's joules
// attributed by that share. Attributed, not measured: no counter separates layers.
struct LayerShare {
  std::string layer_type;  // "conv", "linear", "relu", "batchnorm", "pool", "flatten"
  double time_share = 0;
  double joules = 0;
};

struct EpochRecord {
  int epoch = 0;  // 1-based
  double train_loss = 0, validation_loss = 0, validation_accuracy = 0;
  double train_seconds = 0, eval_seconds = 0;
  energy::Measurement train_energy, eval_energy;  // empty (0 J) without a monitor
  double images_per_second = 0;                   // training images per second
  double joules_per_1000_images = 0;              // training joules per 1000 training images
  std::vector<LayerShare> layers;
};

struct TrainResult {
  bool diverged = false;
  std::string diverged_reason;
  std::vector<EpochRecord> epochs;
  double best_validation_accuracy = 0;
  double test_accuracy = 0;
  int64_t parameter_count = 0;
  double seconds = 0;
  double joules = 0;  // training + evaluation, all domains, gross
  std::string model_spec;
  nlohmann::json to_json() const;
};

// Return false to stop after this epoch (pruning); a run stopped so skips the test-set pass.
using EpochCallback = std::function<bool(const EpochRecord&)>;

// The data is loaded once by the caller (studies reuse it across trials); monitor may be nullptr
// (no energy). Throws InputError for a bad spec, hyperparameter or device; a diverging run is
// reported in the result, not thrown.
TrainResult train(const TrainOptions& options, const data::Split& split, energy::Monitor* monitor,
                  const EpochCallback& on_epoch = {});

// Throws InputError naming the hyperparameter and its allowed range.
void validate(const Hyperparameters& hp);

// Trainable parameters of the network the spec builds for inputs of this shape.
int64_t count_parameters(const std::string& model_spec, int channels, int height, int width);

// The JSON form of one Monitor window, as train records write it.
nlohmann::json measurement_to_json(const energy::Measurement& measurement);

}  // namespace greentune::nn
