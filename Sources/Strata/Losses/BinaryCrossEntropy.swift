import Foundation

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
    let x = logits.detach(), savedTarget = t.detach()
    let positive = positiveWeight.map { p in Kernels.expand(p.detach(), to: logits.shape).dense() }
    // lw = 1 + (p − 1)·t scales the positive part
    let logWeight = positive.map { p in ElementwiseKernels.zip(p, savedTarget, 1) { 1 + ($0 - 1) * $1 } }
    let losses = ElementwiseKernels.zip3(x, savedTarget, logWeight ?? Tensor(filledShape: x.shape, value: 1), 1) { value, label, lw in
        (1 - label) * value + lw * (Foundation.log1p(Foundation.exp(-Swift.abs(value))) + Swift.max(-value, 0))
    }
    var perElement = Tensor.record(losses, op, inputs: [logits, t]) { grad in
        // d/dx = (1 − t) + lw·(σ(x) − 1); d/dt = −x − (p − 1)·softplus(−x)
        let probabilities = Kernels.backend.activationForward(.sigmoid, input: x)
        let lw = logWeight ?? Tensor(filledShape: x.shape, value: 1)
        let dx = ElementwiseKernels.zip3(savedTarget, lw, probabilities, 1) { label, w, s in (1 - label) + w * (s - 1) }
        let pMinusOne = positive.map { ElementwiseKernels.map($0, 1) { $0 - 1 } } ?? Tensor(filledShape: x.shape, value: 0)
        let dt = ElementwiseKernels.zip(x, pMinusOne, 1) { value, p in
            -value + p * (Foundation.log1p(Foundation.exp(-Swift.abs(value))) + Swift.max(-value, 0))
        }
        return [Kernels.multiply(grad, dx), Kernels.multiply(grad, dt)]
    }
    if let weight { perElement = try perElement * weight }
    return reduction.apply(perElement)
}
