/// Bilinear resizing of `N×C×H×W` (or `C×H×W`) to `Ho×Wo`, as PyTorch's
/// `interpolate(mode="bilinear", antialias=False)`: output pixel `o` reads input position
/// `s = (o + ½)·H/Ho − ½` (clamped at 0; with `alignCorners`, `s = o·(H − 1)/(Ho − 1)`) and
/// mixes its two neighbours linearly. Separable, so `y = R_h · x · R_wᵀ` with two-tap
/// interpolation matrices; the gradient flows through both products.
///
///     let big = try interpolateBilinear(digits, size: [96, 96])   // 1@28×28 → 1@96×96
///
/// - Throws: `StrataError.shapeMismatch` for another rank, `invalidArgument` for a size below 1.
public func interpolateBilinear(_ input: Tensor, size: AxisValues, alignCorners: Bool = false) throws(StrataError) -> Tensor {
    let op = "interpolateBilinear"
    guard input.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: input.dtype) }
    guard input.rank == 4 || input.rank == 3 else {
        throw .shapeMismatch(op: op, message: "input must be N×C×H×W (or C×H×W), got shape \(Shape.describe(input.shape))")
    }
    let sizes = try size.resolve(axes: 2, name: "size", op: op)
    if let bad = sizes.first(where: { $0 < 1 }) { throw .invalidArgument(op: op, message: "size must be ≥ 1, got \(bad)") }
    let (height, width) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
    guard height >= 1, width >= 1 else {
        throw .shapeMismatch(op: op, message: "input \(Shape.describe(input.shape)) has an empty spatial axis")
    }
    if [height, width] == sizes { return input }
    let columns = interpolationMatrix(inputs: width, outputs: sizes[1], alignCorners: alignCorners)
    let rows = interpolationMatrix(inputs: height, outputs: sizes[0], alignCorners: alignCorners)
    return try Tensor.matmul(rows, try Tensor.matmul(input, columns.transpose(0, 1)))
}

/// `outputs×inputs`: each row holds the two linear-interpolation weights of one output position.
private func interpolationMatrix(inputs: Int, outputs: Int, alignCorners: Bool) -> Tensor {
    var values = [Float](repeating: 0, count: outputs * inputs)
    let scale: Float = alignCorners ? (outputs > 1 ? Float(inputs - 1) / Float(outputs - 1) : 0) : Float(inputs) / Float(outputs)
    for row in 0..<outputs {
        let source = alignCorners ? scale * Float(row) : Swift.max(scale * (Float(row) + 0.5) - 0.5, 0)
        let first = Swift.min(Int(source), inputs - 1)
        let second = Swift.min(first + 1, inputs - 1)
        let weight = source - Float(first)
        values[row * inputs + first] += 1 - weight
        values[row * inputs + second] += weight
    }
    return try! Tensor(values, shape: [outputs, inputs])
}
