// oneDNN's C API (Debian libdnnl-dev 2.6), exposed to Swift as the module CDNNL, and the
// calls of the OpenMP runtime that Debian's oneDNN runs on (libgomp) Strata makes: its
// own parallel loops run on the same threads as oneDNN's (one pool, not two).
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

/// The threads of the calling thread's next parallel regions (OpenMP's omp.h).
void omp_set_num_threads(int count);
/// The calling thread's number in its team, and the team's size (omp.h).
int omp_get_thread_num(void);
int omp_get_num_threads(void);
/// libgomp's entry for `#pragma omp parallel num_threads(n)`: runs `fn(data)` on a team of
/// up to `num_threads` threads, the calling one included, and returns when all are done.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned int flags);
