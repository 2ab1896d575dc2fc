/// Samples by index: the inputs and targets of a set of indices, stacked along a new
/// first (batch) axis. PyTorch's map-style `Dataset` with batch collation built in.
public protocol Dataset: Sendable {
    /// Number of samples.
    var count: Int { get }
    /// Shape of one input sample (no batch axis), e.g. `[1, 28, 28]`.
    var sampleShape: [Int] { get }
    /// Class names for classification data (index = label), `nil` for regression.
    var classNames: [String]? { get }
    /// Inputs `B×sampleShape` and targets (`B` int64 labels or `B×…` floats) of `indices`.
    ///
    /// - Throws: `StrataError.invalidArgument` for an index outside `0..<count`.
    func batch(_ indices: [Int]) throws(StrataError) -> (inputs: Tensor, targets: Tensor)
    /// The batch as epoch `epoch` sees it: data sets that augment on the fly draw their
    /// random changes from the epoch and the sample index, so every epoch differs and a
    /// resumed run sees the same samples. Plain data sets ignore the epoch.
    func batch(_ indices: [Int], epoch: Int) throws(StrataError) -> (inputs: Tensor, targets: Tensor)
}

extension Dataset {
    public func batch(_ indices: [Int], epoch: Int) throws(StrataError) -> (inputs: Tensor, targets: Tensor) {
        try batch(indices)
    }
}

/// A dataset held in two tensors: inputs `N×…` and targets `N` (class indices) or `N×…`.
public struct TensorDataset: Dataset {
    public let inputs: Tensor
    public let targets: Tensor
    public let classNames: [String]?

    /// - Throws: `StrataError.shapeMismatch` when the sample counts differ.
    public init(inputs: Tensor, targets: Tensor, classNames: [String]? = nil) throws(StrataError) {
        guard inputs.rank >= 1, targets.rank >= 1, inputs.shape[0] == targets.shape[0] else {
            throw .shapeMismatch(op: "TensorDataset", message: "inputs \(Shape.describe(inputs.shape)) and targets \(Shape.describe(targets.shape)) must have the same number of samples (first axis)")
        }
        self.inputs = inputs.dense()
        self.targets = targets.dense()
        self.classNames = classNames
    }

    public var count: Int { inputs.shape[0] }
    public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }

    public func batch(_ indices: [Int]) throws(StrataError) -> (inputs: Tensor, targets: Tensor) {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw .invalidArgument(op: "TensorDataset", message: "index \(bad) is outside 0..<\(count)")
        }
        return (Self.gather(inputs, indices), Self.gather(targets, indices))
    }

    /// The samples at `indices` (along the first axis) as a new contiguous tensor.
    static func gather(_ tensor: Tensor, _ indices: [Int]) -> Tensor {
        let sampleShape = Array(tensor.shape.dropFirst())
        let sampleBytes = Shape.count(sampleShape) * tensor.dtype.size
        let result = Tensor(uninitializedShape: [indices.count] + sampleShape, dtype: tensor.dtype)
        tensor.dense().withBytes { source in
            result.withMutableBytes { target in
                for (row, index) in indices.enumerated() {
                    (target + row * sampleBytes).copyMemory(from: source + index * sampleBytes, byteCount: sampleBytes)
                }
            }
        }
        return result
    }

    /// The samples at `indices` as a dataset of their own (a split).
    public func subset(_ indices: [Int]) throws(StrataError) -> TensorDataset {
        let (x, y) = try batch(indices)
        return try TensorDataset(inputs: x, targets: y, classNames: classNames)
    }

    /// Class index of every sample (classification data).
    public var labels: [Int] { targets.toLabels() }
}
