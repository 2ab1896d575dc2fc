/// Batch normalisation per channel with learned scale γ (`weight`) and shift β (`bias`),
/// and running statistics used in evaluation (PyTorch's `nn.BatchNorm1d/2d`, same state
/// names: `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`).
public class BatchNormLayer: Module {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    @Buffer public var running_mean: Tensor?
    @Buffer public var running_var: Tensor?
    @Buffer public var num_batches_tracked: Tensor?
    public let features: Int
    /// Weight of the batch in the running statistics; `nil` averages every batch seen
    /// equally (PyTorch's `momentum=None`).
    public let momentum: Float?
    public let eps: Float
    let ranks: [Int]
    /// The data-parallel job whose ranks' batches this layer normalises together in training
    /// (PyTorch's `SyncBatchNorm`; `strata train --sync-bn`); `nil`: this process's batch alone.
    public var synchronization: Communicator?
    /// Whether `Module.fuseForInference` moved this layer into the convolution before it: it
    /// then passes its input through, and refuses to train.
    public internal(set) var isFolded = false

    init(features: Int, eps: Float, momentum: Float?, affine: Bool, trackRunningStats: Bool, ranks: [Int]) {
        self.features = features
        self.eps = eps
        self.momentum = momentum
        self.ranks = ranks
        let size = Initialization.isAllocatable([features]) ? features : 0
        weight = affine ? Tensor(filledShape: [size], value: 1) : nil
        bias = affine ? Tensor(filledShape: [size], value: 0) : nil
        running_mean = trackRunningStats ? Tensor(filledShape: [size], value: 0) : nil
        running_var = trackRunningStats ? Tensor(filledShape: [size], value: 1) : nil
        num_batches_tracked = trackRunningStats ? Tensor(zerosShape: [], dtype: .int64) : nil
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        _ = try outputShape(for: input.shape)
        if isFolded {
            guard !isTraining else {
                throw .invalidArgument(op: typeName, message: "this batch norm was folded into the convolution before it (fuseForInference) and only runs in evaluation mode; train the network before folding it")
            }
            return input
        }
        // evaluation without running statistics normalises with the batch's own (as PyTorch)
        let useBatch = isTraining || running_mean == nil
        if isTraining, let counter = num_batches_tracked {
            counter.withMutableInt64s { $0[0] += 1 }
        }
        let seen = Float(num_batches_tracked?.withInt64s { $0[0] } ?? 1)
        if isTraining, let synchronization {
            return try synchronizedBatchNorm(input, weight: weight, bias: bias, runningMean: running_mean, runningVar: running_var,
                                             momentum: momentum ?? 1 / Swift.max(seen, 1), eps: eps, communicator: synchronization)
        }
        let output = try batchNorm(input, weight: weight, bias: bias, runningMean: running_mean, runningVar: running_var,
                                   training: useBatch, momentum: momentum ?? 1 / Swift.max(seen, 1), eps: eps)
        return output
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard ranks.contains(input.count), input[1] == features, features >= 1, (weight?.count ?? features) == features else {
            let layouts = ranks.map { $0 == 2 ? "N×C" : ($0 == 3 ? "N×C×L" : "N×C×H×W") }.joined(separator: " or ")
            throw .shapeMismatch(op: typeName, message: "expects \(layouts) input with C = \(features), got \(ShapeNotation.describe(input))")
        }
        return input
    }

    public override var summaryText: String { "\(typeName) \(features)" }

    public override func flops(input: [Int], output: [Int]) -> Int { 2 * Shape.count(Array(input.dropFirst())) }
}

/// Batch normalisation of `N×C` features or `N×C×L` sequences.
public final class BatchNorm1d: BatchNormLayer {
    public init(_ features: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        super.init(features: features, eps: eps, momentum: momentum, affine: affine,
                   trackRunningStats: trackRunningStats, ranks: [2, 3])
    }
}

/// Batch normalisation of `N×C×H×W` feature maps.
public final class BatchNorm2d: BatchNormLayer {
    public init(_ features: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        super.init(features: features, eps: eps, momentum: momentum, affine: affine,
                   trackRunningStats: trackRunningStats, ranks: [4])
    }
}
