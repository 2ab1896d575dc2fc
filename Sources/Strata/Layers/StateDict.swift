import Foundation

/// How a state dict's names and shapes met the model's.
public struct StateDictReport: Sendable, Equatable {
    /// A name both have, with different shapes.
    public struct ShapeMismatch: Sendable, Equatable {
        public let name: String
        public let fileShape: [Int]
        public let modelShape: [Int]
    }

    /// The model's names the file did not have.
    public let missingKeys: [String]
    /// The file's names the model does not have.
    public let unexpectedKeys: [String]
    /// Names both have whose shapes differ (not loaded).
    public let mismatchedKeys: [ShapeMismatch]

    /// Whether every name and shape matched.
    public var isExact: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && mismatchedKeys.isEmpty }

    /// Every problem on its own line, with the nearest name on the other side.
    public var problems: [String] {
        missingKeys.map { "missing '\($0)'" + (Module.nearest($0, in: unexpectedKeys).map { " (the file has '\($0)')" } ?? "") }
            + unexpectedKeys.map { "unexpected '\($0)'" + (Module.nearest($0, in: missingKeys).map { " (the model has '\($0)')" } ?? "") }
            + mismatchedKeys.map { "'\($0.name)' has shape \(Shape.describe($0.fileShape)) in the file but \(Shape.describe($0.modelShape)) in the model" }
    }
}

extension Module {
    /// Parameters and buffers by their PyTorch names, in PyTorch's `state_dict()` order.
    public func stateDict() -> [(String, Tensor)] {
        namedState().map { ($0.name, $0.tensor) }
    }

    /// Copies values into the model's parameters and buffers by name (PyTorch's
    /// `load_state_dict`). Strict: every model name present with its shape and no other
    /// name, or nothing is loaded. Lenient: what matches in name and shape is loaded, the
    /// rest reported.
    ///
    /// - Returns: the missing, unexpected and mis-shaped names (all empty when exact).
    /// - Throws: with `strict`, `StrataError.invalidArgument` listing every missing,
    ///   unexpected and mis-shaped key at once, each with the nearest name on the other side.
    @discardableResult
    public func loadStateDict(_ values: [String: Tensor], strict: Bool = true) throws(StrataError) -> StateDictReport {
        if namedModules().contains(where: { ($0.1 as? BatchNormLayer)?.isFolded == true }) {
            throw .invalidArgument(op: "loadStateDict", message: "this network was fused for inference (fuseForInference): its convolutions hold their batch norms; load the weights into an unfused network, then fuse it")
        }
        let state = namedState()
        let names = Set(state.map(\.name))
        let mismatched = state.compactMap { entry -> StateDictReport.ShapeMismatch? in
            guard let value = values[entry.name], value.shape != entry.tensor.shape else { return nil }
            return StateDictReport.ShapeMismatch(name: entry.name, fileShape: value.shape, modelShape: entry.tensor.shape)
        }
        let report = StateDictReport(missingKeys: state.map(\.name).filter { values[$0] == nil },
                                     unexpectedKeys: values.keys.filter { !names.contains($0) }.sorted(),
                                     mismatchedKeys: mismatched)
        if strict && !report.isExact {
            throw .invalidArgument(op: "loadStateDict", message: "\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s"): "
                                   + report.problems.joined(separator: "; ")
                                   + " (load leniently to take what matches, or rename keys with rules such as '^backbone\\.=features.')")
        }
        let skipped = Set(mismatched.map(\.name))
        for entry in state where !skipped.contains(entry.name) {
            guard let value = values[entry.name] else { continue }
            let converted = entry.tensor.dtype == .float32 ? value.toFloat() : value.toInt64()
            withoutGradients { Kernels.copy(converted.dense(), into: entry.tensor) }
        }
        return report
    }

    /// The name closest to `key` by edit distance, if reasonably close.
    static func nearest(_ key: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, EditDistance.between(key, $0)) }.min { $0.1 < $1.1 }
        guard let (name, distance) = scored, distance <= Swift.max(3, key.count / 2) else { return nil }
        return name
    }

    /// Saves the state dict as safetensors (PyTorch names, F32/I64).
    public func save(to path: String, metadata: [String: String] = [:]) throws(StrataError) {
        try Safetensors.write(stateDict(), metadata: metadata, to: path)
    }

    /// Loads weights from safetensors or a PyTorch `.pth` (see `WeightsFile`), after
    /// renaming keys by `renamings` in order.
    @discardableResult
    public func load(from path: String, strict: Bool = true, renamings: [KeyRenaming] = []) throws(StrataError) -> StateDictReport {
        var values: [String: Tensor] = [:]
        for (name, tensor) in try WeightsFile.read(contentsOf: path) {
            values[renamings.reduce(name) { $1.apply($0) }] = tensor
        }
        return try loadStateDict(values, strict: strict)
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...Swift.max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...Swift.max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
