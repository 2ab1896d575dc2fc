/// One node of an imported ONNX graph as a layer: what `strata summary` lists and insight
/// verbs watch (by the node's name). It holds the initializers it reads, so a summary row
/// counts its parameters; the network's state dict lists them once, under their own names.
final class ONNXNode: Module {
    let nodeName: String
    let opType: String
    let inputs: [String]
    let outputs: [String]
    let attributes: ONNXAttributes
    let operation: ONNXOperator
    /// The learnable or tracked initializers among the inputs (for the summary's counts).
    let heldState: [(name: String, tensor: Tensor, isBuffer: Bool)]
    /// The shape of input 2 (a convolution's or product's weight) when it is an initializer.
    let weightShape: [Int]?

    init(name: String, proto: Onnx_NodeProto, operation: ONNXOperator,
         heldState: [(name: String, tensor: Tensor, isBuffer: Bool)], weightShape: [Int]?) {
        nodeName = name
        opType = proto.opType
        inputs = proto.input
        outputs = proto.output
        attributes = ONNXAttributes(node: name, proto.attribute)
        self.operation = operation
        self.heldState = heldState
        self.weightShape = weightShape
        super.init()
    }

    override var ownState: [(name: String, tensor: Tensor, isBuffer: Bool)] { heldState }

    /// The op type with its weight's channels and kernel and the attributes that differ from
    /// their defaults: `Conv 3→64, k7×7 strides=2×2 pads=3×3×3×3`.
    override var summaryText: String {
        let defaults: [String: Int] = ["strides": 1, "dilations": 1, "pads": 0, "group": 1]
        let shown = ["kernel_shape", "strides", "pads", "dilations", "group", "axis", "perm"]
        let details = shown.compactMap { name -> String? in
            if name == "kernel_shape", opType.hasPrefix("Conv") { return nil }
            if let values = (try? attributes.ints(name)) ?? nil {
                if let fallback = defaults[name], values.allSatisfy({ $0 == fallback }) { return nil }
                return "\(name)=\(values.map(String.init).joined(separator: "×"))"
            }
            guard attributes.names.contains(name), let value = try? attributes.int(name, default: 0), value != defaults[name] else { return nil }
            return "\(name)=\(value)"
        }
        var text = opType
        if opType.hasPrefix("Conv"), let shape = weightShape, shape.count >= 3 {
            // Conv weights are out×(in/groups)×k…, ConvTranspose's in×(out/groups)×k…
            let groups = (try? attributes.int("group", default: 1)) ?? 1
            let (inputs, outputs) = opType == "Conv" ? (shape[1] * groups, shape[0]) : (shape[0], shape[1] * groups)
            text += " \(inputs)→\(outputs), k" + shape.dropFirst(2).map(String.init).joined(separator: "×")
        }
        return ([text] + details).joined(separator: " ")
    }

    override func flops(input: [Int], output: [Int]) -> Int {
        let perSample = output.dropFirst().reduce(1, *)
        switch opType {
        case "Conv": return 2 * perSample * (weightShape?.dropFirst().reduce(1, *) ?? 0)
        case "ConvTranspose": return 2 * input.dropFirst().reduce(1, *) * (weightShape?.dropFirst().reduce(1, *) ?? 0)
        case "Gemm", "MatMul": return 2 * perSample * (input.last ?? 0)
        default: return 0
        }
    }

    override func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        let axes = Swift.max(output.count - 2, 0)
        let ones = [Int](repeating: 1, count: axes)
        switch opType {
        case "Conv", "MaxPool", "AveragePool":
            let kernel = opType == "Conv" ? Array((weightShape ?? []).dropFirst(2)) : (try? attributes.ints("kernel_shape")) ?? nil
            guard let kernel, kernel.count == axes, flow.receptiveField?.count == axes else { return super.flow(flow, to: output) }
            return flow.sliding(kernel: kernel, stride: ((try? attributes.ints("strides")) ?? nil) ?? ones,
                                dilation: ((try? attributes.ints("dilations")) ?? nil) ?? ones, to: output)
        case "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Gemm", "MatMul", "Reshape", "ReduceMean":
            return flow.global(to: output)
        default:
            return super.flow(flow, to: output)
        }
    }
}
