/// Transposed 2-D convolution (the gradient of `conv2d` with respect to its input, used to
/// upsample): `N×Cin×H×W` input, `Cin×(Cout/groups)×kh×kw` weights, output `N×Cout×Ho×Wo`
/// with per axis `out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + outputPadding + 1`.
///
///     let y = try convTranspose2d(x, weight: w, stride: 2, padding: 1, outputPadding: 1)  // 16×16 → 32×32
///
/// - Throws: `StrataError.shapeMismatch` for wrong ranks or channels, `invalidArgument`
///   when `outputPadding` is not smaller than the stride or the dilation (as in PyTorch),
///   `outputTooSmall` when an output axis would be empty.
public func convTranspose2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: AxisValues = 1,
                            padding: AxisValues = 0, outputPadding: AxisValues = 0, dilation: AxisValues = 1,
                            groups: Int = 1) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input, weight, bias], emit: { trace, inputs in
        let symmetric = (try? padding.resolve(axes: 2, name: "padding", op: "")) ?? [0, 0]
        return trace.node("ConvTranspose", inputs, [
            ONNXAttribute.ints("kernel_shape", Array(weight.shape.dropFirst(2))),
            ONNXAttribute.ints("strides", (try? stride.resolve(axes: 2, name: "", op: "")) ?? [1, 1]),
            ONNXAttribute.ints("pads", symmetric + symmetric),
            ONNXAttribute.ints("output_padding", (try? outputPadding.resolve(axes: 2, name: "", op: "")) ?? [0, 0]),
            ONNXAttribute.ints("dilations", (try? dilation.resolve(axes: 2, name: "", op: "")) ?? [1, 1]),
            ONNXAttribute.int("group", groups)])
    }) { () throws(StrataError) in
        let op = "convTranspose2d"
        let arguments = try ConvolutionArguments(op: op, spatialAxes: 2, input: input, weight: weight, bias: bias,
                                                 stride: stride, padding: .explicit(padding), dilation: dilation,
                                                 groups: groups, transposed: true)
        let x = arguments.input, w = arguments.weight
        var geometry = arguments.geometry
        let extra = try outputPadding.resolve(axes: 2, name: "outputPadding", op: op)
        var outSize: [Int] = []
        for axis in 0..<2 {
            let (s, p, d, k) = (geometry.stride[axis], geometry.paddingBefore[axis], geometry.dilation[axis], w.shape[2 + axis])
            guard extra[axis] >= 0, extra[axis] < Swift.max(s, d) else {
                throw .invalidArgument(op: op, message: "outputPadding \(extra[axis]) must be ≥ 0 and smaller than the stride \(s) or the dilation \(d)")
            }
            let size = (x.shape[2 + axis] - 1) * s - 2 * p + d * (k - 1) + extra[axis] + 1
            guard size >= 1 else {
                throw .outputTooSmall(op: op, message: "output \(axis == 0 ? "height" : "width") would be \(size) = (\(x.shape[2 + axis]) − 1)·\(s) − 2·\(p) + \(d)·(\(k) − 1) + \(extra[axis]) + 1 for input \(Shape.describe(input.shape)) and weight \(Shape.describe(weight.shape)); reduce the padding to ≤ \(((x.shape[2 + axis] - 1) * s + d * (k - 1) + extra[axis]) / 2)")
            }
            outSize.append(size)
            // the equivalent convolution maps `size` back to the input length; this trailing
            // padding makes its floor division land exactly there
            geometry.paddingAfter[axis] = Swift.max(p - extra[axis], Swift.min(p, p - extra[axis] + s - 1))
        }
        let outputShape = [x.shape[0], w.shape[1] * groups] + outSize
        var result = Kernels.backend.convolutionBackwardData(gradOutput: x, weight: w, inputShape: outputShape, geometry: geometry)
        try BackendFailure.check()
        if let bias { result = Kernels.add(result, bias.dense().viewing(shape: [1, outputShape[1], 1, 1])) }
        let (savedInput, savedWeight) = (x.detach(), w.detach())
        let (needInput, needWeight, needBias) = (x.requiresGrad, w.requiresGrad, bias?.requiresGrad ?? false)
        let output = Tensor.record(result, op, inputs: [x, w] + (bias.map { [$0] } ?? [])) { grad in
            let backend = Kernels.backend
            let dx = needInput ? backend.convolutionForward(input: grad, weight: savedWeight, bias: nil, geometry: geometry, activation: nil) : nil
            let dw = needWeight
                ? backend.convolutionBackwardWeights(input: grad, gradOutput: savedInput, weightShape: savedWeight.shape,
                                                     geometry: geometry, withBias: false).weight
                : nil
            let db = needBias ? Kernels.sum(grad, axes: [0, 2, 3]).dense().viewing(shape: [outputShape[1]]) : nil
            return [dx, dw] + (bias == nil ? [] : [db])
        }
        return arguments.unbatched ? try output.squeeze(axis: 0) : output
    }
}
