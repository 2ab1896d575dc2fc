/// A network imported from an ONNX file (`ONNXModel.load(contentsOf:)`): one child layer
/// per graph node, named by the node's name, run in the file's (topological) order with
/// Strata's differentiable ops, so an imported network evaluates, trains, fine-tunes and
/// explains like a built-in one.
///
/// Its state dict is the file's float initializers under their own names — for a PyTorch
/// export, the original state-dict names (`features.0.weight`); batch norm's running
/// statistics are buffers. As a layer (`model(x)`) it takes the graph's one data input,
/// `N×…` with any batch size, and gives the graph's first output; `run(_:)` feeds graphs
/// with several inputs and returns every output.
public final class ONNXModel: Module {
    /// The graph's data inputs (inputs that are not initializers) and outputs, by name.
    public let inputNames: [String]
    public let outputNames: [String]
    /// One sample's input shape as the file declares it (no batch axis), when every size is fixed.
    public let declaredInput: [Int]?
    let nodes: [ONNXNode]
    /// Initializers that learn or track statistics, in file order.
    private let state: [(name: String, tensor: Tensor, isBuffer: Bool)]
    /// Every value known before the input arrives: state (also under Identity aliases) and folded constants.
    private let known: [String: Tensor]
    /// The values whose last reader is node `i`, dropped after it runs.
    private let releases: [[String]]
    let modelPath: String

    init(path: String, inputNames: [String], outputNames: [String], declaredInput: [Int]?, nodes: [ONNXNode],
         state: [(name: String, tensor: Tensor, isBuffer: Bool)], known: [String: Tensor]) {
        self.modelPath = path
        self.inputNames = inputNames
        self.outputNames = outputNames
        self.declaredInput = declaredInput
        self.nodes = nodes
        self.state = state
        self.known = known
        var lastUse: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for name in node.inputs where known[name] == nil && !outputNames.contains(name) { lastUse[name] = index }
        }
        var releases = [[String]](repeating: [], count: nodes.count)
        for (name, index) in lastUse { releases[index].append(name) }
        self.releases = releases
        super.init()
    }

    public override var namedChildren: [(String, Module)] { nodes.map { ($0.nodeName, $0) } }

    override func namedState() -> [(name: String, tensor: Tensor, isBuffer: Bool)] { state }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        guard inputNames.count == 1, let name = inputNames.first, let output = outputNames.first else {
            throw .invalidArgument(op: "onnx", message: "the graph takes \(inputNames.count) inputs (\(inputNames.joined(separator: ", "))); give them by name with run(_:)")
        }
        guard let result = try run([name: input]) { _, _ in }[output] else {
            throw .invalidArgument(op: "onnx", message: "the graph's output '\(output)' is never produced")
        }
        return result
    }

    /// Runs the graph on its inputs by name and returns every output by name.
    ///
    /// - Throws: `invalidArgument` naming a missing input; what a node's op throws.
    public func run(_ feeds: [String: Tensor]) throws(StrataError) -> [String: Tensor] {
        try run(feeds) { _, _ in }
    }

    /// Runs the graph, calling `visit` with each node and its outputs.
    private func run(_ feeds: [String: Tensor], visit: (ONNXNode, [Tensor]) -> Void) throws(StrataError) -> [String: Tensor] {
        for name in inputNames where feeds[name] == nil {
            throw .invalidArgument(op: "onnx", message: "the graph's input '\(name)' is not given (inputs: \(inputNames.joined(separator: ", ")))")
        }
        var values = feeds
        for (index, node) in nodes.enumerated() {
            var inputs: [Tensor?] = []
            for name in node.inputs {
                guard !name.isEmpty else { inputs.append(nil); continue }
                guard let value = values[name] ?? known[name] else {
                    throw .invalidArgument(op: "onnx", message: "node '\(node.nodeName)' reads '\(name)', which no earlier node produced")
                }
                inputs.append(value)
            }
            let context = ONNXNodeContext(modelPath: modelPath, node: node.nodeName, opType: node.opType,
                                          attributes: node.attributes, inputs: inputs, training: node.isTraining)
            let outputs = try node.operation.run(context)
            try BackendFailure.check()
            for (name, value) in zip(node.outputs, outputs) where !name.isEmpty { values[name] = value }
            if let first = outputs.first { LayerCapture.current?.record(node, first) }
            visit(node, outputs)
            for name in releases[index] { values[name] = nil }
        }
        var outputs: [String: Tensor] = [:]
        for name in outputNames {
            guard let output = values[name] ?? known[name] else {
                throw .invalidArgument(op: "onnx", message: "the graph's output '\(name)' is never produced")
            }
            outputs[name] = output
        }
        return outputs
    }

    /// Each node's first output shape for a batch of `input`, by running the graph on zeros
    /// in evaluation mode without gradients (the mode is restored after).
    private func traceShapes(_ input: [Int]) throws(StrataError) -> (output: [Int], nodes: [(ONNXNode, [Int])]) {
        guard inputNames.count == 1, let name = inputNames.first, let output = outputNames.first else {
            throw .invalidArgument(op: "onnx", message: "shapes are traced for graphs with one input; this one takes \(inputNames.count)")
        }
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var shapes: [(ONNXNode, [Int])] = []
        let outputs = try withoutGradients { () throws(StrataError) in
            try run([name: try Tensor.zeros(input)]) { node, outputs in shapes.append((node, outputs.first?.shape ?? [])) }
        }
        return (outputs[output]?.shape ?? [], shapes)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        try traceShapes(input).output
    }

    /// One row per node; receptive fields follow the data through sliding windows, global
    /// layers and the joins of branches.
    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        let traced = try traceShapes(flow.shape)
        var flows: [String: ShapeFlow] = [inputNames.first ?? "": flow]
        var last = flow
        for (node, shape) in traced.nodes {
            let incoming = node.inputs.compactMap { flows[$0] }
            var next = incoming.dropFirst().reduce(incoming.first ?? flow) { $0.merged(with: $1, shape: shape) }
            next = node.flow(next, to: shape)
            for name in node.outputs { flows[name] = next }
            let own = node.namedParameters()
            rows.append(SummaryRow(name: ModulePath.child(path, node.nodeName), layer: node.summaryText, outputShape: shape,
                                   parameters: own.reduce(0) { $0 + $1.1.count },
                                   trainableParameters: own.filter { $0.1.requiresGrad }.reduce(0) { $0 + $1.1.count },
                                   flops: node.flops(input: flows[node.inputs.first ?? ""]?.shape ?? [], output: shape),
                                   receptiveField: next.receptiveField, jump: next.jump))
            last = next
        }
        last.shape = traced.output
        return flows[outputNames.first ?? ""] ?? last
    }
}
