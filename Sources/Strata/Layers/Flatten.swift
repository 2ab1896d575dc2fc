/// Merges every axis after the batch into one: `N×C×H×W → N×(C·H·W)` in C, H, W order
/// (PyTorch's `nn.Flatten()`).
public final class Flatten: Module {
    public override init() {}

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try input.flatten(from: 1)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard input.count >= 1 else { throw .shapeMismatch(op: "Flatten", message: "needs a batch axis") }
        return [input[0], Shape.count(Array(input.dropFirst()))]
    }

    public override var summaryText: String { "Flatten" }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow { flow.global(to: output) }
}
