/// Per-channel standardisation `(x − mean_c)/std_c`, fitted on training data only and
/// applied unchanged to validation, test and prediction inputs (no leakage).
public struct Standardizer: Sendable, Codable, Equatable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Mean and (biased) standard deviation of each channel (axis 1) of `N×C×…` inputs.
    public static func fit(_ inputs: Tensor) -> Standardizer {
        let x = inputs.dense()
        let channels = x.rank >= 2 ? x.shape[1] : 1
        let plane = x.count / Swift.max(x.shape.first ?? 1, 1) / Swift.max(channels, 1)
        var sums = [Double](repeating: 0, count: channels), squares = sums
        for n in 0..<(x.shape.first ?? 0) {
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                for i in 0..<plane {
                    let value = Double(x.floats[base + i])
                    sums[c] += value
                    squares[c] += value * value
                }
            }
        }
        let count = Double(Swift.max((x.shape.first ?? 0) * plane, 1))
        let mean = sums.map { $0 / count }
        let std = zip(squares, mean).map { Swift.max($0 / count - $1 * $1, 0).squareRoot() }
        return Standardizer(mean: mean.map(Float.init), std: std.map { Float($0 > 1e-12 ? $0 : 1) })
    }

    /// The standardised inputs.
    ///
    /// - Throws: `StrataError.shapeMismatch` when the channel count differs from the fit.
    public func apply(_ inputs: Tensor) throws(StrataError) -> Tensor {
        let channels = inputs.rank >= 2 ? inputs.shape[1] : 1
        guard channels == mean.count else {
            throw .shapeMismatch(op: "Standardizer", message: "fitted on \(mean.count) channels, applied to \(channels) (input \(Shape.describe(inputs.shape)))")
        }
        var shape = [Int](repeating: 1, count: Swift.max(inputs.rank, 2))
        shape[1] = channels
        let center = try Tensor(mean, shape: shape), scale = try Tensor(std.map { 1 / $0 }, shape: shape)
        return try withoutGradients { () throws(StrataError) in try (inputs - center) * scale }
    }
}
