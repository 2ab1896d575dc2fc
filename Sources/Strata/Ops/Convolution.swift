/// 2-D convolution (cross-correlation, as in PyTorch) of `N×C×H×W` (or `C×H×W`) input with
/// `filters×(C/groups)×kh×kw` weights, giving `N×filters×Ho×Wo` where per axis
/// `out = floor((in + 2·padding − dilation·(kernel − 1) − 1)/stride) + 1`.
///
///     let y = try conv2d(x, weight: w, bias: b, stride: 2, padding: 1)   // 3@32×32 → 16@16×16
///
/// `groups == C` with one filter per channel is a depthwise convolution.
///
/// - Throws: `StrataError.shapeMismatch` for wrong ranks or channel counts,
///   `invalidArgument` for bad hyperparameters, `outputTooSmall` (with the formula and
///   the padding or kernel that would fit) when an output axis would be empty.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: AxisValues = 1,
                   padding: Padding = 0, dilation: AxisValues = 1, groups: Int = 1) throws(StrataError) -> Tensor {
    var geometry: ConvolutionGeometry?
    return try ONNXTrace.op([input, weight, bias], emit: { trace, inputs in
        geometry.flatMap { ONNXEmit.convolution($0, kernel: Array(weight.shape.dropFirst(2)))(trace, inputs) }
    }) { () throws(StrataError) in
        let arguments = try ConvolutionArguments(op: "conv2d", spatialAxes: 2, input: input, weight: weight, bias: bias,
                                                 stride: stride, padding: padding, dilation: dilation, groups: groups)
        geometry = arguments.geometry
        let output = try convolution(arguments, bias: bias)
        return arguments.unbatched ? try output.squeeze(axis: 0) : output
    }
}

/// 1-D convolution of `N×C×L` (or `C×L`) input with `filters×(C/groups)×k` weights, giving
/// `N×filters×Lo` with `Lo = floor((L + 2·padding − dilation·(k − 1) − 1)/stride) + 1`.
/// Padding may also be `.same` or `.causal` (output `t` sees only inputs `≤ t`).
///
///     let y = try conv1d(x, weight: w, padding: .causal, dilation: 4)   // 3@200 → 12@200
///
/// - Throws: as `conv2d`.
public func conv1d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: AxisValues = 1,
                   padding: Padding = 0, dilation: AxisValues = 1, groups: Int = 1) throws(StrataError) -> Tensor {
    var geometry: ConvolutionGeometry?
    return try ONNXTrace.op([input, weight, bias], emit: { trace, inputs in
        geometry.flatMap { ONNXEmit.convolution($0.droppingFirstAxis, kernel: Array(weight.shape.dropFirst(2)))(trace, inputs) }
    }) { () throws(StrataError) in
        let arguments = try ConvolutionArguments(op: "conv1d", spatialAxes: 1, input: input, weight: weight, bias: bias,
                                                 stride: stride, padding: padding, dilation: dilation, groups: groups)
        geometry = arguments.geometry
        var output = try convolution(arguments, bias: bias).squeeze(axis: 2)
        if arguments.unbatched { output = try output.squeeze(axis: 0) }
        return output
    }
}

/// The convolution for a layer whose next operation is `activation` (ReLU, ReLU6 or
/// hard-swish), in one pass for inference: oneDNN applies the activation as the convolution
/// writes its output, the result is marked, and the activation that follows returns it
/// unchanged. While gradients are recorded, a graph is traced or layers are captured (where
/// the convolution's own output must be seen), it is the plain convolution and the
/// activation runs after it as usual.
func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, stride: AxisValues, padding: Padding, dilation: AxisValues,
            groups: Int, activation: Activation) throws(StrataError) -> Tensor {
    let recording = GradMode.isEnabled && ([input, weight] + (bias.map { [$0] } ?? [])).contains { $0.requiresGrad }
    guard !recording, ONNXTrace.current == nil, LayerCapture.current == nil, activation.isFusable else {
        return try conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
    let arguments = try ConvolutionArguments(op: "conv2d", spatialAxes: 2, input: input, weight: weight, bias: bias,
                                             stride: stride, padding: padding, dilation: dilation, groups: groups)
    var output = Kernels.backend.convolutionForward(input: arguments.input, weight: arguments.weight, bias: bias,
                                                    geometry: arguments.geometry, activation: activation)
    try BackendFailure.check()
    if arguments.unbatched { output = try output.squeeze(axis: 0) }
    output.appliedActivation = (activation, output.storage.version)
    return output
}

/// The recorded 2-D convolution on checked arguments.
private func convolution(_ arguments: ConvolutionArguments, bias: Tensor?) throws(StrataError) -> Tensor {
    let (x, w, geometry) = (arguments.input, arguments.weight, arguments.geometry)
    let result = Kernels.backend.convolutionForward(input: x, weight: w, bias: bias, geometry: geometry, activation: nil)
    try BackendFailure.check()
    let (input, weight) = (x.detach(), w.detach())
    let (needInput, needWeight, needBias) = (x.requiresGrad, w.requiresGrad, bias?.requiresGrad ?? false)
    return Tensor.record(result, "convolution", inputs: [x, w] + (bias.map { [$0] } ?? [])) { grad in
        let (dx, dw, db) = Kernels.backend.convolutionBackward(gradOutput: grad, input: input, weight: weight,
                                                              geometry: geometry, needsInput: needInput,
                                                              needsWeight: needWeight, withBias: needBias)
        return [dx, dw] + (bias == nil ? [] : [db])
    }
}
