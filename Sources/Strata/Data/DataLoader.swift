import Dispatch

/// Batches of a dataset for one epoch: seeded shuffling, batch size, dropping the last
/// short batch. The order of epoch `e` depends only on the seed and `e`, so a resumed run
/// sees the same batches as an uninterrupted one.
///
/// With a `shard` (data-parallel training) each process reads its share of that order as
/// PyTorch's `DistributedSampler` deals it: the order is padded with its own first indices to a
/// multiple of the shard count, and shard `r` of `n` takes positions `r, r+n, r+2n, …` — equal
/// sizes on every process, so batch `b` of all shards together is batch `b` of one process
/// with `n` times the batch size when that size divides the data.
public struct DataLoader: Sendable {
    public let dataset: any Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    /// This process's part of each epoch: `(index, count)`; `nil` reads all of it.
    public var shard: (index: Int, count: Int)?
    /// Whether shards are padded to equal sizes (training, where every rank must take as many
    /// steps); without, as for evaluation, every sample is read exactly once and shards differ
    /// by at most one sample.
    public var padsShards = true

    /// - Throws: `StrataError.invalidArgument` when `batchSize < 1`.
    public init(_ dataset: any Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                seed: UInt64 = 0) throws(StrataError) {
        guard batchSize >= 1 else {
            throw .invalidArgument(op: "DataLoader", message: "batch size must be ≥ 1, got \(batchSize)")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
    }

    /// Samples this process reads per epoch (its shard's, padded, with a shard).
    public var sampleCount: Int {
        guard let shard else { return dataset.count }
        if !padsShards { return (dataset.count - shard.index + shard.count - 1) / shard.count }
        return (dataset.count + shard.count - 1) / shard.count
    }

    /// Number of batches per epoch.
    public var batchCount: Int {
        dropLast ? sampleCount / batchSize : (sampleCount + batchSize - 1) / batchSize
    }

    /// The sample indices of each batch of epoch `epoch` (Fisher–Yates with a generator
    /// seeded by `seed` and the epoch).
    public func batchIndices(epoch: Int) -> [[Int]] {
        var order = Array(0..<dataset.count)
        if shuffle {
            var generator = RandomGenerator(seed: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1))
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, generator.nextInt(below: i + 1))
            }
        }
        if let shard, !order.isEmpty {
            let padded = padsShards ? sampleCount * shard.count : order.count
            order += (0..<(padded - order.count)).map { order[$0 % order.count] }
            order = Array(stride(from: shard.index, to: padded, by: shard.count).map { order[$0] })
        }
        return (0..<batchCount).map { Array(order[($0 * batchSize)..<Swift.min(($0 + 1) * batchSize, order.count)]) }
    }

    /// The batches of an epoch, assembled while the previous one is in use.
    public func batches(epoch: Int) -> PrefetchingBatches {
        PrefetchingBatches(dataset: dataset, indices: batchIndices(epoch: epoch), epoch: epoch)
    }
}

/// Batches assembled one ahead on a background thread, so the model rarely waits for data.
public struct PrefetchingBatches: Sequence {
    let dataset: any Dataset
    let indices: [[Int]]
    let epoch: Int

    public func makeIterator() -> Iterator { Iterator(dataset: dataset, indices: indices, epoch: epoch) }

    public final class Iterator: IteratorProtocol {
        private let dataset: any Dataset
        private let indices: [[Int]]
        private let epoch: Int
        private var position = 0
        private var pending: PendingBatch?

        init(dataset: any Dataset, indices: [[Int]], epoch: Int) {
            self.dataset = dataset
            self.indices = indices
            self.epoch = epoch
            pending = indices.isEmpty ? nil : PendingBatch(dataset, indices[0], epoch: epoch)
        }

        /// The next batch, or `nil` after the last; a dataset error ends the epoch and is
        /// reported by `error`.
        public func next() -> Result<(inputs: Tensor, targets: Tensor), StrataError>? {
            guard let current = pending else { return nil }
            position += 1
            pending = position < indices.count ? PendingBatch(dataset, indices[position], epoch: epoch) : nil
            return current.wait()
        }
    }
}

/// One batch being assembled on a background thread.
final class PendingBatch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<(inputs: Tensor, targets: Tensor), StrataError>?

    init(_ dataset: any Dataset, _ indices: [Int], epoch: Int) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result { () throws(StrataError) in try dataset.batch(indices, epoch: epoch) }
            done.signal()
        }
    }

    func wait() -> Result<(inputs: Tensor, targets: Tensor), StrataError> {
        done.wait()
        return result!
    }
}
