/// The element type of a tensor: `float32` for values, `int64` for class indices and labels.
public enum DType: String, Sendable, Equatable, CustomStringConvertible {
    case float32
    case int64

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float32: return 4
        case .int64: return 8
        }
    }

    public var description: String { rawValue }
}
