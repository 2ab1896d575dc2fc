/// `CPUBackend`'s weight gradient where `SingleInputChannelWeightGradient.applies`: input and
/// output gradient read plain (reordered first when they are blocked), the gradients written plain.
extension CPUBackend {
    func singleInputChannelBackwardWeights(input: Tensor, gradOutput: Tensor,
                                           key: DNNLConvolution.Key) -> (weight: Tensor, bias: Tensor?) {
        let source = DNNLMemory.view(input, as: DNNL.plain(input.shape))
        let gradient = DNNLMemory.view(gradOutput, as: DNNL.plain(gradOutput.shape))
        let weight = Tensor(uninitializedShape: key.weight)
        let bias = key.withBias ? Tensor(uninitializedShape: [key.weight[0]]) : nil
        SingleInputChannelWeightGradient.compute(
            SingleInputChannelWeightGradient.Problem(key), input: source.pointer.assumingMemoryBound(to: Float.self),
            gradOutput: gradient.pointer.assumingMemoryBound(to: Float.self),
            weight: weight.storage.pointer.assumingMemoryBound(to: Float.self),
            bias: bias?.storage.pointer.assumingMemoryBound(to: Float.self), threads: CoreAvailability.threads)
        withExtendedLifetime((source.owner, gradient.owner)) {}
        return (weight, bias)
    }
}
