/// A temporal convolutional network's residual block (Bai et al. 2018; WaveNet's causal
/// dilated stacks): two causal `Conv1d`s with kernel `k` and dilation `d` (each output `t`
/// sees inputs `≤ t`), each followed by batch norm, ReLU and dropout, added to the input
/// (through a 1×1 `downsample` when the width changes), then ReLU. Length is kept; the
/// receptive field grows by `2·d·(k − 1)`.
public final class TemporalBlock: Composite {
    public let conv1: Conv1d
    public let bn1: BatchNorm1d
    public let relu = ReLU()
    public let dropout: Dropout
    public let conv2: Conv1d
    public let bn2: BatchNorm1d
    public let downsample: Conv1d?

    public init(_ input: Int, _ output: Int, kernel: Int, dilation: Int, dropout: Float = 0.1) {
        conv1 = Conv1d(input, output, kernel: kernel, padding: .causal, dilation: dilation)
        bn1 = BatchNorm1d(output)
        self.dropout = Dropout(dropout)
        conv2 = Conv1d(output, output, kernel: kernel, padding: .causal, dilation: dilation)
        bn2 = BatchNorm1d(output)
        downsample = input != output ? Conv1d(input, output, kernel: 1) : nil
    }

    public override var body: Module {
        let main = Sequential(named: [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("dropout", dropout),
                                      ("conv2", conv2), ("bn2", bn2), ("relu", relu), ("dropout", dropout)])
        return Sequential(named: [("", Residual(main, shortcut: downsample, mainName: "", shortcutName: "downsample")),
                                  ("relu", relu)])
    }
}

extension Models {
    /// A causal dilated TCN for sequences `C@L`: residual `TemporalBlock`s (`blocks.0`, …)
    /// with dilations 1, 2, 4, … so the receptive field, `1 + 2·(k − 1)·(2^levels − 1)`,
    /// covers the window; then the last time step (which has seen the whole window and
    /// nothing after it) or the mean over time, and a linear `head`.
    public final class TCN: Composite {
        public let blocks: [TemporalBlock]
        public let head: Linear
        /// Read the last time step (`true`, causal) or average over time.
        public let lastStep: Bool

        public init(channels: Int, outputs: Int, width: Int = 64, levels: Int = 6, kernel: Int = 3, dropout: Float = 0.1,
                    lastStep: Bool = false) {
            blocks = (0..<Swift.max(levels, 1)).map { level in
                TemporalBlock(level == 0 ? channels : width, width, kernel: kernel, dilation: 1 << Swift.min(level, 20), dropout: dropout)
            }
            head = Linear(width, outputs)
            self.lastStep = lastStep
        }

        public override var body: Module {
            Sequential(named: blocks.enumerated().map { ("blocks.\($0.offset)", $0.element as Module) }
                       + [("pool", lastStep ? LastTimeStep() : GlobalAvgPool()), ("head", head)])
        }
    }
}

/// `N×C×L → N×C`: the values at the last time step.
public final class LastTimeStep: Module {
    public override init() {}

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        _ = try outputShape(for: input.shape)
        return try input.slice(axis: 2, start: input.shape[2] - 1).squeeze(axis: 2)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard input.count == 3, input[2] >= 1 else {
            throw .shapeMismatch(op: "LastTimeStep", message: "expects N×C×L input, got \(ShapeNotation.describe(input))")
        }
        return Array(input.prefix(2))
    }

    public override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        var next = flow
        next.shape = output
        return next
    }
}
