#pragma once
// Result files (--json, --csv, samples, reports): written whole or not at all, and never by
// replacing something that is not a plain file.
#include <filesystem>
#include <string>
#include <string_view>

namespace greentune {

// What to do when the folder a result file goes in does not exist.
enum class MissingFolder {
  refuse,  // InputError naming the file and the folder: a typo must not scatter folders around
  create,  // make it and its parents: for a folder the user named as the output (report --out)
};

// Writes `content` to `path`, by what `path` is:
// - a regular file, or nothing yet: the content goes to an unnamed temporary file in the same
//   folder (O_TMPFILE), is flushed to disk, named "<path>.tmp-XXXXXX" and renamed over `path`, so
//   readers see the old file or the whole new one, and an interruption before the rename leaves no
//   temporary file (where the file system lacks O_TMPFILE, a named one is made and removed on every
//   error). A file that existed keeps its permission bits; a new one gets 0644 (less the umask
//   with O_TMPFILE).
// - a symbolic link, or a chain of them: the links stay links; the file at the end of the chain
//   is written as above (the target of a dangling link is created, as a shell redirect would).
// - /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N: written to that open descriptor, like
//   a shell redirect, so a file the shell opened for it keeps its place and offset.
// - a character device, FIFO or socket (/dev/null, a named pipe): opened and written through;
//   never replaced, never truncated. A folder or a block device is refused.
// Throws InputError when the folder does not exist and `folder` is refuse; IoError naming the
// path for every other failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           MissingFolder folder = MissingFolder::refuse);

// The checks write_file_atomically makes before it writes (the folder exists, the path is not a
// folder or a block device, a descriptor is open), without writing anything: a command checks its
// output paths before it runs for hours.
void check_result_path(const std::filesystem::path& path,
                       MissingFolder folder = MissingFolder::refuse);

// Reads a whole file; throws IoError naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace greentune
