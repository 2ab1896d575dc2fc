/// Batch normalisation per channel of `N×C×…` by its formulas, in `Double`:
/// `y = (x − mean)/sqrt(var + eps)·γ + β`.
enum ReferenceBatchNorm {
    /// Visits (channel, flat index) for every element of an `N×C×…` tensor.
    private static func forEachElement(_ shape: [Int], _ body: (Int, Int) -> Void) {
        let channels = shape[1], plane = Shape.count(Array(shape[2...]))
        for n in 0..<shape[0] {
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                for i in 0..<plane { body(c, base + i) }
            }
        }
    }

    private static func perChannel(_ shape: [Int]) -> Double {
        Double(shape[0] * Shape.count(Array(shape[2...])))
    }

    /// Mean and biased variance per channel.
    static func statistics(_ input: Tensor) -> (Tensor, Tensor) {
        let channels = input.shape[1], count = perChannel(input.shape)
        var mean = [Double](repeating: 0, count: channels)
        var variance = [Double](repeating: 0, count: channels)
        input.withDenseFloats { x in
            forEachElement(input.shape) { c, i in mean[c] += Double(x[i]) }
            mean = mean.map { $0 / count }
            forEachElement(input.shape) { c, i in
                let centered = Double(x[i]) - mean[c]
                variance[c] += centered * centered
            }
        }
        variance = variance.map { $0 / count }
        return (Tensor.fromDoubles(mean, shape: [channels]), Tensor.fromDoubles(variance, shape: [channels]))
    }

    static func normalize(_ input: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, eps: Float) -> Tensor {
        let gamma = weight.toArray(), beta = bias.toArray(), mu = mean.toArray(), sigma2 = variance.toArray()
        let result = Tensor(uninitializedShape: input.shape)
        input.withDenseFloats { x in
            result.withMutableFloats { output in
                forEachElement(input.shape) { c, i in
                    let normalized = (Double(x[i]) - Double(mu[c])) / (Double(sigma2[c]) + Double(eps)).squareRoot()
                    output[i] = Float(normalized * Double(gamma[c]) + Double(beta[c]))
                }
            }
        }
        return result
    }

    /// With batch statistics: `dx = γ·invstd/M·(M·dy − Σdy − x̂·Σ(dy·x̂))`; with fixed
    /// statistics: `dx = γ·invstd·dy`. Always `dγ = Σ dy·x̂`, `dβ = Σ dy`.
    static func backward(gradOutput: Tensor, input: Tensor, weight: Tensor, mean: Tensor, variance: Tensor,
                         eps: Float, training: Bool) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let gamma = weight.toArray(), mu = mean.toArray(), sigma2 = variance.toArray()
        let channels = input.shape[1], count = perChannel(input.shape)
        let invstd = (0..<channels).map { 1 / (Double(sigma2[$0]) + Double(eps)).squareRoot() }
        var sumDy = [Double](repeating: 0, count: channels), sumDyXhat = sumDy
        let result = Tensor(uninitializedShape: input.shape)
        input.withDenseFloats { x in
            gradOutput.withDenseFloats { dy in
                forEachElement(input.shape) { c, i in
                    let xhat = (Double(x[i]) - Double(mu[c])) * invstd[c]
                    sumDy[c] += Double(dy[i])
                    sumDyXhat[c] += Double(dy[i]) * xhat
                }
                result.withMutableFloats { output in
                    forEachElement(input.shape) { c, i in
                        let scale = Double(gamma[c]) * invstd[c]
                        if training {
                            let xhat = (Double(x[i]) - Double(mu[c])) * invstd[c]
                            output[i] = Float(scale / count * (count * Double(dy[i]) - sumDy[c] - xhat * sumDyXhat[c]))
                        } else {
                            output[i] = Float(scale * Double(dy[i]))
                        }
                    }
                }
            }
        }
        return (result, Tensor.fromDoubles(sumDyXhat, shape: [channels]), Tensor.fromDoubles(sumDy, shape: [channels]))
    }
}
