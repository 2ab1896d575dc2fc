/// Adaptive average pooling over `N×C×H×W` (or `C×H×W`) to a fixed `Ho×Wo`, as PyTorch's
/// `adaptive_avg_pool2d`: output cell `(i, j)` averages input rows
/// `⌊i·H/Ho⌋ ..< ⌈(i + 1)·H/Ho⌉` and the columns found the same way. Bins may differ in
/// size, and overlap when the output is larger than the input (AlexNet and VGG pool a
/// 2×3 map to 7×7 this way).
///
///     let y = try adaptiveAvgPool2d(x, outputSize: [7, 7])   // 512@2×3 → 512@7×7
///
/// Pooling is separable: `y = P_h · x · P_wᵀ` with row-averaging matrices `P_h` (`Ho×H`)
/// and `P_w` (`Wo×W`), so forward and backward are two matrix products; an output that
/// divides the input evenly is a plain average pooling, and `1×1` a mean.
///
/// - Throws: `StrataError.shapeMismatch` for an input of another rank,
///   `invalidArgument` for an output size below 1.
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: AxisValues) throws(StrataError) -> Tensor {
    try adaptiveAvgPool("adaptiveAvgPool2d", input, outputSize: outputSize, spatialAxes: 2)
}

/// Adaptive average pooling over `N×C×L` (or `C×L`) to a fixed length (PyTorch's
/// `adaptive_avg_pool1d`; see `adaptiveAvgPool2d` for the bins).
public func adaptiveAvgPool1d(_ input: Tensor, outputSize: Int) throws(StrataError) -> Tensor {
    try adaptiveAvgPool("adaptiveAvgPool1d", input, outputSize: AxisValues(integerLiteral: outputSize), spatialAxes: 1)
}

/// The input rows `start ..< end` that adaptive pooling averages into output `index` of `outputs`.
func adaptiveBin(_ index: Int, inputs: Int, outputs: Int) -> Range<Int> {
    (index * inputs / outputs)..<(((index + 1) * inputs + outputs - 1) / outputs)
}

private func adaptiveAvgPool(_ op: String, _ input: Tensor, outputSize: AxisValues, spatialAxes: Int) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input], emit: ONNXEmit.adaptiveAverage(input: Array(input.shape.suffix(spatialAxes)),
                                                            output: (try? outputSize.resolve(axes: spatialAxes, name: "", op: "")) ?? [])) { () throws(StrataError) in
        guard input.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: input.dtype) }
        guard input.rank == spatialAxes + 2 || input.rank == spatialAxes + 1 else {
            let layout = spatialAxes == 1 ? "N×C×L (or C×L)" : "N×C×H×W (or C×H×W)"
            throw .shapeMismatch(op: op, message: "input must be \(layout), got shape \(Shape.describe(input.shape))")
        }
        let sizes = try outputSize.resolve(axes: spatialAxes, name: "output size", op: op)
        if let bad = sizes.first(where: { $0 < 1 }) {
            throw .invalidArgument(op: op, message: "output size must be ≥ 1, got \(bad)")
        }
        let spatial = Array(input.shape.suffix(spatialAxes))
        if let empty = spatial.first(where: { $0 < 1 }) {
            throw .shapeMismatch(op: op, message: "input \(Shape.describe(input.shape)) has an empty spatial axis (\(empty))")
        }
        let axes = Array((input.rank - spatialAxes)..<input.rank)
        if sizes.allSatisfy({ $0 == 1 }) { return try input.mean(axes: axes, keepDims: true) }
        if spatialAxes == 2, zip(spatial, sizes).allSatisfy({ $0 % $1 == 0 }) {
            let kernel = AxisValues(zip(spatial, sizes).map { $0 / $1 })
            return try avgPool2d(input, kernel: kernel, stride: kernel)
        }
        // y = x · P_wᵀ along the last axis, then P_h · y along the one before
        var result = try Tensor.matmul(input, averagingMatrix(inputs: spatial[spatialAxes - 1], outputs: sizes[spatialAxes - 1]).transpose(0, 1))
        if spatialAxes == 2 {
            result = try Tensor.matmul(averagingMatrix(inputs: spatial[0], outputs: sizes[0]), result)
        }
        return result
    }
}

/// `outputs×inputs`: row `i` holds `1/|bin|` over adaptive bin `i`, zeros elsewhere.
private func averagingMatrix(inputs: Int, outputs: Int) -> Tensor {
    var values = [Float](repeating: 0, count: outputs * inputs)
    for row in 0..<outputs {
        let bin = adaptiveBin(row, inputs: inputs, outputs: outputs)
        for column in bin { values[row * inputs + column] = 1 / Float(bin.count) }
    }
    return try! Tensor(values, shape: [outputs, inputs])
}
