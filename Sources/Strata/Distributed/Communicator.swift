import CMPI
import Foundation

/// The processes of one data-parallel job, talking through MPI (Open MPI's `mpirun`, one
/// process per rank). Collective calls must be made by every rank in the same order; MPI's
/// default error handler ends the whole job when a rank fails or is killed.
public final class Communicator: @unchecked Sendable {
    /// This process's place in the job, 0-based; rank 0 reports and writes files.
    public let rank: Int
    /// Number of processes in the job.
    public let size: Int
    public var isRoot: Bool { rank == 0 }
    /// The same processes with a collective order of their own, for `startSum`.
    private let background: MPI_Comm?

    private init(rank: Int, size: Int, background: MPI_Comm?) {
        self.rank = rank
        self.size = size
        self.background = background
    }

    /// The job this process is part of when a launcher started it (`mpirun`, which sets
    /// `OMPI_COMM_WORLD_SIZE`, or another PMIx/PMI launcher), initialising MPI on first use;
    /// `nil` for a process started on its own.
    public static let world: Communicator? = {
        let environment = ProcessInfo.processInfo.environment
        guard ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"].contains(where: { environment[$0] != nil }),
              strata_mpi_init() == MPI_SUCCESS else { return nil }
        var background: MPI_Comm?
        guard strata_mpi_world_duplicate(&background) == MPI_SUCCESS else { return nil }
        return Communicator(rank: Int(strata_mpi_rank()), size: Int(strata_mpi_size()), background: background)
    }()

    /// The job when it has more than one process: what training shards its work across.
    public static var dataParallel: Communicator? { world.flatMap { $0.size > 1 ? $0 : nil } }

    /// Largest count one MPI call takes (its counts are 32-bit).
    private static let callLimit = Int(Int32.max)

    private func check(_ status: Int32, _ op: String) throws(StrataError) {
        guard status == MPI_SUCCESS else {
            throw .backendFailure(op: op, message: "MPI error \(status) on rank \(rank) of \(size)")
        }
    }

    /// Replaces `count` floats at `values` with their sum over every rank.
    public func sum(_ values: UnsafeMutablePointer<Float>, count: Int) throws(StrataError) {
        for start in stride(from: 0, to: count, by: Self.callLimit) {
            try check(strata_mpi_allreduce_sum_float(values + start, Int32(Swift.min(Self.callLimit, count - start))), "allreduce")
        }
    }

    /// Starts replacing `count` floats at `values` with their sum over every rank and returns
    /// at once; the memory must stay allocated and untouched until the returned sum completes.
    /// Every rank must start its sums in the same order; they travel on a duplicate of the
    /// world communicator, so that order is independent of the blocking collectives'.
    public func startSum(_ values: UnsafeMutablePointer<Float>, count: Int) throws(StrataError) -> any PendingSum {
        let sum = MPIPendingSum(communicator: self)
        for start in stride(from: 0, to: count, by: Self.callLimit) {
            var request: MPI_Request?
            try check(strata_mpi_iallreduce_sum_float(values + start, Int32(Swift.min(Self.callLimit, count - start)), background, &request),
                      "allreduce")
            sum.requests.append(request)
        }
        return sum
    }

    fileprivate func checked(_ status: Int32, _ op: String) throws(StrataError) { try check(status, op) }

    /// The element-wise sums of `values` over every rank.
    public func sum(_ values: [Double]) throws(StrataError) -> [Double] {
        var result = values
        let status = result.withUnsafeMutableBufferPointer { strata_mpi_allreduce_sum_double($0.baseAddress, Int32($0.count)) }
        try check(status, "allreduce")
        return result
    }

    /// Overwrites `tensor` (contiguous float32) on every rank with its values on `root`.
    public func broadcast(_ tensor: Tensor, from root: Int = 0) throws(StrataError) {
        guard tensor.dtype == .float32, tensor.isContiguous else {
            throw .invalidArgument(op: "broadcast", message: "needs a contiguous float32 tensor, got \(tensor.dtype) \(ShapeNotation.describe(tensor.shape))")
        }
        try tensor.withMutableFloats { pointer throws(StrataError) in
            for start in stride(from: 0, to: tensor.count, by: Self.callLimit) {
                try check(strata_mpi_broadcast_float(pointer + start, Int32(Swift.min(Self.callLimit, tensor.count - start)), Int32(root)), "broadcast")
            }
        }
    }

    /// Waits until every rank has called it.
    public func barrier() throws(StrataError) { try check(strata_mpi_barrier(), "barrier") }

    /// Ends every process of the job with `code` (a rank that cannot go on must not leave
    /// the others waiting in a collective call).
    public func abort(code: Int32) -> Never {
        strata_mpi_abort(code)
        exit(code)
    }
}

/// A sum over ranks in flight.
public protocol PendingSum: AnyObject {
    /// Lets the sum progress without blocking; whether it has completed.
    func isComplete() throws(StrataError) -> Bool
    /// Blocks until the sum has completed.
    func wait() throws(StrataError)
}

/// MPI's nonblocking allreduce requests (one per 2³¹ − 1 floats). Open MPI moves a
/// nonblocking collective forward only inside MPI calls, so its owner tests it as it goes.
private final class MPIPendingSum: PendingSum {
    let communicator: Communicator
    var requests: [MPI_Request?] = []

    init(communicator: Communicator) { self.communicator = communicator }

    func isComplete() throws(StrataError) -> Bool {
        for index in requests.indices {
            var done: Int32 = 0
            try communicator.checked(strata_mpi_test(&requests[index], &done), "allreduce")
            if done == 0 { return false }
        }
        return true
    }

    func wait() throws(StrataError) {
        for index in requests.indices { try communicator.checked(strata_mpi_wait(&requests[index]), "allreduce") }
    }
}
