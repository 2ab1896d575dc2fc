/// Max pooling over `N×C×H×W` (or `C×H×W`): each output is the largest value of its
/// `kernel` window (padding counts as −∞); per axis
/// `out = floor((in + 2·padding − kernel)/stride) + 1` (`ceil` with `ceilMode`, keeping a
/// partial last window that starts inside the input). The gradient goes to the first
/// maximum of each window. `stride` defaults to `kernel`.
///
///     let y = try maxPool2d(x, kernel: 2)   // 6@28×28 → 6@14×14
public func maxPool2d(_ input: Tensor, kernel: AxisValues, stride: AxisValues? = nil,
                      padding: AxisValues = 0, dilation: AxisValues = 1, ceilMode: Bool = false) throws(StrataError) -> Tensor {
    try pooling("maxPool2d", .max, spatialAxes: 2, input, kernel: kernel, stride: stride, padding: padding,
                dilation: dilation, ceilMode: ceilMode)
}

/// Average pooling over `N×C×H×W`; with `countIncludePad` the padding zeros count in
/// each window's divisor (PyTorch's default), otherwise only elements inside the input.
public func avgPool2d(_ input: Tensor, kernel: AxisValues, stride: AxisValues? = nil, padding: AxisValues = 0,
                      countIncludePad: Bool = true, ceilMode: Bool = false) throws(StrataError) -> Tensor {
    try pooling("avgPool2d", countIncludePad ? .averageIncludingPadding : .averageExcludingPadding, spatialAxes: 2,
                input, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode)
}

/// Max pooling over `N×C×L` (or `C×L`): `out = floor((L + 2·padding − kernel)/stride) + 1`.
public func maxPool1d(_ input: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1,
                      ceilMode: Bool = false) throws(StrataError) -> Tensor {
    try pooling("maxPool1d", .max, spatialAxes: 1, input, kernel: AxisValues(integerLiteral: kernel),
                stride: stride.map { AxisValues(integerLiteral: $0) }, padding: AxisValues(integerLiteral: padding),
                dilation: AxisValues(integerLiteral: dilation), ceilMode: ceilMode)
}

/// Average pooling over `N×C×L` (see `avgPool2d`).
public func avgPool1d(_ input: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0,
                      countIncludePad: Bool = true, ceilMode: Bool = false) throws(StrataError) -> Tensor {
    try pooling("avgPool1d", countIncludePad ? .averageIncludingPadding : .averageExcludingPadding, spatialAxes: 1,
                input, kernel: AxisValues(integerLiteral: kernel), stride: stride.map { AxisValues(integerLiteral: $0) },
                padding: AxisValues(integerLiteral: padding), ceilMode: ceilMode)
}

/// Mean over the spatial axes: `N×C×H×W → N×C×1×1` (like `AdaptiveAvgPool2d(1)`).
public func globalAvgPool2d(_ input: Tensor) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input], emit: ONNXEmit.plain("GlobalAveragePool")) { () throws(StrataError) in
        guard input.rank == 4 else {
            throw .shapeMismatch(op: "globalAvgPool2d", message: "input must be N×C×H×W, got shape \(Shape.describe(input.shape))")
        }
        return try input.mean(axes: [2, 3], keepDims: true)
    }
}

/// Mean over time: `N×C×L → N×C×1`.
public func globalAvgPool1d(_ input: Tensor) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input], emit: ONNXEmit.plain("GlobalAveragePool")) { () throws(StrataError) in
        guard input.rank == 3 else {
            throw .shapeMismatch(op: "globalAvgPool1d", message: "input must be N×C×L, got shape \(Shape.describe(input.shape))")
        }
        return try input.mean(axes: [2], keepDims: true)
    }
}

private func pooling(_ op: String, _ kind: PoolingKind, spatialAxes: Int, _ input: Tensor, kernel: AxisValues,
                     stride: AxisValues?, padding: AxisValues, dilation: AxisValues = 1,
                     ceilMode: Bool) throws(StrataError) -> Tensor {
    let kernelSizes = try kernel.resolve(axes: spatialAxes, name: "kernel", op: op)
    let paddings = try padding.resolve(axes: spatialAxes, name: "padding", op: op)
    // PyTorch's rule, also with dilation: at most half the kernel size
    for (p, k) in zip(paddings, kernelSizes) where p < 0 || p > k / 2 {
        throw .invalidArgument(op: op, message: "padding \(p) must be between 0 and half the kernel (\(k / 2) for kernel \(k))")
    }
    return try pooling(op, kind, spatialAxes: spatialAxes, input, kernel: kernelSizes,
                       stride: try (stride ?? kernel).resolve(axes: spatialAxes, name: "stride", op: op),
                       before: paddings, after: paddings,
                       dilation: try dilation.resolve(axes: spatialAxes, name: "dilation", op: op), ceilMode: ceilMode)
}

/// Pooling of `N×C×L` / `N×C×H×W` (or unbatched) input with per-axis padding before and after
/// each axis, each smaller than the kernel (ONNX's `pads`); padding counts as −∞ for max
/// pooling and as zeros (or not at all, by `kind`) for averages.
func pooling(_ op: String, _ kind: PoolingKind, spatialAxes: Int, _ input: Tensor, kernel kernelSizes: [Int],
             stride strides: [Int], before: [Int], after: [Int], dilation dilations: [Int],
             ceilMode: Bool) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input], emit: ONNXEmit.pooling(max: kind == .max, kernel: kernelSizes, stride: strides, before: before,
                                                     after: after, dilation: dilations, ceilMode: ceilMode,
                                                     countIncludePad: kind == .averageIncludingPadding)) { () throws(StrataError) in
        guard input.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: input.dtype) }
        let layout = spatialAxes == 1 ? "N×C×L (or C×L)" : "N×C×H×W (or C×H×W)"
        guard input.rank == spatialAxes + 2 || input.rank == spatialAxes + 1 else {
            throw .shapeMismatch(op: op, message: "input must be \(layout), got shape \(Shape.describe(input.shape))")
        }
        for (name, values) in [("kernel", kernelSizes), ("stride", strides), ("dilation", dilations),
                               ("padding before", before), ("padding after", after)] where values.count != spatialAxes {
            throw .invalidArgument(op: op, message: "\(name) \(values) needs \(spatialAxes) values (one per spatial axis)")
        }
        if let bad = kernelSizes.first(where: { $0 < 1 }) { throw .invalidArgument(op: op, message: "kernel must be ≥ 1, got \(bad)") }
        if let bad = strides.first(where: { $0 < 1 }) { throw .invalidArgument(op: op, message: "stride must be ≥ 1, got \(bad)") }
        if let bad = dilations.first(where: { $0 < 1 }) { throw .invalidArgument(op: op, message: "dilation must be ≥ 1, got \(bad)") }
        for (p, k) in zip(before + after, kernelSizes + kernelSizes) where p < 0 || p >= k {
            throw .invalidArgument(op: op, message: "padding \(p) must be ≥ 0 and smaller than the kernel \(k)")
        }
        let unbatched = input.rank == spatialAxes + 1
        let batched = unbatched ? try input.unsqueeze(axis: 0) : input
        try ConvolutionArguments.checkOutput(op: op, input: Array(batched.shape[2...]), kernel: kernelSizes, stride: strides,
                                             before: before, after: after, dilation: dilations,
                                             xShape: input.shape, wShape: kernelSizes)
        let x = spatialAxes == 1 ? try batched.unsqueeze(axis: 2) : batched
        let lift = { (values: [Int], pad: Int) in spatialAxes == 1 ? [pad] + values : values }
        let geometry = PoolingGeometry(kind: kind, kernel: lift(kernelSizes, 1), stride: lift(strides, 1),
                                       paddingBefore: lift(before, 0), paddingAfter: lift(after, 0), ceilMode: ceilMode,
                                       dilation: lift(dilations, 1))
        let (result, workspace) = Kernels.backend.poolingForward(input: x, geometry: geometry, training: x.requiresGrad && GradMode.isEnabled)
        try BackendFailure.check()
        let saved = x.detach()
        var output = Tensor.record(result, op, inputs: [x]) { grad in
            [Kernels.backend.poolingBackward(gradOutput: grad, input: saved, workspace: workspace, geometry: geometry)]
        }
        if spatialAxes == 1 { output = try output.squeeze(axis: 2) }
        return unbatched ? try output.squeeze(axis: 0) : output
    }
}
