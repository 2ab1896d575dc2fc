/// Convolutions and pooling over 1-D (`N×C×L`) and 2-D (`N×C×H×W`) inputs, with ONNX's
/// padding: explicit `pads` (all begins, then all ends — asymmetric allowed) or `auto_pad`
/// (`SAME_UPPER` puts an odd total's extra zero after, `SAME_LOWER` before; `VALID` none).
extension ONNXOperators {
    static let convolution: [String: ONNXOperator] = [
        "Conv": .single(parameters: [1, 2], unsupported: { windowUnsupported($0, kernelRank: $0.inputRanks.dropFirst().first ?? nil) }) { c throws(StrataError) in
            let (x, w, b) = (try c.input(0), try c.input(1), c.optionalInput(2))
            let axes = try spatialAxes(c, w.rank - 2)
            let kernel = Array(w.shape.dropFirst(2))
            let stride = try c.attributes.ints("strides") ?? ones(axes)
            let dilation = try c.attributes.ints("dilations") ?? ones(axes)
            let (before, after) = try padding(c, input: Array(x.shape.suffix(axes)), kernel: kernel, stride: stride, dilation: dilation)
            let groups = try c.attributes.int("group", default: 1)
            let pad = Padding.asymmetric(before: AxisValues(before), after: AxisValues(after))
            return axes == 1
                ? try conv1d(x, weight: w, bias: b, stride: AxisValues(stride), padding: pad, dilation: AxisValues(dilation), groups: groups)
                : try conv2d(x, weight: w, bias: b, stride: AxisValues(stride), padding: pad, dilation: AxisValues(dilation), groups: groups)
        },
        "ConvTranspose": .single(parameters: [1, 2], unsupported: { windowUnsupported($0, kernelRank: $0.inputRanks.dropFirst().first ?? nil) }) { c throws(StrataError) in
            try convTranspose(c)
        },
        "MaxPool": .single(unsupported: { node in
            poolUnsupported(node) ?? expect(node, "storage_order", in: [0], default: 0)
        }) { c throws(StrataError) in
            // integer inputs pool as floats (exact below 2²⁴) and come back as integers
            let x = try c.input(0)
            return x.dtype == .int64 ? try pool(c, x.toFloat(), .max).toInt64() : try pool(c, x, .max)
        },
        "AveragePool": .single(unsupported: poolUnsupported) { c throws(StrataError) in
            try pool(c, try c.input(0), try c.attributes.int("count_include_pad", default: 0) == 1 ? .averageIncludingPadding : .averageExcludingPadding)
        },
        "GlobalAveragePool": .single { c throws(StrataError) in
            let x = try c.input(0)
            guard x.rank >= 3 else { throw rankError(c, x) }
            return try x.mean(axes: Array(2..<x.rank), keepDims: true)
        },
        "GlobalMaxPool": .single { c throws(StrataError) in
            var x = try c.input(0)
            guard x.rank >= 3 else { throw rankError(c, x) }
            for axis in 2..<x.rank { x = try x.max(axis: axis, keepDims: true) }
            return x
        },
    ]

    private static func ones(_ count: Int) -> [Int] { [Int](repeating: 1, count: count) }

    /// A sliding window over 1 or 2 spatial axes with a known padding mode; `kernelRank`
    /// counts the weight's axes (`O×I×k…`) where the graph declares it.
    private static func windowUnsupported(_ node: ONNXNodeSignature, kernelRank: Int?) -> String? {
        if let kernelRank, kernelRank != 3, kernelRank != 4 {
            return "\(kernelRank - 2)-D window (Strata runs 1-D and 2-D)"
        }
        return expect(node, "auto_pad", in: ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"], default: "NOTSET")
    }

    private static func poolUnsupported(_ node: ONNXNodeSignature) -> String? {
        windowUnsupported(node, kernelRank: ((try? node.attributes.ints("kernel_shape")) ?? nil).map { $0.count + 2 })
    }

    /// The number of spatial axes, which must be 1 or 2.
    private static func spatialAxes(_ c: ONNXNodeContext, _ axes: Int) throws(StrataError) -> Int {
        guard axes == 1 || axes == 2 else {
            throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (\(c.opType)) is \(axes)-D; Strata runs 1-D (N×C×L) and 2-D (N×C×H×W) \(c.opType)")
        }
        return axes
    }

    private static func rankError(_ c: ONNXNodeContext, _ x: Tensor) -> StrataError {
        .shapeMismatch(op: "onnx", message: "node '\(c.node)' (\(c.opType)) needs N×C×… input, got \(Shape.describe(x.shape))")
    }

    /// Zeros before and after each spatial axis, from `pads` or `auto_pad`.
    static func padding(_ c: ONNXNodeContext, input: [Int], kernel: [Int], stride: [Int],
                        dilation: [Int]) throws(StrataError) -> (before: [Int], after: [Int]) {
        let axes = input.count
        guard kernel.count == axes, stride.count == axes, dilation.count == axes else {
            throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (\(c.opType)): kernel \(kernel), strides \(stride) and dilations \(dilation) need \(axes) values each")
        }
        let mode = try c.attributes.string("auto_pad", default: "NOTSET")
        switch mode {
        case "SAME_UPPER", "SAME_LOWER":
            var before: [Int] = [], after: [Int] = []
            for axis in 0..<axes {
                let output = (input[axis] + stride[axis] - 1) / max(stride[axis], 1)
                let total = max(0, (output - 1) * stride[axis] + (kernel[axis] - 1) * dilation[axis] + 1 - input[axis])
                let small = total / 2
                before.append(mode == "SAME_UPPER" ? small : total - small)
                after.append(mode == "SAME_UPPER" ? total - small : small)
            }
            return (before, after)
        case "VALID":
            return (ones(axes).map { _ in 0 }, ones(axes).map { _ in 0 })
        default:
            let pads = try c.attributes.ints("pads") ?? [Int](repeating: 0, count: 2 * axes)
            guard pads.count == 2 * axes, pads.allSatisfy({ $0 >= 0 }) else {
                throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (\(c.opType)): pads \(pads) must be \(2 * axes) values ≥ 0 (all begins, then all ends)")
            }
            return (Array(pads.prefix(axes)), Array(pads.suffix(axes)))
        }
    }

    private static func pool(_ c: ONNXNodeContext, _ x: Tensor, _ kind: PoolingKind) throws(StrataError) -> Tensor {
        guard let kernel = try c.attributes.ints("kernel_shape") else {
            throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (\(c.opType)) has no kernel_shape")
        }
        let axes = try spatialAxes(c, kernel.count)
        guard x.rank == axes + 2 else { throw rankError(c, x) }
        let stride = try c.attributes.ints("strides") ?? ones(axes)
        let dilation = try c.attributes.ints("dilations") ?? ones(axes)
        let (before, after) = try padding(c, input: Array(x.shape.suffix(axes)), kernel: kernel, stride: stride, dilation: dilation)
        return try pooling(c.opType, kind, spatialAxes: axes, x, kernel: kernel, stride: stride, before: before, after: after,
                           dilation: dilation, ceilMode: try c.attributes.int("ceil_mode", default: 0) == 1)
    }

    /// ConvTranspose: unpadded transposed convolution, then the `pads` (or those that give
    /// `output_shape`) cropped from each side — equal to PyTorch's `padding` when symmetric.
    private static func convTranspose(_ c: ONNXNodeContext) throws(StrataError) -> Tensor {
        var (x, w) = (try c.input(0), try c.input(1))
        let axes = try spatialAxes(c, w.rank - 2)
        if axes == 1 { (x, w) = (try x.unsqueeze(axis: 2), try w.unsqueeze(axis: 2)) }
        let lift = { (values: [Int], pad: Int) in axes == 1 ? [pad] + values : values }
        let stride = lift(try c.attributes.ints("strides") ?? ones(axes), 1)
        let dilation = lift(try c.attributes.ints("dilations") ?? ones(axes), 1)
        var extra = lift(try c.attributes.ints("output_padding") ?? ones(axes).map { _ in 0 }, 0)
        // the unpadded output: (in − 1)·stride + dilation·(kernel − 1) + 1 + output_padding
        var full: [Int] = []
        for axis in 0..<2 {
            let span: Int = dilation[axis] * (w.shape[2 + axis] - 1) + 1
            full.append((x.shape[2 + axis] - 1) * stride[axis] + span + extra[axis])
        }
        let autoPad = try c.attributes.string("auto_pad", default: "NOTSET")
        var before: [Int], after: [Int]
        var wanted: [Int]? = try c.attributes.ints("output_shape").map { lift(Array($0.suffix(axes)), full[0]) }
        if wanted == nil, autoPad.hasPrefix("SAME") { wanted = [x.shape[2] * stride[0], x.shape[3] * stride[1]] }
        if let wanted {
            // ONNX: total = full − wanted (a shortfall grows the output at the end); SAME_UPPER
            // puts an odd zero at the end, every other mode at the start
            for axis in 0..<2 where wanted[axis] > full[axis] {
                extra[axis] += wanted[axis] - full[axis]
                full[axis] = wanted[axis]
            }
            let total = zip(full, wanted).map { $0 - $1 }
            before = total.map { autoPad == "SAME_UPPER" ? $0 / 2 : $0 - $0 / 2 }
            after = zip(total, before).map { $0 - $1 }
        } else {
            let pads = try c.attributes.ints("pads") ?? [Int](repeating: 0, count: 2 * axes)
            guard pads.count == 2 * axes else {
                throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (ConvTranspose): pads \(pads) must be \(2 * axes) values")
            }
            (before, after) = (lift(Array(pads.prefix(axes)), 0), lift(Array(pads.suffix(axes)), 0))
        }
        var y = try convTranspose2d(x, weight: w, bias: c.optionalInput(2), stride: AxisValues(stride), padding: 0,
                                    outputPadding: AxisValues(extra), dilation: AxisValues(dilation),
                                    groups: try c.attributes.int("group", default: 1))
        for axis in 0..<2 where before[axis] != 0 || after[axis] != 0 {
            guard before[axis] >= 0, after[axis] >= 0, before[axis] + after[axis] < full[axis] else {
                throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (ConvTranspose): cropping \(before[axis]) + \(after[axis]) from an output of \(full[axis]) leaves nothing (or pads are negative)")
            }
            y = try y.slice(axis: 2 + axis, start: before[axis], end: full[axis] - after[axis])
        }
        return axes == 1 ? try y.squeeze(axis: 2) : y
    }
}
