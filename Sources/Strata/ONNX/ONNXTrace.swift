import Foundation

/// Records the operations a network runs as ONNX nodes (what `torch.onnx.export`'s tracer
/// does): each Strata op that can be exported calls `ONNXTrace.op`, which, while a trace
/// is recording and the op is not running inside another op, writes the nodes that compute
/// it. Parameters and buffers become initializers under their state-dict names; other
/// tensors an op reads that do not depend on the input become constants; a value computed
/// from the input by an op the exporter does not know is reported, never baked in.
final class ONNXTrace: @unchecked Sendable {
    @TaskLocal static var current: ONNXTrace?

    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private(set) var problems: [String] = []
    private var names: [ObjectIdentifier: String] = [:]
    /// Every tensor named, kept alive so no identifier is reused during the trace.
    private var named: [Tensor] = []
    private let state: [ObjectIdentifier: String]
    private let modulePaths: [ObjectIdentifier: String]
    private var moduleStack: [String] = []
    private var depth = 0
    private var counter = 0

    init(model: Module) {
        var state: [ObjectIdentifier: String] = [:]
        for (name, tensor, _) in model.namedState() { state[ObjectIdentifier(tensor)] = name }
        self.state = state
        var paths: [ObjectIdentifier: String] = [:]
        for (path, module) in model.namedModules() where !path.isEmpty { paths[ObjectIdentifier(module)] = path }
        modulePaths = paths
    }

    /// Names `tensor` as a graph value (the graph's input).
    func bind(_ tensor: Tensor, to name: String) {
        names[ObjectIdentifier(tensor)] = name
        named.append(tensor)
    }

    /// Runs `body`; the outermost traced op adds the nodes `emit` writes from the names of
    /// `inputs` (`nil` for absent ones) and returns the name of its result. Outside a trace
    /// neither `inputs` nor `emit` is evaluated: an op pays one task-local read.
    static func op<E: Error>(_ inputs: @autoclosure () -> [Tensor?], emit: @autoclosure () -> ONNXEmit.Rule,
                             _ body: () throws(E) -> Tensor) throws(E) -> Tensor {
        guard let trace = current else { return try body() }
        trace.depth += 1
        defer { trace.depth -= 1 }
        let result = try body()
        let operands = inputs()
        // an op that gave back its input unchanged (a squeeze of a longer axis) adds nothing
        guard trace.depth == 1, !operands.contains(where: { $0 === result }) else { return result }
        if let output = emit()(trace, operands.map { $0.map(trace.name(of:)) }) { trace.bind(result, to: output) }
        return result
    }

    /// Module calls name the nodes inside them (`layer1.0.conv1/Conv_12`).
    func enter(_ module: Module) { moduleStack.append(modulePaths[ObjectIdentifier(module)] ?? moduleStack.last ?? "") }
    func leave() { moduleStack.removeLast() }

    /// The value name of `tensor`: a traced value, an initializer, or a new constant.
    func name(of tensor: Tensor) -> String {
        let id = ObjectIdentifier(tensor)
        if let name = names[id] { return name }
        if let name = state[id] {
            addInitializer(name, tensor)
            bind(tensor, to: name)
            return name
        }
        if tensor.requiresGrad {
            problems.append("a value computed by '\(tensor.gradFn?.name ?? "an operation")', which has no ONNX export, in \(moduleStack.last.map { $0.isEmpty ? "the network" : $0 } ?? "the network")")
        }
        let name = "constant_\(initializers.count)"
        addInitializer(name, tensor)
        bind(tensor, to: name)
        return name
    }

    /// Adds a node and returns the name of its (first) output.
    @discardableResult
    func node(_ type: String, _ inputs: [String?], _ attributes: [Onnx_AttributeProto] = [], outputs: Int = 1) -> String {
        counter += 1
        var node = Onnx_NodeProto()
        node.opType = type
        let scope = moduleStack.last ?? ""
        node.name = (scope.isEmpty ? "" : scope + "/") + "\(type)_\(counter)"
        node.input = inputs.map { $0 ?? "" }
        node.output = (0..<outputs).map { "\(node.name):\($0)" }
        node.attribute = attributes
        nodes.append(node)
        return node.output[0]
    }

    /// An int64 constant.
    func constant(_ values: [Int]) -> String {
        let name = "constant_\(initializers.count)"
        var proto = Onnx_TensorProto()
        (proto.name, proto.dataType, proto.dims, proto.int64Data) = (name, 7, [Int64(values.count)], values.map(Int64.init))
        initializers.append(proto)
        return name
    }

    /// A float scalar constant.
    func constant(_ value: Float) -> String {
        let name = "constant_\(initializers.count)"
        var proto = Onnx_TensorProto()
        (proto.name, proto.dataType, proto.floatData) = (name, 1, [value])
        initializers.append(proto)
        return name
    }

    /// Records that part of the network cannot be exported.
    func unsupported(_ what: String) -> String? {
        problems.append("\(what) in \(moduleStack.last.map { $0.isEmpty ? "the network" : $0 } ?? "the network")")
        return nil
    }

    private func addInitializer(_ name: String, _ tensor: Tensor) {
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dims = tensor.shape.map(Int64.init)
        if tensor.dtype == .int64 {
            proto.dataType = 7
            proto.int64Data = tensor.toLabels().map(Int64.init)
        } else {
            proto.dataType = 1
            proto.rawData = tensor.toArray().withUnsafeBufferPointer { Data(buffer: $0) }
        }
        initializers.append(proto)
    }
}

/// ONNX attributes by type.
enum ONNXAttribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        (attribute.name, attribute.type, attribute.i) = (name, .int, Int64(value))
        return attribute
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        (attribute.name, attribute.type, attribute.ints) = (name, .ints, values.map(Int64.init))
        return attribute
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        (attribute.name, attribute.type, attribute.f) = (name, .float, value)
        return attribute
    }
}
