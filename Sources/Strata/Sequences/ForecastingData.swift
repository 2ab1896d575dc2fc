/// Forecasting data made from one series: a chronological train/validation/test split,
/// standardisation with training statistics, framing into windows with their targets,
/// and the persistence baseline to beat.
public struct ForecastingData: Sendable {
    /// Windows `N×1×m` (standardised) and targets of each part.
    public let train: TensorDataset
    public let validation: TensorDataset
    public let test: TensorDataset
    /// Training mean and std of the series; predictions × `std` + `mean` are in its units.
    public let mean: Float
    public let std: Float
    /// Mean absolute error on the test part of predicting the window's last value (in
    /// the series' units): the baseline a forecaster must beat.
    public let persistenceMAE: Double
    /// Class names when the target is the trend.
    public let classNames: [String]?

    /// What to forecast, by name: `next`, `next-k`, `mean` or `trend`.
    public static let targetNames = ["next", "next-k", "mean", "trend"]

    /// - Parameters:
    ///   - fractions: train and validation shares of the series (the rest is the test part).
    ///   - target: `next` (value after the window), `next-k` (the `horizon` values after),
    ///     `mean` (their mean) or `trend` (down/flat/up beyond `threshold`, in std units).
    /// - Throws: `StrataError.invalidArgument` for an unknown target or a part too short
    ///   for one window.
    public init(series raw: [Float], frame: Int, step: Int = 1, horizon: Int = 1, target: String = "next",
                threshold: Float = 0, fractions: (Double, Double) = (0.7, 0.15)) throws(StrataError) {
        guard ForecastingData.targetNames.contains(target) else {
            throw .invalidArgument(op: "data", message: "forecast target '\(target)' is not one of \(ForecastingData.targetNames.joined(separator: ", "))")
        }
        let values = raw.filter { !$0.isNaN }
        let trainEnd = Int(Double(values.count) * fractions.0), validationEnd = Int(Double(values.count) * (fractions.0 + fractions.1))
        let trainValues = values[..<trainEnd].map(Double.init)
        let mean = trainValues.reduce(0, +) / Double(Swift.max(trainValues.count, 1))
        let variance = trainValues.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(trainValues.count, 1))
        let std = Float(variance.squareRoot() > 1e-12 ? variance.squareRoot() : 1)
        let scaled = values.map { ($0 - Float(mean)) / std }
        func part(_ range: Range<Int>) throws(StrataError) -> Frames {
            try Frames(series: Tensor(Array(scaled[range])), frame: frame, step: step, horizon: target == "next" ? 1 : horizon)
        }
        let parts = [try part(0..<trainEnd), try part(trainEnd..<validationEnd), try part(validationEnd..<values.count)]
        let classNames = target == "trend" ? ["down", "flat", "up"] : nil
        func dataset(_ frames: Frames) throws(StrataError) -> TensorDataset {
            let inputs = frames.windowsNCL()
            let targets: Tensor
            switch target {
            case "next": targets = frames.targets(.nextValue)
            case "mean": targets = frames.targets(.meanOfNext)
            case "next-k": targets = try frames.targets(.nextValues).reshape([frames.count, -1])
            default: targets = try frames.targets(.trend(threshold: threshold)).reshape([frames.count]).toFloat() + 1
            }
            return try TensorDataset(inputs: inputs, targets: classNames == nil ? targets : targets.toInt64(), classNames: classNames)
        }
        train = try dataset(parts[0])
        validation = try dataset(parts[1])
        test = try dataset(parts[2])
        self.mean = Float(mean)
        self.std = std
        self.classNames = classNames
        // persistence: the window's last value stands for every future value asked for
        let testFrames = parts[2]
        let last = testFrames.windowsNLC().toArray()
        let truth = target == "trend" ? [] : (try dataset(testFrames)).targets.toArray()
        let perWindow = Swift.max(truth.count / Swift.max(testFrames.count, 1), 1)
        var error: Double = 0
        for (index, value) in truth.enumerated() {
            let window = index / perWindow
            error += Double(Swift.abs(value - last[window * frame + frame - 1]))
        }
        persistenceMAE = truth.isEmpty ? .nan : error / Double(truth.count) * Double(std)
    }
}
