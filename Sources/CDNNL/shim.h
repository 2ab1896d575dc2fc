// oneDNN's C API (Debian libdnnl-dev 2.6), exposed to Swift as the module CDNNL, and the
// one call of the OpenMP runtime that Debian's oneDNN runs on (libgomp) Strata makes.
#include <oneapi/dnnl/dnnl.h>

/// The threads of the calling thread's next parallel regions (OpenMP's omp.h).
void omp_set_num_threads(int count);
