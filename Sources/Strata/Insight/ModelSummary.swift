import Foundation

/// A network described from shapes alone: each layer's output shape, parameters, FLOPs,
/// receptive field and jump, and the totals (Keras's `model.summary()`, with the
/// receptive-field arithmetic of dilated stacks added).
public struct ModelSummary: Sendable, CustomStringConvertible {
    /// Input shape of one sample (no batch axis), e.g. `[1, 28, 28]`.
    public let input: [Int]
    public let rows: [SummaryRow]
    /// Output shape with the batch axis (1).
    public let output: [Int]
    public let parameters: Int
    public let trainableParameters: Int
    /// Parameters and buffers in MiB (float32 and int64 as stored).
    public let sizeMiB: Double
    /// FLOPs per sample (a multiply-add counts 2).
    public let flops: Int

    public var description: String {
        let header = ["Layer", "Type", "Output", "Params", "FLOPs", "RF", "Jump"]
        let lines = rows.map { row -> [String] in
            [row.name.isEmpty ? "-" : row.name, row.layer, ShapeNotation.describe(row.outputShape), grouped(row.parameters),
             compact(row.flops), row.receptiveField.map(joined) ?? "all", row.jump.isEmpty ? "-" : joined(row.jump)]
        }
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max() ?? 0 }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return index >= 3 && index <= 4 ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        var text = "Input: \(ShapeNotation.describeSample(input))\n" + render(header) + "\n" + rule + "\n"
        text += lines.map(render).joined(separator: "\n") + "\n" + rule + "\n"
        text += "Output: \(ShapeNotation.describe(output))\n"
        text += "Total params: \(grouped(parameters))\nTrainable params: \(grouped(trainableParameters))\n"
        text += "Non-trainable params: \(grouped(parameters - trainableParameters))\n"
        text += String(format: "Size: %.2f MiB\n", sizeMiB)
        text += "FLOPs per sample: \(compact(flops))"
        return text
    }

    private func joined(_ values: [Int]) -> String { values.map(String.init).joined(separator: "×") }

    private func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return result
    }

    private func compact(_ value: Int) -> String {
        switch value {
        case ..<1000: return "\(value)"
        case ..<1_000_000: return String(format: "%.1fK", Double(value) / 1e3)
        case ..<1_000_000_000: return String(format: "%.2fM", Double(value) / 1e6)
        default: return String(format: "%.2fG", Double(value) / 1e9)
        }
    }
}

/// Summarises `model` for samples of shape `input` (no batch axis, e.g. `[1, 28, 28]` or
/// `[3, 200]`) without running it.
///
/// - Throws: `StrataError.shapeMismatch` naming the first layer whose input does not fit,
///   both shapes and the value that would fit (e.g. a `Linear(400, …)` after a `Flatten`
///   that gives 576 = 16@6×6).
public func summary(_ model: Module, input: [Int]) throws(StrataError) -> ModelSummary {
    try Shape.validate(input, op: "summary")
    var rows: [SummaryRow] = []
    let flow = try model.summarize(into: &rows, path: "", flow: ShapeFlow(input: [1] + input))
    let state = model.namedState()
    let parameters = state.filter { !$0.isBuffer }.map(\.tensor)
    let bytes = state.reduce(0) { $0 + $1.tensor.count * $1.tensor.dtype.size }
    return ModelSummary(input: input, rows: rows, output: flow.shape,
                        parameters: parameters.reduce(0) { $0 + $1.count },
                        trainableParameters: parameters.filter(\.requiresGrad).reduce(0) { $0 + $1.count },
                        sizeMiB: Double(bytes) / 1_048_576, flops: rows.reduce(0) { $0 + $1.flops })
}
