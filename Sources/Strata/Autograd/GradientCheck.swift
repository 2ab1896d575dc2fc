/// Compares analytic gradients with finite differences.
///
/// For `L = Σ f(inputs) ⊙ w` with a fixed random weighting `w` of the output, every input
/// element `x_i` gets the five-point central difference
/// `(−L(x+2h) + 8L(x+h) − 8L(x−h) + L(x−2h)) / 12h`, with `L` accumulated in `Double`
/// from the reference backend (whose kernels accumulate in `Double`), and is compared
/// with the float32 gradient from `backward()` as `|analytic − numeric| ≤ atol + rtol·|numeric|`.
/// Inputs should be well-conditioned: away from kinks (ReLU at 0, ties in max pooling).
public enum GradientCheck {
    /// One input element whose gradients disagree.
    public struct Mismatch: Sendable, CustomStringConvertible {
        public let input: Int
        public let element: Int
        public let analytic: Double
        public let numeric: Double
        public var description: String {
            "input \(input)[\(element)]: analytic \(analytic), numeric \(numeric)"
        }
    }

    /// Checks `f` at `inputs` (float tensors; all get gradients) and returns the elements
    /// whose gradients disagree (empty when the check passes).
    ///
    /// - Throws: whatever `f` throws.
    public static func mismatches(of f: ([Tensor]) throws -> Tensor, at inputs: [Tensor], step: Double = 1e-2,
                                  rtol: Double = 1e-2, atol: Double = 1e-3, seed: UInt64 = 1) throws -> [Mismatch] {
        let points = inputs.map { $0.detach().copyToContiguous() }
        var weights: Tensor?
        var analytic: [[Float]] = []
        try withBackend(Backends.reference) {
            for point in points { point.requiresGrad = true }
            let output = try f(points)
            var generator = RandomGenerator(seed: seed)
            let weighting = Tensor.filled(output.shape) { generator.nextUniform() * 2 - 1 }
            weights = weighting
            try output.backward(gradient: weighting)
            analytic = points.map { $0.grad?.toArray() ?? [Float](repeating: 0, count: $0.count) }
        }
        guard let weights else { return [] }
        let w = weights.toArray().map(Double.init)
        func loss() throws -> Double {
            let output = try withoutGradients { try withBackend(Backends.reference) { try f(points) } }
            return zip(output.toArray(), w).reduce(0) { $0 + Double($1.0) * $1.1 }
        }
        var found: [Mismatch] = []
        for (index, point) in points.enumerated() {
            let values = point.detach()
            for element in 0..<point.count {
                let original = values.withFloats { $0[element] }
                var samples: [Double] = []
                var offsets: [Double] = []
                for multiple in [2.0, 1.0, -1.0, -2.0] {
                    let shifted = Float(Double(original) + multiple * step)
                    values.withMutableFloats { $0[element] = shifted }
                    samples.append(try loss())
                    offsets.append(Double(shifted) - Double(original))
                }
                values.withMutableFloats { $0[element] = original }
                // the float32 grid moves the points slightly; use the actual half-width
                let h = (offsets[1] - offsets[2]) / 2
                let numeric = (-samples[0] + 8 * samples[1] - 8 * samples[2] + samples[3]) / (12 * h)
                let exact = Double(analytic[index][element])
                if !(Swift.abs(exact - numeric) <= atol + rtol * Swift.abs(numeric)) {
                    found.append(Mismatch(input: index, element: element, analytic: exact, numeric: numeric))
                }
            }
        }
        return found
    }
}
