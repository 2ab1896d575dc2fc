/// Binary cross-entropy on logits (multi-label classification), as
/// `torch.nn.functional.binary_cross_entropy_with_logits`: per element, with the positive
/// weight `p` (default 1) and optional element weight `w`,
///
///     loss = w·((1 − t)·x + (1 + (p − 1)·t)·(log(1 + e^(−|x|)) + max(−x, 0)))
///
/// the stable form of `−w·(p·t·log σ(x) + (1 − t)·log(1 − σ(x)))`. Targets are floats in [0, 1].
///
/// - Throws: `StrataError.shapeMismatch` when `target` differs from `logits` in shape or
///   a weight does not broadcast to it.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, target: Tensor, weight: Tensor? = nil,
                                         positiveWeight: Tensor? = nil,
                                         reduction: Reduction = .mean) throws(StrataError) -> Tensor {
    let op = "binaryCrossEntropyWithLogits"
    guard logits.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: logits.dtype) }
    let t = target.toFloat()
    guard logits.shape == t.shape else {
        throw .shapeMismatch(op: op, message: "logits \(Shape.describe(logits.shape)) and target \(Shape.describe(target.shape)) must have the same shape")
    }
    for case let extra? in [weight, positiveWeight] where try Tensor.broadcastShape(logits, extra, op: op) != logits.shape {
        throw .shapeMismatch(op: op, message: "weight \(Shape.describe(extra.shape)) must broadcast to the logits \(Shape.describe(logits.shape))")
    }
    // softplus(−x) = log(1 + e^(−|x|)) + max(−x, 0); with lw = 1 + (p − 1)·t scaling the positive part
    let positivePart = softplus(-logits)
    let logWeighted = try positiveWeight.map { p throws(StrataError) in try ((p - 1) * t + 1) * positivePart } ?? positivePart
    var perElement = try (1 - t) * logits + logWeighted
    if let weight { perElement = try perElement * weight }
    return reduction.apply(perElement)
}
