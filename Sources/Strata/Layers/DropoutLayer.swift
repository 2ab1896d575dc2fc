/// Inverted dropout in training, identity in evaluation (PyTorch's `nn.Dropout`); the mask
/// comes from the default generator, so `Random.seed` fixes it.
public final class Dropout: Module {
    public let p: Float

    public init(_ p: Float = 0.5) {
        self.p = p
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try dropout(input, p: p, training: isTraining)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard p >= 0 && p <= 1 else { throw .invalidArgument(op: "Dropout", message: "p must be in [0, 1], got \(p)") }
        return input
    }

    public override var summaryText: String { "Dropout p=\(p)" }
}
