import CDNNL

/// The fast CPU path: oneDNN primitives (convolution, pooling, eval-mode batch norm,
/// activations, same-shape element-wise ops on blocked data), oneDNN's sgemm for matrix
/// products, Strata's own Winograd for 3×3 stride-1 convolutions where oneDNN has none
/// (`WinogradConvolution`, AVX2) and its own weight gradient for convolutions of one input
/// channel (`SingleInputChannelWeightGradient`, AVX2), and Swift loops on OpenMP's threads for the rest
/// (training's batch norm included). Results of oneDNN primitives stay in the format oneDNN chose (e.g.
/// channel-blocked) until a plain reader asks for them, so a conv → batch norm → ReLU →
/// conv chain runs without reorders. Shapes oneDNN cannot express fall back to the
/// reference kernels. Results never depend on the thread count (`CoreAvailability`).
public struct CPUBackend: Backend {
    public let name = "cpu"
    /// The cores other programs leave free (re-measured at most twice a second).
    private var threads: Int { CoreAvailability.threads }
    private let reference = ReferenceBackend()
    private typealias Memory = DNNLMemory

    public init() {}

    public func matmul(_ a: Tensor, _ b: Tensor, batch: Int, m: Int, k: Int, n: Int,
                       transposeA: Bool, transposeB: Bool, bias: Tensor?) -> Tensor {
        HostMatmul.products(a, b, batch: batch, m: m, k: k, n: n, transposeA: transposeA, transposeB: transposeB, bias: bias,
                            gemm: gemm)
    }

    /// oneDNN's sgemm: row-major `C = alpha·op(A)·op(B) + beta·C` with `op(A)` of `m×k` and `op(B)` of `k×n`.
    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        let (no, yes) = (CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "T")))
        omp_set_num_threads(Int32(threads))
        DNNL.check(dnnl_sgemm(transposeA ? yes : no, transposeB ? yes : no, Int64(m), Int64(n), Int64(k), alpha,
                              a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc)), "sgemm")
    }

    // MARK: Convolution

    public func convolutionForward(input: Tensor, weight: Tensor, bias: Tensor?,
                                   geometry: ConvolutionGeometry, activation: Activation?) -> Tensor {
        // an activation oneDNN has no post-op for runs after the convolution
        if let activation, DNNLEltwise.algorithm(activation) == nil {
            return activationForward(activation, input: convolutionForward(input: input, weight: weight, bias: bias,
                                                                           geometry: geometry, activation: nil))
        }
        let key = DNNLConvolution.Key(input: input.shape, weight: weight.shape, withBias: bias != nil, geometry: geometry,
                                      activation: activation)
        if input.count > 0, WinogradConvolution.applies(key) {
            return winogradForward(input: input, weight: weight, bias: bias, key: key, activation: activation)
        }
        guard input.count > 0, DNNLConvolution.supports(geometry), let entry = DNNLConvolution.forward(key) else {
            let output = reference.convolutionForward(input: input, weight: weight, bias: bias, geometry: geometry, activation: nil)
            return activation.map { activationForward($0, input: output) } ?? output
        }
        // padding written out where oneDNN would otherwise run a gemm (DNNLPrePadding.swift)
        let padded = DNNLConvolution.rewritten(key, .forward, data: input)
        let chosen = padded?.entry ?? entry
        let source = padded?.data ?? Memory.view(input, as: entry.input)
        let (result, output) = Memory.output(shape: DNNLConvolution.outputShape(key), chosen.output)
        var arguments = [(DNNL_ARG_SRC, source), (DNNL_ARG_WEIGHTS, Memory.keptView(weight, as: chosen.weight)),
                         (DNNL_ARG_DST, output)]
        if let bias { arguments.append((DNNL_ARG_BIAS, Memory.view(bias, as: chosen.bias))) }
        DNNLContext.shared.execute(chosen.primitive, arguments)
        return result
    }

    public func convolutionBackwardData(gradOutput: Tensor, weight: Tensor, inputShape: [Int],
                                        geometry: ConvolutionGeometry) -> Tensor {
        let key = DNNLConvolution.Key(input: inputShape, weight: weight.shape, withBias: false, geometry: geometry)
        if gradOutput.count > 0, WinogradConvolution.applies(key) {
            return winogradBackwardData(gradOutput: gradOutput, weight: weight, key: key)
        }
        guard gradOutput.count > 0, DNNLConvolution.supports(geometry), let entry = DNNLConvolution.backwardData(key) else {
            return reference.convolutionBackwardData(gradOutput: gradOutput, weight: weight, inputShape: inputShape,
                                                     geometry: geometry)
        }
        // padding written out where oneDNN would otherwise run a gemm (DNNLPrePadding.swift)
        let padded = DNNLConvolution.rewritten(key, .backwardData, data: gradOutput)
        let chosen = padded?.entry ?? entry
        let outputGradient = padded?.data ?? Memory.view(gradOutput, as: entry.output)
        let (result, gradient) = Memory.output(shape: inputShape, chosen.input)
        DNNLContext.shared.execute(chosen.primitive, [
            (DNNL_ARG_DIFF_DST, outputGradient),
            (DNNL_ARG_WEIGHTS, Memory.keptView(weight, as: chosen.weight)), (DNNL_ARG_DIFF_SRC, gradient)])
        return result
    }

    /// Where both passes read the output gradient in the same blocked format, a plain one is
    /// reordered once for the two instead of once in each.
    public func convolutionBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, geometry: ConvolutionGeometry,
                                    needsInput: Bool, needsWeight: Bool,
                                    withBias: Bool) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        var shared = gradOutput
        let key = DNNLConvolution.Key(input: input.shape, weight: weight.shape, withBias: false, geometry: geometry)
        // (the one-input-channel weight gradient reads the output gradient plain)
        if needsInput, needsWeight || withBias, gradOutput.count > 0, DNNLConvolution.supports(geometry),
           !SingleInputChannelWeightGradient.applies(key),
           let format = WinogradConvolution.applies(key) ? WinogradConvolution.format(gradOutput.shape)
               : DNNLConvolution.sharedOutputGradientFormat(key) {
            shared = Memory.converted(gradOutput, to: format)
        }
        return convolutionBackwardInTwoPasses(gradOutput: shared, input: input, weight: weight, geometry: geometry,
                                              needsInput: needsInput, needsWeight: needsWeight, withBias: withBias)
    }

    // Weight gradients sum over the batch. So that the sum rounds the same way however
    // many cores are free, the batch is cut into `CoreAvailability.workSplit` parts (a
    // number fixed for the process), each part's gradient is computed on one thread, and
    // the parts are added in order; when the formats do not allow parts, or the whole batch
    // runs oneDNN's Winograd, one primitive made for `workSplit` threads computes the whole.
    public func convolutionBackwardWeights(input: Tensor, gradOutput: Tensor, weightShape: [Int],
                                           geometry: ConvolutionGeometry, withBias: Bool) -> (weight: Tensor, bias: Tensor?) {
        let key = DNNLConvolution.Key(input: input.shape, weight: weightShape, withBias: withBias, geometry: geometry)
        if input.count > 0, WinogradConvolution.applies(key) {
            return winogradBackwardWeights(input: input, gradOutput: gradOutput, key: key)
        }
        if input.count > 0, SingleInputChannelWeightGradient.applies(key) {
            return singleInputChannelBackwardWeights(input: input, gradOutput: gradOutput, key: key)
        }
        guard input.count > 0, DNNLConvolution.supports(geometry) else {
            return reference.convolutionBackwardWeights(input: input, gradOutput: gradOutput, weightShape: weightShape,
                                                        geometry: geometry, withBias: withBias)
        }
        let whole = DNNLConvolution.backwardWeights(key, threads: CoreAvailability.workSplit)
        // Winograd needs the whole batch (Strata asks for it from 16 samples) and halves the work
        if !(whole.map(DNNLConvolution.runsWinograd) ?? false),
           let parts = partitionedBackwardWeights(key, input: input, gradOutput: gradOutput) { return parts }
        guard let entry = whole else {
            return reference.convolutionBackwardWeights(input: input, gradOutput: gradOutput, weightShape: weightShape,
                                                        geometry: geometry, withBias: withBias)
        }
        // weight gradients go to the optimizer, which reads plain elements: write them plain
        let plainWeight = DNNL.plain(DNNLConvolution.weightDims(key))
        let (weightGradient, weightArgument) = Memory.output(shape: weightShape, plainWeight)
        let needsReorder = !DNNL.equal(plainWeight, entry.weight)
        let chosenWeight = needsReorder ? DNNLBlockedData(descriptor: entry.weight) : nil
        var arguments = [(DNNL_ARG_SRC, Memory.view(input, as: entry.input)),
                         (DNNL_ARG_DIFF_DST, Memory.view(gradOutput, as: entry.output)),
                         (DNNL_ARG_DIFF_WEIGHTS, chosenWeight.map {
                             Memory.Argument(descriptor: entry.weight, pointer: $0.buffer, owner: $0)
                         } ?? weightArgument)]
        var biasGradient: Tensor?
        if withBias {
            let (tensor, argument) = Memory.output(shape: [weightShape[0]], entry.bias)
            biasGradient = tensor
            arguments.append((DNNL_ARG_DIFF_BIAS, argument))
        }
        DNNLContext.shared.execute(entry.primitive, arguments)
        if let chosenWeight {
            Memory.reorder(from: entry.weight, chosenWeight.buffer, to: plainWeight, weightArgument.pointer)
        }
        return (weightGradient, biasGradient)
    }

    /// The weight (and bias) gradient as the in-order sum of `workSplit` parts of the
    /// batch, each computed by a one-thread primitive, the parts running on the free cores;
    /// `nil` for fewer than two samples or formats where a part is not a slice of the whole.
    private func partitionedBackwardWeights(_ key: DNNLConvolution.Key, input: Tensor,
                                            gradOutput: Tensor) -> (weight: Tensor, bias: Tensor?)? {
        let batch = key.input[0], parts = Swift.min(CoreAvailability.workSplit, batch)
        guard parts >= 2 else { return nil }
        let bounds = (0...parts).map { batch * $0 / parts }
        var entries: [Int: DNNLConvolution.Entry] = [:]
        for size in Set((0..<parts).map { bounds[$0 + 1] - bounds[$0] }) {
            let partKey = DNNLConvolution.Key(input: [size] + key.input.dropFirst(), weight: key.weight,
                                              withBias: key.withBias, geometry: key.geometry)
            guard let entry = DNNLConvolution.backwardWeights(partKey, threads: 1, userScratchpad: true) else { return nil }
            entries[size] = entry
        }
        // every part's formats must be the same format of the whole batch
        let all = Array(entries.values)
        guard let inputFormat = DNNL.batched(all[0].input, batch: batch),
              let outputFormat = DNNL.batched(all[0].output, batch: batch),
              all.allSatisfy({ entry in
                  DNNL.batched(entry.input, batch: batch).map { DNNL.equal($0.descriptor, inputFormat.descriptor) } == true
                      && DNNL.batched(entry.output, batch: batch).map { DNNL.equal($0.descriptor, outputFormat.descriptor) } == true
                      && DNNL.equal(entry.weight, all[0].weight)
              }) else { return nil }
        let source = Memory.view(input, as: inputFormat.descriptor)
        let gradient = Memory.view(gradOutput, as: outputFormat.descriptor)
        let weights = (0..<parts).map { _ in DNNLBlockedData(descriptor: all[0].weight) }
        let biases = key.withBias ? (0..<parts).map { _ in Memory.output(shape: [key.weight[0]], all[0].bias) } : []
        let floatBytes = MemoryLayout<Float>.size
        defer { withExtendedLifetime((weights, biases.map(\.1.owner), source.owner, gradient.owner)) {} }
        Parallel.forEachChunk(parts, threads: threads) { range in
            for part in range {
                let entry = entries[bounds[part + 1] - bounds[part]]!
                let scratchpad = entry.primitive.scratchpadSize > 0
                    ? DNNLBlockedData(descriptor: entry.primitive.memoryDescriptor(dnnl_query_scratchpad_md)) : nil
                var arguments: [(Int32, Memory.Argument)] = [
                    (DNNL_ARG_SRC, Memory.Argument(descriptor: entry.input, pointer: source.pointer
                        + bounds[part] * inputFormat.sampleStride * floatBytes, owner: source.owner)),
                    (DNNL_ARG_DIFF_DST, Memory.Argument(descriptor: entry.output, pointer: gradient.pointer
                        + bounds[part] * outputFormat.sampleStride * floatBytes, owner: gradient.owner)),
                    (DNNL_ARG_DIFF_WEIGHTS, Memory.Argument(descriptor: entry.weight, pointer: weights[part].buffer,
                                                            owner: weights[part]))]
                if key.withBias { arguments.append((DNNL_ARG_DIFF_BIAS, biases[part].1)) }
                if let scratchpad {
                    arguments.append((DNNL_ARG_SCRATCHPAD, Memory.Argument(descriptor: scratchpad.descriptor,
                                                                           pointer: scratchpad.buffer, owner: scratchpad)))
                }
                DNNLContext.shared.executeConcurrently(entry.primitive, arguments)
            }
        }
        // the parts in order: ((p₀ + p₁) + p₂) + …
        let count = DNNL.size(all[0].weight) / floatBytes
        let total = weights[0].buffer.assumingMemoryBound(to: Float.self)
        for part in weights.dropFirst() {
            let values = part.buffer.assumingMemoryBound(to: Float.self)
            for i in 0..<count { total[i] += values[i] }
        }
        let plainWeight = DNNL.plain(DNNLConvolution.weightDims(key))
        let (weightGradient, weightArgument) = Memory.output(shape: key.weight, plainWeight)
        Memory.reorder(from: all[0].weight, weights[0].buffer, to: plainWeight, weightArgument.pointer)
        guard let (biasGradient, firstBias) = biases.first else { return (weightGradient, nil) }
        let biasTotal = firstBias.pointer.assumingMemoryBound(to: Float.self)
        for (_, part) in biases.dropFirst() {
            let values = part.pointer.assumingMemoryBound(to: Float.self)
            for i in 0..<key.weight[0] { biasTotal[i] += values[i] }
        }
        return (weightGradient, biasGradient)
    }

    // MARK: Pooling

    public func poolingForward(input: Tensor, geometry requested: PoolingGeometry, training: Bool) -> (output: Tensor, workspace: AnyObject?) {
        guard let geometry = requested.floorEquivalent(input: [input.shape[2], input.shape[3]]) else {
            return reference.poolingForward(input: input, geometry: requested, training: training)
        }
        let natural = Memory.natural(input, dims: input.shape)
        let channels = DNNLPooling.pooledChannels(natural.descriptor)
        let source = DNNLPooling.widened(natural, channels)
        let key = DNNLPooling.Key(input: [input.shape[0], channels] + input.shape.dropFirst(2), geometry: geometry,
                                  training: training && geometry.kind == .max, format: DNNLFormatKey(source.descriptor))
        guard input.count > 0, let primitive = DNNLPooling.forward(key, source: source.descriptor) else {
            return reference.poolingForward(input: input, geometry: geometry, training: training)
        }
        let (result, output) = Memory.output(shape: DNNLPooling.outputShape(input: input.shape, geometry: geometry),
                                             DNNL.withChannels(primitive.memoryDescriptor(dnnl_query_dst_md), input.shape[1]))
        var arguments = [(DNNL_ARG_SRC, source), (DNNL_ARG_DST, DNNLPooling.widened(output, channels))]
        var workspace: DNNLPooling.Workspace?
        if key.training {
            let buffer = DNNLBlockedData(descriptor: primitive.memoryDescriptor(dnnl_query_workspace_md))
            workspace = DNNLPooling.Workspace(buffer: buffer, inputFormat: source.descriptor)
            arguments.append((DNNL_ARG_WORKSPACE, Memory.Argument(descriptor: buffer.descriptor, pointer: buffer.buffer, owner: buffer)))
        }
        DNNLContext.shared.execute(primitive, arguments)
        return (result, workspace)
    }

    public func poolingBackward(gradOutput: Tensor, input: Tensor, workspace: AnyObject?,
                                geometry requested: PoolingGeometry) -> Tensor {
        guard let geometry = requested.floorEquivalent(input: [input.shape[2], input.shape[3]]) else {
            return reference.poolingBackward(gradOutput: gradOutput, input: input, workspace: nil, geometry: requested)
        }
        let isMax = geometry.kind == .max
        let saved = (workspace as? DNNLPooling.Workspace)
            ?? (isMax ? poolingForward(input: input, geometry: geometry, training: true).workspace as? DNNLPooling.Workspace : nil)
        let format = saved?.inputFormat ?? Memory.natural(input, dims: input.shape).descriptor
        let channels = DNNLPooling.pooledChannels(format), narrow = input.shape[1]
        let wideFormat = DNNL.withChannels(format, channels)
        let key = DNNLPooling.Key(input: [input.shape[0], channels] + input.shape.dropFirst(2), geometry: geometry,
                                  training: isMax, format: DNNLFormatKey(wideFormat))
        guard input.count > 0, !isMax || saved != nil, let primitive = DNNLPooling.backward(key, source: wideFormat) else {
            return reference.poolingBackward(gradOutput: gradOutput, input: input, workspace: nil, geometry: geometry)
        }
        let (result, gradient) = Memory.output(
            shape: input.shape, DNNL.withChannels(primitive.memoryDescriptor(dnnl_query_diff_src_md), narrow))
        let outputGradient = Memory.view(gradOutput, as: DNNL.withChannels(primitive.memoryDescriptor(dnnl_query_diff_dst_md), narrow))
        var arguments = [(DNNL_ARG_DIFF_DST, DNNLPooling.widened(outputGradient, channels)),
                         (DNNL_ARG_DIFF_SRC, DNNLPooling.widened(gradient, channels))]
        if let saved {
            arguments.append((DNNL_ARG_WORKSPACE, Memory.Argument(descriptor: saved.buffer.descriptor,
                                                                   pointer: saved.buffer.buffer, owner: saved.buffer)))
        }
        DNNLContext.shared.execute(primitive, arguments)
        return result
    }

    // MARK: Batch normalisation

    /// The per-channel vectors (γ, β, statistics) as plain `[C]` arguments.
    private func vector(_ tensor: Tensor) -> Memory.Argument {
        Memory.natural(tensor, dims: [tensor.count])
    }

    /// The input's data and its channel layout: as it is when plain or channel-blocked,
    /// else converted to plain.
    private func channelData(_ input: Tensor) -> (Memory.Argument, ChannelLayout) {
        let dims = DNNLBatchNorm.dataDims(input.shape)
        let data = Memory.natural(input, dims: dims)
        if let layout = ChannelLayout.of(data.descriptor) { return (data, layout) }
        let plain = Memory.view(input, as: DNNL.plain(dims))
        return (plain, ChannelLayout(batch: dims[0], channels: dims[1], block: 1, spatial: dims[2] * dims[3]))
    }

    // Training statistics and gradients are `ChannelBatchNorm`'s: their sums do not depend
    // on the thread count, as oneDNN's do.
    public func batchNormTraining(input: Tensor, weight: Tensor, bias: Tensor,
                                  eps: Float) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        guard input.count > 0 else { return reference.batchNormTraining(input: input, weight: weight, bias: bias, eps: eps) }
        let (data, layout) = channelData(input)
        let (result, output) = Memory.output(shape: input.shape, data.descriptor)
        let (gamma, beta) = (weight.toArray(), bias.toArray())
        let (mean, variance) = ChannelBatchNorm.statistics(data.pointer.assumingMemoryBound(to: Float.self), layout, threads: threads)
        let scale = (0..<layout.channels).map { gamma[$0] / (variance[$0] + eps).squareRoot() }
        let shift = (0..<layout.channels).map { beta[$0] - mean[$0] * scale[$0] }
        ChannelBatchNorm.affine(data.pointer.assumingMemoryBound(to: Float.self), output.pointer.assumingMemoryBound(to: Float.self),
                                scale: scale, shift: shift, layout, threads: threads)
        withExtendedLifetime((data.owner, output.owner)) {}
        return (result, Tensor(mean), Tensor(variance))
    }

    public func batchNormInference(input: Tensor, weight: Tensor, bias: Tensor, mean: Tensor,
                                   variance: Tensor, eps: Float) -> Tensor {
        let data = Memory.natural(input, dims: DNNLBatchNorm.dataDims(input.shape))
        let key = DNNLBatchNorm.Key(format: DNNLFormatKey(data.descriptor), eps: eps)
        guard input.count > 0, let primitive = DNNLBatchNorm.inference(key, data: data.descriptor) else {
            return reference.batchNormInference(input: input, weight: weight, bias: bias, mean: mean,
                                                variance: variance, eps: eps)
        }
        let (result, output) = Memory.output(shape: input.shape, data.descriptor)
        DNNLContext.shared.execute(primitive, [
            (DNNL_ARG_SRC, data), (DNNL_ARG_DST, output), (DNNL_ARG_SCALE, vector(weight)), (DNNL_ARG_SHIFT, vector(bias)),
            (DNNL_ARG_MEAN, vector(mean)), (DNNL_ARG_VARIANCE, vector(variance))])
        return result
    }

    public func batchNormBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, mean: Tensor,
                                  variance: Tensor, eps: Float,
                                  training: Bool) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        guard input.count > 0 else {
            return reference.batchNormBackward(gradOutput: gradOutput, input: input, weight: weight, mean: mean,
                                               variance: variance, eps: eps, training: training)
        }
        let (data, layout) = channelData(input)
        let dy = Memory.view(gradOutput, as: data.descriptor)
        let (dx, gradient) = Memory.output(shape: input.shape, data.descriptor)
        let (x, dyPointer) = (data.pointer.assumingMemoryBound(to: Float.self), dy.pointer.assumingMemoryBound(to: Float.self))
        let (gamma, mu, sigma2) = (weight.toArray(), mean.toArray(), variance.toArray())
        let (sumDy, sumDyCentered) = ChannelBatchNorm.gradientSums(dyPointer, x, mean: mu, layout, threads: threads)
        // dx = γ·invstd·(dy − Σdy/M − (x − μ)·invstd²·Σdy(x − μ)/M) = a·dy + b·x + d (with batch statistics)
        let count = Double(layout.perChannel)
        var (a, b, d) = ([Float](), [Float](), [Float]())
        var dgamma = [Float]()
        for c in 0..<layout.channels {
            let invstd = 1 / (Double(sigma2[c]) + Double(eps)).squareRoot()
            let scale = Double(gamma[c]) * invstd
            let slope = training ? -scale * invstd * invstd * sumDyCentered[c] / count : 0
            a.append(Float(scale))
            b.append(Float(slope))
            d.append(training ? Float(-scale * sumDy[c] / count - slope * Double(mu[c])) : 0)
            dgamma.append(Float(sumDyCentered[c] * invstd))
        }
        ChannelBatchNorm.gradient(dyPointer, x, gradient.pointer.assumingMemoryBound(to: Float.self), a: a, b: b, d: d,
                                  layout, threads: threads)
        withExtendedLifetime((data.owner, dy.owner, gradient.owner)) {}
        return (dx, Tensor(dgamma), Tensor(sumDy.map { Float($0) }))
    }

    // MARK: Point-wise

    /// The tensor's data in its own format, whatever its dims (fine for point-wise work).
    private func pointwise(_ tensor: Tensor) -> Memory.Argument {
        if let blocked = tensor.opaqueData as? DNNLBlockedData {
            return Memory.Argument(descriptor: blocked.descriptor, pointer: blocked.buffer, owner: blocked)
        }
        return Memory.natural(tensor, dims: [tensor.count])
    }

    public func activationForward(_ activation: Activation, input: Tensor) -> Tensor {
        let data = pointwise(input)
        guard input.count > 0,
              let primitive = DNNLEltwise.forward(DNNLEltwise.Key(activation: activation, format: DNNLFormatKey(data.descriptor)),
                                                  data: data.descriptor)
        else { return ActivationKernels.forward(activation, input, threads: threads) }
        let (result, output) = Memory.output(shape: input.shape, data.descriptor)
        DNNLContext.shared.execute(primitive, [(DNNL_ARG_SRC, data), (DNNL_ARG_DST, output)])
        return result
    }

    public func activationBackward(_ activation: Activation, gradOutput: Tensor, input: Tensor, output: Tensor) -> Tensor {
        let data = pointwise(input)
        guard input.count > 0,
              let primitive = DNNLEltwise.backward(DNNLEltwise.Key(activation: activation, format: DNNLFormatKey(data.descriptor)),
                                                   data: data.descriptor)
        else {
            return ActivationKernels.backward(activation, gradOutput: gradOutput, input: input, output: output,
                                              threads: threads)
        }
        let (result, gradient) = Memory.output(shape: input.shape, data.descriptor)
        DNNLContext.shared.execute(primitive, [(DNNL_ARG_SRC, data), (DNNL_ARG_DIFF_DST, Memory.view(gradOutput, as: data.descriptor)),
                                               (DNNL_ARG_DIFF_SRC, gradient)])
        return result
    }

    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        // same-shaped operands already in a oneDNN format stay in it
        let blocked = a.opaqueData ?? b.opaqueData
        if a.shape == shape, b.shape == shape, blocked != nil, a.count > 0 {
            let first = a.opaqueData != nil ? pointwise(a) : pointwise(b)
            let format = first.descriptor
            if let primitive = DNNLBinary.primitive(DNNLBinary.Key(op: op, format: DNNLFormatKey(format)), data: format) {
                let (result, output) = Memory.output(shape: shape, format)
                DNNLContext.shared.execute(primitive, [(DNNL_ARG_SRC_0, Memory.view(a, as: format)),
                                                       (DNNL_ARG_SRC_1, Memory.view(b, as: format)), (DNNL_ARG_DST, output)])
                return result
            }
        }
        return ElementwiseKernels.binary(op, a, b, shape: shape, threads: threads)
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
