#include "greentune/data/locate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "greentune/common/error.hpp"

namespace greentune::data {
namespace {

const std::vector<std::string> kFashionMnistFiles = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};
const std::vector<std::string> kCifar10Files = {"data_batch_1.bin", "data_batch_2.bin",
                                                "data_batch_3.bin", "data_batch_4.bin",
                                                "data_batch_5.bin", "test_batch.bin"};

bool is_file(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error);
}

void add_unique(std::vector<std::filesystem::path>& list, const std::filesystem::path& path) {
  if (std::find(list.begin(), list.end(), path) == list.end()) list.push_back(path);
}

// CIFAR-10's archive unpacks into cifar-10-batches-bin/, so a folder given for it may hold that.
void add_dataset_folder(std::vector<std::filesystem::path>& list, DatasetKind kind,
                        const std::filesystem::path& folder) {
  add_unique(list, folder);
  if (kind == DatasetKind::Cifar10) add_unique(list, folder / "cifar-10-batches-bin");
}

}  // namespace

DatasetKind parse_dataset_name(const std::string& name) {
  std::string key;
  for (char c : name) {
    if (c != '-' && c != '_') key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (key == "fashionmnist") return DatasetKind::FashionMnist;
  if (key == "cifar10") return DatasetKind::Cifar10;
  throw InputError(fmt::format("unknown dataset '{}': expected fashion-mnist or cifar10", name));
}

std::string dataset_name(DatasetKind kind) {
  return kind == DatasetKind::FashionMnist ? "fashion-mnist" : "cifar10";
}

std::vector<std::filesystem::path> candidate_directories(
    DatasetKind kind, const std::filesystem::path& explicit_dir) {
  std::vector<std::filesystem::path> list;
  const std::string name = dataset_name(kind);
  if (!explicit_dir.empty()) {
    add_dataset_folder(list, kind, explicit_dir);
    add_dataset_folder(list, kind, explicit_dir / name);
    return list;
  }
  if (const char* env = std::getenv("GREENTUNE_DATA_DIR"); env != nullptr && *env != '\0') {
    add_dataset_folder(list, kind, std::filesystem::path(env) / name);
  }
  if (kind == DatasetKind::FashionMnist) add_unique(list, "/usr/share/datasets/fashion-mnist");
  add_dataset_folder(list, kind, std::filesystem::path("data") / name);
  return list;
}

std::optional<DatasetFiles> files_in(DatasetKind kind, const std::filesystem::path& directory) {
  DatasetFiles found{directory, {}};
  if (kind == DatasetKind::FashionMnist) {
    for (const auto& stem : kFashionMnistFiles) {
      if (is_file(directory / (stem + ".gz"))) {
        found.files.push_back(directory / (stem + ".gz"));
      } else if (is_file(directory / stem)) {
        found.files.push_back(directory / stem);
      } else {
        return std::nullopt;
      }
    }
  } else {
    for (const auto& name : kCifar10Files) {
      if (!is_file(directory / name)) return std::nullopt;
      found.files.push_back(directory / name);
    }
  }
  return found;
}

DatasetFiles locate_dataset(DatasetKind kind, const std::filesystem::path& explicit_dir) {
  const auto candidates = candidate_directories(kind, explicit_dir);
  for (const auto& directory : candidates) {
    if (auto found = files_in(kind, directory)) return *found;
  }
  std::string tried;
  for (const auto& directory : candidates) tried += "\n  " + directory.string();
  if (kind == DatasetKind::FashionMnist) {
    throw InputError(fmt::format(
        "FashionMNIST not found: looked for train-images-idx3-ubyte, train-labels-idx1-ubyte, "
        "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or .gz) in:{}\n"
        "Get it with `greentune data fetch fashion-mnist`, or `apt-get install "
        "dataset-fashion-mnist` (Debian), or put the four files in one of those directories "
        "(or any directory given with --data-dir or $GREENTUNE_DATA_DIR).",
        tried));
  }
  throw InputError(fmt::format(
      "CIFAR-10 not found: looked for data_batch_1.bin .. data_batch_5.bin and test_batch.bin "
      "(the binary version) in:{}\n"
      "Get it with `greentune data fetch cifar10`, or unpack cifar-10-binary.tar.gz by hand into "
      "one of those directories (or any directory given with --data-dir or $GREENTUNE_DATA_DIR).",
      tried));
}

}  // namespace greentune::data
