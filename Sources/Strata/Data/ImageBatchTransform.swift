/// What a network pretrained elsewhere needs from a batch of images `N×C×H×W` in 0…1:
/// bilinear resizing (PyTorch's `interpolate`, no antialias), grey copied to the channels
/// the network expects, and its own per-channel normalisation `(x − mean)/std`.
public struct ImageBatchTransform: Sendable, Equatable {
    /// Height and width after resizing (`nil` keeps them).
    public var size: [Int]?
    /// Channels the network expects (`nil` keeps them; a single grey channel is repeated).
    public var channels: Int?
    /// Per-channel mean and standard deviation (`nil` leaves the values).
    public var mean: [Float]?
    public var std: [Float]?

    public init(size: [Int]? = nil, channels: Int? = nil, mean: [Float]? = nil, std: [Float]? = nil) {
        (self.size, self.channels, self.mean, self.std) = (size, channels, mean, std)
    }

    /// The shape of one transformed sample.
    public func sampleShape(for shape: [Int]) -> [Int] {
        guard shape.count == 3 else { return shape }
        return [channels ?? shape[0]] + (size ?? Array(shape.dropFirst()))
    }

    /// The batch transformed (no autograd history).
    ///
    /// - Throws: `StrataError.shapeMismatch` when the channels cannot be made to fit.
    public func apply(_ batch: Tensor) throws(StrataError) -> Tensor {
        try withoutGradients { () throws(StrataError) -> Tensor in
            var x = batch.toFloat()
            if let size, x.rank == 4 { x = try interpolateBilinear(x, size: AxisValues(size)) }
            if let channels, x.rank == 4, x.shape[1] != channels {
                guard x.shape[1] == 1 else {
                    throw .shapeMismatch(op: "ImageBatchTransform", message: "the network expects \(channels) channels; images with \(x.shape[1]) cannot be converted (only grey ones are repeated)")
                }
                x = try Tensor.concat([Tensor](repeating: x, count: channels), axis: 1)
            }
            if let mean, let std, x.rank >= 2, mean.count == x.shape[1], std.count == x.shape[1] {
                var broadcast = [Int](repeating: 1, count: x.rank)
                broadcast[1] = mean.count
                x = try (x - (try Tensor(mean, shape: broadcast))) / (try Tensor(std, shape: broadcast))
            }
            return x
        }
    }
}

/// A dataset whose batches go through an `ImageBatchTransform` as they are assembled
/// (on the loader's prefetching thread), so large resized copies never sit in memory.
public struct TransformedDataset: Dataset {
    public let base: any Dataset
    public let transform: ImageBatchTransform

    public init(_ base: any Dataset, transform: ImageBatchTransform) {
        self.base = base
        self.transform = transform
    }

    public var count: Int { base.count }
    public var sampleShape: [Int] { transform.sampleShape(for: base.sampleShape) }
    public var classNames: [String]? { base.classNames }

    public func batch(_ indices: [Int]) throws(StrataError) -> (inputs: Tensor, targets: Tensor) {
        try batch(indices, epoch: 0)
    }

    public func batch(_ indices: [Int], epoch: Int) throws(StrataError) -> (inputs: Tensor, targets: Tensor) {
        let (inputs, targets) = try base.batch(indices, epoch: epoch)
        return (try transform.apply(inputs), targets)
    }
}
