import Foundation
import SwiftProtobuf

extension ONNXModel {
    /// Imports an ONNX model (opsets 13–25 of the default domain): initializers stored in
    /// the file or in external data files beside it, nodes checked against what Strata
    /// runs, constant subgraphs (the Shape/Gather/Unsqueeze/Concat chains exporters emit
    /// for reshapes, once their inputs are known) folded once. The network comes in
    /// evaluation mode, as the graph was exported (`train()` before training it).
    ///
    /// - Throws: `StrataError.io` when the file cannot be read; `corruptFile` when it is not
    ///   an ONNX model or a tensor's bytes do not match its shape; `invalidArgument` listing,
    ///   at once, every node Strata cannot run (name, op type, opset, why).
    public static func load(contentsOf path: String) throws(StrataError) -> ONNXModel {
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "cannot read the file")
        }
        return try decode(data, path: path)
    }

    /// Imports a model from the bytes of an ONNX file; `path` names it in errors and locates
    /// external data.
    public static func decode(_ data: Data, path: String = "<onnx>") throws(StrataError) -> ONNXModel {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw .corruptFile(path: path, offset: 0, message: "not an ONNX model (protobuf: \(error))")
        }
        // constants folded at import may take 64 bytes per byte of the file, and 256 MiB at least:
        // a small file cannot ask for gigabytes
        let limit = Swift.max(256 << 20, 64 * data.count)
        let built: Result<ONNXModel, StrataError> = MemoryBudget.$scopedLimit.withValue(limit) {
            Result { () throws(StrataError) in try ONNXGraphImport(model: model, path: path).build() }
        }
        let imported = try built.get()
        imported.eval()
        return imported
    }
}

/// The steps of an import: check, decode initializers, fold constants, build layers.
private struct ONNXGraphImport {
    let model: Onnx_ModelProto
    let path: String
    var graph: Onnx_GraphProto { model.graph }

    func build() throws(StrataError) -> ONNXModel {
        try checkSupported()
        let tensors = ONNXTensorData(modelPath: path)
        var initializers: [(String, Tensor)] = []
        for proto in graph.initializer { initializers.append((proto.name, try tensors.tensor(proto))) }
        let bufferFlags = stateRoles()
        var state: [(name: String, tensor: Tensor, isBuffer: Bool)] = []
        var known: [String: Tensor] = [:]
        var isState: Set<String> = []
        for (name, tensor) in initializers {
            known[name] = tensor
            if tensor.dtype == .float32, let isBuffer = bufferFlags[name] {
                tensor.requiresGrad = !isBuffer
                state.append((name, tensor, isBuffer))
                isState.insert(name)
            }
        }
        let stateIndex = Dictionary(state.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let inputs = graph.input.filter { known[$0.name] == nil }
        guard !inputs.isEmpty, !graph.output.isEmpty else {
            throw .invalidArgument(op: "onnx import", message: "\(path): the graph declares \(inputs.count) data inputs and \(graph.output.count) outputs; a network needs at least one of each")
        }
        var defined: Set<String> = Set(known.keys).union(inputs.map(\.name))
        var nodes: [ONNXNode] = []
        var names: Set<String> = []
        for (index, proto) in graph.node.enumerated() {
            let name = uniqueName(proto, index: index, taken: &names)
            guard let operation = ONNXOperators.table[proto.opType] else {
                throw .invalidArgument(op: "onnx import", message: "\(path): node '\(name)' has unsupported op \(proto.opType)")
            }
            for input in proto.input where !input.isEmpty && !defined.contains(input) {
                throw .invalidArgument(op: "onnx import", message: "\(path): node '\(name)' reads '\(input)' before any node produces it (the graph is not in topological order or misses a value)")
            }
            defined.formUnion(proto.output)
            let readsOnlyConstants = proto.input.allSatisfy { $0.isEmpty || (known[$0] != nil && !isState.contains($0)) }
            if proto.opType == "Identity", let source = proto.input.first, let value = known[source] {
                // exporters alias shared initializers through Identity: same tensor, one state entry
                for output in proto.output { known[output] = value }
                if isState.contains(source) { isState.formUnion(proto.output) }
                continue
            }
            if readsOnlyConstants {
                let context = ONNXNodeContext(modelPath: path, node: name, opType: proto.opType,
                                              attributes: ONNXAttributes(node: name, proto.attribute),
                                              inputs: proto.input.map { $0.isEmpty ? nil : known[$0] }, training: false)
                let outputs = try withoutGradients { () throws(StrataError) in try operation.run(context) }
                for (output, value) in zip(proto.output, outputs) where !output.isEmpty { known[output] = value }
                continue
            }
            let held = Set(proto.input).compactMap { stateIndex[$0] }.sorted().map { state[$0] }
            let weight = proto.input.count > 1 ? known[proto.input[1]]?.shape : nil
            nodes.append(ONNXNode(name: name, proto: proto, operation: operation, heldState: held, weightShape: weight))
        }
        return ONNXModel(path: path, inputNames: inputs.map(\.name), outputNames: graph.output.map(\.name),
                         declaredInput: inputs.count == 1 ? declaredShape(inputs[0]) : nil, nodes: nodes, state: state, known: known)
    }

    /// Throws one error listing every node (and the opset) Strata cannot run.
    private func checkSupported() throws(StrataError) {
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) } ?? 0
        var problems: [String] = []
        if !ONNXOperators.opsets.contains(opset) {
            problems.append("the model uses opset \(opset) of the default domain; Strata reads opsets \(ONNXOperators.opsets.lowerBound)–\(ONNXOperators.opsets.upperBound) (re-export with opset_version=17)")
        }
        if !graph.sparseInitializer.isEmpty { problems.append("sparse initializers (\(graph.sparseInitializer.count))") }
        var unknown: [String: [String]] = [:]
        let ranks = declaredRanks()
        for (index, node) in graph.node.enumerated() {
            let name = node.name.isEmpty ? "\(node.opType)_\(index)" : node.name
            let where_ = "node '\(name)' (\(node.domain.isEmpty ? "" : node.domain + ".")\(node.opType), opset \(opset))"
            guard node.domain.isEmpty || node.domain == "ai.onnx", let operation = ONNXOperators.table[node.opType] else {
                unknown[node.opType, default: []].append(where_)
                continue
            }
            let signature = ONNXNodeSignature(attributes: ONNXAttributes(node: name, node.attribute),
                                              inputRanks: node.input.map { ranks[$0] }, givenInputs: node.input.map { !$0.isEmpty })
            if let reason = operation.unsupported(signature) {
                problems.append("\(where_): \(reason)")
            }
            // outputs beyond the first (pooling indices, dropout masks, training statistics)
            if node.output.dropFirst().contains(where: { !$0.isEmpty }) {
                problems.append("\(where_): output \(node.output.count) (\(node.output.dropFirst().joined(separator: ", "))) — Strata gives the first output only")
            }
        }
        for (op, nodes) in unknown.sorted(by: { $0.key < $1.key }) {
            problems.append("unsupported op \(op) in \(nodes.count) node\(nodes.count == 1 ? "" : "s"): " + nodes.prefix(5).joined(separator: "; ") + (nodes.count > 5 ? "; …" : ""))
        }
        guard problems.isEmpty else {
            let supported = ONNXOperators.table.keys.sorted().joined(separator: ", ")
            throw .invalidArgument(op: "onnx import", message: "\(path) cannot be imported:\n  - " + problems.joined(separator: "\n  - ") + "\nStrata runs: \(supported)")
        }
    }

    /// The rank of every value whose shape the graph declares (initializers, inputs, value infos).
    private func declaredRanks() -> [String: Int] {
        var ranks: [String: Int] = [:]
        for value in graph.input + graph.valueInfo + graph.output where value.type.tensorType.hasShape {
            ranks[value.name] = value.type.tensorType.shape.dim.count
        }
        for initializer in graph.initializer { ranks[initializer.name] = initializer.dims.count }
        return ranks
    }

    /// Initializers that feed a learnable input (`false`) or only running statistics (`true`).
    private func stateRoles() -> [String: Bool] {
        var roles: [String: Bool] = [:]
        for node in graph.node {
            guard let operation = ONNXOperators.table[node.opType] else { continue }
            for (index, input) in node.input.enumerated() {
                if operation.parameterInputs.contains(index) { roles[input] = false }
                if operation.bufferInputs.contains(index), roles[input] == nil { roles[input] = true }
            }
        }
        return roles
    }

    /// The node's name, or `OpType_index`, made unique among the layers.
    private func uniqueName(_ node: Onnx_NodeProto, index: Int, taken: inout Set<String>) -> String {
        let base = node.name.isEmpty ? "\(node.opType)_\(index)" : node.name
        var name = base
        var suffix = 2
        while taken.contains(name) {
            name = "\(base)_\(suffix)"
            suffix += 1
        }
        taken.insert(name)
        return name
    }

    /// One sample's shape when the input declares every size after the batch axis.
    private func declaredShape(_ input: Onnx_ValueInfoProto) -> [Int]? {
        guard input.type.tensorType.hasShape else { return nil }
        let dims = input.type.tensorType.shape.dim.dropFirst()
        let sizes = dims.compactMap { dim -> Int? in
            if case let .dimValue(value)? = dim.value, value > 0, value <= Int64(Int32.max) { return Int(value) }
            return nil
        }
        return sizes.count == dims.count && !sizes.isEmpty ? sizes : nil
    }
}
