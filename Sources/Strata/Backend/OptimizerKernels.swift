import Foundation

/// An optimizer's element-wise update rule and its hyperparameters, as PyTorch defines them
/// (see `SGD`, `Adam`, `RMSprop`). Buffers, in order: SGD the momentum buffer (when
/// momentum > 0); Adam the first and second moments (and the running maximum of the second
/// with AMSGrad); RMSprop the square average, the gradient average (centred) and the
/// momentum buffer.
public enum OptimizerRule: Sendable {
    case sgd(momentum: Float, dampening: Float, nesterov: Bool)
    case adam(beta1: Float, beta2: Float, eps: Float, decoupledWeightDecay: Bool, amsgrad: Bool)
    case rmsprop(alpha: Float, eps: Float, momentum: Float, centered: Bool)
}

/// The update rules on contiguous float buffers, for backends that compute on the host.
enum OptimizerKernels {
    /// One update of `count` elements of `p` from `grad`; `step` updates came before.
    static func update(_ rule: OptimizerRule, p: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>,
                       buffers: [UnsafeMutablePointer<Float>], count: Int, step: Int, lr: Float, wd: Float) {
        switch rule {
        case let .sgd(momentum, dampening, nesterov):
            // the branches are hoisted out of the loops so that each loop vectorises
            guard momentum > 0 else {
                for i in 0..<count { p[i] -= lr * (grad[i] + wd * p[i]) }
                return
            }
            let buffer = buffers[0]
            if step == 0 {
                for i in 0..<count {
                    let g = grad[i] + wd * p[i]
                    buffer[i] = g
                    p[i] -= lr * (nesterov ? g + momentum * g : g)
                }
            } else {
                for i in 0..<count {
                    let g = grad[i] + wd * p[i]
                    let b = momentum * buffer[i] + (1 - dampening) * g
                    buffer[i] = b
                    p[i] -= lr * (nesterov ? g + momentum * b : b)
                }
            }
        case let .adam(beta1, beta2, eps, decoupled, amsgrad):
            let (m, v) = (buffers[0], buffers[1])
            let t = Float(step + 1)
            let stepSize = lr / (1 - Foundation.pow(beta1, t))
            let correction2 = (1 - Foundation.pow(beta2, t)).squareRoot()
            let maximum = amsgrad ? buffers[2] : v
            let decay = 1 - lr * wd
            for i in 0..<count {
                if decoupled { p[i] *= decay }
                let g = decoupled ? grad[i] : grad[i] + wd * p[i]
                m[i] += (1 - beta1) * (g - m[i])
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                if amsgrad { maximum[i] = Swift.max(maximum[i], v[i]) }
                p[i] -= stepSize * m[i] / (maximum[i].squareRoot() / correction2 + eps)
            }
        case let .rmsprop(alpha, eps, momentum, centered):
            let (square, average, buffer) = (buffers[0], buffers[1], buffers[2])
            for i in 0..<count {
                let g = grad[i] + wd * p[i]
                square[i] = alpha * square[i] + (1 - alpha) * g * g
                var denominator: Float
                if centered {
                    average[i] += (1 - alpha) * (g - average[i])
                    denominator = (square[i] - average[i] * average[i]).squareRoot() + eps
                } else {
                    denominator = square[i].squareRoot() + eps
                }
                if momentum > 0 {
                    buffer[i] = momentum * buffer[i] + g / denominator
                    p[i] -= lr * buffer[i]
                } else {
                    p[i] -= lr * g / denominator
                }
            }
        }
    }

    /// `update` on tensors: `parameter`, `gradient` and `buffers` contiguous float32 of one shape.
    static func update(_ rule: OptimizerRule, parameter: Tensor, gradient: Tensor, buffers: [Tensor], step: Int,
                       learningRate: Float, weightDecay: Float) {
        let gradient = gradient.dense()
        Tensor.withMutableFloats(of: [parameter] + buffers) { pointers in
            gradient.withFloats { grad in
                update(rule, p: pointers[0], grad: grad, buffers: Array(pointers.dropFirst()), count: parameter.count,
                       step: step, lr: learningRate, wd: weightDecay)
            }
        }
    }
}
