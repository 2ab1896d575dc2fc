import CDNNL
import Foundation

/// 3×3 stride-1 convolutions as Winograd's F(4×4, 3×3) (`WinogradTransforms`) on oneDNN's
/// channel-blocked `nChw8c` data, where oneDNN has no Winograd kernel of its own: its 2.6
/// has one for AVX-512 only, and its AVX2 direct kernels run at 65–75% of the FMA peak,
/// where this runs the same layers 1.6–2.4× faster.
///
/// The output is cut into 4×4 tiles. A chunk of tiles is transformed into 36 matrices
/// (tiles × input channels); each is multiplied by one of the 36 transformed kernel matrices
/// (input × output channels) with oneDNN's sgemm, and the 36 products are transformed back
/// into the output tiles. Chunks run on the free cores, every sgemm on one thread, and chunk
/// bounds follow the shapes and `CoreAvailability.workSplit` only, so results do not depend
/// on how many cores are free. Backward data is the forward pass of the flipped, transposed
/// kernel; the weight gradient sums the products of transformed input and output-gradient
/// tiles over the batch in `workSplit` parts added in order.
enum WinogradConvolution {
    typealias Lanes = WinogradTransforms.Lanes

    /// Whether Strata runs its own Winograd kernels: by default where oneDNN runs its AVX2
    /// kernels; settable so that tests run them on any machine.
    nonisolated(unsafe) static var runsOwnKernels = !DNNL.runsAVX512

    /// Whether a convolution runs here: 2-D, one group, a 3×3 kernel, stride 1, no
    /// dilation, padding 0 or 1 on each side, 64 or more channels in and out in whole blocks
    /// of 8, and 32 or more output tiles. Below those the transforms and small products cost
    /// what the products save (measured at AVX2 against oneDNN's direct kernel: 32 channels
    /// even, 16 channels 1.3–3× slower; ResNet's 512×7×7 layer on one image, 4 tiles, 3× slower).
    static func applies(_ key: DNNLConvolution.Key) -> Bool {
        let g = key.geometry
        guard runsOwnKernels, key.input.count == 4, key.weight.count == 4, g.groups == 1,
              key.weight[2] == 3, key.weight[3] == 3, g.stride == [1, 1], g.dilation == [1, 1],
              (g.paddingBefore + g.paddingAfter).allSatisfy({ (0...1).contains($0) }),
              key.input[1] == key.weight[1], key.weight[0] % 8 == 0, key.weight[1] % 8 == 0,
              min(key.weight[0], key.weight[1]) >= 64 else { return false }
        return Problem(forward: key).tiles >= 2 * Problem.fewestTilesPerChunk
    }

    /// The channel-blocked format every tensor of these kernels is read and written in.
    static func format(_ shape: [Int]) -> dnnl_memory_desc_t {
        DNNL.descriptor(shape, dnnl_nChw8c)
    }

    /// One convolution's sizes: `batch×inputs×height×width` in, `batch×outputs×outHeight×outWidth`
    /// out, `padTop`/`padLeft` zeros before the first row and column (those after follow from the sizes).
    struct Problem {
        let batch, inputs, outputs, height, width, outHeight, outWidth, padTop, padLeft: Int

        var tilesDown: Int { (outHeight + 3) / 4 }
        var tilesAcross: Int { (outWidth + 3) / 4 }
        var tiles: Int { batch * tilesDown * tilesAcross }
        /// Tiles transformed together: up to 64 (the 36 matrices of a chunk stay in the
        /// core's cache), fewer where that leaves a core without a chunk, but at least 16
        /// (sgemm's rows).
        var tilesPerChunk: Int {
            let split = CoreAvailability.workSplit
            return Swift.min(64, Swift.max(Self.fewestTilesPerChunk, (tiles + split - 1) / split))
        }
        static let fewestTilesPerChunk = 16
        var chunks: Int { (tiles + tilesPerChunk - 1) / tilesPerChunk }

        /// The forward convolution of `key`.
        init(forward key: DNNLConvolution.Key) {
            let output = DNNLConvolution.outputShape(key)
            self.init(batch: key.input[0], inputs: key.input[1], outputs: key.weight[0], height: key.input[2],
                      width: key.input[3], outHeight: output[2], outWidth: output[3],
                      padTop: key.geometry.paddingBefore[0], padLeft: key.geometry.paddingBefore[1])
        }

        /// The input gradient of `key` as a forward convolution of the output gradient with
        /// the flipped kernel: padding `2 − p` before, the output the input's size.
        init(backwardData key: DNNLConvolution.Key) {
            let forward = Problem(forward: key)
            self.init(batch: forward.batch, inputs: forward.outputs, outputs: forward.inputs, height: forward.outHeight,
                      width: forward.outWidth, outHeight: forward.height, outWidth: forward.width,
                      padTop: 2 - forward.padTop, padLeft: 2 - forward.padLeft)
        }

        init(batch: Int, inputs: Int, outputs: Int, height: Int, width: Int, outHeight: Int, outWidth: Int,
             padTop: Int, padLeft: Int) {
            (self.batch, self.inputs, self.outputs, self.height, self.width) = (batch, inputs, outputs, height, width)
            (self.outHeight, self.outWidth, self.padTop, self.padLeft) = (outHeight, outWidth, padTop, padLeft)
        }

        /// Sample and top-left output position of tile `tile`.
        @inline(__always)
        func origin(_ tile: Int) -> (sample: Int, y: Int, x: Int) {
            let perSample = tilesDown * tilesAcross, within = tile % perSample
            return (tile / perSample, within / tilesAcross * 4, within % tilesAcross * 4)
        }
    }

    // MARK: Forward

    private static let lock = NSLock()
    nonisolated(unsafe) private static var forwardKeys = Set<DNNLConvolution.Key>()

    /// The forward convolutions run here so far (for `convolutionKernels`), by shapes.
    static var forwardRuns: [DNNLConvolution.Key] {
        lock.withLock { forwardKeys.sorted { DNNLConvolution.describe($0) < DNNLConvolution.describe($1) } }
    }

    /// Records that `key`'s forward convolution ran here (whatever its bias and activation).
    static func noteForward(_ key: DNNLConvolution.Key) {
        var key = DNNLConvolution.Key(input: key.input, weight: key.weight, withBias: false, geometry: key.geometry)
        key.activation = nil
        _ = lock.withLock { forwardKeys.insert(key) }
    }

    /// `output` (`nChw8c`) = the convolution of `input` (`nChw8c`) with the kernels
    /// `kernels` (a `TransformedKernels`' values), plus `bias` (`outputs` values), through ReLU where `relu`.
    static func forward(_ problem: Problem, input: UnsafePointer<Float>, kernels: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, relu: Bool, output: UnsafeMutablePointer<Float>, threads: Int) {
        let chunk = problem.tilesPerChunk
        onChunks(problem.chunks, threads: threads) { range in
            let transformed = Scratch(36 * chunk * problem.inputs), products = Scratch(36 * chunk * problem.outputs)
            for index in range {
                let first = index * chunk, count = Swift.min(chunk, problem.tiles - first)
                transformInputTiles(problem, input, first: first, count: count, into: transformed.values, chunk: chunk)
                for point in 0..<36 {
                    sgemm(transposeA: false, m: count, n: problem.outputs, k: problem.inputs,
                          a: transformed.values + point * chunk * problem.inputs, lda: problem.inputs,
                          b: kernels + point * problem.inputs * problem.outputs, ldb: problem.outputs, beta: 0,
                          c: products.values + point * chunk * problem.outputs, ldc: problem.outputs)
                }
                transformOutputTiles(problem, products.values, first: first, count: count, chunk: chunk, bias: bias,
                                     relu: relu, into: output)
            }
        }
    }

    /// Bᵀ d B of tiles `first..<first+count`, channel block by channel block, into the 36
    /// matrices `values[ξ]` of `chunk × inputs` (row = tile).
    private static func transformInputTiles(_ p: Problem, _ input: UnsafePointer<Float>, first: Int, count: Int,
                                            into values: UnsafeMutablePointer<Float>, chunk: Int) {
        let blocks = p.inputs / 8, pointStride = chunk * p.inputs
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 72) { scratch in
            let (tile, columns) = (scratch.baseAddress!, scratch.baseAddress! + 36)
            for t in 0..<count {
                let (sample, outY, outX) = p.origin(first + t)
                let (top, left) = (outY - p.padTop, outX - p.padLeft)
                let inside = top >= 0 && left >= 0 && top + 6 <= p.height && left + 6 <= p.width
                for block in 0..<blocks {
                    let plane = input + (sample * blocks + block) * p.height * p.width * 8
                    for row in 0..<6 {
                        let y = top + row
                        for column in 0..<6 {
                            let x = left + column
                            tile[row * 6 + column] = inside || (y >= 0 && y < p.height && x >= 0 && x < p.width)
                                ? load(plane + (y * p.width + x) * 8) : .zero
                        }
                    }
                    for column in 0..<6 {
                        let d = WinogradTransforms.input(tile[column], tile[6 + column], tile[12 + column],
                                                         tile[18 + column], tile[24 + column], tile[30 + column])
                        store6(d, columns + column, stride: 6)
                    }
                    let target = values + t * p.inputs + block * 8
                    for row in 0..<6 {
                        let r = row * 6
                        let v = WinogradTransforms.input(columns[r], columns[r + 1], columns[r + 2], columns[r + 3],
                                                         columns[r + 4], columns[r + 5])
                        store6(v, target + r * pointStride, stride: pointStride)
                    }
                }
            }
        }
    }

    /// Aᵀ M A of the 36 products `values[ξ]` (`chunk × outputs`) of tiles
    /// `first..<first+count`, plus bias and ReLU, into the output's 4×4 tiles (cut at its edges).
    private static func transformOutputTiles(_ p: Problem, _ values: UnsafePointer<Float>, first: Int, count: Int,
                                             chunk: Int, bias: UnsafePointer<Float>?, relu: Bool,
                                             into output: UnsafeMutablePointer<Float>) {
        let blocks = p.outputs / 8, pointStride = chunk * p.outputs
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 24) { scratch in
            let columns = scratch.baseAddress!
            for t in 0..<count {
                let (sample, outY, outX) = p.origin(first + t)
                let across = Swift.min(4, p.outWidth - outX)
                for block in 0..<blocks {
                    let source = values + t * p.outputs + block * 8
                    for column in 0..<6 {
                        let m = source + column * pointStride
                        let y = WinogradTransforms.output(load(m), load(m + 6 * pointStride), load(m + 12 * pointStride),
                                                          load(m + 18 * pointStride), load(m + 24 * pointStride),
                                                          load(m + 30 * pointStride))
                        (columns[column], columns[6 + column], columns[12 + column], columns[18 + column]) = y
                    }
                    let shift = bias.map { load($0 + block * 8) } ?? .zero
                    let plane = output + (sample * blocks + block) * p.outHeight * p.outWidth * 8
                    for row in 0..<Swift.min(4, p.outHeight - outY) {
                        let r = row * 6
                        let y = WinogradTransforms.output(columns[r], columns[r + 1], columns[r + 2], columns[r + 3],
                                                          columns[r + 4], columns[r + 5])
                        let target = plane + ((outY + row) * p.outWidth + outX) * 8
                        @inline(__always) func write(_ value: Lanes, _ column: Int) {
                            guard column < across else { return }
                            let shifted = value + shift
                            storeLanes(relu ? shifted.replacing(with: 0, where: shifted .< 0) : shifted, target + column * 8)
                        }
                        write(y.0, 0)
                        write(y.1, 1)
                        write(y.2, 2)
                        write(y.3, 3)
                    }
                }
            }
        }
    }

    // MARK: Weight gradient

    /// The weight gradient (`outputs×inputs×3×3`, plain) and, where `withBias`, the bias
    /// gradient of the convolution `problem` (forward sizes) from its input and output
    /// gradient (both `nChw8c`).
    static func weightGradient(_ problem: Problem, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                               weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?, threads: Int) {
        let (chunk, chunks) = (problem.tilesPerChunk, problem.chunks)
        let sumSize = 36 * problem.inputs * problem.outputs
        // a part's sums take 36 × inputs × outputs floats (38 MB for 512 channels): at most 256 MB of them
        let parts = Swift.min(CoreAvailability.workSplit, chunks, Swift.max(1, (256 << 20) / (sumSize * 4)))
        let sums = (0..<parts).map { _ in Scratch(sumSize) }
        let biasSums = (0..<parts).map { _ in Scratch(problem.outputs, zeroed: true) }
        onChunks(parts, threads: threads) { range in
            let transformed = Scratch(36 * chunk * problem.inputs), gradients = Scratch(36 * chunk * problem.outputs)
            for part in range {
                let firstChunk = chunks * part / parts
                for index in firstChunk..<(chunks * (part + 1) / parts) {
                    let first = index * chunk, count = Swift.min(chunk, problem.tiles - first)
                    transformInputTiles(problem, input, first: first, count: count, into: transformed.values, chunk: chunk)
                    transformOutputGradientTiles(problem, gradOutput, first: first, count: count, chunk: chunk,
                                                 into: gradients.values, biasSum: biasSums[part].values)
                    for point in 0..<36 {
                        sgemm(transposeA: true, m: problem.inputs, n: problem.outputs, k: count,
                              a: transformed.values + point * chunk * problem.inputs, lda: problem.inputs,
                              b: gradients.values + point * chunk * problem.outputs, ldb: problem.outputs,
                              beta: index == firstChunk ? 0 : 1,
                              c: sums[part].values + point * problem.inputs * problem.outputs, ldc: problem.outputs)
                    }
                }
            }
        }
        // the parts in order: ((p₀ + p₁) + p₂) + …
        let total = sums[0].values
        for part in sums.dropFirst() { for i in 0..<sumSize { total[i] += part.values[i] } }
        transformKernelGradients(problem, total, into: weight, threads: threads)
        if let bias {
            for o in 0..<problem.outputs { bias[o] = biasSums.reduce(0) { $0 + $1.values[o] } }
        }
        withExtendedLifetime((sums, biasSums)) {}
    }

    /// A ∂Y Aᵀ of the output gradient's tiles `first..<first+count` (zeros past its edges)
    /// into the 36 matrices `values[ξ]` of `chunk × outputs`; adds each tile's sum per
    /// channel to `biasSum` (tile by tile, in order).
    private static func transformOutputGradientTiles(_ p: Problem, _ gradOutput: UnsafePointer<Float>, first: Int,
                                                     count: Int, chunk: Int, into values: UnsafeMutablePointer<Float>,
                                                     biasSum: UnsafeMutablePointer<Float>) {
        let blocks = p.outputs / 8, pointStride = chunk * p.outputs
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 40) { scratch in
            let (tile, columns) = (scratch.baseAddress!, scratch.baseAddress! + 16)
            for t in 0..<count {
                let (sample, outY, outX) = p.origin(first + t)
                let (down, across) = (Swift.min(4, p.outHeight - outY), Swift.min(4, p.outWidth - outX))
                for block in 0..<blocks {
                    let plane = gradOutput + (sample * blocks + block) * p.outHeight * p.outWidth * 8
                    var sum = Lanes.zero
                    for row in 0..<4 {
                        for column in 0..<4 {
                            let value = row < down && column < across
                                ? load(plane + ((outY + row) * p.outWidth + outX + column) * 8) : .zero
                            tile[row * 4 + column] = value
                            sum += value
                        }
                    }
                    storeLanes(load(biasSum + block * 8) + sum, biasSum + block * 8)
                    for column in 0..<4 {
                        let z = WinogradTransforms.outputGradient(tile[column], tile[4 + column], tile[8 + column],
                                                                  tile[12 + column])
                        store6(z, columns + column, stride: 4)
                    }
                    let target = values + t * p.outputs + block * 8
                    for row in 0..<6 {
                        let r = row * 4
                        let z = WinogradTransforms.outputGradient(columns[r], columns[r + 1], columns[r + 2], columns[r + 3])
                        store6(z, target + row * 6 * pointStride, stride: pointStride)
                    }
                }
            }
        }
    }

    /// Gᵀ S G of the summed products `sums[ξ]` (`inputs × outputs`) into the plain
    /// `outputs×inputs×3×3` weight gradient.
    private static func transformKernelGradients(_ p: Problem, _ sums: UnsafePointer<Float>,
                                                 into weight: UnsafeMutablePointer<Float>, threads: Int) {
        let plane = p.inputs * p.outputs
        Parallel.forEachChunk(p.inputs, threads: threads) { range in
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 18) { scratch in
                let columns = scratch.baseAddress!
                for i in range {
                    for block in 0..<(p.outputs / 8) {
                        let source = sums + i * p.outputs + block * 8
                        for column in 0..<6 {
                            let s = source + column * plane
                            (columns[column], columns[6 + column], columns[12 + column]) = WinogradTransforms.kernelGradient(
                                load(s), load(s + 6 * plane), load(s + 12 * plane), load(s + 18 * plane),
                                load(s + 24 * plane), load(s + 30 * plane))
                        }
                        for row in 0..<3 {
                            let r = row * 6
                            let g = WinogradTransforms.kernelGradient(columns[r], columns[r + 1], columns[r + 2],
                                                                      columns[r + 3], columns[r + 4], columns[r + 5])
                            for lane in 0..<8 {
                                let target = weight + ((block * 8 + lane) * p.inputs + i) * 9 + row * 3
                                (target[0], target[1], target[2]) = (g.0[lane], g.1[lane], g.2[lane])
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Kernels

    /// The 36 transformed kernel matrices `G g Gᵀ`, kept with the weight they came from.
    /// Forward: matrix ξ is `inputs × outputs`; flipped (for backward data): the kernel turned
    /// 180° with inputs and outputs swapped, `outputs × inputs`.
    final class TransformedKernels: @unchecked Sendable {
        let values: UnsafeMutablePointer<Float>

        /// `weight` is the plain `outputs×inputs×3×3` kernel.
        init(_ weight: UnsafePointer<Float>, outputs: Int, inputs: Int, flipped: Bool, threads: Int) {
            values = .allocate(capacity: 36 * outputs * inputs)
            let (rows, columns) = flipped ? (outputs, inputs) : (inputs, outputs)
            let plane = rows * columns, values = values
            Parallel.forEachChunk(rows, threads: threads) { range in
                withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 27) { scratch in
                    let (taps, columnsOut) = (scratch.baseAddress!, scratch.baseAddress! + 9)
                    for row in range {
                        for block in 0..<(columns / 8) {
                            for tap in 0..<9 {
                                let source = flipped ? 8 - tap : tap
                                var lanes = Lanes.zero
                                for lane in 0..<8 {
                                    let column = block * 8 + lane
                                    let (o, i) = flipped ? (row, column) : (column, row)
                                    lanes[lane] = weight[(o * inputs + i) * 9 + source]
                                }
                                taps[tap] = lanes
                            }
                            for column in 0..<3 {
                                let u = WinogradTransforms.kernel(taps[column], taps[3 + column], taps[6 + column])
                                store6(u, columnsOut + column, stride: 3)
                            }
                            let target = values + row * columns + block * 8
                            for r in 0..<6 {
                                let u = WinogradTransforms.kernel(columnsOut[r * 3], columnsOut[r * 3 + 1],
                                                                  columnsOut[r * 3 + 2])
                                store6(u, target + r * 6 * plane, stride: plane)
                            }
                        }
                    }
                }
            }
        }

        deinit { values.deallocate() }
    }

    // MARK: Helpers

    /// Floats for one thread's work, freed with it.
    private final class Scratch {
        let values: UnsafeMutablePointer<Float>
        init(_ count: Int, zeroed: Bool = false) {
            values = .allocate(capacity: count)
            if zeroed { values.initialize(repeating: 0, count: count) }
        }
        deinit { values.deallocate() }
    }

    /// `body` over `0..<count` on up to `threads` cores; every sgemm inside runs on one thread.
    private static func onChunks(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        // a chunk run inline (one core, or one chunk) would otherwise let sgemm take every core;
        // the primitives that run next take their thread count from this setting
        omp_set_num_threads(1)
        defer { omp_set_num_threads(Int32(threads)) }
        Parallel.forEachChunk(count, threads: threads, body)
    }

    /// oneDNN's row-major sgemm `C = op(A)·B + beta·C`, on the calling thread alone.
    private static func sgemm(transposeA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                              b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let (no, yes) = (CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "T")))
        DNNL.check(dnnl_sgemm(transposeA ? yes : no, no, Int64(m), Int64(n), Int64(k), 1, a, Int64(lda), b, Int64(ldb),
                              beta, c, Int64(ldc)), "sgemm")
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private static func storeLanes(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }

    /// Six vectors to `pointer[0]`, `pointer[stride]`, … (`stride` in vectors for a vector
    /// pointer, in floats for a float pointer).
    @inline(__always)
    private static func store6(_ v: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes), _ pointer: UnsafeMutablePointer<Lanes>,
                               stride: Int) {
        (pointer[0], pointer[stride], pointer[2 * stride], pointer[3 * stride], pointer[4 * stride], pointer[5 * stride]) = v
    }

    @inline(__always)
    private static func store6(_ v: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes), _ pointer: UnsafeMutablePointer<Float>,
                               stride: Int) {
        storeLanes(v.0, pointer)
        storeLanes(v.1, pointer + stride)
        storeLanes(v.2, pointer + 2 * stride)
        storeLanes(v.3, pointer + 3 * stride)
        storeLanes(v.4, pointer + 4 * stride)
        storeLanes(v.5, pointer + 5 * stride)
    }
}
