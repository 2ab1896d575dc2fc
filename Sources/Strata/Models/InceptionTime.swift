/// One module of InceptionTime (Ismail Fawaz et al. 2020): a 1×1 `bottleneck` (when the
/// input has more than one channel), three convolutions of kernels `k`, `k/2`, `k/4` over
/// it (`convs.0` …, no bias), beside a max pool of 3 followed by a 1×1 convolution
/// (`pool_conv`) over the input; the four outputs joined along channels, batch norm, ReLU.
/// `N×Cin×L → N×4·filters×L`.
public final class InceptionModule: Composite {
    public let bottleneck: Conv1d?
    public let convs: [Conv1d]
    public let pool: Module
    public let pool_conv: Conv1d
    public let bn: BatchNorm1d
    public let relu = ReLU()

    /// - Parameters:
    ///   - causal: left padding only (and a max pool over the current and two earlier steps).
    ///   - dilation: of the three wide convolutions.
    public init(_ input: Int, filters: Int = 32, bottleneck width: Int = 32, kernel: Int = 40, causal: Bool = false,
                dilation: Int = 1) {
        bottleneck = input > 1 ? Conv1d(input, width, kernel: 1, bias: false) : nil
        let branchInput = input > 1 ? width : input
        convs = (0..<3).map { level in
            Conv1d(branchInput, filters, kernel: Swift.max(kernel >> level, 1), padding: causal ? .causal : .same,
                   dilation: dilation, bias: false)
        }
        pool = causal ? CausalMaxPool1d(3) : MaxPool1d(3, stride: 1, padding: 1)
        pool_conv = Conv1d(input, filters, kernel: 1, bias: false)
        bn = BatchNorm1d(4 * filters)
    }

    public override var body: Module {
        let wide = Concat(convs.map { $0 as Module }, names: convs.indices.map { "convs.\($0)" })
        let widePath: Module = bottleneck.map { Sequential(named: [("bottleneck", $0), ("", wide)]) } ?? wide
        let poolPath = Sequential(named: [("pool", pool), ("pool_conv", pool_conv)])
        return Sequential(named: [("", Concat([widePath, poolPath], names: ["", ""])), ("bn", bn), ("relu", relu)])
    }
}

extension Models {
    /// InceptionTime's network (Ismail Fawaz et al. 2020): `depth` `InceptionModule`s
    /// (`blocks.0` …) with a residual connection around every three — a 1×1 convolution
    /// and batch norm (`shortcuts.0.0`, `shortcuts.0.1`), added, then ReLU — global average
    /// pooling and a linear `fc`. `N×C×L → N×classes`, any `L`. (The paper's figures are
    /// of an ensemble of five such networks trained from different seeds.)
    public final class InceptionTime: Composite {
        public let blocks: [InceptionModule]
        public let shortcuts: [Sequential]
        public let fc: Linear

        /// - Parameters:
        ///   - causal: left padding only, so output `t` sees inputs `≤ t`.
        ///   - dilated: module `d` dilates its wide convolutions by `2^d`.
        public init(channels: Int, classes: Int, depth: Int = 6, filters: Int = 32, kernel: Int = 40, causal: Bool = false,
                    dilated: Bool = false) {
            let depth = Swift.max(depth, 1), width = 4 * filters
            blocks = (0..<depth).map { index in
                InceptionModule(index == 0 ? channels : width, filters: filters, bottleneck: filters, kernel: kernel,
                                causal: causal, dilation: dilated ? 1 << Swift.min(index, 20) : 1)
            }
            shortcuts = (0..<depth / 3).map { group in
                Sequential(named: [("0", Conv1d(group == 0 ? channels : width, width, kernel: 1, bias: false)),
                                   ("1", BatchNorm1d(width))])
            }
            fc = Linear(width, classes)
        }

        public override var body: Module {
            var layers: [(String, Module)] = []
            for group in 0..<(blocks.count + 2) / 3 {
                let members = blocks.indices.dropFirst(3 * group).prefix(3).map { ("blocks.\($0)", blocks[$0] as Module) }
                if group < shortcuts.count {
                    layers.append(("", Residual(Sequential(named: members), shortcut: shortcuts[group], mainName: "",
                                                shortcutName: "shortcuts.\(group)")))
                    layers.append(("relu", ReLU()))
                } else {
                    layers += members
                }
            }
            return Sequential(named: layers + [("pool", GlobalAvgPool()), ("fc", fc)])
        }
    }
}

/// Max pooling over the current and `kernel − 1` earlier steps, stride 1:
/// `N×C×L → N×C×L`, output `t` the maximum of inputs `t − kernel + 1 … t` (the first value
/// stands in for the steps before the start, which gives the same maximum as padding
/// with −∞).
public final class CausalMaxPool1d: Module {
    public let kernel: Int

    public init(_ kernel: Int) { self.kernel = Swift.max(kernel, 1) }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        _ = try outputShape(for: input.shape)
        guard kernel > 1 else { return input }
        let first = try input.slice(axis: 2, start: 0, end: 1)
        let padded = try Tensor.concat(Array(repeating: first, count: kernel - 1) + [input], axis: 2)
        return try maxPool1d(padded, kernel: kernel, stride: 1)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard input.count == 3, input[2] >= 1 else {
            throw .shapeMismatch(op: "CausalMaxPool1d", message: "expects N×C×L input with L ≥ 1, got \(ShapeNotation.describe(input))")
        }
        return input
    }

    public override var summaryText: String { "CausalMaxPool1d(\(kernel))" }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        flow.sliding(kernel: [kernel], stride: [1], dilation: [1], to: output)
    }
}
