/// One ONNX node's attributes, read with their defaults; a wrong type or value is an error
/// that names the node.
struct ONNXAttributes {
    let node: String
    private let values: [String: Onnx_AttributeProto]

    init(node: String, _ attributes: [Onnx_AttributeProto]) {
        self.node = node
        var values: [String: Onnx_AttributeProto] = [:]
        for attribute in attributes { values[attribute.name] = attribute }
        self.values = values
    }

    /// Names of the attributes the node sets.
    var names: Set<String> { Set(values.keys) }

    func int(_ name: String, default fallback: Int) throws(StrataError) -> Int {
        guard let attribute = values[name] else { return fallback }
        guard attribute.type == .int || attribute.type == .undefined else { throw wrongType(name, attribute, "an integer") }
        guard let value = Int(exactly: attribute.i) else { throw wrongType(name, attribute, "an integer") }
        return value
    }

    func ints(_ name: String) throws(StrataError) -> [Int]? {
        guard let attribute = values[name] else { return nil }
        guard attribute.type == .ints || attribute.type == .undefined else { throw wrongType(name, attribute, "a list of integers") }
        return attribute.ints.map { Int(clamping: $0) }
    }

    func float(_ name: String, default fallback: Float) throws(StrataError) -> Float {
        guard let attribute = values[name] else { return fallback }
        guard attribute.type == .float || attribute.type == .undefined else { throw wrongType(name, attribute, "a float") }
        return attribute.f
    }

    func floats(_ name: String) throws(StrataError) -> [Float]? {
        guard let attribute = values[name] else { return nil }
        guard attribute.type == .floats || attribute.type == .undefined else { throw wrongType(name, attribute, "a list of floats") }
        return attribute.floats
    }

    func string(_ name: String, default fallback: String) throws(StrataError) -> String {
        guard let attribute = values[name] else { return fallback }
        guard attribute.type == .string || attribute.type == .undefined else { throw wrongType(name, attribute, "a string") }
        return String(decoding: attribute.s, as: UTF8.self)
    }

    func tensor(_ name: String) -> Onnx_TensorProto? {
        values[name].flatMap { $0.hasT ? $0.t : nil }
    }

    private func wrongType(_ name: String, _ attribute: Onnx_AttributeProto, _ expected: String) -> StrataError {
        .invalidArgument(op: "onnx import", message: "node '\(node)': attribute '\(name)' must be \(expected), got \(attribute.type)")
    }
}

/// What an operator sees of a node while it runs: its inputs (`nil` for an omitted optional
/// one), attributes, and whether the network is training.
struct ONNXNodeContext {
    /// The model file (for `Constant` values stored outside it).
    let modelPath: String
    let node: String
    let opType: String
    let attributes: ONNXAttributes
    let inputs: [Tensor?]
    let training: Bool

    /// A required input.
    func input(_ index: Int) throws(StrataError) -> Tensor {
        guard index < inputs.count, let tensor = inputs[index] else {
            throw .invalidArgument(op: "onnx", message: "node '\(node)' (\(opType)) needs input \(index + 1), which the graph does not give")
        }
        return tensor
    }

    /// An optional input, `nil` when omitted.
    func optionalInput(_ index: Int) -> Tensor? { index < inputs.count ? inputs[index] : nil }

    /// An integer input (shapes, axes, pads) as `Int`s.
    func integers(_ index: Int) throws(StrataError) -> [Int] {
        let tensor = try input(index)
        guard tensor.dtype == .int64 else {
            throw .dtypeMismatch(op: "onnx node '\(node)' (\(opType)) input \(index + 1)", expected: .int64, got: tensor.dtype)
        }
        return tensor.toLabels()
    }

    /// A float scalar input (Clip's bounds, Pad's value), or `fallback` when omitted.
    func scalar(_ index: Int, default fallback: Float) throws(StrataError) -> Float {
        guard let tensor = optionalInput(index) else { return fallback }
        guard tensor.count == 1 else {
            throw .shapeMismatch(op: "onnx", message: "node '\(node)' (\(opType)): input \(index + 1) must hold one value, got shape \(Shape.describe(tensor.shape))")
        }
        return tensor.dtype == .int64 ? Float(tensor.toLabels()[0]) : tensor.toFloat().toArray()[0]
    }

    /// An axis attribute in `0..<rank`, negative values counting from the end.
    func axis(_ value: Int, rank: Int) throws(StrataError) -> Int {
        let axis = value < 0 ? value + rank : value
        guard axis >= 0, axis < rank else {
            throw .invalidArgument(op: "onnx", message: "node '\(node)' (\(opType)): axis \(value) is outside a \(rank)-D input")
        }
        return axis
    }
}
