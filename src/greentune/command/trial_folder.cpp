#include "greentune/command/trial_folder.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "greentune/common/error.hpp"

namespace greentune::command {

std::string folder_name_for(const std::string& study) {
  std::string out;
  for (unsigned char c : study) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    out += plain ? static_cast<char>(c) : '_';
  }
  if (out.size() > 120) out.resize(120);
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

namespace {

// mkdir that accepts an existing real folder but never a symbolic link in its place.
void ensure_folder(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0777) == 0) return;
  const int error = errno;
  struct stat st {};
  if (error == EEXIST && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return;
  throw IoError(fmt::format(
      "cannot create the trial folder {}: {}", path.string(),
      error == EEXIST ? "it exists and is not a folder (or is a link)" : std::strerror(error)));
}

}  // namespace

std::filesystem::path make_trial_folder(const std::filesystem::path& trials_dir,
                                        const std::string& study, int number) {
  std::error_code ec;
  std::filesystem::create_directories(trials_dir, ec);
  if (ec) {
    throw IoError(
        fmt::format("cannot create the trials folder {}: {}", trials_dir.string(), ec.message()));
  }
  const auto study_dir = trials_dir / folder_name_for(study);
  ensure_folder(study_dir);
  for (int attempt = 1; attempt < 1000; ++attempt) {
    auto path =
        study_dir / (attempt == 1 ? std::to_string(number) : fmt::format("{}.{}", number, attempt));
    if (::mkdir(path.c_str(), 0777) == 0) return path;
    if (errno != EEXIST) {
      throw IoError(fmt::format("cannot create the trial folder {}: {}", path.string(),
                                std::strerror(errno)));
    }
  }
  throw IoError(fmt::format("cannot create a folder for trial {} in {}: 999 are taken", number,
                            study_dir.string()));
}

std::string valid_utf8(std::string_view text) {
  // nlohmann's serializer already knows UTF-8: let it replace what is not, then read it back.
  const auto quoted = nlohmann::json(std::string(text))
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

}  // namespace greentune::command
