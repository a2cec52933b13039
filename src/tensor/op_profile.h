#pragma once

// Wall time per tensor op, for finding where a model's time goes:
// FOLEY_PROFILE_OPS=1 sums each op's time over the process and prints a table
// to stderr at exit (op, calls, total ms, ms per call, share);
// FOLEY_PROFILE_OPS=shapes keys the rows by op and input shapes as well.
// Only the outermost op of a thread is timed (an op that calls others counts
// once). Off by default: then an OpTimer is one branch on a cached flag.

#include <chrono>
#include <initializer_list>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace foley::tensor {

enum class OpProfile { kOff, kOps, kShapes };

// From now on (the environment is read at the first op otherwise).
void set_op_profile(OpProfile mode);
// The mode a FOLEY_PROFILE_OPS value names: unset, empty or "0" off, "1" per op, "shapes" per op and shapes;
// anything else throws foley::Error naming the variable and the accepted values.
OpProfile op_profile_from(const char* value);
// What was timed so far: one row per op (per op and shapes), and the table printed at exit.
struct OpProfileRow {
  std::string key;
  long calls;
  double ms;
};
std::vector<OpProfileRow> op_profile_rows();
std::string op_profile_report();
// Empties the rows.
void clear_op_profile();

// Times the op it is made in, to its end of scope.
class OpTimer {
 public:
  OpTimer(const char* op, std::initializer_list<const Tensor*> inputs);
  ~OpTimer();
  OpTimer(const OpTimer&) = delete;
  OpTimer& operator=(const OpTimer&) = delete;

 private:
  bool timing_ = false;
  std::string key_;  // the op, and its input shapes with FOLEY_PROFILE_OPS=shapes
  std::chrono::steady_clock::time_point start_;
};

}  // namespace foley::tensor
