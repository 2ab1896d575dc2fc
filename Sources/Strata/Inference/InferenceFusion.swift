import Foundation

/// What `Module.fuseForInference` changed: the batch norms folded into the convolution
/// before them and the activations fused into the convolution before them, by layer path.
public struct InferenceFusion: Sendable {
    public var foldedBatchNorms: [(convolution: String, batchNorm: String)] = []
    public var fusedActivations: [(convolution: String, activation: Activation)] = []
}

extension Module {
    /// Prepares the network for fast inference, keeping its outputs (up to float rounding):
    ///
    /// - every batch norm that directly follows a convolution folds into
    ///   that convolution's weight and bias (PyTorch's `fuse_conv_bn_eval`): with
    ///   `s = γ/√(running_var + ε)` the convolution becomes `W·s` (per output channel) with
    ///   bias `(b − running_mean)·s + β`, and the batch norm passes its input through;
    /// - a ReLU, ReLU6 or hard-swish that directly follows such a convolution (or a plain one) is applied
    ///   by the 2-D convolution as it writes its output (oneDNN's post-op) whenever no
    ///   gradients are recorded, and the activation then returns that output as it is.
    ///
    /// Each saves a pass over an activation: on MobileNetV2 the batch norms and ReLU6s are
    /// 42% of an unfused forward pass. What fuses is read from the network's own graph
    /// (traced once as for ONNX export, on a sample of `inputShape`): a value that goes to
    /// the next layer and nowhere else, each layer used once. A fused network is for
    /// inference: it is left in evaluation mode, its state dict holds the folded weights (it
    /// refuses to load another), and a folded batch norm refuses to train. The activations
    /// run fused only while no gradients are recorded (`withoutGradients`), no graph is
    /// traced and no layer is captured; otherwise each layer's output is the unfused one.
    ///
    /// - Throws: what tracing throws: the forward pass's errors, or `invalidArgument` naming
    ///   each layer the trace cannot record (as `ONNXExport` does).
    @discardableResult
    public func fuseForInference(inputShape: [Int]) throws(StrataError) -> InferenceFusion {
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
        // the one node reading `value`, when nothing else (nor the graph's output) does
        func soleReader(_ value: String) -> Onnx_NodeProto? {
            readers[value] == 1 ? nodes.first { $0.input.first == value } : nil
        }
        func constant(_ name: String) -> Float? { trace.initializers.first { $0.name == name }?.floatData.first }
        var fusion = InferenceFusion()
        for node in nodes where node.opType == "Conv" && node.input.count >= 2 && node.input[1].hasSuffix(".weight") {
            let convolutionPath = String(node.input[1].dropLast(".weight".count))
            guard uses[node.input[1]] == 1, let convolution = modules[convolutionPath] as? ConvolutionLayer,
                  let output = node.output.first else { continue }
            var value = output
            if let next = soleReader(value), next.opType == "BatchNormalization", next.input.count == 5,
               next.input[3].hasSuffix(".running_mean"), uses[next.input[3]] == 1 {
                let batchNormPath = String(next.input[3].dropLast(".running_mean".count))
                guard let batchNorm = modules[batchNormPath] as? BatchNormLayer, !batchNorm.isFolded else { continue }
                try batchNorm.fold(into: convolution)
                fusion.foldedBatchNorms.append((convolutionPath, batchNormPath))
                value = next.output.first ?? value
            }
            guard convolution is Conv2d, let next = soleReader(value) else { continue }
            let activation: Activation? = switch next.opType {
            case "Relu": .relu
            case "HardSwish": .hardswish
            case "Clip" where next.input.count == 3 && constant(next.input[1]) == 0 && constant(next.input[2]) == 6: .relu6
            default: nil
            }
            if let activation {
                convolution.fusedActivation = activation
                fusion.fusedActivations.append((convolutionPath, activation))
            }
        }
        eval()
        return fusion
    }
}

extension BatchNormLayer {
    /// Moves this layer's evaluation-mode transform into `convolution`'s weight and bias
    /// (see `Module.fuseForInference`); the layer then passes its input through.
    func fold(into convolution: ConvolutionLayer) throws(StrataError) {
        guard let mean = running_mean, let variance = running_var, convolution.outChannels == features else {
            throw .invalidArgument(op: "fuseForInference", message: "\(typeName) \(features) without running statistics, or after a convolution of \(convolution.outChannels) channels, cannot fold")
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
