/// `N×L×C → N×C×L`: Keras's channels-last sequences (an embedding's output) to the
/// channels-first layout convolutions take.
public final class ChannelsFirst: Module {
    public override init() {}

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        let shape = try outputShape(for: input.shape)
        return try input.permute([0, 2, 1]).contiguous().reshape(shape)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard input.count == 3 else {
            throw .shapeMismatch(op: "ChannelsFirst", message: "expects N×L×C input, got \(ShapeNotation.describe(input))")
        }
        return [input[0], input[2], input[1]]
    }
}
