import Foundation

/// Binary cross-entropy on logits (multi-label classification): per element
/// `max(x, 0) − x·t + log(1 + e^(−|x|))`, the stable form of
/// `−t·log σ(x) − (1 − t)·log(1 − σ(x))`. Targets are floats in [0, 1].
///
/// - Throws: `StrataError.shapeMismatch` when `logits` and `target` differ in shape.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, target: Tensor,
                                         reduction: Reduction = .mean) throws(StrataError) -> Tensor {
    let op = "binaryCrossEntropyWithLogits"
    guard logits.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: logits.dtype) }
    let t = target.toFloat()
    guard logits.shape == t.shape else {
        throw .shapeMismatch(op: op, message: "logits \(Shape.describe(logits.shape)) and target \(Shape.describe(target.shape)) must have the same shape")
    }
    let x = logits.detach(), savedTarget = t.detach()
    let losses = ElementwiseKernels.zip(x, savedTarget, 1) { value, label in
        Swift.max(value, 0) - value * label + Foundation.log1p(Foundation.exp(-Swift.abs(value)))
    }
    let perElement = Tensor.record(losses, op, inputs: [logits, t]) { grad in
        // d/dx = σ(x) − t, d/dt = −x
        let probabilities = Kernels.backend.activationForward(.sigmoid, input: x)
        return [Kernels.multiply(grad, Kernels.subtract(probabilities, savedTarget)),
                Kernels.multiply(grad, Kernels.unary(.negate, x))]
    }
    return reduction.apply(perElement)
}
