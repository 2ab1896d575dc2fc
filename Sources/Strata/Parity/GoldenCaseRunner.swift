/// The outcome of one golden case.
public struct ParityOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        case passed
        /// Arrays outside tolerance (or an error while running), one line each.
        case failed([String])
        /// The op is not one Strata knows.
        case skipped(String)
    }

    public let name: String
    public let op: String
    public let status: Status
}

/// Runs golden cases: computes each case's outputs and input gradients with Strata and
/// compares them with the recorded PyTorch values at the case's tolerances.
public enum GoldenCaseRunner {
    /// Runs every case of `set` on `backend`.
    public static func run(_ set: GoldenCaseSet, backend: any Backend) -> [ParityOutcome] {
        set.cases.map { testCase in
            withBackend(backend) { run(testCase, in: set) }
        }
    }

    /// Runs one case.
    public static func run(_ testCase: GoldenCase, in set: GoldenCaseSet) -> ParityOutcome {
        if testCase.op == ModelCase.op { return ModelCase.run(testCase, in: set) }
        guard let operation = GoldenOps.table[testCase.op] else {
            return ParityOutcome(name: testCase.name, op: testCase.op, status: .skipped("op '\(testCase.op)' is not implemented"))
        }
        do {
            var inputs: [String: Tensor] = [:]
            for (name, path) in testCase.inputs {
                let tensor = try set.array(path)
                tensor.requiresGrad = testCase.grads[name] != nil
                inputs[name] = tensor
            }
            let outputs = try operation(inputs, GoldenParams(values: testCase.params))
            var failures: [String] = []
            for (name, path) in testCase.outputs.sorted(by: { $0.key < $1.key }) {
                guard let actual = outputs[name] else {
                    failures.append("output \(name): not produced")
                    continue
                }
                if let mismatch = compare(actual, try set.array(path), rtol: testCase.rtol, atol: testCase.atol) {
                    failures.append("output \(name): \(mismatch)")
                }
            }
            if let gradPath = testCase.gradOutput, let y = outputs["y"], !testCase.grads.isEmpty {
                try y.backward(gradient: scalarConformed(try set.array(gradPath), to: y.shape))
                for (name, path) in testCase.grads.sorted(by: { $0.key < $1.key }) {
                    guard let gradient = inputs[name]?.grad else {
                        failures.append("grad \(name): no gradient reached this input")
                        continue
                    }
                    let expected = try set.array(path)
                    let mismatch = testCase.gradRelL2.map { relativeL2(gradient, expected, bound: $0) }
                        ?? compare(gradient, expected, rtol: testCase.gradRtol ?? testCase.rtol, atol: testCase.gradAtol ?? testCase.atol)
                    if let mismatch { failures.append("grad \(name): \(mismatch)") }
                }
            }
            return ParityOutcome(name: testCase.name, op: testCase.op, status: failures.isEmpty ? .passed : .failed(failures))
        } catch {
            return ParityOutcome(name: testCase.name, op: testCase.op, status: .failed(["error: \(error)"]))
        }
    }

    /// A one-element array under `shape` when that is a scalar shape: the fixtures store
    /// PyTorch's 0-d results (losses) as shape `[1]`.
    static func scalarConformed(_ array: Tensor, to shape: [Int]) -> Tensor {
        guard array.count == 1, Shape.count(shape) == 1, array.shape != shape else { return array }
        return array.dense().viewing(shape: shape)
    }

    /// `nil` when `‖a − b‖₂ ≤ bound·‖b‖₂`, else the measured ratio.
    static func relativeL2(_ actual: Tensor, _ expected: Tensor, bound: Double) -> String? {
        let expected = scalarConformed(expected, to: actual.shape)
        guard actual.shape == expected.shape else {
            return "shape \(Shape.describe(actual.shape)), expected \(Shape.describe(expected.shape))"
        }
        var difference = 0.0, reference = 0.0
        for (x, y) in zip(actual.toArray(), expected.toArray()) {
            difference += (Double(x) - Double(y)) * (Double(x) - Double(y))
            reference += Double(y) * Double(y)
        }
        let ratio = (difference / Swift.max(reference, .leastNormalMagnitude)).squareRoot()
        return ratio <= bound ? nil : "relative L2 error \(ratio), allowed \(bound)"
    }

    /// `nil` when every element satisfies `|a − b| ≤ atol + rtol·|b|`, else a description
    /// of the worst errors.
    static func compare(_ actual: Tensor, _ expected: Tensor, rtol: Double, atol: Double) -> String? {
        let expected = scalarConformed(expected, to: actual.shape)
        guard actual.shape == expected.shape else {
            return "shape \(Shape.describe(actual.shape)), expected \(Shape.describe(expected.shape))"
        }
        let a = actual.toArray(), b = expected.toArray()
        var maxAbs = 0.0, maxRel = 0.0, violations = 0
        for (x, y) in zip(a, b) {
            let error = Swift.abs(Double(x) - Double(y))
            if x.isNaN != y.isNaN || !(error <= atol + rtol * Swift.abs(Double(y))) && !(x == y) { violations += 1 }
            maxAbs = Swift.max(maxAbs, error.isNaN ? .infinity : error)
            if y != 0 { maxRel = Swift.max(maxRel, error / Swift.abs(Double(y))) }
        }
        guard violations > 0 else { return nil }
        return "\(violations) of \(a.count) elements outside tolerance, max abs error \(maxAbs), max rel error \(maxRel)"
    }
}
