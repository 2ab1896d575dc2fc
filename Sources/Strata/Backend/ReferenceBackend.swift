/// Plain, single-threaded Swift for every kernel, accumulating in `Double`: slow, simple
/// enough to check by reading, and the oracle the fast backend is tested against.
public struct ReferenceBackend: Backend {
    public let name = "reference"

    public init() {}

    public func matmul(_ a: Tensor, _ b: Tensor, batch: Int, m: Int, k: Int, n: Int,
                       transposeA: Bool, transposeB: Bool, bias: Tensor?) -> Tensor {
        HostMatmul.products(a, b, batch: batch, m: m, k: k, n: n, transposeA: transposeA, transposeB: transposeB, bias: bias,
                            gemm: gemm)
    }

    /// Row-major `C = alpha·op(A)·op(B) + beta·C`, one `Double` sum per element.
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var total: Double = 0
                for p in 0..<k {
                    let left = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let right = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    total += Double(left) * Double(right)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * total + previous)
            }
        }
    }

    public func convolutionForward(input: Tensor, weight: Tensor, bias: Tensor?,
                                   geometry: ConvolutionGeometry, activation: Activation?) -> Tensor {
        let output = ReferenceConvolution.forward(input: input, weight: weight, bias: bias, geometry: geometry)
        return activation.map { activationForward($0, input: output) } ?? output
    }

    public func convolutionBackwardData(gradOutput: Tensor, weight: Tensor, inputShape: [Int],
                                        geometry: ConvolutionGeometry) -> Tensor {
        ReferenceConvolution.backwardData(gradOutput: gradOutput, weight: weight, inputShape: inputShape, geometry: geometry)
    }

    public func convolutionBackwardWeights(input: Tensor, gradOutput: Tensor, weightShape: [Int],
                                           geometry: ConvolutionGeometry, withBias: Bool) -> (weight: Tensor, bias: Tensor?) {
        ReferenceConvolution.backwardWeights(input: input, gradOutput: gradOutput, weightShape: weightShape,
                                             geometry: geometry, withBias: withBias)
    }

    public func poolingForward(input: Tensor, geometry: PoolingGeometry, training: Bool) -> (output: Tensor, workspace: AnyObject?) {
        (ReferencePooling.forward(input: input, geometry: geometry), nil)
    }

    public func poolingBackward(gradOutput: Tensor, input: Tensor, workspace: AnyObject?,
                                geometry: PoolingGeometry) -> Tensor {
        ReferencePooling.backward(gradOutput: gradOutput, input: input, geometry: geometry)
    }

    public func batchNormTraining(input: Tensor, weight: Tensor, bias: Tensor,
                                  eps: Float) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let (mean, variance) = ReferenceBatchNorm.statistics(input)
        return (ReferenceBatchNorm.normalize(input, weight: weight, bias: bias, mean: mean, variance: variance, eps: eps),
                mean, variance)
    }

    public func batchNormInference(input: Tensor, weight: Tensor, bias: Tensor, mean: Tensor,
                                   variance: Tensor, eps: Float) -> Tensor {
        ReferenceBatchNorm.normalize(input, weight: weight, bias: bias, mean: mean, variance: variance, eps: eps)
    }

    public func batchNormBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, mean: Tensor,
                                  variance: Tensor, eps: Float,
                                  training: Bool) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        ReferenceBatchNorm.backward(gradOutput: gradOutput, input: input, weight: weight, mean: mean,
                                    variance: variance, eps: eps, training: training)
    }

    public func activationForward(_ activation: Activation, input: Tensor) -> Tensor {
        ActivationKernels.forward(activation, input, threads: 1)
    }

    public func activationBackward(_ activation: Activation, gradOutput: Tensor, input: Tensor, output: Tensor) -> Tensor {
        ActivationKernels.backward(activation, gradOutput: gradOutput, input: input, output: output, threads: 1)
    }

    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        ElementwiseKernels.binary(op, a, b, shape: shape, threads: 1)
    }

    public func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor {
        ElementwiseKernels.unary(op, x, threads: 1)
    }

    public func sum(_ x: Tensor, axis: Int) -> Tensor {
        AxisKernels.sum(x, axis: axis, threads: 1)
    }

    public func extremum(_ x: Tensor, axis: Int, maximum: Bool) -> (values: Tensor, indices: Tensor) {
        AxisKernels.extremum(x, axis: axis, maximum: maximum, threads: 1)
    }

    public func softmaxForward(input: Tensor, axis: Int, log: Bool) -> Tensor {
        AxisKernels.softmaxForward(input, axis: axis, log: log, threads: 1)
    }

    public func softmaxBackward(gradOutput: Tensor, output: Tensor, axis: Int, log: Bool) -> Tensor {
        AxisKernels.softmaxBackward(gradOutput, output: output, axis: axis, log: log, threads: 1)
    }

    public func gatherRows(_ table: Tensor, indices: Tensor) -> Tensor {
        RowKernels.gather(table, indices: indices)
    }

    public func scatterAddRows(_ source: Tensor, indices: Tensor, rows: Int, skipping: Int?) -> Tensor {
        RowKernels.scatterAdd(source, indices: indices, rows: rows, skipping: skipping)
    }

    public func optimizerUpdate(_ rule: OptimizerRule, parameter: Tensor, gradient: Tensor, buffers: [Tensor], step: Int,
                                learningRate: Float, weightDecay: Float) {
        OptimizerKernels.update(rule, parameter: parameter, gradient: gradient, buffers: buffers, step: step,
                                learningRate: learningRate, weightDecay: weightDecay)
    }
}
