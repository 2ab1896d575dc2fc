/// Checks a regression loss's operands: float and the same shape.
private func regressionOperands(_ op: String, _ input: Tensor, _ target: Tensor) throws(StrataError) -> Tensor {
    guard input.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: input.dtype) }
    let t = target.toFloat()
    guard input.shape == t.shape else {
        throw .shapeMismatch(op: op, message: "input \(Shape.describe(input.shape)) and target \(Shape.describe(target.shape)) must have the same shape")
    }
    return t
}

/// Mean squared error: `(x − t)²` per element.
public func mseLoss(_ input: Tensor, target: Tensor, reduction: Reduction = .mean) throws(StrataError) -> Tensor {
    let t = try regressionOperands("mseLoss", input, target)
    return reduction.apply(try (input - t).square())
}

/// Mean absolute error (L1): `|x − t|` per element; the gradient at 0 is 0.
public func l1Loss(_ input: Tensor, target: Tensor, reduction: Reduction = .mean) throws(StrataError) -> Tensor {
    let t = try regressionOperands("l1Loss", input, target)
    return reduction.apply(try (input - t).abs())
}

/// Huber loss with threshold δ: `½d²` where `|d| < δ`, else `δ·(|d| − ½δ)`, with `d = x − t`.
///
/// - Throws: `StrataError.invalidArgument` when `delta ≤ 0`.
public func huberLoss(_ input: Tensor, target: Tensor, delta: Float = 1,
                      reduction: Reduction = .mean) throws(StrataError) -> Tensor {
    let op = "huberLoss"
    let t = try regressionOperands(op, input, target)
    guard delta > 0 else { throw .invalidArgument(op: op, message: "delta must be > 0, got \(delta)") }
    // with a = |d| and q = min(a, δ): ½q² + δ·(a − q) is ½d² inside and δ·(|d| − ½δ) outside
    let magnitude = try (input - t).abs()
    let inside = try magnitude.clamp(max: delta)
    let perElement = try inside.square() * 0.5 + (magnitude - inside) * delta
    return reduction.apply(perElement)
}
