/// A fixed per-channel affine map `y = x·scale_c + shift_c` on `N×C×…` (no parameters):
/// input normalisation inside a network, e.g. torchvision's `transform_input` of
/// GoogLeNet and Inception v3, which turns ImageNet-normalised inputs into the `[-1, 1]`
/// scaling those weights were trained with.
public final class ChannelAffine: Module {
    public let scale: [Float]
    public let shift: [Float]

    public init(scale: [Float], shift: [Float]) {
        self.scale = scale
        self.shift = shift
    }

    /// `(x − mean)/std` per channel, as `torchvision.transforms.Normalize`.
    public convenience init(mean: [Float], std: [Float]) {
        self.init(scale: std.map { 1 / $0 }, shift: zip(mean, std).map { -$0 / $1 })
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        _ = try outputShape(for: input.shape)
        var broadcast = [Int](repeating: 1, count: input.rank)
        broadcast[1] = scale.count
        return try input * (try Tensor(scale, shape: broadcast)) + (try Tensor(shift, shape: broadcast))
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard input.count >= 2, input[1] == scale.count, shift.count == scale.count else {
            throw .shapeMismatch(op: "ChannelAffine", message: "has \(scale.count) channel scales and \(shift.count) shifts but the input is \(ShapeNotation.describe(input))")
        }
        return input
    }

    public override var summaryText: String { "ChannelAffine \(scale.count)" }
}
