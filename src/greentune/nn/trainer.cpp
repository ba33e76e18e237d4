// The training loop. Data is turned into float tensors once and batches are gathered into
// preallocated buffers, so an epoch is spent in the network's kernels, not in data handling.
#include "greentune/nn/trainer.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "greentune/common/error.hpp"
#include "greentune/nn/fused_block.hpp"
#include "greentune/nn/network.hpp"
#include "greentune/nn/optimizer.hpp"
#include "greentune/nn/runtime.hpp"

namespace greentune::nn {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_range(const char* name, double value, double low, double high, bool high_open) {
  const bool ok =
      std::isfinite(value) && value >= low && (high_open ? value < high : value <= high);
  if (!ok) {
    throw InputError(fmt::format("hyperparameter {}={} is out of range; expected {} <= {} {} {}",
                                 name, value, low, name, high_open ? "<" : "<=", high));
  }
}

// A dataset as tensors on the training device. Images stay bytes (on the CPU without a copy: the
// caller's Split outlives train()) and become floats one batch at a time, which costs ~0.1 ms a
// batch and saves four bytes per pixel of resident memory (190 MB for FashionMNIST).
struct TensorData {
  torch::Tensor images;  // [N, C, H, W] uint8
  torch::Tensor labels;  // [N] int64
  int64_t count() const { return labels.defined() ? labels.size(0) : 0; }
};

// Bytes to floats in [0, 1] exactly as torchvision's ToTensor() makes them (x.float().div(255)).
void to_float(const torch::Tensor& bytes, torch::Tensor& out) {
  out.copy_(bytes);
  out.div_(255.0f);
}

TensorData to_tensors(const data::Dataset& dataset, torch::Device device) {
  TensorData out;
  const auto n = static_cast<int64_t>(dataset.count());
  if (n == 0) return out;
  if (dataset.images.size() != dataset.count() * dataset.image_size()) {
    throw InputError(
        fmt::format("dataset {}: {} image bytes for {} labels of {}x{}x{}; expected {}",
                    dataset.name, dataset.images.size(), dataset.count(), dataset.channels,
                    dataset.height, dataset.width, dataset.count() * dataset.image_size()));
  }
  auto bytes =
      torch::from_blob(const_cast<uint8_t*>(dataset.images.data()),
                       {n, dataset.channels, dataset.height, dataset.width}, torch::kUInt8);
  out.images = bytes.to(device);
  out.labels = torch::from_blob(const_cast<uint8_t*>(dataset.labels.data()), {n}, torch::kUInt8)
                   .to(torch::kInt64)
                   .to(device);
  return out;
}

struct Evaluation {
  double loss = 0, accuracy = 0;
};

Evaluation evaluate(torch::nn::Sequential& net, const TensorData& data, bool channels_last) {
  Evaluation result;
  if (data.count() == 0) return result;
  torch::NoGradGuard no_grad;
  net->eval();
  constexpr int64_t batch = 1000;
  auto buffer = torch::empty(
      {std::min(batch, data.count()), data.images.size(1), data.images.size(2),
       data.images.size(3)},
      data.images.options().dtype(torch::kFloat32),
      channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous);
  // Summed on the device and read once at the end: a read per batch would wait for the GPU each
  // time.
  auto loss_sum = torch::zeros({}, data.images.options().dtype(torch::kFloat64));
  auto correct = torch::zeros({}, data.images.options().dtype(torch::kInt64));
  for (int64_t start = 0; start < data.count(); start += batch) {
    const int64_t b = std::min(batch, data.count() - start);
    auto x = b == buffer.size(0) ? buffer : buffer.narrow(0, 0, b);
    to_float(data.images.narrow(0, start, b), x);
    auto y = data.labels.narrow(0, start, b);
    auto logits = net->forward(x);
    loss_sum.add_(torch::nn::functional::cross_entropy(
        logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)));
    correct.add_(logits.argmax(1).eq(y).sum());
  }
  net->train();
  result.loss = loss_sum.item<double>() / static_cast<double>(data.count());
  result.accuracy =
      static_cast<double>(correct.item<int64_t>()) / static_cast<double>(data.count());
  return result;
}

// Forward+backward seconds per layer type over the profiled batches of one epoch.
struct LayerTimes {
  std::map<std::string, double> seconds;
  void add(const std::string& type, double s) { seconds[type] += s; }
};

// Waits for the work queued on the GPU, so that a Monitor window (and its clock) holds exactly
// the work launched inside it rather than ending while kernels still run.
void wait_for_device(bool cuda) {
  if (cuda) torch::cuda::synchronize();
}

energy::Measurement window_begin_end(energy::Monitor* monitor, const std::string& name, bool begin,
                                     double seconds) {
  if (monitor) {
    if (begin) {
      monitor->begin(name);
      return {};
    }
    return monitor->end(name);
  }
  energy::Measurement m;
  m.name = name;
  m.seconds = seconds;
  return m;
}

}  // namespace

void validate(const Hyperparameters& hp) {
  if (hp.optimizer != "adam" && hp.optimizer != "sgd") {
    throw InputError(fmt::format("hyperparameter optimizer={} is not known; expected adam or sgd",
                                 hp.optimizer));
  }
  if (!(std::isfinite(hp.lr) && hp.lr > 0)) {
    throw InputError(fmt::format("hyperparameter lr={} is out of range; expected lr > 0", hp.lr));
  }
  check_range("beta1", hp.beta1, 0, 1, true);
  check_range("beta2", hp.beta2, 0, 1, true);
  check_range("eps", hp.eps, 0, 1, false);
  check_range("weight_decay", hp.weight_decay, 0, 1e3, false);
  check_range("momentum", hp.momentum, 0, 1, false);
  if (hp.epochs < 1) {
    throw InputError(
        fmt::format("hyperparameter epochs={} is out of range; expected >= 1", hp.epochs));
  }
  if (hp.batch_size < 1) {
    throw InputError(
        fmt::format("hyperparameter batch_size={} is out of range; expected >= 1", hp.batch_size));
  }
}

TrainResult train(const TrainOptions& options, const data::Split& split, energy::Monitor* monitor,
                  const EpochCallback& on_epoch) {
  const auto& hp = options.hp;
  validate(hp);
  const ModelSpec spec = parse_model_spec(options.model_spec);
  if (options.device != "cpu" && options.device != "cuda") {
    throw InputError(fmt::format("device '{}' is not known; expected cpu or cuda", options.device));
  }
  if (options.device == "cuda" && !cuda_available()) {
    throw InputError(
        "device 'cuda' is not available: this greentune is built against a LibTorch without CUDA "
        "or no GPU is visible; use --device cpu, or build with a CUDA LibTorch "
        "(CMAKE_PREFIX_PATH=<python>/site-packages/torch/share/cmake)");
  }
  const data::Dataset& train_set = split.train;
  if (train_set.count() == 0) {
    throw InputError(fmt::format("dataset '{}' has no training images", train_set.name));
  }
  const bool cuda = options.device == "cuda";
  const torch::Device device(cuda ? torch::kCUDA : torch::kCPU);
  if (!cuda) configure_threads(options.threads);
  // Let cuDNN time its algorithms for each new shape once (the first batch, the last partial
  // batch, evaluation batches) and keep the fastest, as torch.backends.cudnn.benchmark does.
  if (cuda) at::globalContext().setBenchmarkCuDNN(true);
  const int64_t loss_read_interval =
      options.loss_read_interval > 0 ? options.loss_read_interval : (cuda ? 50 : 1);
  const bool channels_last = options.channels_last && spec.family == Family::simplecnn;

  auto start = Clock::now();
  torch::manual_seed(hp.seed);
  if (cuda) torch::cuda::manual_seed_all(hp.seed);
  auto net =
      build_network(spec, train_set.channels, train_set.height, train_set.width, train_set.classes);
  net->to(device);
  if (channels_last) {
    for (auto& p : net->parameters()) {
      if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
    }
  }
  const auto parameters = net->parameters();
  auto optimizer = make_optimizer(hp, parameters, cuda);

  TrainResult result;
  result.model_spec = spec.to_string();
  for (const auto& p : net->parameters()) result.parameter_count += p.numel();

  const TensorData train_data = to_tensors(train_set, device);
  const TensorData validation_data = to_tensors(split.validation, device);

  std::vector<std::string> types;
  for (const auto& module : *net) types.push_back(layer_type(module.ptr()->name()));

  const int64_t n = train_data.count();
  const int64_t batch = std::min<int64_t>(hp.batch_size, n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 shuffle_rng(hp.seed);
  auto order_tensor = torch::empty({n}, torch::kInt64);
  auto byte_buffer = torch::empty_like(train_data.images.narrow(0, 0, batch));
  auto x_buffer = torch::empty(
      byte_buffer.sizes(), byte_buffer.options().dtype(torch::kFloat32),
      channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous);
  auto y_buffer = torch::empty({batch}, train_data.labels.options());

  bool stopped_early = false;
  for (int epoch = 1; epoch <= hp.epochs && !result.diverged; ++epoch) {
    EpochRecord record;
    record.epoch = epoch;
    std::shuffle(order.begin(), order.end(), shuffle_rng);
    std::copy(order.begin(), order.end(), order_tensor.data_ptr<int64_t>());
    auto order_device = order_tensor.to(device);
    const int64_t batches = (n + batch - 1) / batch;
    // Profile batches spread over the epoch (not the first, which pays one-off costs).
    const int64_t profiled =
        options.profile_layers
            ? (options.profile_batches <= 0 ? batches
                                            : std::min<int64_t>(options.profile_batches, batches))
            : 0;
    const int64_t profile_stride = profiled > 0 ? std::max<int64_t>(1, batches / profiled) : 0;
    LayerTimes layer_times;

    // Each batch's loss stays on the device until it is read, every loss_read_interval batches:
    // a NaN/inf loss is found within that many batches and reported at the batch it happened.
    auto batch_losses = torch::empty({batches}, torch::dtype(torch::kFloat32).device(device));
    double loss_sum = 0;
    int64_t loss_images = 0, read = 0, trained = 0;
    auto read_losses = [&](int64_t until) {
      const auto losses =
          batch_losses.narrow(0, read, until - read).to(torch::kCPU, torch::kFloat64);
      const double* value = losses.data_ptr<double>();
      for (int64_t b = read; b < until; ++b, ++value) {
        if (!std::isfinite(*value)) {
          result.diverged = true;
          result.diverged_reason =
              fmt::format("training loss became {} at epoch {}, batch {} of {} (lr={:g})", *value,
                          epoch, b + 1, batches, hp.lr);
          return;
        }
        const int64_t size = std::min(batch, n - b * batch);
        loss_sum += *value * static_cast<double>(size);
        loss_images += size;
      }
      read = until;
    };

    const std::string train_window = fmt::format("epoch-{}/train", epoch);
    wait_for_device(cuda);
    window_begin_end(monitor, train_window, true, 0);
    auto train_start = Clock::now();
    for (int64_t b = 0; b < batches; ++b) {
      const int64_t first = b * batch;
      const int64_t size = std::min(batch, n - first);
      auto index = order_device.narrow(0, first, size);
      auto x = size == batch ? x_buffer : x_buffer.narrow(0, 0, size);
      auto y = size == batch ? y_buffer : y_buffer.narrow(0, 0, size);
      auto bytes = size == batch ? byte_buffer : byte_buffer.narrow(0, 0, size);
      torch::index_select_out(bytes, train_data.images, 0, index);
      to_float(bytes, x);
      torch::index_select_out(y, train_data.labels, 0, index);

      const bool profile =
          profiled > 0 && (profiled == batches || (b % profile_stride == profile_stride - 1 &&
                                                   b / profile_stride < profiled));
      clear_gradients(parameters);
      torch::Tensor loss;
      if (!profile) {
        loss = torch::nn::functional::cross_entropy(forward_fusing_blocks(net, x), y);
        loss.backward();
      } else {
        // Forward module by module (no fused blocks: each layer type gets its own time) with a
        // clock read between them; backward timed by hooks on each module's output, which fire
        // when that output's gradient is ready, i.e. when the module after it has finished its
        // backward.
        std::vector<torch::Tensor> outputs;
        outputs.reserve(types.size());
        torch::Tensor h = x;
        size_t i = 0;
        for (auto& module : *net) {
          if (cuda) torch::cuda::synchronize();
          auto t0 = Clock::now();
          h = module.forward(h);
          if (cuda) torch::cuda::synchronize();
          layer_times.add(types[i++], seconds_since(t0));
          outputs.push_back(h);
        }
        loss = torch::nn::functional::cross_entropy(h, y);
        std::vector<Clock::time_point> grad_ready(outputs.size());
        for (size_t k = 0; k < outputs.size(); ++k) {
          // Layers before the first parameter (a Flatten of the input) have no backward.
          if (!outputs[k].requires_grad()) continue;
          outputs[k].register_hook([&grad_ready, k, cuda](const torch::Tensor&) {
            if (cuda) torch::cuda::synchronize();
            grad_ready[k] = Clock::now();
          });
        }
        loss.backward();
        if (cuda) torch::cuda::synchronize();
        auto backward_end = Clock::now();
        // Module k's backward runs from its output's gradient to its input's (the previous
        // module's output), or to the end of backward() for the first module with parameters.
        auto until = backward_end;
        for (size_t k = 0; k < outputs.size(); ++k) {
          if (!outputs[k].requires_grad()) continue;
          layer_times.add(
              types[k],
              std::max(0.0, std::chrono::duration<double>(until - grad_ready[k]).count()));
          until = grad_ready[k];
        }
      }
      batch_losses.select(0, b).copy_(loss.detach());
      if ((b + 1) % loss_read_interval == 0 || b + 1 == batches) {
        read_losses(b + 1);
        if (result.diverged) break;
      }
      optimizer->step();
      trained += size;
      if (options.on_batch) options.on_batch(epoch, b + 1, batches);
    }
    wait_for_device(cuda);
    record.train_seconds = seconds_since(train_start);
    record.train_energy = window_begin_end(monitor, train_window, false, record.train_seconds);
    record.train_loss = loss_images > 0 ? loss_sum / static_cast<double>(loss_images)
                                        : std::numeric_limits<double>::quiet_NaN();
    record.images_per_second = static_cast<double>(trained) / record.train_seconds;
    if (trained > 0) {
      record.joules_per_1000_images =
          record.train_energy.total_joules / static_cast<double>(trained) * 1000.0;
    }

    double profiled_total = 0;
    for (const auto& [type, s] : layer_times.seconds) profiled_total += s;
    for (const auto& [type, s] : layer_times.seconds) {
      if (profiled_total <= 0) break;
      const double share = s / profiled_total;
      record.layers.push_back({type, share, share * record.train_energy.total_joules});
    }

    const std::string eval_window = fmt::format("epoch-{}/eval", epoch);
    wait_for_device(cuda);
    window_begin_end(monitor, eval_window, true, 0);
    auto eval_start = Clock::now();
    if (!result.diverged) {
      const auto v = evaluate(net, validation_data, channels_last);
      record.validation_loss = v.loss;
      record.validation_accuracy = v.accuracy;
    }
    wait_for_device(cuda);
    record.eval_seconds = seconds_since(eval_start);
    record.eval_energy = window_begin_end(monitor, eval_window, false, record.eval_seconds);

    result.joules += record.train_energy.total_joules + record.eval_energy.total_joules;
    result.best_validation_accuracy =
        std::max(result.best_validation_accuracy, record.validation_accuracy);
    result.epochs.push_back(std::move(record));
    if (on_epoch && !on_epoch(result.epochs.back())) {
      stopped_early = true;
      break;
    }
  }

  // A run its callback stopped (pruned) was judged not worth finishing: no test-set pass either.
  if (!result.diverged && !stopped_early && split.test.count() > 0) {
    const TensorData test_data = to_tensors(split.test, device);
    result.test_accuracy = evaluate(net, test_data, channels_last).accuracy;
  }
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace greentune::nn
