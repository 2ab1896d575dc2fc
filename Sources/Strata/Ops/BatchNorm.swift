/// Batch normalisation of `N×C×…` input per channel `c`:
/// `y = (x − mean_c)/sqrt(var_c + eps)·weight_c + bias_c`.
///
/// In training the batch's mean and biased variance normalise, and the running
/// statistics (when given) are updated in place:
/// `running = (1 − momentum)·running + momentum·batch`, with the unbiased batch variance
/// (PyTorch's rule; layers with `momentum: nil` pass `1/batches seen`, a cumulative average). In evaluation the running statistics normalise.
/// `N×C` (BatchNorm1d on features), `N×C×L` (BatchNorm1d on sequences) and `N×C×H×W`
/// (BatchNorm2d) are all accepted. Without `weight`/`bias` γ = 1 and β = 0.
///
/// - Throws: `StrataError.shapeMismatch` when a parameter is not `[C]`,
///   `invalidArgument` in evaluation without running statistics or in training with a
///   single value per channel.
public func batchNorm(_ input: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, runningMean: Tensor? = nil,
                      runningVar: Tensor? = nil, training: Bool, momentum: Float = 0.1,
                      eps: Float = 1e-5) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input, weight, bias, runningMean, runningVar],
                         emit: ONNXEmit.batchNorm(training: training, channels: input.rank >= 2 ? input.shape[1] : 0,
                                                  momentum: momentum, eps: eps)) { () throws(StrataError) in
        let op = "batchNorm"
        guard input.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: input.dtype) }
        guard input.rank >= 2 else {
            throw .shapeMismatch(op: op, message: "input must be N×C, N×C×L or N×C×H×W, got shape \(Shape.describe(input.shape))")
        }
        let channels = input.shape[1]
        let named = [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVar", runningVar)]
        for case let (name, tensor?) in named where tensor.shape != [channels] || tensor.dtype != .float32 {
            throw .shapeMismatch(op: op, message: "\(name) must be a float tensor of shape [\(channels)] (one per channel of input \(Shape.describe(input.shape))), got \(Shape.describe(tensor.shape))")
        }
        guard eps > 0 else { throw .invalidArgument(op: op, message: "eps must be > 0, got \(eps)") }
        let valuesPerChannel = input.count / Swift.max(channels, 1)
        let gamma = weight ?? Tensor(filledShape: [channels], value: 1)
        let beta = bias ?? Tensor(filledShape: [channels], value: 0)
        let backend = Kernels.backend
        let result: Tensor, mean: Tensor, variance: Tensor
        if training {
            guard valuesPerChannel > 1 else {
                throw .invalidArgument(op: op, message: "training needs more than one value per channel, got input shape \(Shape.describe(input.shape))")
            }
            (result, mean, variance) = backend.batchNormTraining(input: input, weight: gamma, bias: beta, eps: eps)
            withoutGradients {
                let unbiased = Float(valuesPerChannel) / Float(valuesPerChannel - 1)
                if let runningMean {
                    Kernels.copy(Kernels.add(Kernels.scale(runningMean, 1 - momentum), Kernels.scale(mean, momentum)),
                                 into: runningMean)
                }
                if let runningVar {
                    Kernels.copy(Kernels.add(Kernels.scale(runningVar, 1 - momentum),
                                             Kernels.scale(variance, momentum * unbiased)), into: runningVar)
                }
            }
        } else {
            guard let runningMean, let runningVar else {
                throw .invalidArgument(op: op, message: "evaluation (training: false) needs runningMean and runningVar")
            }
            (mean, variance) = (runningMean.detach().copyToContiguous(), runningVar.detach().copyToContiguous())
            result = backend.batchNormInference(input: input, weight: gamma, bias: beta, mean: mean, variance: variance, eps: eps)
        }
        try BackendFailure.check()
        let (x, savedGamma) = (input.detach(), gamma.detach())
        let needs = (input.requiresGrad, weight?.requiresGrad ?? false, bias?.requiresGrad ?? false)
        return Tensor.record(result, op, inputs: [input] + [weight, bias].compactMap { $0 }) { grad in
            let (dx, dgamma, dbeta) = Kernels.backend.batchNormBackward(
                gradOutput: grad, input: x, weight: savedGamma, mean: mean, variance: variance, eps: eps, training: training)
            return [needs.0 ? dx : nil] + (weight == nil ? [] : [needs.1 ? dgamma : nil])
                + (bias == nil ? [] : [needs.2 ? dbeta : nil])
        }
    }
}
