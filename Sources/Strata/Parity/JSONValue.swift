/// A parsed JSON value (the parameters of a golden case are heterogeneous).
public enum JSONValue: Decodable, Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public var description: String {
        switch self {
        case let .number(value): return value == value.rounded() && Swift.abs(value) < 1e15 ? String(Int(value)) : String(value)
        case let .string(value): return "\"\(value)\""
        case let .bool(value): return String(value)
        case let .array(values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case let .object(values): return "{" + values.map { "\"\($0)\": \($1)" }.sorted().joined(separator: ", ") + "}"
        case .null: return "null"
        }
    }

    var number: Double? { if case let .number(value) = self { return value }; return nil }
    var string: String? { if case let .string(value) = self { return value }; return nil }
    var bool: Bool? { if case let .bool(value) = self { return value }; return nil }
    var integer: Int? { number.flatMap { $0 == $0.rounded() ? Int($0) : nil } }
    var integers: [Int]? {
        if let integer { return [integer] }
        if case let .array(values) = self {
            let converted = values.compactMap(\.integer)
            return converted.count == values.count ? converted : nil
        }
        return nil
    }
}
