/// What gradient averaging needs of a job: how many ranks there are and sums over them that
/// run while the caller goes on (`Communicator` through MPI).
protocol RankSumming: AnyObject {
    var size: Int { get }
    func startSum(_ values: UnsafeMutablePointer<Float>, count: Int) throws(StrataError) -> any PendingSum
}

extension Communicator: RankSumming {}

/// DistributedDataParallel's gradient synchronisation: after each backward pass every
/// trainable parameter's gradient is its mean over the ranks, so every rank takes the same
/// optimizer step. Gradients travel in buckets of about `bucketBytes` (25 MB, DDP's
/// default), filled from the last registered parameter to the first (the order backward
/// completes them). A bucket's allreduce starts as soon as backward has completed all its
/// gradients — while backward goes on with earlier layers — and buckets start in their fixed
/// order on every rank (a bucket ready early waits for the ones before it). A parameter that
/// no gradient reached on this rank contributes zeros.
///
/// Per step: `beginStep()`, then one `loss.backward(gradientFinal: buckets.gradientFinal)`,
/// then `finishStep()`, which starts what is left, waits and writes the means. (A bucket
/// copies its gradients when it starts: accumulating several backward passes into one step
/// means running them before the last one reports.) The sums run on a communicator of their
/// own, so their order never interleaves with other collectives — `--sync-bn`'s inside
/// backward, or a rank whose backward left a parameter out and starts its bucket only at the
/// end. A sum in flight is always waited for before its buffer is let go, errors included.
public final class GradientBuckets {
    private let parameters: [Tensor]
    private let buckets: [Range<Int>]
    private let bucketOfParameter: [ObjectIdentifier: Int]
    private let ranks: any RankSumming

    /// Per step: gradients each bucket still waits for, the buckets started so far (always
    /// a prefix), their buffers and sums in flight, and the first error of a start.
    private var missing: [Int] = []
    private var started = 0
    private var inFlight: [(buffer: Tensor, sum: any PendingSum)] = []
    private var failure: StrataError?

    /// Buckets for `parameters` (in registration order, as `Module.trainableParameters()`)
    /// averaged over `communicator`'s ranks.
    public convenience init(parameters: [Tensor], communicator: Communicator, bucketBytes: Int = 25 << 20) {
        self.init(parameters: parameters, ranks: communicator, bucketBytes: bucketBytes)
    }

    init(parameters: [Tensor], ranks: any RankSumming, bucketBytes: Int = 25 << 20) {
        self.parameters = parameters.reversed()
        self.ranks = ranks
        var buckets: [Range<Int>] = [], start = 0, bytes = 0
        for (index, parameter) in self.parameters.enumerated() {
            bytes += parameter.count * 4
            if bytes >= bucketBytes || index == self.parameters.count - 1 {
                buckets.append(start..<(index + 1))
                (start, bytes) = (index + 1, 0)
            }
        }
        self.buckets = buckets
        var bucketOfParameter: [ObjectIdentifier: Int] = [:]
        for (bucket, range) in buckets.enumerated() {
            for parameter in self.parameters[range] { bucketOfParameter[ObjectIdentifier(parameter)] = bucket }
        }
        self.bucketOfParameter = bucketOfParameter
    }

    /// How many buckets the parameters fill.
    public var bucketCount: Int { buckets.count }

    deinit { drain() }

    /// Readies the buckets for the next backward pass.
    public func beginStep() {
        drain()
        missing = buckets.map(\.count)
        started = 0
        inFlight = []
        failure = nil
    }

    /// Backward's report that `leaf`'s gradient is complete: starts every bucket now ready
    /// whose predecessors have started, and lets the sums in flight progress.
    public func gradientFinal(_ leaf: Tensor) {
        if let bucket = bucketOfParameter[ObjectIdentifier(leaf)], missing.indices.contains(bucket), missing[bucket] > 0 {
            missing[bucket] -= 1
            while started < buckets.count, missing[started] == 0 { start(started) }
        }
        for (_, sum) in inFlight where failure == nil {
            do { _ = try sum.isComplete() } catch { failure = error }
        }
    }

    /// Starts the buckets backward did not complete (gradients no operation reached), waits
    /// for every sum, and makes each parameter's gradient a view of its bucket's mean.
    public func finishStep() throws(StrataError) {
        guard !missing.isEmpty else {
            throw .invalidArgument(op: "GradientBuckets", message: "finishStep() without beginStep() before the backward pass")
        }
        while started < buckets.count { start(started) }
        if let failure {
            drain()
            throw failure
        }
        let scale = 1 / Float(ranks.size)
        for (bucket, (buffer, sum)) in inFlight.enumerated() {
            do throws(StrataError) { try sum.wait() } catch {
                drain()
                throw error
            }
            let mean = Kernels.scale(buffer, scale)
            var offset = 0
            for parameter in parameters[buckets[bucket]] {
                parameter.grad = Tensor(storage: mean.storage, shape: parameter.shape, strides: Shape.contiguousStrides(parameter.shape),
                                        offset: mean.offset + offset, dtype: .float32)
                offset += parameter.count
            }
        }
        inFlight = []
        missing = []
    }

    /// Waits for every sum in flight (MPI cannot cancel a collective, and writes into the
    /// buffers until it completes), then lets them go.
    private func drain() {
        for (_, sum) in inFlight { try? sum.wait() }
        inFlight = []
    }

    /// Copies bucket `index`'s gradients (zeros for none) into one buffer and starts its sum.
    private func start(_ index: Int) {
        started = index + 1
        let members = parameters[buckets[index]]
        let buffer = Tensor(zerosShape: [members.reduce(0) { $0 + $1.count }])
        do {
            let sum = try buffer.withMutableFloats { pointer throws(StrataError) -> any PendingSum in
                var offset = 0
                for parameter in members {
                    parameter.grad?.withDenseFloats { (pointer + offset).update(from: $0, count: parameter.count) }
                    offset += parameter.count
                }
                return try ranks.startSum(pointer, count: buffer.count)
            }
            inFlight.append((buffer, sum))
        } catch {
            if failure == nil { failure = error }
        }
    }
}
