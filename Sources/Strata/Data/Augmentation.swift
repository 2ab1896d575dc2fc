/// A random change of one sample, applied on the fly while training (never in
/// evaluation). Samples are `C×H×W` images or `C×L` sequences as flat row-major arrays.
///
/// Each augmentation draws its parameters from the generator it is given, then applies
/// them; `apply(_:shape:parameters:)` is the deterministic part tests pin down.
public protocol Augmentation: Sendable {
    associatedtype Parameters
    /// Random parameters for one sample.
    func draw(_ generator: inout RandomGenerator, shape: [Int]) -> Parameters
    /// The sample changed by `parameters`.
    func apply(_ sample: [Float], shape: [Int], parameters: Parameters) -> [Float]
}

extension Augmentation {
    /// Draws and applies in one step.
    public func callAsFunction(_ sample: [Float], shape: [Int], generator: inout RandomGenerator) -> [Float] {
        apply(sample, shape: shape, parameters: draw(&generator, shape: shape))
    }
}

/// Augmentations applied in order (a pipeline).
public struct Compose: Sendable {
    let steps: [@Sendable ([Float], [Int], inout RandomGenerator) -> [Float]]

    public init(_ augmentations: [any Augmentation]) {
        steps = augmentations.map { augmentation in
            { sample, shape, generator in Compose.run(augmentation, sample, shape, &generator) }
        }
    }

    private static func run<A: Augmentation>(_ augmentation: A, _ sample: [Float], _ shape: [Int],
                                             _ generator: inout RandomGenerator) -> [Float] {
        augmentation(sample, shape: shape, generator: &generator)
    }

    public func callAsFunction(_ sample: [Float], shape: [Int], generator: inout RandomGenerator) -> [Float] {
        steps.reduce(sample) { $1($0, shape, &generator) }
    }
}

/// A dataset whose samples are augmented as batches are drawn: sample `i` of epoch `e`
/// gets its random changes from a generator seeded by (`seed`, `e`, `i`), so epochs
/// differ, runs repeat, and background prefetching does not change the outcome.
public struct AugmentedDataset: Dataset {
    public let base: any Dataset
    public let augmentations: Compose
    public let seed: UInt64

    public init(_ base: any Dataset, augmentations: [any Augmentation], seed: UInt64 = 0) {
        self.base = base
        self.augmentations = Compose(augmentations)
        self.seed = seed
    }

    public var count: Int { base.count }
    public var sampleShape: [Int] { base.sampleShape }
    public var classNames: [String]? { base.classNames }

    /// Without an epoch: epoch 0's augmentation.
    public func batch(_ indices: [Int]) throws(StrataError) -> (inputs: Tensor, targets: Tensor) {
        try batch(indices, epoch: 0)
    }

    public func batch(_ indices: [Int], epoch: Int) throws(StrataError) -> (inputs: Tensor, targets: Tensor) {
        let (inputs, targets) = try base.batch(indices)
        let shape = sampleShape, size = Shape.count(shape)
        let source = inputs.toArray()
        var changed: [Float] = []
        changed.reserveCapacity(source.count)
        for (row, index) in indices.enumerated() {
            var generator = RandomGenerator(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(index) &* 0xC2B2_AE3D_27D4_EB4F))
            changed += augmentations(Array(source[row * size ..< (row + 1) * size]), shape: shape, generator: &generator)
        }
        return (try Tensor(changed, shape: inputs.shape), targets)
    }
}
