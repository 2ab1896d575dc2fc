/// `Backend.convolutionBackward` for backends with nothing to share between the two passes.
extension Backend {
    public func convolutionBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, geometry: ConvolutionGeometry,
                                    needsInput: Bool, needsWeight: Bool,
                                    withBias: Bool) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        convolutionBackwardInTwoPasses(gradOutput: gradOutput, input: input, weight: weight, geometry: geometry,
                                       needsInput: needsInput, needsWeight: needsWeight, withBias: withBias)
    }

    /// `convolutionBackward` as backward data, then backward weights, each from `gradOutput` as given.
    func convolutionBackwardInTwoPasses(gradOutput: Tensor, input: Tensor, weight: Tensor, geometry: ConvolutionGeometry,
                                        needsInput: Bool, needsWeight: Bool,
                                        withBias: Bool) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let inputGradient = needsInput
            ? convolutionBackwardData(gradOutput: gradOutput, weight: weight, inputShape: input.shape, geometry: geometry)
            : nil
        guard needsWeight || withBias else { return (inputGradient, nil, nil) }
        let (weightGradient, biasGradient) = convolutionBackwardWeights(input: input, gradOutput: gradOutput,
                                                                        weightShape: weight.shape, geometry: geometry,
                                                                        withBias: withBias)
        return (inputGradient, needsWeight ? weightGradient : nil, biasGradient)
    }
}
