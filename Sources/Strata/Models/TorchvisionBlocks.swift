/// Building blocks torchvision's networks share, with its names.
extension Models {
    /// torchvision's `Conv2dNormActivation`: a convolution without bias (padding
    /// `(kernel − 1)/2·dilation`, so stride 1 keeps the size), batch norm and an optional
    /// activation, as children `0`, `1`, `2`.
    public static func convNormActivation(_ input: Int, _ output: Int, kernel: Int = 3, stride: Int = 1, groups: Int = 1,
                                          dilation: Int = 1, eps: Float = 1e-5, activation: Module? = ReLU()) -> Sequential {
        var layers: [Module] = [
            Conv2d(input, output, kernel: AxisValues(integerLiteral: kernel), stride: AxisValues(integerLiteral: stride),
                   padding: .explicit(AxisValues(integerLiteral: (kernel - 1) / 2 * dilation)),
                   dilation: AxisValues(integerLiteral: dilation), groups: groups, bias: false),
            BatchNorm2d(output, eps: eps),
        ]
        if let activation { layers.append(activation) }
        return Sequential(layers)
    }

    /// The channel rounding of the MobileNets (TensorFlow's `_make_divisible`): the
    /// multiple of `divisor` nearest to `value`, at least `divisor` and at least 90% of `value`.
    public static func makeDivisible(_ value: Double, _ divisor: Int = 8) -> Int {
        var rounded = Swift.max(divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
        if Double(rounded) < 0.9 * value { rounded += divisor }
        return rounded
    }
}

/// GoogLeNet's and Inception v3's convolution unit (torchvision's `BasicConv2d`): a
/// convolution without bias, batch norm with eps 10⁻³, ReLU. Children `conv`, `bn`.
public final class BasicConv2d: Composite {
    public let conv: Conv2d
    public let bn: BatchNorm2d

    public init(_ input: Int, _ output: Int, kernel: AxisValues, stride: AxisValues = 1, padding: Padding = 0) {
        conv = Conv2d(input, output, kernel: kernel, stride: stride, padding: padding, bias: false)
        bn = BatchNorm2d(output, eps: 1e-3)
    }

    public override var body: Module { Sequential(named: [("conv", conv), ("bn", bn), ("relu", ReLU())]) }
}
