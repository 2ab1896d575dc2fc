import Foundation

extension Tensor: CustomStringConvertible {
    /// A readable rendering in PyTorch's style, eliding the middle of long axes:
    /// `tensor([[1.0000, 2.0000], [3.0000, 4.0000]], shape: [2, 2])`.
    public var description: String {
        let values = dense()
        var text = "tensor("
        if rank == 0 {
            text += format(values, at: 0)
        } else {
            text += render(values, axis: 0, base: 0, indent: 7)
        }
        text += ", shape: \(Shape.describe(shape))"
        if dtype != .float32 { text += ", dtype: \(dtype)" }
        if requiresGrad { text += ", requiresGrad: true" }
        return text + ")"
    }

    private func render(_ values: Tensor, axis: Int, base: Int, indent: Int) -> String {
        let size = shape[axis]
        let step = Shape.contiguousStrides(shape)[axis]
        let shown: [Int?] = size > 6 ? [0, 1, 2, nil, size - 3, size - 2, size - 1] : (0..<size).map { $0 }
        if axis == rank - 1 {
            let items = shown.map { $0.map { format(values, at: base + $0) } ?? "..." }
            return "[" + items.joined(separator: ", ") + "]"
        }
        let separator = ",\n" + String(repeating: " ", count: indent + 1)
        let items = shown.map { index in
            index.map { render(values, axis: axis + 1, base: base + $0 * step, indent: indent + 1) } ?? "..."
        }
        return "[" + items.joined(separator: separator) + "]"
    }

    private func format(_ values: Tensor, at index: Int) -> String {
        if dtype == .int64 { return String(values.withInt64s { $0[index] }) }
        let value = values.withFloats { $0[index] }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let magnitude = Swift.abs(value)
        if magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-4) {
            return String(format: "%.4e", Double(value))
        }
        return String(format: "%.4f", Double(value))
    }
}
