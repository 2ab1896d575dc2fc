/// The residual block of Wang et al. (2017)'s time-series ResNet: three `Conv1d`s with
/// kernels 8, 5 and 3 (`same` or `causal` padding, dilation `d`), batch norm after each
/// and ReLU after the first two; the input, through a 1×1 convolution and batch norm
/// (`shortcut.0`, `shortcut.1`) when the width changes and through batch norm alone
/// otherwise, is added before the last ReLU. `N×Cin×L → N×Cout×L`.
public final class ResNet1dBlock: Composite {
    public let conv1: Conv1d, bn1: BatchNorm1d
    public let conv2: Conv1d, bn2: BatchNorm1d
    public let conv3: Conv1d, bn3: BatchNorm1d
    public let shortcut: Sequential
    public let relu = ReLU()

    public init(_ input: Int, _ output: Int, causal: Bool = false, dilation: Int = 1) {
        let padding: Padding = causal ? .causal : .same
        conv1 = Conv1d(input, output, kernel: 8, padding: padding, dilation: dilation)
        bn1 = BatchNorm1d(output)
        conv2 = Conv1d(output, output, kernel: 5, padding: padding, dilation: dilation)
        bn2 = BatchNorm1d(output)
        conv3 = Conv1d(output, output, kernel: 3, padding: padding, dilation: dilation)
        bn3 = BatchNorm1d(output)
        shortcut = input == output ? Sequential(named: [("0", BatchNorm1d(output))])
            : Sequential(named: [("0", Conv1d(input, output, kernel: 1)), ("1", BatchNorm1d(output))])
    }

    public override var body: Module {
        let main = Sequential(named: [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2),
                                      ("relu", relu), ("conv3", conv3), ("bn3", bn3)])
        return Sequential(named: [("", Residual(main, shortcut: shortcut, mainName: "", shortcutName: "shortcut")),
                                  ("relu", relu)])
    }
}

extension Models {
    /// Wang et al. (2017)'s ResNet for time-series classification, as re-run in Ismail
    /// Fawaz et al. (2019): `ResNet1dBlock`s of 64, 128 and 128 filters (`blocks.0` …),
    /// global average pooling over time and a linear `fc`. `N×C×L → N×classes`, any `L`.
    ///
    /// - Parameters:
    ///   - causal: pad every convolution on the left only, so output `t` sees inputs `≤ t`.
    ///   - dilated: block `b` uses dilation `2^b`, growing the receptive field from 40 to 92 steps.
    public final class ResNet1d: Composite {
        public let blocks: [ResNet1dBlock]
        public let fc: Linear

        public init(channels: Int, classes: Int, widths: [Int] = [64, 128, 128], causal: Bool = false, dilated: Bool = false) {
            let widths = widths.isEmpty ? [64] : widths
            blocks = widths.indices.map { index in
                ResNet1dBlock(index == 0 ? channels : widths[index - 1], widths[index], causal: causal,
                              dilation: dilated ? 1 << Swift.min(index, 20) : 1)
            }
            fc = Linear(widths[widths.count - 1], classes)
        }

        public override var body: Module {
            Sequential(named: blocks.enumerated().map { ("blocks.\($0.offset)", $0.element as Module) }
                       + [("pool", GlobalAvgPool()), ("fc", fc)])
        }
    }
}
