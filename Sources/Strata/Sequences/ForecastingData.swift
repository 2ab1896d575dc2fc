/// Forecasting data made from one or several streams of equal length (the channels of
/// each window): a chronological train/validation/test split (no validation part when its
/// share is 0), each stream standardised with its own training-part statistics, framing
/// into windows `N×C×m` with the target stream's targets, and the baselines a forecaster
/// must beat.
///
/// Channel 0 is the target stream (the residual forecaster adds its last value); the
/// other streams follow in the order given.
public struct ForecastingData: Sendable {
    /// Windows `N×C×m` (standardised) and targets (in the target's standardised units) of each part.
    public let train: TensorDataset
    public let validation: TensorDataset?
    public let test: TensorDataset
    /// The channels' names, in order (the target first).
    public let channels: [String]
    /// Each channel's mean and std over the training part (what standardised it).
    public let means: [Float]
    public let stds: [Float]
    /// Errors on the test part, in the target's units, of forecasts that need no model:
    /// `persistence_mae`/`_rmse` (the window's last value stands for every future value)
    /// and, with a `season` s, `seasonal_naive_mae`/`_rmse` (the value s steps earlier)
    /// and `season` (s). Empty for the trend target.
    public let baselines: [String: Double]
    /// Class names when the target is the trend.
    public let classNames: [String]?

    /// The target's training mean and std: predictions × `std` + `mean` are in its units.
    public var mean: Float { means[0] }
    public var std: Float { stds[0] }

    /// What to forecast, by name: `next`, `next-k`, `mean` or `trend`.
    public static let targetNames = ["next", "next-k", "mean", "trend"]

    /// One stream: the series is its own target.
    public init(series: [Float], frame: Int, step: Int = 1, horizon: Int = 1, target: String = "next",
                threshold: Float = 0, season: Int? = nil, fractions: (Double, Double) = (0.7, 0.15)) throws(StrataError) {
        try self.init(streams: [series], names: ["series"], frame: frame, step: step, horizon: horizon, target: target,
                      threshold: threshold, season: season, fractions: fractions)
    }

    /// - Parameters:
    ///   - streams: equal-length streams, the target first; a time step where any stream
    ///     is missing (NaN) is left out, and the rows close up (windows and the seasonal
    ///     baseline count rows, so gaps shift them).
    ///   - fractions: train and validation shares of the time steps (the rest is the test
    ///     part); a validation share of 0 leaves `validation` nil.
    ///   - target: `next` (value after the window), `next-k` (the `horizon` values after),
    ///     `mean` (their mean) or `trend` (down/flat/up beyond `threshold`, in std units).
    ///   - season: steps per season for the seasonal-naive baseline (12 for monthly data).
    /// - Throws: `StrataError.invalidArgument` for an unknown target, streams of unequal
    ///   length, or a part too short for one window (naming the part and the longest frame that fits).
    public init(streams: [[Float]], names: [String], frame: Int, step: Int = 1, horizon: Int = 1, target: String = "next",
                threshold: Float = 0, season: Int? = nil, fractions: (Double, Double) = (0.7, 0.15)) throws(StrataError) {
        guard ForecastingData.targetNames.contains(target) else {
            throw .invalidArgument(op: "data", message: "forecast target '\(target)' is not one of \(ForecastingData.targetNames.joined(separator: ", "))")
        }
        guard target == "next" || horizon >= 1, season.map({ $0 >= 1 }) ?? true,
              fractions.0 > 0, fractions.1 >= 0, fractions.0 + fractions.1 < 1 else {
            throw .invalidArgument(op: "data", message: "forecasting needs a horizon ≥ 1, a season ≥ 1 and train/validation shares with 0 < train, 0 ≤ validation, train + validation < 1; got horizon \(horizon), season \(season.map(String.init) ?? "none"), shares \(fractions)")
        }
        guard let length = streams.first?.count, streams.allSatisfy({ $0.count == length }), names.count == streams.count else {
            throw .invalidArgument(op: "data", message: "forecast streams must be named and of equal length, got lengths \(streams.map(\.count)) for \(names.count) names")
        }
        let kept = (0..<length).filter { time in streams.allSatisfy { !$0[time].isNaN } }
        let rows = streams.map { stream in kept.map { stream[$0] } }
        let count = kept.count
        let trainEnd = Int(Double(count) * fractions.0), validationEnd = Int(Double(count) * (fractions.0 + fractions.1))
        let (means, stds) = ForecastingData.statistics(rows, over: 0..<trainEnd)
        let scaled = rows.indices.map { channel in rows[channel].map { ($0 - means[channel]) / stds[channel] } }
        let futureSteps = target == "next" ? 1 : horizon
        let trainRange = 0..<trainEnd, testRange = validationEnd..<count
        let validationRange = fractions.1 == 0 ? nil : trainEnd..<validationEnd
        let parts = [("training", trainRange)] + (validationRange.map { [("validation", $0)] } ?? []) + [("test", testRange)]
        for (name, range) in parts where range.count < frame + futureSteps {
            throw .invalidArgument(op: "data", message: "the \(name) part has \(range.count) time steps (of \(count)), fewer than one frame of \(frame) plus \(futureSteps) to forecast; use --frame \(Swift.max(range.count - futureSteps, 1)) or less, or a longer series")
        }
        let classNames = target == "trend" ? ["down", "flat", "up"] : nil
        func dataset(_ range: Range<Int>) throws(StrataError) -> TensorDataset {
            let interleaved = range.flatMap { time in scaled.map { $0[time] } }
            let inputs = try Frames(series: try Tensor(interleaved, shape: [range.count, scaled.count]), frame: frame, step: step,
                                    horizon: futureSteps)
            let targetStream = try Frames(series: try Tensor(Array(scaled[0][range])), frame: frame, step: step, horizon: futureSteps)
            let targets: Tensor
            switch target {
            case "next": targets = targetStream.targets(.nextValue)
            case "mean": targets = targetStream.targets(.meanOfNext)
            case "next-k": targets = try targetStream.targets(.nextValues).reshape([targetStream.count, -1])
            default: targets = try targetStream.targets(.trend(threshold: threshold)).reshape([targetStream.count]).toFloat() + 1
            }
            return try TensorDataset(inputs: inputs.windowsNCL(), targets: classNames == nil ? targets : targets.toInt64(),
                                     classNames: classNames)
        }
        train = try dataset(trainRange)
        validation = try validationRange.map { range throws(StrataError) in try dataset(range) }
        test = try dataset(testRange)
        channels = names
        self.means = means
        self.stds = stds
        self.classNames = classNames
        baselines = classNames != nil ? [:]
            : ForecastingData.baselines(of: rows[0], part: testRange, frame: frame, step: step, steps: futureSteps,
                                        averaged: target == "mean", season: season)
    }

    /// Per-channel mean and population std over `range` (a constant stream gets std 1).
    static func statistics(_ rows: [[Float]], over range: Range<Int>) -> (means: [Float], stds: [Float]) {
        let moments = rows.map { row -> (Float, Float) in
            let values = row[range].map(Double.init)
            let mean = values.reduce(0, +) / Double(Swift.max(values.count, 1))
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(values.count, 1))
            return (Float(mean), Float(variance.squareRoot() > 1e-12 ? variance.squareRoot() : 1))
        }
        return (moments.map(\.0), moments.map(\.1))
    }

    /// Persistence and seasonal-naive errors over the windows of `part` of the raw target
    /// `series`: each window's `steps` future values (or their mean when `averaged`)
    /// against the window's last value, and against the value a whole number of seasons
    /// earlier (`y[e + h − s·(⌊(h − 1)/s⌋ + 1)]` for step `h` after the window's end `e`;
    /// history before the part counts, a window without a season of history is left out).
    static func baselines(of series: [Float], part: Range<Int>, frame: Int, step: Int, steps: Int, averaged: Bool,
                          season: Int?) -> [String: Double] {
        var errors: [String: [Double]] = ["persistence": [], "seasonal_naive": []]
        var windowStart = part.lowerBound
        while windowStart + frame + steps <= part.upperBound {
            let end = windowStart + frame - 1
            let truth = (1...steps).map { Double(series[end + $0]) }
            let forecasts: [String: [Double]?] = [
                "persistence": Array(repeating: Double(series[end]), count: steps),
                "seasonal_naive": season.flatMap { s -> [Double]? in
                    guard s >= 1, end + 1 - s >= 0 else { return nil }
                    return (1...steps).map { h in Double(series[end + h - s * ((h - 1) / s + 1)]) }
                },
            ]
            for (name, forecast) in forecasts {
                guard let forecast else { continue }
                if averaged {
                    errors[name]!.append(forecast.reduce(0, +) / Double(steps) - truth.reduce(0, +) / Double(steps))
                } else {
                    errors[name]! += zip(forecast, truth).map { $0 - $1 }
                }
            }
            windowStart += step
        }
        var result: [String: Double] = [:]
        for (name, values) in errors where !values.isEmpty {
            result["\(name)_mae"] = values.reduce(0) { $0 + Swift.abs($1) } / Double(values.count)
            result["\(name)_rmse"] = (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
        }
        if result["seasonal_naive_mae"] != nil, let season { result["season"] = Double(season) }
        return result
    }
}
