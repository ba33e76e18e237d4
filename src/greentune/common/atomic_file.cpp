#include "greentune/common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "greentune/common/error.hpp"

namespace greentune {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

// How many links a chain may have before it is called a loop (Linux's own limit is 40).
constexpr int kMaxLinks = 40;

// The descriptor that /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N stand for; -1 for
// any other path. Following these as links would lead to "pipe:[...]" or to the file a shell
// opened, which must be written through the descriptor, not replaced.
int stream_descriptor(const std::filesystem::path& path) {
  const std::string text = path.lexically_normal().string();
  if (text == "/dev/stdout") return 1;
  if (text == "/dev/stderr") return 2;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (text.rfind(prefix, 0) != 0) continue;
    const std::string_view digits = std::string_view(text).substr(prefix.size());
    int fd = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), fd);
    if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty()) return fd;
  }
  return -1;
}

// Where a path finally leads, following symbolic links one by one.
struct Destination {
  std::filesystem::path file;  // the end of the chain (the path itself when it is no link)
  int stream_fd = -1;          // >= 0: a standard stream or open descriptor named by path
  bool exists = false;
  struct stat status {};
  bool via_link = false;
};

Destination resolve(const std::filesystem::path& path) {
  if (path.empty()) throw IoError("empty file name: expected the path of a result file");
  Destination d;
  d.file = path;
  for (int hop = 0; hop <= kMaxLinks; ++hop) {
    d.stream_fd = stream_descriptor(d.file);
    if (d.stream_fd >= 0) return d;
    if (::lstat(d.file.c_str(), &d.status) != 0) {
      const int error = errno;
      if (error == ENOENT) return d;  // not there yet (or its folder is not: checked later)
      throw IoError("cannot inspect " + d.file.string() + ": " + errno_text(error));
    }
    if (!S_ISLNK(d.status.st_mode)) {
      d.exists = true;
      return d;
    }
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::read_symlink(d.file, ec);
    if (ec) throw IoError("cannot read the link " + d.file.string() + ": " + ec.message());
    d.file = target.is_absolute() ? target : d.file.parent_path() / target;
    d.via_link = true;
  }
  throw IoError(path.string() + ": more than " + std::to_string(kMaxLinks) +
                " symbolic links in a row (a loop?)");
}

// "out.json" or "out.json (a link to /data/out.json)", for messages.
std::string shown(const std::filesystem::path& path, const Destination& d) {
  return d.via_link ? path.string() + " (a link to " + d.file.string() + ")" : path.string();
}

void check(const std::filesystem::path& path, const Destination& d, MissingFolder folder) {
  if (d.stream_fd >= 0) {
    if (::fcntl(d.stream_fd, F_GETFD) < 0) {
      throw IoError("cannot write " + path.string() + ": descriptor " +
                    std::to_string(d.stream_fd) + " is not open");
    }
    return;
  }
  if (d.exists) {
    if (S_ISDIR(d.status.st_mode)) {
      throw IoError("cannot write " + shown(path, d) + ": it is a folder; expected a file name");
    }
    if (S_ISBLK(d.status.st_mode)) {
      throw IoError("cannot write " + shown(path, d) +
                    ": it is a block device; result files never go onto a raw disk");
    }
    return;
  }
  const std::filesystem::path parent = d.file.has_parent_path() ? d.file.parent_path() : ".";
  struct stat status {};
  if (::stat(parent.c_str(), &status) == 0) {
    if (S_ISDIR(status.st_mode)) return;
    throw IoError("cannot write " + shown(path, d) + ": " + parent.string() + " is not a folder");
  }
  if (folder == MissingFolder::create) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw IoError("cannot create the folder " + parent.string() + ": " + ec.message());
    return;
  }
  throw InputError("cannot write " + shown(path, d) + ": the folder " + parent.string() +
                   " does not exist (greentune does not create folders for result files; create "
                   "it first)");
}

void write_all(int fd, std::string_view content, const std::string& what) {
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write " + what + ": " + errno_text(errno));
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
}

std::string random_suffix() {
  static thread_local std::mt19937 generator{std::random_device{}()};
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
  std::string suffix;
  for (int i = 0; i < 6; ++i) suffix += kAlphabet[pick(generator)];
  return suffix;
}

// Closes the descriptor and removes the named temporary file unless released.
class Temporary {
 public:
  ~Temporary() {
    if (fd >= 0) ::close(fd);
    if (!name.empty()) ::unlink(name.c_str());
  }
  int fd = -1;
  std::string name;  // "" while the file has no name (O_TMPFILE)
};

// Gives an O_TMPFILE file a name beside `file`; false when this system cannot (no /proc).
bool name_anonymous(Temporary& temp, const std::filesystem::path& file) {
  const std::string proc = "/proc/self/fd/" + std::to_string(temp.fd);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = file.string() + ".tmp-" + random_suffix();
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      temp.name = std::move(name);
      return true;
    }
    if (errno != EEXIST) return false;
  }
  return false;
}

void replace_regular(const std::filesystem::path& file, std::string_view content,
                     std::optional<mode_t> keep_mode, const std::string& what) {
  const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : ".";
  const mode_t mode = keep_mode.value_or(0644);
  for (bool anonymous : {true, false}) {
    Temporary temp;
    if (anonymous) {
      temp.fd = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
      if (temp.fd < 0) continue;  // a file system without O_TMPFILE: a named file instead
    } else {
      std::string name = file.string() + ".tmp-XXXXXX";
      temp.fd = ::mkostemp(name.data(), O_CLOEXEC);
      if (temp.fd < 0) {
        throw IoError("cannot create a temporary file beside " + what + ": " + errno_text(errno));
      }
      temp.name = std::move(name);
      // mkstemp makes 0600; a new result file is shared like any file the user writes.
      if (!keep_mode) ::fchmod(temp.fd, mode);
    }
    write_all(temp.fd, content, what);
    if (keep_mode) ::fchmod(temp.fd, *keep_mode);
    if (::fsync(temp.fd) != 0) throw IoError("cannot flush " + what + ": " + errno_text(errno));
    // An O_TMPFILE file gets its name only now, just before the rename: a process killed while
    // writing leaves nothing behind.
    if (anonymous && !name_anonymous(temp, file)) continue;
    const int fd = temp.fd;
    temp.fd = -1;
    if (::close(fd) != 0) throw IoError("cannot flush " + what + ": " + errno_text(errno));
    if (::rename(temp.name.c_str(), file.c_str()) != 0) {
      throw IoError("cannot move the new " + what + " into place: " + errno_text(errno));
    }
    temp.name.clear();  // it is the file now
    return;
  }
}

void write_through(const Destination& d, std::string_view content, const std::string& what) {
  if (d.stream_fd >= 0) {
    write_all(d.stream_fd, content, what);
    return;
  }
  // No O_CREAT, no O_TRUNC: the node exists and is not a plain file; it is written, not remade.
  // Opening a FIFO waits for its reader; a signal the caller handles must not end that wait.
  int fd = -1;
  do {
    fd = ::open(d.file.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) throw IoError("cannot open " + what + ": " + errno_text(errno));
  try {
    write_all(fd, content, what);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw IoError("cannot write " + what + ": " + errno_text(errno));
}

}  // namespace

void check_result_path(const std::filesystem::path& path, MissingFolder folder) {
  check(path, resolve(path), folder);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           MissingFolder folder) {
  const Destination d = resolve(path);
  check(path, d, folder);
  const std::string what = shown(path, d);
  if (d.stream_fd >= 0 || (d.exists && !S_ISREG(d.status.st_mode))) {
    write_through(d, content, what);
    return;
  }
  std::optional<mode_t> keep_mode;
  if (d.exists) keep_mode = d.status.st_mode & 07777;
  replace_regular(d.file, content, keep_mode, what);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path.string() + ": " + errno_text(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw IoError("cannot read " + path.string());
  return buffer.str();
}

}  // namespace greentune
