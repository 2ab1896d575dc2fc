/// Several networks trained alike (different seeds), answering as one — InceptionTime's
/// ensemble of five. Children are named `members.0`, `members.1`, …; every member maps the
/// same input to the same output shape `N×K`.
///
/// - `.probabilities` (classifiers): the log of the members' mean softmax,
///   `log((1/M) Σₘ softmax(fₘ(x)))`, computed as a log-sum-exp so no class underflows. Its
///   argmax is the ensemble's class; cross-entropy on it is the negative log-likelihood of the
///   mean probabilities (log-softmax leaves log-probabilities unchanged).
/// - `.mean` (regression, forecasts): the members' mean output.
public final class Ensemble: Module {
    public enum Combination: String, Sendable, Codable { case probabilities, mean }

    public let members: [Module]
    public let combination: Combination

    public init(_ members: [Module], combination: Combination) {
        self.members = members
        self.combination = combination
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        guard !members.isEmpty else { throw .invalidArgument(op: "Ensemble", message: "needs at least one member") }
        var outputs: [Tensor] = []
        for member in members {
            let output = try member(input)
            if let first = outputs.first, first.shape != output.shape {
                throw .shapeMismatch(op: "Ensemble", message: "member \(outputs.count) gives \(ShapeNotation.describe(output.shape)) but member 0 gives \(ShapeNotation.describe(first.shape)); members must be the same network")
            }
            outputs.append(combination == .probabilities ? try logSoftmax(output, axis: -1) : output)
        }
        let stacked = try Tensor.concat(try outputs.map { tensor throws(StrataError) in try tensor.unsqueeze(axis: -1) }, axis: -1)
        guard combination == .probabilities else { return try stacked.mean(axes: [-1]) }
        // log mean exp over the members, shifted by the largest log-probability (one term is e⁰ = 1);
        // the shift's gradient cancels (−1 through the difference, +1 through the sum)
        let largest = try stacked.max(axis: -1, keepDims: true)
        return try (try (stacked - largest).exp().mean(axes: [-1])).log() + (try largest.squeeze(axis: -1))
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        guard let first = members.first else { throw .invalidArgument(op: "Ensemble", message: "needs at least one member") }
        return try first.outputShape(for: input)
    }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        var flows: [ShapeFlow] = []
        for (index, member) in members.enumerated() {
            flows.append(try member.summarize(into: &rows, path: ModulePath.child(path, "members.\(index)"), flow: flow))
        }
        guard let first = flows.first else { throw .invalidArgument(op: "Ensemble", message: "needs at least one member") }
        return flows.dropFirst().reduce(first) { $0.merged(with: $1, shape: first.shape) }
    }
}
