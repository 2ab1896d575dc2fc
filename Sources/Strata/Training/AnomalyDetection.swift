/// Where a non-finite loss came from (PyTorch's anomaly detection, for the forward pass):
/// the network runs once more on the batch that diverged while every layer's output is
/// checked, and the first layer to finish with NaN or ±Inf in its output is named — the
/// layer where the values broke, not the loss that only inherited them.
enum AnomalyDetection {
    /// The diagnosis for a divergence message: non-finite inputs, parameters that already
    /// hold NaN/Inf, and the first layer whose output is non-finite — or that every layer's
    /// output was finite (the loss itself overflowed).
    static func diagnose(_ model: Module, input: Tensor) -> String {
        var findings: [String] = []
        if let bad = nonFinite(input) { findings.append("the input batch holds \(bad) non-finite value(s)") }
        if let parameter = model.namedParameters().first(where: { nonFinite($0.1) != nil }) {
            findings.append("parameter '\(parameter.0)' already holds NaN/Inf")
        }
        let layers = model.namedModules().filter { !$0.0.isEmpty }
        var watched: [ObjectIdentifier: String] = [:]
        for (path, module) in layers { watched[ObjectIdentifier(module)] = path }
        let typeNames = Dictionary(layers.map { ($0.0, $0.1.typeName) }, uniquingKeysWith: { first, _ in first })
        guard let (output, capture) = try? withoutGradients({ () throws(StrataError) in try model.forward(input, watching: watched) }) else {
            return (findings + ["the forward pass could not be repeated to find the layer"]).joined(separator: "; ")
        }
        let outputs = capture.outputs
        if let first = capture.completionOrder.first(where: { outputs[$0].flatMap(nonFinite) != nil }), let values = outputs[first] {
            findings.append("the first layer with a non-finite output is '\(first)' (\(typeNames[first] ?? "layer")): \(nonFinite(values) ?? 0) of \(values.count) values")
        } else if nonFinite(output) == nil {
            findings.append("every layer's output is finite: the loss itself overflowed")
        }
        return findings.joined(separator: "; ")
    }

    /// The number of NaN/±Inf elements of a float tensor, `nil` when there are none.
    static func nonFinite(_ tensor: Tensor) -> Int? {
        guard tensor.dtype == .float32 else { return nil }
        let count = tensor.withDenseFloats { values in (0..<tensor.count).reduce(0) { $0 + (values[$1].isFinite ? 0 : 1) } }
        return count == 0 ? nil : count
    }
}
