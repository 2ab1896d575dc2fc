/// Squeeze-and-excitation (Hu et al. 2018; torchvision's `SqueezeExcitation`): each channel
/// of `N×C×H×W` is scaled by a gate computed from the whole map —
/// `x · σ(fc2(δ(fc1(mean_hw(x)))))` — where `fc1` (`C → squeeze`) and `fc2` (`squeeze → C`)
/// are 1×1 convolutions with bias, δ is ReLU and σ the sigmoid (MobileNetV3: hard-sigmoid).
/// Names as torchvision's: `fc1`, `fc2` (plus the parameter-free `avgpool`, `activation`,
/// `scale_activation`).
///
///     SqueezeExcitation(96, squeeze: 24, scaleActivation: Hardsigmoid())   // 96@14×14 → 96@14×14
public final class SqueezeExcitation: Module {
    public let avgpool = AdaptiveAvgPool([1, 1])
    public let fc1: Conv2d
    public let fc2: Conv2d
    public let activation: Module
    public let scale_activation: Module

    public init(_ channels: Int, squeeze: Int, activation: Module = ReLU(), scaleActivation: Module = Sigmoid()) {
        fc1 = Conv2d(channels, squeeze, kernel: 1)
        fc2 = Conv2d(squeeze, channels, kernel: 1)
        self.activation = activation
        scale_activation = scaleActivation
    }

    /// The gate `N×C×1×1`, as a sequence of this module's children.
    private var gate: Sequential {
        Sequential(named: [("avgpool", avgpool), ("fc1", fc1), ("activation", activation), ("fc2", fc2),
                           ("scale_activation", scale_activation)])
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try input * (try gate(input))
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        _ = try gate.outputShape(for: input)
        return input
    }

    /// The gate's rows, then this block's own (the product); every output sees the whole map.
    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        let gated = try gate.summarize(into: &rows, path: path, flow: flow)
        let next = flow.merged(with: gated, shape: flow.shape)
        rows.append(SummaryRow(name: path, layer: summaryText, outputShape: flow.shape, parameters: 0, trainableParameters: 0,
                               flops: Shape.count(Array(flow.shape.dropFirst())), receptiveField: next.receptiveField, jump: next.jump))
        return next
    }

    public override var summaryText: String { "SqueezeExcitation \(fc1.inChannels)→\(fc1.outChannels)→\(fc2.outChannels), ×" }
}
