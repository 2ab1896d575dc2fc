/// How inputs are rescaled before a model sees them.
public enum Normalization: String, Sendable, Codable, CaseIterable {
    /// Per channel `(x − mean_c)/std_c`, statistics from the training part.
    case standard
    /// Per channel `(x − min_c)/(max_c − min_c)`, statistics from the training part.
    case minmax
    /// Each sample's channels standardised by their own mean and std (z-normalisation of
    /// time series; nothing is fitted).
    case sample
    /// Inputs as they are.
    case none
}

/// A fitted normalisation: fitted on the training part only, saved with the model
/// (`run.json`) and applied unchanged to validation, test and prediction inputs.
public struct Normalizer: Sendable, Codable, Equatable {
    public let kind: Normalization
    /// Per-channel offset subtracted (mean or minimum); empty for `sample` and `none`.
    public let offset: [Float]
    /// Per-channel divisor (std or range); empty for `sample` and `none`.
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
        case .sample, .none:
            return Normalizer(kind: kind)
        }
    }

    /// The normalised inputs.
    ///
    /// - Throws: `StrataError.shapeMismatch` when the channel count differs from the fit.
    public func apply(_ inputs: Tensor) throws(StrataError) -> Tensor {
        switch kind {
        case .none:
            return inputs
        case .sample:
            guard inputs.rank >= 3 else { return inputs }
            let axes = Array(2..<inputs.rank)
            return try withoutGradients { () throws(StrataError) in
                let mean = try inputs.mean(axes: axes, keepDims: true)
                let std = try inputs.variance(axes: axes, unbiased: false, keepDims: true).sqrt()
                return try (inputs - mean) / (std + 1e-8)
            }
        case .standard, .minmax:
            let channels = inputs.rank >= 2 ? inputs.shape[1] : 1
            guard channels == offset.count else {
                throw .shapeMismatch(op: "Normalizer", message: "fitted on \(offset.count) channels, applied to \(channels) (input \(Shape.describe(inputs.shape)))")
            }
            var shape = [Int](repeating: 1, count: Swift.max(inputs.rank, 2))
            shape[1] = channels
            let center = try Tensor(offset, shape: shape), factor = try Tensor(scale.map { 1 / $0 }, shape: shape)
            return try withoutGradients { () throws(StrataError) in try (inputs - center) * factor }
        }
    }
}
