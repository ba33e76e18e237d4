#pragma once
// The short OpenMP spin greentune gives training processes, set in one place.

namespace greentune {

// libgomp spins ~300,000 iterations at every barrier before it sleeps; on a machine whose cores
// are shared that spinning steals the time the other thread needs. Measured on 2 CPUs (see
// nn/runtime.cpp): 300 spins beat both the default and 10,000.
inline constexpr const char* kShortOpenmpSpinCount = "300";

// Sets GOMP_SPINCOUNT to kShortOpenmpSpinCount for this process and its children, unless the user
// already chose the spin (GOMP_SPINCOUNT) or the wait policy (OMP_WAIT_POLICY). libgomp reads it
// only when it is loaded, so it must be set before that (or before an exec). Returns whether it
// set it.
bool set_short_openmp_spin();

}  // namespace greentune
