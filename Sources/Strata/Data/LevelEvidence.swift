/// Whether each case's level — log10 of its std, |mean| and peak — tells a set's classes apart
/// better than its shape: leave-one-out 1-nearest-neighbour (Euclidean) accuracy on the training
/// cases, their standardised log-levels against the cases z-normalised one by one. How `ucr:`
/// chooses `sample-level` over `sample` for sets the archive did not z-normalise: PLAID's levels
/// alone score 79.0% and its shapes 49.9%, while BME's score 56.7% against 90.0% and a ResNet
/// given BME's levels learns them instead of the shapes (69.3% against 97.3% on the test part).
public struct LevelEvidence: Sendable, Equatable, CustomStringConvertible {
    /// Leave-one-out accuracy (0…1) on the cases z-normalised one by one.
    public let shape: Double
    /// Leave-one-out accuracy (0…1) on the cases' log-levels, standardised across cases.
    public let level: Double

    /// `level > shape`; a tie keeps plain z-normalisation.
    public var favoursLevel: Bool { level > shape }

    public var description: String {
        String(format: "1-nearest-neighbour on the training cases: levels %.1f%%, z-normalised shapes %.1f%%", level * 100, shape * 100)
    }

    /// The evidence of series `N×C×L…` with class `labels` (one per case).
    public init(_ inputs: Tensor, labels: [Int]) throws(StrataError) {
        let count = inputs.shape.first ?? 0
        func rows(_ tensor: Tensor) throws(StrataError) -> Tensor { try tensor.reshape([count, tensor.count / Swift.max(count, 1)]) }
        let levels = try Normalizer.levels(inputs)
        shape = try Self.leaveOneOutAccuracy(try rows(try Normalizer(kind: .sample).apply(inputs)), labels: labels)
        level = try Self.leaveOneOutAccuracy(try rows(try Normalizer.fit(.standard, on: levels).apply(levels)), labels: labels)
    }

    /// Share of the rows of `features` (`N×F`) whose nearest other row (squared Euclidean
    /// distance, the first on ties) has their label; 0 for fewer than two rows.
    static func leaveOneOutAccuracy(_ features: Tensor, labels: [Int]) throws(StrataError) -> Double {
        let count = features.shape[0]
        guard count >= 2 else { return 0 }
        let norms = try features.square().sum(axes: [1]).toArray(), others = try features.transpose(0, 1)
        var correct = 0
        // 512 rows at a time: the distances of all N² pairs need not be held at once
        for start in stride(from: 0, to: count, by: 512) {
            let end = Swift.min(start + 512, count)
            let products = try Tensor.matmul(try features.slice(axis: 0, start: start, end: end), others).toArray()
            for row in start..<end {
                var nearest = -1, smallest = Float.infinity
                for other in 0..<count where other != row {
                    let distance = norms[row] + norms[other] - 2 * products[(row - start) * count + other]
                    if distance < smallest { (nearest, smallest) = (other, distance) }
                }
                if nearest >= 0 && labels[nearest] == labels[row] { correct += 1 }
            }
        }
        return Double(correct) / Double(count)
    }
}
