/// Transposed 2-D convolution layer (upsampling): `N×Cin×H×W → N×Cout×Ho×Wo` with per axis
/// `out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + outputPadding + 1`;
/// weight `Cin×(Cout/groups)×kh×kw` (PyTorch's `nn.ConvTranspose2d`).
///
///     ConvTranspose2d(16, 8, kernel: 3, stride: 2, padding: 1, outputPadding: 1)   // 16@14×14 → 8@28×28
public final class ConvTranspose2d: Module {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: [Int]
    public let stride: AxisValues
    public let padding: AxisValues
    public let outputPadding: AxisValues
    public let dilation: AxisValues
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: AxisValues, stride: AxisValues = 1,
                padding: AxisValues = 0, outputPadding: AxisValues = 0, dilation: AxisValues = 1,
                groups: Int = 1, bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = ((try? kernel.resolve(axes: 2, name: "kernel", op: "ConvTranspose2d")) ?? [1, 1]).map { Swift.max($0, 0) }
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
        let perGroup = Swift.max(outChannels, 0) / Swift.max(groups, 1)
        // PyTorch takes fan_in from weight.shape[1]·kernel for transposed convolutions
        let fanIn = perGroup * self.kernel.reduce(1, &*)
        weight = Initialization.uniform([Swift.max(inChannels, 0), perGroup] + self.kernel, fanIn: fanIn)
        self.bias = bias ? Initialization.uniform([Swift.max(outChannels, 0)], fanIn: fanIn) : nil
    }

    private func checkConfiguration() throws(StrataError) {
        guard inChannels >= 1, outChannels >= 1, groups >= 1, inChannels % groups == 0, outChannels % groups == 0,
              kernel.allSatisfy({ $0 >= 1 }), weight.count > 0 else {
            throw .invalidArgument(op: "ConvTranspose2d", message: "needs channels ≥ 1 divisible by groups and kernel ≥ 1, got \(inChannels)→\(outChannels), groups \(groups), kernel \(kernel)")
        }
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        try checkConfiguration()
        return try convTranspose2d(input, weight: weight, bias: bias, stride: stride, padding: padding,
                                   outputPadding: outputPadding, dilation: dilation, groups: groups)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        try checkConfiguration()
        let op = "ConvTranspose2d"
        guard input.count == 4, input[1] == inChannels else {
            throw .shapeMismatch(op: op, message: "expects N×\(inChannels)×H×W input, got \(ShapeNotation.describe(input))")
        }
        let s = try stride.resolve(axes: 2, name: "stride", op: op), p = try padding.resolve(axes: 2, name: "padding", op: op)
        let o = try outputPadding.resolve(axes: 2, name: "outputPadding", op: op)
        let d = try dilation.resolve(axes: 2, name: "dilation", op: op)
        var out: [Int] = []
        for axis in 0..<2 {
            let stretched = (input[2 + axis] - 1) * s[axis] + d[axis] * (kernel[axis] - 1)
            out.append(stretched - 2 * p[axis] + o[axis] + 1)
        }
        guard out.allSatisfy({ $0 >= 1 }) else {
            throw .outputTooSmall(op: op, message: "output would be \(out) for input \(ShapeNotation.describe(input))")
        }
        return [input[0], outChannels] + out
    }

    public override var summaryText: String {
        "ConvTranspose2d \(inChannels)→\(outChannels), k\(kernel.map(String.init).joined(separator: "×")), s\(stride), p\(padding), op\(outputPadding), d\(dilation)"
            + (groups > 1 ? ", g\(groups)" : "")
    }

    public override func flops(input: [Int], output: [Int]) -> Int {
        // every input position scatters into kernel positions of outChannels/groups maps
        2 * Shape.count(Array(input.dropFirst())) * (outChannels / Swift.max(groups, 1)) * kernel.reduce(1, *)
    }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        // an output unit sees about kernel/stride input units: the field does not shrink
        var next = flow
        next.shape = output
        return next
    }
}
