#pragma once
// One exception family for the whole library. Messages name the input (file, field, value) and
// what was expected, so the CLI can print them as they are.
#include <stdexcept>
#include <string>

namespace greentune {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad user input: configs, command-line values, data files, database contents.
// The CLI exits with 2 for these, so scripts can tell "fix your input" from "something broke".
class InputError : public Error {
 public:
  using Error::Error;
};

// A file or device that could not be read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

// The study store refused or failed an operation.
class StoreError : public Error {
 public:
  using Error::Error;
};

}  // namespace greentune
