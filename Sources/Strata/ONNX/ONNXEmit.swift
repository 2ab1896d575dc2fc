/// The ONNX nodes (opset 13–17 semantics) each exportable Strata op writes into a trace,
/// given the value names of its inputs. Each returns the name of the op's result, or `nil`
/// after recording why the op cannot be exported.
enum ONNXEmit {
    typealias Rule = (ONNXTrace, [String?]) -> String?

    /// A node with these inputs and attributes.
    static func plain(_ type: String, _ attributes: [Onnx_AttributeProto] = []) -> Rule {
        { trace, inputs in trace.node(type, inputs, attributes) }
    }

    /// Conv with the geometry's padding before and after each spatial axis.
    static func convolution(_ geometry: ConvolutionGeometry, kernel: [Int]) -> Rule {
        plain("Conv", [ONNXAttribute.ints("kernel_shape", kernel), ONNXAttribute.ints("strides", geometry.stride),
                       ONNXAttribute.ints("pads", geometry.paddingBefore + geometry.paddingAfter),
                       ONNXAttribute.ints("dilations", geometry.dilation), ONNXAttribute.int("group", geometry.groups)])
    }

    /// Gemm for `N×in` input; MatMul with the transposed weight and Add for more axes.
    static func linear(inputRank: Int) -> Rule {
        { trace, inputs in
            if inputRank == 2 { return trace.node("Gemm", inputs, [ONNXAttribute.int("transB", 1)]) }
            let transposed = trace.node("Transpose", [inputs[1]], [ONNXAttribute.ints("perm", [1, 0])])
            let product = trace.node("MatMul", [inputs[0], transposed])
            guard inputs.count > 2, let bias = inputs[2] else { return product }
            return trace.node("Add", [product, bias])
        }
    }

    static func activation(_ kind: Activation) -> Rule {
        switch kind {
        case .relu: return plain("Relu")
        case .sigmoid: return plain("Sigmoid")
        case .softplus: return plain("Softplus")
        case .tanh: return plain("Tanh")
        case .hardswish: return plain("HardSwish")
        case .hardsigmoid: return plain("HardSigmoid", [ONNXAttribute.float("alpha", 1 / 6), ONNXAttribute.float("beta", 0.5)])
        case let .leakyRelu(slope): return plain("LeakyRelu", [ONNXAttribute.float("alpha", slope)])
        case let .elu(alpha): return plain("Elu", [ONNXAttribute.float("alpha", alpha)])
        case .relu6:
            return { trace, inputs in trace.node("Clip", [inputs[0], trace.constant(0), trace.constant(6)]) }
        default:
            return { trace, _ in trace.unsupported("activation \(kind) (no ONNX operator before opset 20)") }
        }
    }

    /// PRelu with the per-channel slopes shaped `C×1×…` to broadcast along axis 1.
    static func prelu(inputRank: Int, channels: Int) -> Rule {
        { trace, inputs in
            let shape = trace.constant([channels] + [Int](repeating: 1, count: Swift.max(inputRank - 2, 0)))
            let slopes = trace.node("Reshape", [inputs[1], shape])
            return trace.node("PRelu", [inputs[0], slopes])
        }
    }

    /// BatchNormalization in evaluation (ONNX's momentum weighs the running value).
    static func batchNorm(training: Bool, channels: Int, momentum: Float, eps: Float) -> Rule {
        { trace, inputs in
            guard !training else { return trace.unsupported("batch norm in training mode (export in evaluation mode)") }
            let ones = Tensor(filledShape: [channels], value: 1), zeros = Tensor(filledShape: [channels], value: 0)
            let filled = [inputs[0], inputs[1] ?? trace.name(of: ones), inputs[2] ?? trace.name(of: zeros),
                          inputs[3] ?? trace.name(of: zeros), inputs[4] ?? trace.name(of: ones)]
            return trace.node("BatchNormalization", filled, [ONNXAttribute.float("epsilon", eps),
                                                             ONNXAttribute.float("momentum", 1 - momentum)])
        }
    }

    static func pooling(max: Bool, kernel: [Int], stride: [Int], before: [Int], after: [Int], dilation: [Int],
                        ceilMode: Bool, countIncludePad: Bool) -> Rule {
        var attributes = [ONNXAttribute.ints("kernel_shape", kernel), ONNXAttribute.ints("strides", stride),
                          ONNXAttribute.ints("pads", before + after), ONNXAttribute.int("ceil_mode", ceilMode ? 1 : 0)]
        attributes.append(max ? ONNXAttribute.ints("dilations", dilation) : ONNXAttribute.int("count_include_pad", countIncludePad ? 1 : 0))
        return plain(max ? "MaxPool" : "AveragePool", attributes)
    }

    /// Adaptive average pooling: a global average, or an average pooling when the bins are equal.
    static func adaptiveAverage(input: [Int], output: [Int]) -> Rule {
        if output.allSatisfy({ $0 == 1 }) { return plain("GlobalAveragePool") }
        guard zip(input, output).allSatisfy({ $0 % $1 == 0 }) else {
            return { trace, _ in trace.unsupported("adaptive average pooling from \(input) to \(output) (unequal bins)") }
        }
        let kernel = zip(input, output).map { $0 / $1 }
        return plain("AveragePool", [ONNXAttribute.ints("kernel_shape", kernel), ONNXAttribute.ints("strides", kernel)])
    }

    /// Reshape whose first size follows the batch (0 copies the input's) when it keeps it.
    static func reshape(from input: [Int], to shape: [Int]) -> Rule {
        { trace, inputs in
            var target = shape
            if let batch = input.first, target.first == batch, input.count > 1 { target[0] = 0 }
            return trace.node("Reshape", [inputs[0], trace.constant(target)])
        }
    }

    /// Flatten when the axes from `start` to the last become one of a 2-D result, else Reshape.
    static func flatten(_ shape: [Int], from start: Int, through end: Int) -> Rule {
        let (first, last) = (start < 0 ? start + shape.count : start, end < 0 ? end + shape.count : end)
        if first == 1, last == shape.count - 1 { return plain("Flatten", [ONNXAttribute.int("axis", 1)]) }
        let merged = shape[Swift.max(first, 0)...Swift.min(Swift.max(last, first), shape.count - 1)].reduce(1, *)
        return reshape(from: shape, to: Array(shape.prefix(first)) + [merged] + Array(shape.dropFirst(last + 1)))
    }

    /// Reduction axes: the given ones in `0..<rank`, or every axis.
    static func reductionAxes(_ axes: [Int]?, rank: Int) -> [Int] {
        (axes ?? Array(0..<rank)).map { $0 < 0 ? $0 + rank : $0 }
    }

    static func binary(_ op: BinaryOp) -> Rule {
        switch op {
        case .add: return plain("Add")
        case .subtract: return plain("Sub")
        case .multiply: return plain("Mul")
        case .divide: return plain("Div")
        case .power: return plain("Pow")
        case .maximum: return plain("Max")
        case .minimum: return plain("Min")
        default: return { trace, _ in trace.unsupported("element-wise \(op)") }
        }
    }

    static func axes(_ type: String, _ axes: [Int]) -> Rule {
        { trace, inputs in trace.node(type, [inputs[0], trace.constant(axes)]) }
    }

    static func slice(axis: Int, start: Int, end: Int, step: Int) -> Rule {
        { trace, inputs in
            trace.node("Slice", [inputs[0], trace.constant([start]), trace.constant([end]), trace.constant([axis]), trace.constant([step])])
        }
    }

    static func reduce(_ type: String, axes: [Int], keepDims: Bool) -> Rule {
        plain(type, [ONNXAttribute.ints("axes", axes), ONNXAttribute.int("keepdims", keepDims ? 1 : 0)])
    }

    /// A binary op with a float scalar as the second operand.
    static func scalar(_ type: String, _ value: Float) -> Rule {
        { trace, inputs in trace.node(type, [inputs[0], trace.constant(value)]) }
    }

    static func clip(min low: Float, max high: Float) -> Rule {
        { trace, inputs in
            trace.node("Clip", [inputs[0], low.isFinite ? trace.constant(low) : nil, high.isFinite ? trace.constant(high) : nil])
        }
    }
}

extension ConvolutionGeometry {
    /// The geometry of a 1-D operation run as 2-D with height 1: the width axis alone.
    var droppingFirstAxis: ConvolutionGeometry {
        ConvolutionGeometry(stride: Array(stride.dropFirst()), paddingBefore: Array(paddingBefore.dropFirst()),
                            paddingAfter: Array(paddingAfter.dropFirst()), dilation: Array(dilation.dropFirst()), groups: groups)
    }
}
