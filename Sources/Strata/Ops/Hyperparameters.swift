/// A hyperparameter given once for every spatial axis (`stride: 2`) or per axis
/// (`stride: [2, 1]`, height then width).
public struct AxisValues: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, Hashable, Sendable,
    CustomStringConvertible {
    public let values: [Int]

    public init(_ values: [Int]) { self.values = values }
    public init(integerLiteral value: Int) { values = [value] }
    public init(arrayLiteral elements: Int...) { values = elements }

    /// One value per spatial axis; a single value repeats.
    func resolve(axes: Int, name: String, op: String) throws(StrataError) -> [Int] {
        if values.count == 1 { return Array(repeating: values[0], count: axes) }
        guard values.count == axes else {
            throw .invalidArgument(op: op, message: "\(name) \(values) needs 1 or \(axes) values (one per spatial axis)")
        }
        return values
    }

    public var description: String { values.count == 1 ? "\(values[0])" : "\(values)" }
}

/// Zero padding of a convolution, as the field names it.
public enum Padding: ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, Hashable, Sendable {
    /// The same number of zeros on both sides of each axis: one value, or one per axis.
    case explicit(AxisValues)
    /// Output length = input length (stride 1); an odd total puts the extra zero after.
    case same
    /// No padding.
    case valid
    /// 1-D only: `dilation·(kernel − 1)` zeros before, none after, so output `t` sees
    /// inputs `≤ t`.
    case causal
    /// Different numbers of zeros before and after each axis (ONNX's `pads`, TensorFlow's
    /// SAME with an odd total), one value per axis or one for all.
    case asymmetric(before: AxisValues, after: AxisValues)

    public init(integerLiteral value: Int) { self = .explicit(AxisValues(integerLiteral: value)) }
    public init(arrayLiteral elements: Int...) { self = .explicit(AxisValues(elements)) }

    /// Zeros before and after each spatial axis for the given kernel, dilation and stride.
    func resolve(kernel: [Int], dilation: [Int], stride: [Int], op: String) throws(StrataError) -> (before: [Int], after: [Int]) {
        let axes = kernel.count
        switch self {
        case let .explicit(values):
            let padding = try values.resolve(axes: axes, name: "padding", op: op)
            if let negative = padding.first(where: { $0 < 0 }) {
                throw .invalidArgument(op: op, message: "padding must be ≥ 0, got \(negative)")
            }
            return (padding, padding)
        case let .asymmetric(beforeValues, afterValues):
            let before = try beforeValues.resolve(axes: axes, name: "padding before", op: op)
            let after = try afterValues.resolve(axes: axes, name: "padding after", op: op)
            if let negative = (before + after).first(where: { $0 < 0 }) {
                throw .invalidArgument(op: op, message: "padding must be ≥ 0, got \(negative)")
            }
            return (before, after)
        case .valid:
            return ([Int](repeating: 0, count: axes), [Int](repeating: 0, count: axes))
        case .same:
            guard stride.allSatisfy({ $0 == 1 }) else {
                throw .invalidArgument(op: op, message: "padding 'same' needs stride 1, got stride \(stride); give the padding as numbers instead")
            }
            let total = (0..<axes).map { dilation[$0] * (kernel[$0] - 1) }
            let before = total.map { $0 / 2 }
            return (before, zip(total, before).map { $0 - $1 })
        case .causal:
            guard axes == 1 else {
                throw .invalidArgument(op: op, message: "padding 'causal' is for 1-D convolutions only")
            }
            return ([dilation[0] * (kernel[0] - 1)], [0])
        }
    }
}
