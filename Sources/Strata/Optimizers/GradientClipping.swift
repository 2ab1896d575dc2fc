/// Scales gradients so their joint norm is at most `maxNorm` (PyTorch's
/// `clip_grad_norm_`): with the 2-norm `n` of all gradients together, every gradient is
/// multiplied by `maxNorm/(n + 1e-6)` when that is below 1. Returns `n`.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    // each gradient's sum of squares from the backend, the few totals added on the host
    var total: Double = 0
    for gradient in parameters.compactMap(\.grad) {
        total += Double(Kernels.sumAll(Kernels.unary(.square, gradient)).toArray()[0])
    }
    let norm = Float(total.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        for parameter in parameters where parameter.grad != nil {
            parameter.grad = Kernels.scale(parameter.grad!, scale)
        }
    }
    return norm
}
