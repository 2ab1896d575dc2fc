/// Fully connected layer `y = x·Wᵀ + b`: `…×inFeatures → …×outFeatures`, weight
/// `outFeatures×inFeatures` (PyTorch's `nn.Linear`, same initialisation).
///
///     let fc = Linear(400, 120)     // 400 → 120, 48,120 parameters
public final class Linear: Module {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let inFeatures: Int
    public private(set) var outFeatures: Int

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let (rows, columns) = (Swift.max(outFeatures, 0), Swift.max(inFeatures, 0))
        weight = Initialization.uniform([rows, columns], fanIn: columns)
        self.bias = bias ? Initialization.uniform([rows], fanIn: columns) : nil
    }

    /// Replaces the weights by freshly initialised ones for `outFeatures` outputs (a new
    /// classifier head on a pretrained network), keeping the input width.
    public func reinitialize(outFeatures: Int) {
        let fresh = Linear(inFeatures, outFeatures, bias: bias != nil)
        self.outFeatures = outFeatures
        weight = fresh.weight
        bias = fresh.bias
    }

    private func checkConfiguration() throws(StrataError) {
        guard inFeatures >= 1, outFeatures >= 1, weight.shape == [outFeatures, inFeatures] else {
            throw .invalidArgument(op: "Linear", message: "feature counts must be ≥ 1 and their product at most 2³¹, got \(inFeatures)→\(outFeatures)")
        }
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try checkConfiguration()
        return try linear(input, weight: weight, bias: bias)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        try checkConfiguration()
        guard let last = input.last, last == inFeatures else {
            let got = input.last ?? 0
            let origin = input.count > 2 ? " (input \(ShapeNotation.describe(input)); flatten it first)" : ""
            throw .shapeMismatch(op: "Linear", message: "expects \(inFeatures) input features but gets \(got)\(origin); use Linear(\(got), \(outFeatures)) to fit")
        }
        return Array(input.dropLast()) + [outFeatures]
    }

    public override var summaryText: String { "Linear \(inFeatures)→\(outFeatures)" + (bias == nil ? ", no bias" : "") }

    public override func flops(input: [Int], output: [Int]) -> Int {
        let perSample = Shape.count(Array(output.dropFirst()))
        return perSample * (2 * inFeatures + (bias == nil ? 0 : 1))
    }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        flow.shape.count > 2 ? flow.global(to: output) : { var next = flow; next.shape = output; return next }()
    }
}
