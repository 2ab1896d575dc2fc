/// Shared configuration of the pooling layers.
public class PoolingLayer: Module {
    public let kernel: [Int]
    public let stride: [Int]
    public let padding: [Int]
    /// Round output sizes up, keeping a partial last window (PyTorch's `ceil_mode`).
    public let ceilMode: Bool
    /// Spacing of a max-pooling window's taps.
    public let dilation: [Int]
    let kind: PoolingKind

    init(kind: PoolingKind, axes: Int, kernel: AxisValues, stride: AxisValues?, padding: AxisValues, ceilMode: Bool,
         dilation: AxisValues = 1) {
        self.kind = kind
        self.ceilMode = ceilMode
        self.dilation = ((try? dilation.resolve(axes: axes, name: "", op: "")) ?? [Int](repeating: 1, count: axes)).map { Swift.max($0, 1) }
        let resolve = { (values: AxisValues) in (try? values.resolve(axes: axes, name: "", op: "")) ?? [Int](repeating: 0, count: axes) }
        self.kernel = resolve(kernel)
        self.stride = resolve(stride ?? kernel)
        self.padding = resolve(padding)
    }

    var operation: String { typeName.prefix(1).lowercased() + typeName.dropFirst() }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        let axes = kernel.count
        guard input.count == axes + 2 else {
            throw .shapeMismatch(op: typeName, message: "expects \(axes == 1 ? "N×C×L" : "N×C×H×W") input, got \(ShapeNotation.describe(input))")
        }
        if let bad = (kernel + stride).first(where: { $0 < 1 }) {
            throw .invalidArgument(op: typeName, message: "kernel and stride must be ≥ 1, got \(bad)")
        }
        for (p, k) in zip(padding, kernel) where p < 0 || p > k / 2 {
            throw .invalidArgument(op: typeName, message: "padding \(p) must be between 0 and half the kernel (\(k / 2))")
        }
        let spatial = Array(input.dropFirst(2))
        try ConvolutionArguments.checkOutput(op: typeName, input: spatial, kernel: kernel, stride: stride, before: padding,
                                             after: padding, dilation: dilation, xShape: input, wShape: kernel)
        let lift = { (values: [Int], fill: Int) in axes == 1 ? [fill] + values : values }
        let geometry = PoolingGeometry(kind: kind, kernel: lift(kernel, 1), stride: lift(stride, 1), paddingBefore: lift(padding, 0),
                                       paddingAfter: lift(padding, 0), ceilMode: ceilMode, dilation: lift(dilation, 1))
        let out = geometry.outputSize(input: lift(spatial, 1))
        return Array(input.prefix(2)) + Array(out.suffix(axes))
    }

    public override var summaryText: String {
        "\(typeName) k\(kernel.map(String.init).joined(separator: "×")), s\(SummaryNotation.axes(stride)), p\(SummaryNotation.axes(padding))"
            + (dilation.contains { $0 > 1 } ? ", d\(SummaryNotation.axes(dilation))" : "") + (ceilMode ? ", ceil" : "")
    }

    public override func flops(input: [Int], output: [Int]) -> Int {
        Shape.count(Array(output.dropFirst())) * kernel.reduce(1, *)
    }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        flow.sliding(kernel: kernel, stride: stride, dilation: dilation, to: output)
    }
}

/// 2-D max pooling (PyTorch's `nn.MaxPool2d`); `stride` defaults to `kernel`.
///
///     MaxPool2d(2)      // 6@28×28 → 6@14×14
public final class MaxPool2d: PoolingLayer {
    public init(_ kernel: AxisValues, stride: AxisValues? = nil, padding: AxisValues = 0, dilation: AxisValues = 1,
                ceilMode: Bool = false) {
        super.init(kind: .max, axes: 2, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, dilation: dilation)
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try maxPool2d(input, kernel: AxisValues(kernel), stride: AxisValues(stride), padding: AxisValues(padding),
                      dilation: AxisValues(dilation), ceilMode: ceilMode)
    }
}

/// 2-D average pooling (PyTorch's `nn.AvgPool2d`, padding zeros counted by default).
public final class AvgPool2d: PoolingLayer {
    public let countIncludePad: Bool

    public init(_ kernel: AxisValues, stride: AxisValues? = nil, padding: AxisValues = 0, countIncludePad: Bool = true,
                ceilMode: Bool = false) {
        self.countIncludePad = countIncludePad
        super.init(kind: countIncludePad ? .averageIncludingPadding : .averageExcludingPadding, axes: 2,
                   kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try avgPool2d(input, kernel: AxisValues(kernel), stride: AxisValues(stride), padding: AxisValues(padding),
                      countIncludePad: countIncludePad, ceilMode: ceilMode)
    }
}

/// 1-D max pooling over time (PyTorch's `nn.MaxPool1d`).
public final class MaxPool1d: PoolingLayer {
    public init(_ kernel: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        super.init(kind: .max, axes: 1, kernel: AxisValues(integerLiteral: kernel),
                   stride: stride.map { AxisValues(integerLiteral: $0) }, padding: AxisValues(integerLiteral: padding),
                   ceilMode: ceilMode, dilation: AxisValues(integerLiteral: dilation))
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try maxPool1d(input, kernel: kernel[0], stride: stride[0], padding: padding[0], dilation: dilation[0], ceilMode: ceilMode)
    }
}

/// 1-D average pooling over time (PyTorch's `nn.AvgPool1d`).
public final class AvgPool1d: PoolingLayer {
    public let countIncludePad: Bool

    public init(_ kernel: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true, ceilMode: Bool = false) {
        self.countIncludePad = countIncludePad
        super.init(kind: countIncludePad ? .averageIncludingPadding : .averageExcludingPadding, axes: 1,
                   kernel: AxisValues(integerLiteral: kernel), stride: stride.map { AxisValues(integerLiteral: $0) },
                   padding: AxisValues(integerLiteral: padding), ceilMode: ceilMode)
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try avgPool1d(input, kernel: kernel[0], stride: stride[0], padding: padding[0], countIncludePad: countIncludePad,
                      ceilMode: ceilMode)
    }
}

/// Mean over every spatial position: `N×C×H×W → N×C` or `N×C×L → N×C` (global average
/// pooling followed by flattening, as in ResNet's head; `keepSpatialAxes` keeps them as 1s).
public final class GlobalAvgPool: Module {
    public let keepSpatialAxes: Bool

    public init(keepSpatialAxes: Bool = false) {
        self.keepSpatialAxes = keepSpatialAxes
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        _ = try outputShape(for: input.shape)
        let pooled = try input.mean(axes: Array(2..<input.rank), keepDims: keepSpatialAxes)
        return pooled
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard input.count >= 3 else {
            throw .shapeMismatch(op: "GlobalAvgPool", message: "expects N×C×L or N×C×H×W input, got \(ShapeNotation.describe(input))")
        }
        return keepSpatialAxes ? Array(input.prefix(2)) + [Int](repeating: 1, count: input.count - 2) : Array(input.prefix(2))
    }

    public override func flops(input: [Int], output: [Int]) -> Int { Shape.count(Array(input.dropFirst())) }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow { flow.global(to: output) }
}

/// Maximum over every spatial position: `N×C×L → N×C` or `N×C×H×W → N×C` (global max
/// pooling, as text CNNs read a feature anywhere in the sentence).
public final class GlobalMaxPool: Module {
    public override init() {}

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        let shape = try outputShape(for: input.shape)
        return try input.reshape([shape[0], shape[1], -1]).max(axis: 2)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard input.count >= 3, input.dropFirst(2).allSatisfy({ $0 >= 1 }) else {
            throw .shapeMismatch(op: "GlobalMaxPool", message: "expects N×C×L or N×C×H×W input with positions, got \(ShapeNotation.describe(input))")
        }
        return Array(input.prefix(2))
    }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow { flow.global(to: output) }
}

/// Adaptive average pooling to a fixed output size, whatever the input size (PyTorch's
/// `nn.AdaptiveAvgPool2d`/`nn.AdaptiveAvgPool1d`): `N×C×H×W → N×C×Ho×Wo`, each output the
/// mean of its bin `⌊i·H/Ho⌋ ..< ⌈(i + 1)·H/Ho⌉` (see `adaptiveAvgPool2d`).
///
///     AdaptiveAvgPool2d([7, 7])     // VGG: 512@2×3 → 512@7×7, 512@14×14 → 512@7×7
public final class AdaptiveAvgPool: Module {
    /// Output size per spatial axis (height, width; or length).
    public let outputSize: [Int]

    /// - Parameter outputSize: one size per spatial axis (`[7, 7]`, or `[4]` for sequences).
    public init(_ outputSize: [Int]) {
        self.outputSize = outputSize
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        outputSize.count == 1
            ? try adaptiveAvgPool1d(input, outputSize: outputSize[0])
            : try adaptiveAvgPool2d(input, outputSize: AxisValues(outputSize))
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard input.count == outputSize.count + 2 else {
            throw .shapeMismatch(op: typeName, message: "pools to \(outputSize.count) spatial axes and expects \(outputSize.count == 1 ? "N×C×L" : "N×C×H×W") input, got \(ShapeNotation.describe(input))")
        }
        if let bad = outputSize.first(where: { $0 < 1 }) {
            throw .invalidArgument(op: typeName, message: "output size must be ≥ 1, got \(bad)")
        }
        return Array(input.prefix(2)) + outputSize
    }

    public override var summaryText: String { "AdaptiveAvgPool \(outputSize.map(String.init).joined(separator: "×"))" }

    public override func flops(input: [Int], output: [Int]) -> Int { Shape.count(Array(input.dropFirst())) }

    /// A unit sees at most the widest bin, `⌈in/out⌉` (+1 where bins straddle), and bins
    /// start `⌊in/out⌋` apart; a 1×1 output sees everything.
    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        let spatial = Array(flow.shape.dropFirst(2))
        guard spatial.count == outputSize.count, !outputSize.allSatisfy({ $0 == 1 }) else { return flow.global(to: output) }
        let kernel = zip(spatial, outputSize).map { input, out in (0..<out).map { adaptiveBin($0, inputs: input, outputs: out).count }.max() ?? 1 }
        let stride = zip(spatial, outputSize).map { Swift.max(1, $0 / $1) }
        return flow.sliding(kernel: kernel, stride: stride, dilation: kernel.map { _ in 1 }, to: output)
    }
}
