/// Shared configuration of `Conv1d` and `Conv2d`: hyperparameters in the words of the
/// field, checked once, and the summary notation.
public class ConvolutionLayer: Module {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let inChannels: Int
    public private(set) var outChannels: Int
    public let kernel: [Int]
    public let stride: [Int]
    public let padding: Padding
    public let dilation: [Int]
    public let groups: Int
    /// ReLU, ReLU6 or hard-swish that `Module.fuseForInference` found right after this convolution (its
    /// batch norm folded in between): applied as the convolution writes its output when no
    /// gradients are recorded, after which that activation returns it as it is.
    public internal(set) var fusedActivation: Activation?
    private let configurationError: StrataError?

    init(op: String, axes: Int, _ inChannels: Int, _ outChannels: Int, kernel: AxisValues, stride: AxisValues,
         padding: Padding, dilation: AxisValues, groups: Int, bias: Bool) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.padding = padding
        self.groups = groups
        var problem: StrataError?
        func resolve(_ values: AxisValues, _ name: String, minimum: Int) -> [Int] {
            do {
                let resolved = try values.resolve(axes: axes, name: name, op: op)
                if let bad = resolved.first(where: { $0 < minimum }) {
                    problem = problem ?? .invalidArgument(op: op, message: "\(name) must be ≥ \(minimum), got \(bad)")
                }
                return resolved.map { Swift.max($0, minimum) }
            } catch {
                problem = problem ?? error
                return [Int](repeating: minimum, count: axes)
            }
        }
        self.kernel = resolve(kernel, "kernel", minimum: 1)
        self.stride = resolve(stride, "stride", minimum: 1)
        self.dilation = resolve(dilation, "dilation", minimum: 1)
        if groups < 1 || inChannels < 1 || outChannels < 1 {
            problem = problem ?? .invalidArgument(op: op, message: "channels and groups must be ≥ 1, got \(inChannels)→\(outChannels), groups \(groups)")
        } else if inChannels % groups != 0 || outChannels % groups != 0 {
            problem = problem ?? .invalidArgument(op: op, message: "in channels \(inChannels) and out channels \(outChannels) must both be divisible by groups \(groups)")
        }
        let perGroup = Swift.max(inChannels, 1) / Swift.max(groups, 1)
        if problem == nil && !Initialization.isAllocatable([Swift.max(outChannels, 0), perGroup] + self.kernel) {
            problem = .invalidArgument(op: op, message: "a weight of \(outChannels)×\(perGroup)×\(self.kernel.map(String.init).joined(separator: "×")) is too large (at most 2³¹ values)")
        }
        configurationError = problem
        let fanIn = perGroup * self.kernel.reduce(1, &*)
        weight = Initialization.uniform([Swift.max(outChannels, 0), perGroup] + self.kernel, fanIn: fanIn)
        self.bias = bias ? Initialization.uniform([Swift.max(outChannels, 0)], fanIn: fanIn) : nil
    }

    /// Replaces the weights by freshly initialised ones for `outChannels` filters (a new
    /// classifier, as SqueezeNet's 1×1 convolution), keeping the input width; ungrouped only.
    public func reinitialize(outChannels: Int) {
        let fanIn = inChannels * kernel.reduce(1, *)
        self.outChannels = outChannels
        weight = Initialization.uniform([Swift.max(outChannels, 0), inChannels] + kernel, fanIn: fanIn)
        if bias != nil { bias = Initialization.uniform([Swift.max(outChannels, 0)], fanIn: fanIn) }
    }

    func checkConfiguration() throws(StrataError) {
        if let configurationError { throw configurationError }
    }

    /// The per-side padding for the summary (`same`/`causal` resolved for this kernel).
    private var paddingText: String {
        switch padding {
        case .same: return "p same"
        case .valid: return "p0"
        case .causal: return "p causal"
        case let .explicit(values): return "p" + SummaryNotation.axes(values.values)
        case let .asymmetric(before, after): return "p" + SummaryNotation.axes(before.values) + "/" + SummaryNotation.axes(after.values)
        }
    }

    public override var summaryText: String {
        var text = "\(typeName) \(inChannels)→\(outChannels), k\(kernel.map(String.init).joined(separator: "×")), "
            + "s\(SummaryNotation.axes(stride)), \(paddingText), d\(SummaryNotation.axes(dilation))"
        if groups > 1 { text += ", g\(groups)" }
        if bias == nil { text += ", no bias" }
        return text
    }

    public override func flops(input: [Int], output: [Int]) -> Int {
        let positions = Shape.count(Array(output.dropFirst(2)))
        let perOutput = 2 * (inChannels / Swift.max(groups, 1)) * kernel.reduce(1, *) + (bias == nil ? 0 : 1)
        return outChannels * positions * perOutput
    }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        flow.sliding(kernel: kernel, stride: stride, dilation: dilation, to: output)
    }
}

/// 2-D convolution layer `N×Cin×H×W → N×Cout×Ho×Wo`, per axis
/// `out = floor((in + 2·padding − dilation·(kernel − 1) − 1)/stride) + 1`
/// (PyTorch's `nn.Conv2d`, same initialisation and parameter names).
///
///     Conv2d(1, 6, kernel: 5, padding: 2)          // 1@28×28 → 6@28×28
///     Conv2d(32, 32, kernel: 3, groups: 32)        // depthwise
public final class Conv2d: ConvolutionLayer {
    public init(_ inChannels: Int, _ outChannels: Int, kernel: AxisValues, stride: AxisValues = 1,
                padding: Padding = 0, dilation: AxisValues = 1, groups: Int = 1, bias: Bool = true) {
        super.init(op: "Conv2d", axes: 2, inChannels, outChannels, kernel: kernel, stride: stride, padding: padding,
                   dilation: dilation, groups: groups, bias: bias)
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try checkConfiguration()
        if let fusedActivation {
            return try conv2d(input, weight: weight, bias: bias, stride: AxisValues(stride), padding: padding,
                              dilation: AxisValues(dilation), groups: groups, activation: fusedActivation)
        }
        return try conv2d(input, weight: weight, bias: bias, stride: AxisValues(stride), padding: padding,
                          dilation: AxisValues(dilation), groups: groups)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        try checkConfiguration()
        return try ConvolutionShapes.output(op: "Conv2d", input: input, channels: inChannels, filters: outChannels,
                                            kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }
}

/// 1-D convolution layer `N×Cin×L → N×Cout×Lo` (PyTorch's `nn.Conv1d`); padding may be a
/// number, `.same`, `.valid` or `.causal`.
///
///     Conv1d(3, 12, kernel: 5)                                 // 3@200 → 12@196
///     Conv1d(64, 64, kernel: 3, padding: .causal, dilation: 4) // WaveNet-style
public final class Conv1d: ConvolutionLayer {
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true) {
        super.init(op: "Conv1d", axes: 1, inChannels, outChannels, kernel: AxisValues(integerLiteral: kernel),
                   stride: AxisValues(integerLiteral: stride), padding: padding,
                   dilation: AxisValues(integerLiteral: dilation), groups: groups, bias: bias)
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try checkConfiguration()
        return try conv1d(input, weight: weight, bias: bias, stride: AxisValues(stride), padding: padding,
                          dilation: AxisValues(dilation), groups: groups)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        try checkConfiguration()
        return try ConvolutionShapes.output(op: "Conv1d", input: input, channels: inChannels, filters: outChannels,
                                            kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }
}

/// Output shapes of convolution layers without computing them.
enum ConvolutionShapes {
    static func output(op: String, input: [Int], channels: Int, filters: Int, kernel: [Int], stride: [Int],
                       padding: Padding, dilation: [Int]) throws(StrataError) -> [Int] {
        let axes = kernel.count
        let layout = axes == 1 ? "N×C×L" : "N×C×H×W"
        guard input.count == axes + 2 else {
            throw .shapeMismatch(op: op, message: "expects \(layout) input, got \(input.count - 1)-D samples \(ShapeNotation.describe(input))")
        }
        guard input[1] == channels else {
            throw .shapeMismatch(op: op, message: "expects \(channels) input channels but gets \(input[1]) (\(ShapeNotation.describe(input))); use \(op)(\(input[1]), \(filters), …) to fit")
        }
        let spatial = Array(input.dropFirst(2))
        let (before, after) = try padding.resolve(kernel: kernel, dilation: dilation, stride: stride, op: op)
        try ConvolutionArguments.checkOutput(op: op, input: spatial, kernel: kernel, stride: stride, before: before,
                                             after: after, dilation: dilation, xShape: input,
                                             wShape: [filters, channels] + kernel)
        let out = (0..<axes).map {
            outputLength(input: spatial[$0], kernel: kernel[$0], stride: stride[$0], paddingBefore: before[$0],
                         paddingAfter: after[$0], dilation: dilation[$0])
        }
        return [input[0], filters] + out
    }
}

/// Hyperparameters as summaries print them.
enum SummaryNotation {
    /// One number when every axis agrees (`s1`), else one per axis (`s2×1`).
    static func axes(_ values: [Int]) -> String {
        Set(values).count <= 1 ? values.first.map(String.init) ?? "" : values.map(String.init).joined(separator: "×")
    }
}
