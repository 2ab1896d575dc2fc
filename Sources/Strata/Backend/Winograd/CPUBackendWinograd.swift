import CDNNL

/// `CPUBackend`'s convolutions where `WinogradConvolution.applies`: tensors read and
/// written in `nChw8c` (oneDNN's AVX2 format, so neighbouring oneDNN primitives take them
/// without a reorder), the transformed kernels kept with the weight between calls.
extension CPUBackend {
    func winogradForward(input: Tensor, weight: Tensor, bias: Tensor?, key: DNNLConvolution.Key,
                         activation: Activation?) -> Tensor {
        WinogradConvolution.noteForward(key)
        let problem = WinogradConvolution.Problem(forward: key)
        let source = DNNLMemory.view(input, as: WinogradConvolution.format(input.shape))
        let kernels = transformedKernels(weight, flipped: false)
        let outputShape = DNNLConvolution.outputShape(key)
        let (result, output) = DNNLMemory.output(shape: outputShape, WinogradConvolution.format(outputShape))
        let biasValues = bias?.toArray()
        biasValues.withOptionalPointer { biasPointer in
            WinogradConvolution.forward(problem, input: source.pointer.assumingMemoryBound(to: Float.self),
                                        kernels: kernels.values, bias: biasPointer, relu: activation == .relu,
                                        output: output.pointer.assumingMemoryBound(to: Float.self),
                                        threads: CoreAvailability.threads)
        }
        withExtendedLifetime((source.owner, kernels, output.owner)) {}
        guard let activation, activation != .relu else { return result }
        return activationForward(activation, input: result)
    }

    func winogradBackwardData(gradOutput: Tensor, weight: Tensor, key: DNNLConvolution.Key) -> Tensor {
        let problem = WinogradConvolution.Problem(backwardData: key)
        let source = DNNLMemory.view(gradOutput, as: WinogradConvolution.format(gradOutput.shape))
        let kernels = transformedKernels(weight, flipped: true)
        let (result, output) = DNNLMemory.output(shape: key.input, WinogradConvolution.format(key.input))
        WinogradConvolution.forward(problem, input: source.pointer.assumingMemoryBound(to: Float.self),
                                    kernels: kernels.values, bias: nil, relu: false,
                                    output: output.pointer.assumingMemoryBound(to: Float.self),
                                    threads: CoreAvailability.threads)
        withExtendedLifetime((source.owner, kernels, output.owner)) {}
        return result
    }

    func winogradBackwardWeights(input: Tensor, gradOutput: Tensor, key: DNNLConvolution.Key) -> (weight: Tensor, bias: Tensor?) {
        let problem = WinogradConvolution.Problem(forward: key)
        let source = DNNLMemory.view(input, as: WinogradConvolution.format(input.shape))
        let gradient = DNNLMemory.view(gradOutput, as: WinogradConvolution.format(gradOutput.shape))
        let weight = Tensor(uninitializedShape: key.weight)
        let bias = key.withBias ? Tensor(uninitializedShape: [key.weight[0]]) : nil
        WinogradConvolution.weightGradient(problem, input: source.pointer.assumingMemoryBound(to: Float.self),
                                           gradOutput: gradient.pointer.assumingMemoryBound(to: Float.self),
                                           weight: weight.storage.pointer.assumingMemoryBound(to: Float.self),
                                           bias: bias?.storage.pointer.assumingMemoryBound(to: Float.self),
                                           threads: CoreAvailability.threads)
        withExtendedLifetime((source.owner, gradient.owner)) {}
        return (weight, bias)
    }

    /// The weight's transformed kernels, kept with its storage (4× the weight's memory)
    /// until its elements change or another kept copy replaces them.
    private func transformedKernels(_ weight: Tensor, flipped: Bool) -> WinogradConvolution.TransformedKernels {
        let make = {
            let plain = DNNLMemory.view(weight, as: DNNL.plain(weight.shape))
            return withExtendedLifetime(plain.owner) {
                WinogradConvolution.TransformedKernels(plain.pointer.assumingMemoryBound(to: Float.self),
                                                       outputs: weight.shape[0], inputs: weight.shape[1],
                                                       flipped: flipped, threads: CoreAvailability.threads)
            }
        }
        guard weight.isContiguous else { return make() }
        return weight.storage.keptCopy(for: KeptKernels(flipped: flipped, offset: weight.offset, shape: weight.shape),
                                       make: make)
    }

    /// What a kept copy of transformed kernels holds: the weight from `offset` on, of `shape`.
    private struct KeptKernels: Hashable {
        let flipped: Bool
        let offset: Int
        let shape: [Int]
    }
}

private extension Optional where Wrapped == [Float] {
    /// `body` with a pointer to the array's elements, or `nil`.
    func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .some(let values): values.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: body(nil)
        }
    }
}
