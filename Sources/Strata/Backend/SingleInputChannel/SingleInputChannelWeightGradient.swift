/// The weight and bias gradient of a 2-D stride-1 convolution of one input channel — the
/// first layer of a network on grey-scale images (LeNet on MNIST) or on a univariate series —
/// where oneDNN's AVX2 kernel for one input channel runs at 8–18 GFLOP/s on 2 cores (against
/// ~100 for three channels), a fifth of a LeNet-5 training step; this runs 28–54.
///
/// `∂W[o, 0, i, j] = Σₙ Σ_y Σ_x ∂Y[n, o, y, x] · X̃[n, y + i, x + j]` (X̃ the zero-padded input)
/// and `∂b[o] = Σ ∂Y[n, o, ·, ·]`, eight output columns `x` at a time: per output row,
/// two output channels' gradients are loaded once and multiplied with the padded input row
/// shifted by four kernel columns, eight sums kept in registers. The batch is cut into
/// `CoreAvailability.workSplit` parts (fewer for a smaller batch), each summed on one thread,
/// the parts added in order, so results do not depend on how many cores are free.
///
/// The lanes past an output row's end multiply zero gradients with whatever input columns
/// they reach, and padding zeros meet every gradient: with an infinite input or gradient a
/// weight gradient can be NaN where the definition gives ±∞ (either way not finite).
enum SingleInputChannelWeightGradient {
    typealias Lanes = SIMD8<Float>

    /// Whether Strata runs this kernel: by default where oneDNN runs its AVX2 kernels (its
    /// AVX-512 kernel for one channel runs ~100 GFLOP/s); settable so that tests run it on any machine.
    nonisolated(unsafe) static var runsOwnKernel = !DNNL.runsAVX512

    /// Whether the weight gradient of `key` runs here: `N×1×H×W` input (a 1-D series is one
    /// row), one group, stride 1, no dilation, any padding that is not negative.
    static func applies(_ key: DNNLConvolution.Key) -> Bool {
        let g = key.geometry
        return runsOwnKernel && key.input.count == 4 && key.weight.count == 4 && g.groups == 1
            && key.input[1] == 1 && key.weight[1] == 1 && g.stride == [1, 1] && g.dilation == [1, 1]
            && DNNLConvolution.supports(g)
            && DNNLConvolution.outputShape(key).allSatisfy { $0 > 0 }
    }

    /// One convolution's sizes: `batch×1×height×width` in, `batch×outputs×outHeight×outWidth`
    /// out, a `kernelHeight×kernelWidth` kernel, `padTop`/`padLeft` zeros before the first row and column.
    struct Problem {
        let batch, outputs, height, width, kernelHeight, kernelWidth, padTop, padLeft, outHeight, outWidth: Int

        init(_ key: DNNLConvolution.Key) {
            let output = DNNLConvolution.outputShape(key)
            (batch, outputs, height, width) = (key.input[0], key.weight[0], key.input[2], key.input[3])
            (kernelHeight, kernelWidth) = (key.weight[2], key.weight[3])
            (padTop, padLeft) = (key.geometry.paddingBefore[0], key.geometry.paddingBefore[1])
            (outHeight, outWidth) = (output[2], output[3])
        }

        /// An output row in whole vectors (the lanes past `outWidth` hold zeros).
        var laneWidth: Int { (outWidth + 7) / 8 * 8 }
        /// Kernel columns in blocks of four (the sums of columns past `kernelWidth` are dropped).
        var columnBlocks: Int { (kernelWidth + 3) / 4 }
        /// A padded input row: up to the last column read, the last block's shift (4 · (blocks − 1) + 3)
        /// past the last lane (`laneWidth` − 1); it holds the input and its padding, at most
        /// `outWidth + kernelWidth − 1` columns.
        var paddedWidth: Int { laneWidth + 4 * columnBlocks - 1 }
        var paddedHeight: Int { outHeight + kernelHeight - 1 }
        /// Sums kept per output channel and kernel row: one vector per kernel column of each block.
        var sumsPerRow: Int { 4 * columnBlocks }
    }

    /// `weight` (`outputs×1×kernelHeight×kernelWidth`) and `bias` (`outputs`) from the plain
    /// `input` (`batch×1×height×width`) and `gradOutput` (`batch×outputs×outHeight×outWidth`).
    static func compute(_ p: Problem, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                        weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?, threads: Int) {
        let parts = Swift.min(CoreAvailability.workSplit, p.batch)
        let sumCount = p.outputs * p.kernelHeight * p.sumsPerRow
        let sums = UnsafeMutablePointer<Lanes>.allocate(capacity: parts * sumCount)
        sums.initialize(repeating: .zero, count: parts * sumCount)
        let biasSums = UnsafeMutablePointer<Lanes>.allocate(capacity: parts * p.outputs)
        biasSums.initialize(repeating: .zero, count: parts * p.outputs)
        defer { sums.deallocate(); biasSums.deallocate() }
        Parallel.forEachChunk(parts, threads: threads) { range in
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: p.paddedHeight * p.paddedWidth)
            padded.initialize(repeating: 0, count: p.paddedHeight * p.paddedWidth)
            let gradients = UnsafeMutablePointer<Float>.allocate(capacity: p.outputs * p.outHeight * p.laneWidth)
            gradients.initialize(repeating: 0, count: p.outputs * p.outHeight * p.laneWidth)
            defer { padded.deallocate(); gradients.deallocate() }
            for part in range {
                for sample in (p.batch * part / parts)..<(p.batch * (part + 1) / parts) {
                    copySample(p, sample, input: input, gradOutput: gradOutput, padded: padded, gradients: gradients)
                    addSample(p, padded: padded, gradients: gradients, sums: sums + part * sumCount,
                              biasSums: biasSums + part * p.outputs)
                }
            }
        }
        // each vector's lanes in order, then the parts in order
        for o in 0..<p.outputs {
            for i in 0..<p.kernelHeight {
                for j in 0..<p.kernelWidth {
                    let index = (o * p.kernelHeight + i) * p.sumsPerRow + j
                    weight[(o * p.kernelHeight + i) * p.kernelWidth + j] = sumInOrder(sums + index, stride: sumCount, parts)
                }
            }
            bias?[o] = sumInOrder(biasSums + o, stride: p.outputs, parts)
        }
    }

    /// Sample `sample`'s input into the interior of `padded` (its border stays zero) and its
    /// output gradient into `gradients`, rows `laneWidth` apart (the lanes past `outWidth` stay zero).
    private static func copySample(_ p: Problem, _ sample: Int, input: UnsafePointer<Float>,
                                   gradOutput: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>,
                                   gradients: UnsafeMutablePointer<Float>) {
        let image = input + sample * p.height * p.width
        for y in 0..<p.height {
            (padded + (y + p.padTop) * p.paddedWidth + p.padLeft).update(from: image + y * p.width, count: p.width)
        }
        let planes = gradOutput + sample * p.outputs * p.outHeight * p.outWidth
        for row in 0..<(p.outputs * p.outHeight) {
            (gradients + row * p.laneWidth).update(from: planes + row * p.outWidth, count: p.outWidth)
        }
    }

    /// One sample's products added to `sums` (per output channel, kernel row and column
    /// block: four vectors) and its output gradient to `biasSums`.
    private static func addSample(_ p: Problem, padded: UnsafePointer<Float>, gradients: UnsafePointer<Float>,
                                  sums: UnsafeMutablePointer<Lanes>, biasSums: UnsafeMutablePointer<Lanes>) {
        let plane = p.outHeight * p.laneWidth
        for o in 0..<p.outputs {
            var sum = Lanes.zero
            for offset in stride(from: 0, to: plane, by: 8) { sum += load(gradients + o * plane + offset) }
            biasSums[o] += sum
        }
        for first in stride(from: 0, to: p.outputs, by: 2) {
            // an odd last channel pairs with itself; its second set of sums is not stored
            let second = Swift.min(first + 1, p.outputs - 1)
            for i in 0..<p.kernelHeight {
                for block in 0..<p.columnBlocks {
                    let firstSums = sums + (first * p.kernelHeight + i) * p.sumsPerRow + 4 * block
                    let secondSums = sums + (second * p.kernelHeight + i) * p.sumsPerRow + 4 * block
                    var (a0, a1, a2, a3) = (firstSums[0], firstSums[1], firstSums[2], firstSums[3])
                    var (b0, b1, b2, b3) = (secondSums[0], secondSums[1], secondSums[2], secondSums[3])
                    for y in 0..<p.outHeight {
                        let row = padded + (y + i) * p.paddedWidth + 4 * block
                        let d0 = gradients + first * plane + y * p.laneWidth
                        let d1 = gradients + second * plane + y * p.laneWidth
                        for x in stride(from: 0, to: p.laneWidth, by: 8) {
                            let (g0, g1) = (load(d0 + x), load(d1 + x))
                            let (x0, x1, x2, x3) = (load(row + x), load(row + x + 1), load(row + x + 2), load(row + x + 3))
                            a0.addProduct(g0, x0); a1.addProduct(g0, x1); a2.addProduct(g0, x2); a3.addProduct(g0, x3)
                            b0.addProduct(g1, x0); b1.addProduct(g1, x1); b2.addProduct(g1, x2); b3.addProduct(g1, x3)
                        }
                    }
                    (firstSums[0], firstSums[1], firstSums[2], firstSums[3]) = (a0, a1, a2, a3)
                    if second != first { (secondSums[0], secondSums[1], secondSums[2], secondSums[3]) = (b0, b1, b2, b3) }
                }
            }
        }
    }

    /// `Σ_part Σ_lane values[part · stride][lane]`, parts in order, each vector's lanes in order.
    private static func sumInOrder(_ values: UnsafePointer<Lanes>, stride: Int, _ parts: Int) -> Float {
        var total: Float = 0
        for part in 0..<parts {
            let vector = values[part * stride]
            var sum: Float = 0
            for lane in 0..<8 { sum += vector[lane] }
            total += sum
        }
        return total
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }
}
