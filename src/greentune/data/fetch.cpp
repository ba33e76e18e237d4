#include "greentune/data/fetch.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "greentune/common/error.hpp"
#include "greentune/data/archive.hpp"
#include "greentune/data/checksum.hpp"
#include "greentune/data/cifar10.hpp"
#include "greentune/data/idx.hpp"
#include "greentune/data/libcurl.hpp"

namespace greentune::data {
namespace {

// The publishers' locations and digests. FashionMNIST's MD5s are those its README lists for the
// .gz files as served. Debian's dataset-fashion-mnist ships the same deflate streams with the gzip
// header's file name and time stripped; putting them back (times 2017-08-31 10:30:06 and :27 UTC)
// reproduces all four published MD5s, and gave the SHA-256s below. The content SHA-256s are of
// the uncompressed IDX data, so a mirror that re-compressed or re-stamped the files still passes.
constexpr const char* kFashionMnistBase =
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
struct KnownFile {
  const char* name;
  const char* md5;
  const char* sha256;
  const char* content_sha256;
};
constexpr KnownFile kFashionMnist[] = {
    {"train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
     "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
     "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
    {"train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
     "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
     "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
    {"t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
     "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
     "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
    {"t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310",
     "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
     "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
};
constexpr const char* kCifar10Url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
constexpr const char* kCifar10Md5 = "c32a1d4ab5d03f1284b67883e8d87530";

struct CurlDeleter {
  void operator()(CURL* curl) const { libcurl().curl_easy_cleanup(curl); }
};
struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

struct Transfer {
  std::FILE* file = nullptr;
  int write_errno = 0;
  uint64_t bytes = 0;
  bool progress = false;
  std::string label;
  int last_percent = -1;
  curl_off_t last_now = -1;
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t written = std::fwrite(data, size, count, transfer->file);
  if (written != count) transfer->write_errno = errno;
  transfer->bytes += written * size;
  return written * size;
}

std::string human_bytes(curl_off_t bytes) {
  const auto value = static_cast<double>(bytes);
  if (bytes < 1000000) return fmt::format("{:.1f} kB", value / 1e3);
  return fmt::format("{:.1f} MB", value / 1e6);
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  if (!transfer->progress) return 0;
  std::string line;
  if (total > 0) {
    const int percent = static_cast<int>(100 * now / total);
    if (percent == transfer->last_percent) return 0;
    transfer->last_percent = percent;
    line = fmt::format("{} / {} {:3d}%", human_bytes(now), human_bytes(total), percent);
  } else {
    if (now - transfer->last_now < (1 << 20)) return 0;
    transfer->last_now = now;
    line = human_bytes(now);
  }
  std::fprintf(stderr, "\r  %-28s %-28s", transfer->label.c_str(), line.c_str());
  std::fflush(stderr);
  return 0;
}

std::string hand_install_advice(DatasetKind kind, const std::filesystem::path& dir) {
  if (kind == DatasetKind::FashionMnist) {
    return fmt::format(
        "To install by hand, download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from {} on a machine with "
        "network and put them in {} (or any directory given with --data-dir or "
        "$GREENTUNE_DATA_DIR). Debian's dataset-fashion-mnist package provides them too, in "
        "/usr/share/datasets/fashion-mnist, where greentune finds them without fetching.",
        kFashionMnistBase, dir.string());
  }
  return fmt::format(
      "To install by hand, download {} (MD5 {}) on a machine with network and unpack it in {} "
      "(`tar xzf cifar-10-binary.tar.gz -C {}`), so that {} exists.",
      kCifar10Url, kCifar10Md5, dir.string(), dir.string(),
      (dir / "cifar-10-batches-bin" / "data_batch_1.bin").string());
}

// A uniquely named folder inside the target directory, removed with everything in it unless
// released; the target directory too when this fetch created it and it is still empty.
class Staging {
 public:
  explicit Staging(const std::filesystem::path& target) : target_(target) {
    std::error_code error;
    created_target_ = !std::filesystem::exists(target, error);
    std::filesystem::create_directories(target, error);
    if (error) {
      throw IoError(
          fmt::format("{}: cannot create the directory: {}", target.string(), error.message()));
    }
    std::random_device random;
    path_ = target / fmt::format(".greentune-fetch-{}-{:08x}", ::getpid(), random());
    std::filesystem::create_directory(path_, error);
    if (error) {
      throw IoError(
          fmt::format("{}: cannot create a staging folder: {}", path_.string(), error.message()));
    }
  }
  ~Staging() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    if (created_target_ && !installed_ && std::filesystem::is_empty(target_, ignored)) {
      std::filesystem::remove(target_, ignored);
    }
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  const std::filesystem::path& path() const { return path_; }
  void mark_installed() { installed_ = true; }

 private:
  std::filesystem::path target_, path_;
  bool created_target_ = false;
  bool installed_ = false;
};

void rename_or_throw(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code error;
  std::filesystem::rename(from, to, error);
  if (error) {
    throw IoError(
        fmt::format("cannot move {} to {}: {}", from.string(), to.string(), error.message()));
  }
}

void verify(const FetchFile& file, const std::filesystem::path& path, DatasetKind kind,
            const std::filesystem::path& target) {
  const auto mismatch = [&](const std::string& what, const std::string& got,
                            const std::string& expected) {
    return IoError(fmt::format(
        "checksum mismatch for {}: {} is {}, expected {}; nothing was installed in {}. "
        "The download is damaged or the mirror serves another file. {}",
        file.url, what, got, expected, target.string(), hand_install_advice(kind, target)));
  };
  const std::string md5 = file.md5.empty() ? "" : file_digest(path, DigestKind::Md5);
  const std::string sha256 = file.sha256.empty() ? "" : file_digest(path, DigestKind::Sha256);
  if (md5 == file.md5 && sha256 == file.sha256) return;
  if (!file.content_sha256.empty()) {
    std::string content;
    try {
      content = gzip_content_digest(path, DigestKind::Sha256);
    } catch (const InputError&) {
      // Not a readable .gz: the mismatch of the file's own digest below says enough.
    }
    if (content == file.content_sha256) return;
  }
  if (md5 != file.md5) throw mismatch("MD5", md5, file.md5);
  throw mismatch("SHA-256", sha256, file.sha256);
}

std::string join_url(const std::string& base, const std::string& name) {
  return base.ends_with('/') ? base + name : base + "/" + name;
}

// Reads what was downloaded with the same readers training uses, so a file that passed a
// user-given checksum but is not the dataset is still refused before it is installed.
void validate_contents(DatasetKind kind, const std::filesystem::path& folder) {
  const auto found = files_in(kind, folder);
  if (!found) {
    throw InputError(fmt::format("{} does not hold the expected files", folder.string()));
  }
  if (kind == DatasetKind::FashionMnist) {
    read_idx_dataset(found->files[0], found->files[1], "fashion-mnist/train");
    read_idx_dataset(found->files[2], found->files[3], "fashion-mnist/test");
  } else {
    read_cifar10_batches({found->files.begin(), found->files.begin() + 5}, "cifar10/train");
    read_cifar10_batches({found->files[5]}, "cifar10/test");
  }
}

}  // namespace

std::filesystem::path default_fetch_directory(DatasetKind kind) {
  if (const char* env = std::getenv("GREENTUNE_DATA_DIR"); env != nullptr && *env != '\0') {
    return std::filesystem::path(env) / dataset_name(kind);
  }
  return std::filesystem::path("data") / dataset_name(kind);
}

std::vector<FetchFile> fetch_plan(DatasetKind kind, const FetchOptions& options) {
  std::vector<FetchFile> plan;
  if (kind == DatasetKind::FashionMnist) {
    const std::string base = options.url.empty() ? kFashionMnistBase : options.url;
    for (const auto& known : kFashionMnist) {
      plan.push_back(
          {known.name, join_url(base, known.name), known.md5, known.content_sha256, known.sha256});
    }
  } else {
    plan.push_back({"cifar-10-binary.tar.gz", options.url.empty() ? kCifar10Url : options.url,
                    kCifar10Md5, "", ""});
  }
  if (!options.url.empty() && !options.url.starts_with("http://") &&
      !options.url.starts_with("https://") && !options.url.starts_with("file://")) {
    throw InputError(
        fmt::format("--url {}: expected an http://, https:// or file:// URL", options.url));
  }
  if (!options.sha256.empty()) {
    if (options.sha256.size() != plan.size()) {
      throw InputError(fmt::format(
          "--sha256 given {} time(s): {} needs {} (one per file, in the order {})",
          options.sha256.size(), dataset_name(kind), plan.size(),
          kind == DatasetKind::FashionMnist ? "train-images, train-labels, t10k-images, t10k-labels"
                                            : "cifar-10-binary.tar.gz"));
    }
    for (size_t i = 0; i < plan.size(); ++i) {
      std::string hash = options.sha256[i];
      if (!is_hex_digest(hash, DigestKind::Sha256)) {
        throw InputError(fmt::format("--sha256 {}: expected 64 hexadecimal digits", hash));
      }
      for (char& c : hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      plan[i].sha256 = hash;
      plan[i].md5.clear();
      plan[i].content_sha256.clear();
    }
  }
  return plan;
}

uint64_t download_file(const std::string& url, const std::filesystem::path& to,
                       const FetchOptions& options, const std::string& label) {
  const LibCurl& lib = libcurl();
  std::unique_ptr<CURL, CurlDeleter> curl(lib.curl_easy_init());
  if (!curl) throw Error("libcurl could not start a transfer");
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(to.c_str(), "wb"));
  if (!file) {
    throw IoError(fmt::format("{}: cannot write: {}", to.string(), std::strerror(errno)));
  }
  Transfer transfer;
  transfer.file = file.get();
  transfer.progress = options.progress;
  transfer.label = label;
  char detail[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  lib.curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
  lib.curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  lib.curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  lib.curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  lib.curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  lib.curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
  lib.curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  lib.curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_seconds);
  lib.curl_easy_setopt(c, CURLOPT_USERAGENT, "greentune/" GREENTUNE_VERSION);
  lib.curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  lib.curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  lib.curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  lib.curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  lib.curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  lib.curl_easy_setopt(c, CURLOPT_NOPROGRESS, options.progress ? 0L : 1L);
  const CURLcode result = lib.curl_easy_perform(c);
  if (options.progress) std::fputc('\n', stderr);
  if (result != CURLE_OK) {
    long status = 0;
    lib.curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    std::string reason;
    if (result == CURLE_HTTP_RETURNED_ERROR) {
      reason = fmt::format("the server answered HTTP {}", status);
    } else if (result == CURLE_WRITE_ERROR && transfer.write_errno != 0) {
      reason = fmt::format("cannot write {}: {}", to.string(), std::strerror(transfer.write_errno));
    } else {
      reason = detail[0] != '\0' ? std::string(detail) : lib.curl_easy_strerror(result);
    }
    throw IoError(fmt::format("cannot download {}: {}", url, reason));
  }
  if (std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0) {
    throw IoError(fmt::format("{}: cannot write: {}", to.string(), std::strerror(errno)));
  }
  return transfer.bytes;
}

FetchResult fetch_dataset(DatasetKind kind, const FetchOptions& options) {
  const auto plan = fetch_plan(kind, options);
  FetchResult result;
  const std::filesystem::path target =
      options.dir.empty() ? default_fetch_directory(kind) : options.dir;
  const std::filesystem::path installed =
      kind == DatasetKind::FashionMnist ? target : target / "cifar-10-batches-bin";
  result.directory = installed;
  if (!options.force && files_in(kind, installed)) {
    result.already_present = true;
    return result;
  }

  Staging staging(target);
  for (const auto& file : plan) {
    const auto path = staging.path() / file.name;
    try {
      result.bytes_downloaded += download_file(file.url, path, options, file.name);
    } catch (const IoError& e) {
      throw IoError(fmt::format("{}. {}", e.what(), hand_install_advice(kind, target)));
    }
    verify(file, path, kind, target);
  }

  std::filesystem::path unpacked = staging.path();
  try {
    if (kind == DatasetKind::Cifar10) {
      extract_archive(staging.path() / plan[0].name, staging.path() / "unpacked");
      unpacked = staging.path() / "unpacked" / "cifar-10-batches-bin";
    }
    validate_contents(kind, unpacked);
  } catch (const InputError& e) {
    throw IoError(
        fmt::format("the download from {} is not valid {}: {}; nothing was installed "
                    "in {}",
                    plan[0].url, dataset_name(kind), e.what(), target.string()));
  }

  if (kind == DatasetKind::FashionMnist) {
    for (const auto& file : plan) rename_or_throw(staging.path() / file.name, target / file.name);
  } else {
    // A folder cannot be renamed over a non-empty one: move an old copy aside into the staging
    // folder (removed with it) first.
    std::error_code error;
    if (std::filesystem::exists(installed, error)) {
      rename_or_throw(installed, staging.path() / "previous");
    }
    rename_or_throw(unpacked, installed);
  }
  staging.mark_installed();
  return result;
}

}  // namespace greentune::data
