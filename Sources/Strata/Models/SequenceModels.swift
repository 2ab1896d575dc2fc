extension Models {
    /// The fully convolutional network of Wang et al. (2017) for time-series
    /// classification: `Conv1d 128 k8`, `256 k5`, `128 k3`, each with `same` padding, batch
    /// norm and ReLU, then global average pooling over time and a linear classifier.
    /// `N×C×L → N×classes`, any `L`.
    ///
    /// - Parameters:
    ///   - causal: pad on the left only, so output `t` sees inputs `≤ t`.
    ///   - dilated: the `i`-th convolution dilates by `2^i`, growing the receptive field from 14 to 24 steps.
    public static func fcn(channels: Int, classes: Int, causal: Bool = false, dilated: Bool = false) -> Sequential {
        Sequential {
            for (index, (input, output, kernel)) in [(channels, 128, 8), (128, 256, 5), (256, 128, 3)].enumerated() {
                Conv1d(input, output, kernel: kernel, padding: causal ? .causal : .same, dilation: dilated ? 1 << index : 1)
                BatchNorm1d(output)
                ReLU()
            }
            GlobalAvgPool()
            Linear(128, classes)
        }
    }

    /// A 1-D CNN classifier with a growing receptive field: `Conv1d k3` blocks (batch norm,
    /// ReLU) with dilation 1, 2, 4, 8 and `same` padding, global average pooling, linear.
    public static func sequenceCNN(channels: Int, classes: Int, width: Int = 64) -> Sequential {
        Sequential {
            Conv1d(channels, width, kernel: 7, padding: .same)
            BatchNorm1d(width)
            ReLU()
            for dilation in [1, 2, 4, 8] {
                Conv1d(width, width, kernel: 3, padding: .same, dilation: dilation)
                BatchNorm1d(width)
                ReLU()
            }
            GlobalAvgPool()
            Linear(width, classes)
        }
    }

    /// A small 1-D CNN forecaster for windows `channels@frame`: two `Conv1d 32 k3` layers
    /// (`same` padding, ReLU), flattened, and a linear layer to `outputs` values.
    public static func forecaster(channels: Int, frame: Int, outputs: Int) -> Sequential {
        Sequential {
            Conv1d(channels, 32, kernel: 3, padding: .same)
            ReLU()
            Conv1d(32, 32, kernel: 3, padding: .same)
            ReLU()
            Flatten()
            Linear(32 * frame, outputs)
        }
    }

    /// The forecaster predicting the change from the window's last value (persistence
    /// plus a learned correction).
    public static func residualForecaster(channels: Int, frame: Int, outputs: Int) -> Module {
        LastValueSkip(forecaster(channels: channels, frame: frame, outputs: outputs), outputs: outputs)
    }
}

extension Models {
    /// A multilayer perceptron for feature vectors: `Linear(inputs, hidden)`, ReLU, and a
    /// linear classifier.
    public static func mlp(inputs: Int, hidden: Int = 64, classes: Int) -> Sequential {
        Sequential { Linear(inputs, hidden); ReLU(); Linear(hidden, classes) }
    }
}

/// `main(x) + last value of x`: a forecaster that learns the change from the window's last
/// value, so it starts from the persistence forecast. Input `N×C×m` with the forecast
/// stream as channel 0 (as `ForecastingData` orders them); its last value is added to every output.
public final class LastValueSkip: Module {
    public let main: Module
    public let outputs: Int

    public init(_ main: Module, outputs: Int) {
        self.main = main
        self.outputs = outputs
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        guard input.rank == 3, input.shape[1] >= 1, input.shape[2] >= 1 else {
            throw .shapeMismatch(op: "LastValueSkip", message: "expects N×C×m windows with at least one channel and one time step, got \(Shape.describe(input.shape))")
        }
        let last = try input.slice(axis: 1, start: 0, end: 1).slice(axis: 2, start: -1).reshape([input.shape[0], 1])
        return try main(input) + last   // broadcast over the outputs
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] { try main.outputShape(for: input) }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        try main.summarize(into: &rows, path: path.isEmpty ? "main" : "\(path).main", flow: flow)
    }
}
