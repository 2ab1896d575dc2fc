/// A table of learned vectors, one per token (PyTorch's `nn.Embedding`, same parameter
/// name `weight` `V×D`, initialised from N(0, 1) with the padding row zero): int64 token
/// ids `N×L` → `N×L×D`. Follow it with `ChannelsFirst` for 1-D convolutions (`N×D×L`).
///
///     Embedding(20_000, 128, paddingIndex: 0)   // ids 0…19,999 → 128 values each
public final class Embedding: Module {
    @Parameter public var weight: Tensor
    public let paddingIndex: Int?

    public init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil) {
        let shape = [Swift.max(count, 0), Swift.max(dimension, 0)]
        // every element is drawn (as PyTorch does) and the padding row's then zeroed
        var element = 0
        weight = Initialization.isAllocatable(shape) ? Random.withDefault { generator in
            Tensor.filled(shape) {
                defer { element += 1 }
                let value = generator.nextNormal()
                return element / Swift.max(shape[1], 1) == paddingIndex ? 0 : value
            }
        } : Tensor(zerosShape: [0, shape[1]])
        self.paddingIndex = paddingIndex
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try embedding(input, weight: weight, paddingIndex: paddingIndex)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] { input + [weight.shape[1]] }

    public override var summaryText: String {
        "Embedding(\(weight.shape[0]), \(weight.shape[1])\(paddingIndex.map { ", padding \($0)" } ?? ""))"
    }

    /// Each output position is one token: a receptive field of 1 along the text.
    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        guard output.count == 3 else { return super.flow(flow, to: output) }
        var next = ShapeFlow(input: [output[0], output[2], output[1]])
        next.shape = output
        return next
    }
}
