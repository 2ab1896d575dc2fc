import Foundation

extension Module {
    /// Folds every evaluation-mode batch norm that directly follows a convolution into that
    /// convolution's weight and bias (PyTorch's `fuse_conv_bn_eval`), so inference skips
    /// one pass over each such activation: with `s = γ/√(running_var + ε)`, the convolution
    /// becomes `W·s` (per output channel) with bias `(b − running_mean)·s + β`, and the batch
    /// norm passes its input through. Outputs stay equal up to float rounding.
    ///
    /// Which pairs fold is read from the network's own graph (traced once as for ONNX export,
    /// on a sample of `inputShape`): a convolution whose output goes to a batch norm and
    /// nowhere else, each layer used once. A folded network is for inference: its state dict
    /// holds the folded weights, and a folded batch norm refuses to train.
    ///
    /// - Returns: the folded pairs, `(convolution path, batch norm path)`.
    /// - Throws: what tracing throws: the forward pass's errors, or `invalidArgument` naming
    ///   each layer the trace cannot record (as `ONNXExport` does).
    @discardableResult
    public func foldBatchNorms(inputShape: [Int]) throws(StrataError) -> [(convolution: String, batchNorm: String)] {
        let (trace, _, outputName) = try ONNXExport.traced(self, inputShape: inputShape)
        let nodes = trace.nodes
        let modules = Dictionary(namedModules().map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        var readers: [String: Int] = [:], uses: [String: Int] = [:]
        for node in nodes {
            for input in node.input { readers[input, default: 0] += 1 }
            for input in node.input where input.hasSuffix(".weight") || input.hasSuffix(".running_mean") {
                uses[input, default: 0] += 1
            }
        }
        readers[outputName, default: 0] += 1
        var folded: [(String, String)] = []
        for node in nodes where node.opType == "BatchNormalization" && node.input.count == 5 {
            guard let producer = nodes.first(where: { $0.output.first == node.input[0] }), producer.opType == "Conv",
                  readers[node.input[0]] == 1, producer.input.count >= 2,
                  uses[producer.input[1]] == 1, uses[node.input[3]] == 1,
                  producer.input[1].hasSuffix(".weight"), node.input[3].hasSuffix(".running_mean") else { continue }
            let convolutionPath = String(producer.input[1].dropLast(".weight".count))
            let batchNormPath = String(node.input[3].dropLast(".running_mean".count))
            guard let convolution = modules[convolutionPath] as? ConvolutionLayer,
                  let batchNorm = modules[batchNormPath] as? BatchNormLayer, !batchNorm.isFolded else { continue }
            try batchNorm.fold(into: convolution)
            folded.append((convolutionPath, batchNormPath))
        }
        return folded
    }
}

extension BatchNormLayer {
    /// Moves this layer's evaluation-mode transform into `convolution`'s weight and bias
    /// (see `Module.foldBatchNorms`); the layer then passes its input through.
    func fold(into convolution: ConvolutionLayer) throws(StrataError) {
        guard let mean = running_mean, let variance = running_var, convolution.outChannels == features else {
            throw .invalidArgument(op: "foldBatchNorms", message: "\(typeName) \(features) without running statistics, or after a convolution of \(convolution.outChannels) channels, cannot fold")
        }
        let (means, variances) = (mean.toArray(), variance.toArray())
        let gammas = weight?.toArray() ?? [Float](repeating: 1, count: features)
        let betas = bias?.toArray() ?? [Float](repeating: 0, count: features)
        let scales = (0..<features).map { Double(gammas[$0]) / (Double(variances[$0]) + Double(eps)).squareRoot() }
        let weights = convolution.weight.toArray(), perChannel = weights.count / features
        let scaled = weights.indices.map { Float(Double(weights[$0]) * scales[$0 / perChannel]) }
        let biases = convolution.bias?.toArray() ?? [Float](repeating: 0, count: features)
        let shifted = (0..<features).map { Float((Double(biases[$0]) - Double(means[$0])) * scales[$0] + Double(betas[$0])) }
        convolution.weight = try Tensor(scaled, shape: convolution.weight.shape)
        convolution.bias = try Tensor(shifted, shape: [features])
        isFolded = true
    }
}
