/// The sum of `tensor` over every rank of `communicator`, differentiable: its gradient is the
/// incoming gradient summed over the ranks (each rank's loss depends on every rank's input
/// through the sum). Every rank must call it, in the same order.
func summedOverRanks(_ tensor: Tensor, _ communicator: Communicator) throws(StrataError) -> Tensor {
    let result = try allReduced(tensor, communicator)
    return Tensor.record(result, "allreduce", inputs: [tensor], saves: .nothing) { grad in
        // MPI's error handler ends the job on failure, so a failed collective does not return here
        guard let summed = try? allReduced(grad, communicator) else { communicator.abort(code: 1) }
        return [summed]
    }
}

private func allReduced(_ tensor: Tensor, _ communicator: Communicator) throws(StrataError) -> Tensor {
    let result = tensor.toFloat().copyToContiguous()
    try result.withMutableFloats { pointer throws(StrataError) in try communicator.sum(pointer, count: result.count) }
    return result
}

/// PyTorch's `SyncBatchNorm` in training: batch normalisation of `N×C×…` input per channel
/// with the mean and biased variance of the batch of every rank together (two passes: the
/// mean, then the mean squared deviation from it, each summed over the ranks), so N ranks of
/// batch B normalise as one process of batch N·B. The running statistics are updated with
/// those global figures (the variance unbiased by the global count), as `batchNorm` does with
/// the local ones. Gradients flow through both sums to every rank.
func synchronizedBatchNorm(_ input: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                           momentum: Float, eps: Float, communicator: Communicator) throws(StrataError) -> Tensor {
    let channels = input.shape[1]
    let axes = [0] + Array(2..<input.rank)
    let count = try communicator.sum([Double(input.count / Swift.max(channels, 1))])[0]
    guard count > 1 else {
        throw .invalidArgument(op: "batchNorm", message: "training needs more than one value per channel over all ranks, got input shape \(Shape.describe(input.shape)) per rank")
    }
    let mean = try summedOverRanks(try input.sum(axes: axes, keepDims: true), communicator) * Float(1 / count)
    let centered = try input - mean
    let variance = try summedOverRanks(try (centered * centered).sum(axes: axes, keepDims: true), communicator) * Float(1 / count)
    var output = try centered / (variance + eps).sqrt()
    let perChannel = [1, channels] + Array(repeating: 1, count: input.rank - 2)
    if let weight { output = try output * (try weight.reshape(perChannel)) }
    if let bias { output = try output + (try bias.reshape(perChannel)) }
    try withoutGradients { () throws(StrataError) in
        if let runningMean {
            Kernels.copy(Kernels.add(Kernels.scale(runningMean, 1 - momentum), Kernels.scale(try mean.reshape([channels]), momentum)),
                         into: runningMean)
        }
        if let runningVar {
            let unbiased = Float(count / (count - 1))
            Kernels.copy(Kernels.add(Kernels.scale(runningVar, 1 - momentum),
                                     Kernels.scale(try variance.reshape([channels]), momentum * unbiased)), into: runningVar)
        }
    }
    return output
}
