// Open MPI through functions Swift can call: MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM)
// are macros over the addresses of library globals, which Swift does not import.
// Debian's libopenmpi-dev links /usr/include/<triplet>/mpi to Open MPI's headers: found without pkg-config
#include <mpi/mpi.h>
#include <stdlib.h>

static void strata_mpi_finalize_at_exit(void) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (initialized && !finalized) MPI_Finalize();
}

/// MPI_Init_thread (calls from one thread at a time), finalised when the process exits.
static inline int strata_mpi_init(void) {
    int initialized = 0, provided = 0;
    MPI_Initialized(&initialized);
    if (initialized) return MPI_SUCCESS;
    int status = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    if (status == MPI_SUCCESS) atexit(strata_mpi_finalize_at_exit);
    return status;
}

static inline int strata_mpi_rank(void) { int rank = 0; MPI_Comm_rank(MPI_COMM_WORLD, &rank); return rank; }
static inline int strata_mpi_size(void) { int size = 1; MPI_Comm_size(MPI_COMM_WORLD, &size); return size; }

static inline int strata_mpi_allreduce_sum_float(float *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

/// A communicator over the same processes as MPI_COMM_WORLD whose collectives are ordered
/// apart from the world's (collective: every rank calls it at the same point).
static inline int strata_mpi_world_duplicate(MPI_Comm *copy) { return MPI_Comm_dup(MPI_COMM_WORLD, copy); }

/// Starts an in-place sum over every rank of `communicator`; `request` completes it
/// (strata_mpi_test, strata_mpi_wait).
static inline int strata_mpi_iallreduce_sum_float(float *values, int count, MPI_Comm communicator, MPI_Request *request) {
    return MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, communicator, request);
}

/// Progresses `request`; `done` becomes 1 once it has completed.
static inline int strata_mpi_test(MPI_Request *request, int *done) { return MPI_Test(request, done, MPI_STATUS_IGNORE); }

static inline int strata_mpi_wait(MPI_Request *request) { return MPI_Wait(request, MPI_STATUS_IGNORE); }

static inline int strata_mpi_allreduce_sum_double(double *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

static inline int strata_mpi_broadcast_float(float *values, int count, int root) {
    return MPI_Bcast(values, count, MPI_FLOAT, root, MPI_COMM_WORLD);
}

static inline int strata_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

static inline void strata_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
