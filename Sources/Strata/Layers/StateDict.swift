/// What a non-strict `loadStateDict` left out.
public struct StateDictReport: Sendable, Equatable {
    /// The model's names the file did not have.
    public let missingKeys: [String]
    /// The file's names the model does not have.
    public let unexpectedKeys: [String]
}

extension Module {
    /// Parameters and buffers by their PyTorch names, in PyTorch's `state_dict()` order.
    public func stateDict() -> [(String, Tensor)] {
        namedState().map { ($0.name, $0.tensor) }
    }

    /// Copies values into the model's parameters and buffers by name (like PyTorch's
    /// `load_state_dict`). With `strict`, every model name must be present and no other.
    ///
    /// - Returns: the missing and unexpected names (both empty when strict succeeds).
    /// - Throws: `StrataError.shapeMismatch` naming the key and both shapes when a value
    ///   has another shape; with `strict`, `invalidArgument` listing missing and
    ///   unexpected keys with the nearest names.
    @discardableResult
    public func loadStateDict(_ values: [String: Tensor], strict: Bool = true) throws(StrataError) -> StateDictReport {
        let state = namedState()
        let names = Set(state.map(\.name))
        let missing = state.map(\.name).filter { values[$0] == nil }
        let unexpected = values.keys.filter { !names.contains($0) }.sorted()
        if strict && !(missing.isEmpty && unexpected.isEmpty) {
            var lines: [String] = []
            for key in missing {
                lines.append("missing '\(key)'" + (Self.nearest(key, in: unexpected).map { " (the file has '\($0)')" } ?? ""))
            }
            for key in unexpected {
                lines.append("unexpected '\(key)'" + (Self.nearest(key, in: missing).map { " (the model has '\($0)')" } ?? ""))
            }
            throw .invalidArgument(op: "loadStateDict", message: lines.joined(separator: "; "))
        }
        for entry in state {
            guard let value = values[entry.name] else { continue }
            guard value.shape == entry.tensor.shape else {
                throw .shapeMismatch(op: "loadStateDict", message: "'\(entry.name)' has shape \(Shape.describe(value.shape)) in the file but \(Shape.describe(entry.tensor.shape)) in the model")
            }
            let converted = entry.tensor.dtype == .float32 ? value.toFloat() : value.toInt64()
            withoutGradients { Kernels.copy(converted.dense(), into: entry.tensor) }
        }
        return StateDictReport(missingKeys: missing, unexpectedKeys: unexpected)
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

    /// Loads a safetensors state dict saved by Strata or converted from PyTorch.
    @discardableResult
    public func load(from path: String, strict: Bool = true) throws(StrataError) -> StateDictReport {
        try loadStateDict(try Safetensors.read(contentsOf: path), strict: strict)
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
