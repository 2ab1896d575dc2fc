import Foundation

/// How inputs are rescaled before a model sees them.
public enum Normalization: String, Sendable, Codable, CaseIterable {
    /// Per channel `(x − mean_c)/std_c`, statistics from the training part.
    case standard
    /// Per channel `(x − min_c)/(max_c − min_c)`, statistics from the training part.
    case minmax
    /// Each sample's channels standardised by their own mean and std (z-normalisation of
    /// time series; nothing is fitted).
    case sample
    /// `sample`, plus the level that it removes: for each of the C channels three constant
    /// channels holding log10 of the sample's standard deviation, |mean| and max |x|
    /// (each + 10⁻⁶), standardised with training statistics. Series `N×C×L…` become
    /// `N×4C×L…`: the C z-normalised channels, then the C deviations, the C means and the C
    /// peaks. For series told apart by their amplitude as well as their shape (PLAID's
    /// appliance currents run from milliamperes to tens of amperes).
    case sampleLevel = "sample-level"
    /// Inputs as they are.
    case none
}

/// A fitted normalisation: fitted on the training part only, saved with the model
/// (`run.json`) and applied unchanged to validation, test and prediction inputs.
public struct Normalizer: Sendable, Codable, Equatable {
    public let kind: Normalization
    /// Per-channel offset subtracted (mean or minimum; for `sample-level` the level
    /// channels' means); empty for `sample` and `none`.
    public let offset: [Float]
    /// Per-channel divisor (std or range; for `sample-level` the level channels' stds);
    /// empty for `sample` and `none`.
    public let scale: [Float]

    public init(kind: Normalization, offset: [Float] = [], scale: [Float] = []) {
        self.kind = kind
        self.offset = offset
        self.scale = scale
    }

    /// Per-channel statistics of `N×C×…` inputs: sums, sums of squares, minima, maxima.
    private static func channelStatistics(_ inputs: Tensor) -> (mean: [Double], std: [Double], min: [Float], max: [Float]) {
        let batch = inputs.shape.first ?? 0, channels = inputs.rank >= 2 ? inputs.shape[1] : 1
        let plane = inputs.count / Swift.max(batch, 1) / Swift.max(channels, 1)
        var sums = [Double](repeating: 0, count: channels), squares = sums
        var low = [Float](repeating: .infinity, count: channels), high = [Float](repeating: -.infinity, count: channels)
        inputs.withDenseFloats { x in
            for n in 0..<batch {
                for c in 0..<channels {
                    let base = (n * channels + c) * plane
                    for i in 0..<plane {
                        let value = x[base + i]
                        guard !value.isNaN else { continue }
                        sums[c] += Double(value)
                        squares[c] += Double(value) * Double(value)
                        low[c] = Swift.min(low[c], value)
                        high[c] = Swift.max(high[c], value)
                    }
                }
            }
        }
        let count = Double(Swift.max(batch * plane, 1))
        let mean = sums.map { $0 / count }
        let std = zip(squares, mean).map { Swift.max($0 / count - $1 * $1, 0).squareRoot() }
        return (mean, std, low, high)
    }

    /// Fits `kind` on training inputs `N×C×…`.
    public static func fit(_ kind: Normalization, on inputs: Tensor) -> Normalizer {
        switch kind {
        case .standard:
            let statistics = channelStatistics(inputs)
            return Normalizer(kind: kind, offset: statistics.mean.map(Float.init),
                              scale: statistics.std.map { Float($0 > 1e-12 ? $0 : 1) })
        case .minmax:
            let statistics = channelStatistics(inputs)
            return Normalizer(kind: kind, offset: statistics.min,
                              scale: zip(statistics.min, statistics.max).map { $1 - $0 > 1e-12 ? $1 - $0 : 1 })
        case .sampleLevel:
            guard inputs.rank >= 3, let levels = try? levels(inputs) else { return Normalizer(kind: kind) }
            let statistics = channelStatistics(levels)
            return Normalizer(kind: kind, offset: statistics.mean.map(Float.init),
                              scale: statistics.std.map { Float($0 > 1e-12 ? $0 : 1) })
        case .sample, .none:
            return Normalizer(kind: kind)
        }
    }

    /// The shape of one normalised sample from that of one input sample (no batch axis):
    /// `sample-level` turns C channels into 4C; every other kind keeps the shape.
    public func sampleShape(_ input: [Int]) -> [Int] {
        guard kind == .sampleLevel, let channels = input.first, input.count >= 2 else { return input }
        return [channels * 4] + input.dropFirst()
    }

    /// Each sample's level `N×3C×1`, from series `N×C×L…`: log10(std + 10⁻⁶) of channels
    /// 0…C−1, then log10(|mean| + 10⁻⁶) of each, then log10(max |x| + 10⁻⁶).
    static func levels(_ inputs: Tensor) throws(StrataError) -> Tensor {
        try withoutGradients { () throws(StrataError) in
            let series = try inputs.reshape([inputs.shape[0], inputs.shape[1], Shape.count(Array(inputs.shape.dropFirst(2)))])
            let mean = try series.mean(axes: [2], keepDims: true)
            let std = try series.variance(axes: [2], unbiased: false, keepDims: true).sqrt()
            let peak = try series.abs().max(axis: 2, keepDims: true)
            func log10(_ value: Tensor) -> Tensor { (value + 1e-6).log() * Float(1 / log(10.0)) }
            return try Tensor.concat([log10(std), log10(mean.abs()), log10(peak)], axis: 1)
        }
    }

    /// Each sample's channels z-normalised by their own mean and std (series `N×C×L…`).
    private static func standardisedOneByOne(_ inputs: Tensor) throws(StrataError) -> Tensor {
        let axes = Array(2..<inputs.rank)
        return try withoutGradients { () throws(StrataError) in
            let mean = try inputs.mean(axes: axes, keepDims: true)
            let std = try inputs.variance(axes: axes, unbiased: false, keepDims: true).sqrt()
            return try (inputs - mean) / (std + 1e-8)
        }
    }

    /// Throws unless `inputs` have the channel count the fit saw (`perChannel` fitted values
    /// per input channel).
    private func checkChannels(_ inputs: Tensor, perChannel: Int) throws(StrataError) {
        let channels = inputs.rank >= 2 ? inputs.shape[1] : 1
        guard channels * perChannel == offset.count else {
            throw .shapeMismatch(op: "Normalizer", message: "fitted on \(offset.count / perChannel) channels, applied to \(channels) (input \(Shape.describe(inputs.shape)))")
        }
    }

    /// `(x − offset_c)/scale_c` along axis 1.
    private func standardised(_ inputs: Tensor) throws(StrataError) -> Tensor {
        var shape = [Int](repeating: 1, count: Swift.max(inputs.rank, 2))
        shape[1] = offset.count
        let center = try Tensor(offset, shape: shape), factor = try Tensor(scale.map { 1 / $0 }, shape: shape)
        return try withoutGradients { () throws(StrataError) in try (inputs - center) * factor }
    }

    /// The normalised inputs.
    ///
    /// - Throws: `StrataError.shapeMismatch` when the channel count differs from the fit;
    ///   `StrataError.invalidArgument` for `sample-level` on inputs that are not series.
    public func apply(_ inputs: Tensor) throws(StrataError) -> Tensor {
        switch kind {
        case .none:
            return inputs
        case .sample:
            guard inputs.rank >= 3 else { return inputs }
            return try Self.standardisedOneByOne(inputs)
        case .sampleLevel:
            guard inputs.rank >= 3 else {
                throw .invalidArgument(op: "Normalizer", message: "sample-level normalises series N×C×L…, not inputs \(Shape.describe(inputs.shape)): use standard")
            }
            try checkChannels(inputs, perChannel: 3)
            let levels = try standardised(try Self.levels(inputs))
            var shape = inputs.shape
            shape[1] = levels.shape[1]
            let constant = try levels.reshape(Array(levels.shape.prefix(2)) + [Int](repeating: 1, count: inputs.rank - 2)).expand(shape)
            return try withoutGradients { () throws(StrataError) in
                try Tensor.concat([try Self.standardisedOneByOne(inputs), constant], axis: 1)
            }
        case .standard, .minmax:
            try checkChannels(inputs, perChannel: 1)
            return try standardised(inputs)
        }
    }
}
