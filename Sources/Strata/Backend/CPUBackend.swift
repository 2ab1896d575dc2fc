import CDNNL

/// The fast CPU path: oneDNN primitives (convolution, pooling, batch norm, activations),
/// oneDNN's sgemm for matrix products, and Swift loops split over every core for the
/// rest. Shapes oneDNN cannot express fall back to the reference kernels.
public struct CPUBackend: Backend {
    public let name = "cpu"
    private let threads = Parallel.coreCount
    private let reference = ReferenceBackend()

    public init() {}

    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        DNNL.check(dnnl_sgemm(transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), alpha,
                              a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc)), "sgemm")
    }

    // MARK: Convolution

    public func convolutionForward(input: Tensor, weight: Tensor, bias: Tensor?,
                                   geometry: ConvolutionGeometry) -> Tensor {
        let key = DNNLConvolution.Key(input: input.shape, weight: weight.shape, withBias: bias != nil, geometry: geometry)
        guard DNNLConvolution.supports(geometry), let entry = DNNLConvolution.forward(key) else {
            return reference.convolutionForward(input: input, weight: weight, bias: bias, geometry: geometry)
        }
        let out = geometry.outputSize(input: [input.shape[2], input.shape[3]], kernel: [weight.shape[2], weight.shape[3]])
        let result = Tensor(uninitializedShape: [input.shape[0], weight.shape[0], out[0], out[1]])
        let x = input.dense(), w = weight.dense(), b = bias?.dense()
        let (source, sourceBuffer) = entry.input.converted(x)
        let (weights, weightBuffer) = entry.weight.converted(w)
        let (destination, destinationBuffer) = entry.output.destination(for: result)
        var arguments = [(DNNL_ARG_SRC, entry.input.chosen, source), (DNNL_ARG_WEIGHTS, entry.weight.chosen, weights),
                         (DNNL_ARG_DST, entry.output.chosen, destination)]
        if let b { arguments.append((DNNL_ARG_BIAS, entry.bias, UnsafeMutableRawPointer(b.floats))) }
        DNNLContext.shared.execute(entry.primitive, arguments)
        entry.output.finish(destinationBuffer, into: result)
        withExtendedLifetime((x, w, b, sourceBuffer, weightBuffer)) {}
        return result
    }

    public func convolutionBackwardData(gradOutput: Tensor, weight: Tensor, inputShape: [Int],
                                        geometry: ConvolutionGeometry) -> Tensor {
        let key = DNNLConvolution.Key(input: inputShape, weight: weight.shape, withBias: false, geometry: geometry)
        guard DNNLConvolution.supports(geometry), let entry = DNNLConvolution.backwardData(key) else {
            return reference.convolutionBackwardData(gradOutput: gradOutput, weight: weight, inputShape: inputShape,
                                                     geometry: geometry)
        }
        let result = Tensor(uninitializedShape: inputShape)
        let dy = gradOutput.dense(), w = weight.dense()
        let (gradient, gradientBuffer) = entry.output.converted(dy)
        let (weights, weightBuffer) = entry.weight.converted(w)
        let (destination, destinationBuffer) = entry.input.destination(for: result)
        DNNLContext.shared.execute(entry.primitive, [
            (DNNL_ARG_DIFF_DST, entry.output.chosen, gradient), (DNNL_ARG_WEIGHTS, entry.weight.chosen, weights),
            (DNNL_ARG_DIFF_SRC, entry.input.chosen, destination)])
        entry.input.finish(destinationBuffer, into: result)
        withExtendedLifetime((dy, w, gradientBuffer, weightBuffer)) {}
        return result
    }

    public func convolutionBackwardWeights(input: Tensor, gradOutput: Tensor, weightShape: [Int],
                                           geometry: ConvolutionGeometry, withBias: Bool) -> (weight: Tensor, bias: Tensor?) {
        let key = DNNLConvolution.Key(input: input.shape, weight: weightShape, withBias: withBias, geometry: geometry)
        guard DNNLConvolution.supports(geometry), let entry = DNNLConvolution.backwardWeights(key) else {
            return reference.convolutionBackwardWeights(input: input, gradOutput: gradOutput, weightShape: weightShape,
                                                        geometry: geometry, withBias: withBias)
        }
        let weightGradient = Tensor(uninitializedShape: weightShape)
        let biasGradient = withBias ? Tensor(uninitializedShape: [weightShape[0]]) : nil
        let x = input.dense(), dy = gradOutput.dense()
        let (source, sourceBuffer) = entry.input.converted(x)
        let (gradient, gradientBuffer) = entry.output.converted(dy)
        let (destination, destinationBuffer) = entry.weight.destination(for: weightGradient)
        var arguments = [(DNNL_ARG_SRC, entry.input.chosen, source), (DNNL_ARG_DIFF_DST, entry.output.chosen, gradient),
                         (DNNL_ARG_DIFF_WEIGHTS, entry.weight.chosen, destination)]
        if let biasGradient {
            arguments.append((DNNL_ARG_DIFF_BIAS, entry.bias, UnsafeMutableRawPointer(biasGradient.floats)))
        }
        DNNLContext.shared.execute(entry.primitive, arguments)
        entry.weight.finish(destinationBuffer, into: weightGradient)
        withExtendedLifetime((x, dy, sourceBuffer, gradientBuffer)) {}
        return (weightGradient, biasGradient)
    }

    // MARK: Pooling

    public func poolingForward(input: Tensor, geometry: PoolingGeometry, training: Bool) -> (output: Tensor, workspace: AnyObject?) {
        let key = DNNLPooling.Key(input: input.shape, geometry: geometry, training: training && geometry.kind == .max)
        guard let primitive = DNNLPooling.forward(key) else {
            return reference.poolingForward(input: input, geometry: geometry, training: training)
        }
        let x = input.dense()
        let result = Tensor(uninitializedShape: DNNLPooling.outputShape(key))
        var arguments = [(DNNL_ARG_SRC, DNNL.plain(x.shape), UnsafeMutableRawPointer(x.floats)),
                         (DNNL_ARG_DST, DNNL.plain(result.shape), UnsafeMutableRawPointer(result.floats))]
        var workspace: DNNLPooling.Workspace?
        if key.training {
            let descriptor = primitive.memoryDescriptor(dnnl_query_workspace_md)
            let storage = TensorStorage(byteCount: DNNL.size(descriptor))
            workspace = DNNLPooling.Workspace(storage: storage, descriptor: descriptor)
            arguments.append((DNNL_ARG_WORKSPACE, descriptor, storage.pointer))
        }
        DNNLContext.shared.execute(primitive, arguments)
        return (result, workspace)
    }

    public func poolingBackward(gradOutput: Tensor, input: Tensor, workspace: AnyObject?,
                                geometry: PoolingGeometry) -> Tensor {
        let key = DNNLPooling.Key(input: input.shape, geometry: geometry, training: geometry.kind == .max)
        let saved = (workspace as? DNNLPooling.Workspace)
            ?? (geometry.kind == .max ? poolingForward(input: input, geometry: geometry, training: true).workspace
                as? DNNLPooling.Workspace : nil)
        guard let primitive = DNNLPooling.backward(key), geometry.kind != .max || saved != nil else {
            return reference.poolingBackward(gradOutput: gradOutput, input: input, workspace: nil, geometry: geometry)
        }
        let dy = gradOutput.dense()
        let result = Tensor(uninitializedShape: input.shape)
        var arguments = [(DNNL_ARG_DIFF_DST, DNNL.plain(dy.shape), UnsafeMutableRawPointer(dy.floats)),
                         (DNNL_ARG_DIFF_SRC, DNNL.plain(result.shape), UnsafeMutableRawPointer(result.floats))]
        if let saved { arguments.append((DNNL_ARG_WORKSPACE, saved.descriptor, saved.storage.pointer)) }
        DNNLContext.shared.execute(primitive, arguments)
        return result
    }

    // MARK: Batch normalisation

    public func batchNormTraining(input: Tensor, weight: Tensor, bias: Tensor,
                                  eps: Float) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let key = DNNLBatchNorm.Key(shape: input.shape, eps: eps, globalStatistics: false)
        guard let primitive = DNNLBatchNorm.forward(key) else {
            return reference.batchNormTraining(input: input, weight: weight, bias: bias, eps: eps)
        }
        let channels = input.shape[1]
        let x = input.dense(), gamma = weight.dense(), beta = bias.dense()
        let result = Tensor(uninitializedShape: input.shape)
        let mean = Tensor(uninitializedShape: [channels]), variance = Tensor(uninitializedShape: [channels])
        let data = DNNL.plain(DNNLBatchNorm.dataShape(input.shape)), vector = DNNL.plain([channels])
        DNNLContext.shared.execute(primitive, [
            (DNNL_ARG_SRC, data, UnsafeMutableRawPointer(x.floats)),
            (DNNL_ARG_DST, data, UnsafeMutableRawPointer(result.floats)),
            (DNNL_ARG_SCALE, vector, UnsafeMutableRawPointer(gamma.floats)),
            (DNNL_ARG_SHIFT, vector, UnsafeMutableRawPointer(beta.floats)),
            (DNNL_ARG_MEAN, vector, UnsafeMutableRawPointer(mean.floats)),
            (DNNL_ARG_VARIANCE, vector, UnsafeMutableRawPointer(variance.floats))])
        return (result, mean, variance)
    }

    public func batchNormInference(input: Tensor, weight: Tensor, bias: Tensor, mean: Tensor,
                                   variance: Tensor, eps: Float) -> Tensor {
        let key = DNNLBatchNorm.Key(shape: input.shape, eps: eps, globalStatistics: true)
        guard let primitive = DNNLBatchNorm.forward(key) else {
            return reference.batchNormInference(input: input, weight: weight, bias: bias, mean: mean,
                                                variance: variance, eps: eps)
        }
        let x = input.dense(), gamma = weight.dense(), beta = bias.dense(), mu = mean.dense(), sigma2 = variance.dense()
        let result = Tensor(uninitializedShape: input.shape)
        let data = DNNL.plain(DNNLBatchNorm.dataShape(input.shape)), vector = DNNL.plain([input.shape[1]])
        DNNLContext.shared.execute(primitive, [
            (DNNL_ARG_SRC, data, UnsafeMutableRawPointer(x.floats)),
            (DNNL_ARG_DST, data, UnsafeMutableRawPointer(result.floats)),
            (DNNL_ARG_SCALE, vector, UnsafeMutableRawPointer(gamma.floats)),
            (DNNL_ARG_SHIFT, vector, UnsafeMutableRawPointer(beta.floats)),
            (DNNL_ARG_MEAN, vector, UnsafeMutableRawPointer(mu.floats)),
            (DNNL_ARG_VARIANCE, vector, UnsafeMutableRawPointer(sigma2.floats))])
        return result
    }

    public func batchNormBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, mean: Tensor,
                                  variance: Tensor, eps: Float,
                                  training: Bool) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let key = DNNLBatchNorm.Key(shape: input.shape, eps: eps, globalStatistics: !training)
        guard let primitive = DNNLBatchNorm.backward(key) else {
            return reference.batchNormBackward(gradOutput: gradOutput, input: input, weight: weight, mean: mean,
                                               variance: variance, eps: eps, training: training)
        }
        let channels = input.shape[1]
        let x = input.dense(), dy = gradOutput.dense(), gamma = weight.dense(), mu = mean.dense(), sigma2 = variance.dense()
        let dx = Tensor(uninitializedShape: input.shape)
        let dgamma = Tensor(uninitializedShape: [channels]), dbeta = Tensor(uninitializedShape: [channels])
        let data = DNNL.plain(DNNLBatchNorm.dataShape(input.shape)), vector = DNNL.plain([channels])
        DNNLContext.shared.execute(primitive, [
            (DNNL_ARG_SRC, data, UnsafeMutableRawPointer(x.floats)),
            (DNNL_ARG_DIFF_DST, data, UnsafeMutableRawPointer(dy.floats)),
            (DNNL_ARG_MEAN, vector, UnsafeMutableRawPointer(mu.floats)),
            (DNNL_ARG_VARIANCE, vector, UnsafeMutableRawPointer(sigma2.floats)),
            (DNNL_ARG_SCALE, vector, UnsafeMutableRawPointer(gamma.floats)),
            // oneDNN asks for the shift although the gradients do not depend on it
            (DNNL_ARG_SHIFT, vector, UnsafeMutableRawPointer(dbeta.floats)),
            (DNNL_ARG_DIFF_SRC, data, UnsafeMutableRawPointer(dx.floats)),
            (DNNL_ARG_DIFF_SCALE, vector, UnsafeMutableRawPointer(dgamma.floats)),
            (DNNL_ARG_DIFF_SHIFT, vector, UnsafeMutableRawPointer(dbeta.floats))])
        return (dx, dgamma, dbeta)
    }

    // MARK: Point-wise

    public func activationForward(_ activation: Activation, input: Tensor) -> Tensor {
        guard input.count > 0, let primitive = DNNLEltwise.forward(DNNLEltwise.Key(activation: activation, count: input.count))
        else { return ActivationKernels.forward(activation, input, threads: threads) }
        let x = input.dense()
        let result = Tensor(uninitializedShape: input.shape)
        let data = DNNL.plain([input.count])
        DNNLContext.shared.execute(primitive, [(DNNL_ARG_SRC, data, UnsafeMutableRawPointer(x.floats)),
                                               (DNNL_ARG_DST, data, UnsafeMutableRawPointer(result.floats))])
        return result
    }

    public func activationBackward(_ activation: Activation, gradOutput: Tensor, input: Tensor, output: Tensor) -> Tensor {
        guard input.count > 0, let primitive = DNNLEltwise.backward(DNNLEltwise.Key(activation: activation, count: input.count))
        else {
            return ActivationKernels.backward(activation, gradOutput: gradOutput, input: input, output: output,
                                              threads: threads)
        }
        let x = input.dense(), dy = gradOutput.dense()
        let result = Tensor(uninitializedShape: input.shape)
        let data = DNNL.plain([input.count])
        DNNLContext.shared.execute(primitive, [(DNNL_ARG_SRC, data, UnsafeMutableRawPointer(x.floats)),
                                               (DNNL_ARG_DIFF_DST, data, UnsafeMutableRawPointer(dy.floats)),
                                               (DNNL_ARG_DIFF_SRC, data, UnsafeMutableRawPointer(result.floats))])
        return result
    }

    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        ElementwiseKernels.binary(op, a, b, shape: shape, threads: threads)
    }

    public func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor {
        ElementwiseKernels.unary(op, x, threads: threads)
    }

    public func sum(_ x: Tensor, axis: Int) -> Tensor {
        AxisKernels.sum(x, axis: axis, threads: threads)
    }

    public func extremum(_ x: Tensor, axis: Int, maximum: Bool) -> (values: Tensor, indices: Tensor) {
        AxisKernels.extremum(x, axis: axis, maximum: maximum, threads: threads)
    }

    public func softmaxForward(input: Tensor, axis: Int, log: Bool) -> Tensor {
        AxisKernels.softmaxForward(input, axis: axis, log: log, threads: threads)
    }

    public func softmaxBackward(gradOutput: Tensor, output: Tensor, axis: Int, log: Bool) -> Tensor {
        AxisKernels.softmaxBackward(gradOutput, output: output, axis: axis, log: log, threads: threads)
    }
}
