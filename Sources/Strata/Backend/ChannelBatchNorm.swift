import CDNNL

/// Batch normalisation for training on the fast path, in plain `N×C×S` data or in
/// oneDNN's channel-blocked formats (`nChw16c`, `nChw8c`), where the element of sample
/// `n`, channel block `b`, position `s` and lane `l` (channel `b·B + l`) lies at
/// `n·sampleStride + b·blockStride + s·B + l`.
///
/// Each channel's sums are taken by one thread in a fixed order (threads split the channel
/// blocks, never a channel), so the statistics and gradients round the same way whatever
/// the number of threads: a run gives the same bits on a busy machine as on an idle one
/// (oneDNN's batch norm splits its sums by thread count). Lanes past the last channel
/// (blocked formats pad the channels to a multiple of B) are written as zeros.
struct ChannelLayout {
    let batch: Int
    let channels: Int
    /// Lanes per channel block B (1 for plain data).
    let block: Int
    /// Positions per channel: H·W, or L.
    let spatial: Int

    var blocks: Int { (channels + block - 1) / block }
    var blockStride: Int { spatial * block }
    var sampleStride: Int { blocks * blockStride }
    /// Elements per channel that the statistics are taken over (N·S).
    var perChannel: Int { batch * spatial }

    /// The layout of 4-D `N×C×H×W` data in the memory format `descriptor`, or `nil` for a
    /// format other than plain or channel-blocked by 8 or 16.
    static func of(_ descriptor: dnnl_memory_desc_t) -> ChannelLayout? {
        let dims = DNNL.dimensions(descriptor)
        guard dims.count == 4 else { return nil }
        for (tag, block) in [(dnnl_nchw, 1), (dnnl_nChw16c, 16), (dnnl_nChw8c, 8)]
        where DNNL.equal(descriptor, DNNL.descriptor(dims, tag)) {
            return ChannelLayout(batch: dims[0], channels: dims[1], block: block, spatial: dims[2] * dims[3])
        }
        return nil
    }

    /// The channel that lane `k` of a 16-float vector holds in a run of channel block `b`.
    func channel(lane k: Int, block b: Int) -> Int {
        block == 1 ? b : b * block + k % block
    }

    /// Per-channel values spread over the 16 lanes of a vector as a run of channel block
    /// `b` meets them; 0 in lanes past the last channel.
    func lanes(block b: Int, _ value: (Int) -> Float) -> SIMD16<Float> {
        var vector = SIMD16<Float>(repeating: 0)
        for k in 0..<16 where channel(lane: k, block: b) < channels { vector[k] = value(channel(lane: k, block: b)) }
        return vector
    }

    func lanes(_ values: [Float], block b: Int) -> SIMD16<Float> {
        lanes(block: b) { values[$0] }
    }

    /// The channels of block `b`.
    func channels(ofBlock b: Int) -> Range<Int> {
        block == 1 ? b..<(b + 1) : (b * block)..<Swift.min(channels, (b + 1) * block)
    }

    /// Visits every channel block on up to `threads` threads: `body(blockIndex)`.
    func forEachBlock(threads: Int, _ body: (Int) -> Void) {
        Parallel.forEachChunk(blocks, threads: threads) { range in for b in range { body(b) } }
    }

    /// Visits every (sample, channel block) run on up to `threads` threads: `body(n, b, offset)`.
    func forEachRun(threads: Int, _ body: (Int, Int, Int) -> Void) {
        Parallel.forEachChunk(batch * blocks, threads: threads) { range in
            for run in range {
                let (n, b) = run.quotientAndRemainder(dividingBy: blocks)
                body(n, b, n * sampleStride + b * blockStride)
            }
        }
    }

    /// Folds a 16-lane sum into the channels of block `b`: `into[channel] += …`.
    func fold(_ sums: SIMD16<Double>, block b: Int, into totals: UnsafeMutablePointer<Double>) {
        for k in 0..<16 where channel(lane: k, block: b) < channels { totals[channel(lane: k, block: b)] += sums[k] }
    }
}

enum ChannelBatchNorm {
    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Σ f(x) over the `count` floats at `x`, lane `k` gathering the elements at
    /// `i ≡ k (mod 16)` (so, once folded, per channel).
    @inline(__always)
    private static func laneSums(_ x: UnsafePointer<Float>, count: Int, centre: SIMD16<Float>?) -> SIMD16<Double> {
        var accumulator = SIMD16<Float>(repeating: 0)
        var i = 0
        if let centre {
            while i + 16 <= count {
                let d = load(x + i) - centre
                accumulator += d * d
                i += 16
            }
        } else {
            while i + 16 <= count {
                accumulator += load(x + i)
                i += 16
            }
        }
        var result = SIMD16<Double>(accumulator)
        while i < count {
            let value = centre.map { (x[i] - $0[i % 16]) * (x[i] - $0[i % 16]) } ?? x[i]
            result[i % 16] += Double(value)
            i += 1
        }
        return result
    }

    /// Mean and biased variance per channel (two passes: the mean, then squares about it).
    static func statistics(_ x: UnsafePointer<Float>, _ layout: ChannelLayout, threads: Int) -> (mean: [Float], variance: [Float]) {
        var mean = [Double](repeating: 0, count: layout.channels), variance = mean
        let count = Double(layout.perChannel), run = layout.blockStride
        mean.withUnsafeMutableBufferPointer { meanTotals in
            variance.withUnsafeMutableBufferPointer { varianceTotals in
                let (means, variances) = (meanTotals.baseAddress!, varianceTotals.baseAddress!)
                layout.forEachBlock(threads: threads) { b in
                    // Σ over the batch of block b's runs, about `centre` when given
                    func batchSum(centre: SIMD16<Float>?) -> SIMD16<Double> {
                        (0..<layout.batch).reduce(into: SIMD16<Double>(repeating: 0)) { total, n in
                            total += laneSums(x + n * layout.sampleStride + b * run, count: run, centre: centre)
                        }
                    }
                    layout.fold(batchSum(centre: nil), block: b, into: means)
                    for c in layout.channels(ofBlock: b) { means[c] /= count }
                    layout.fold(batchSum(centre: layout.lanes(block: b) { Float(means[$0]) }), block: b, into: variances)
                    for c in layout.channels(ofBlock: b) { variances[c] /= count }
                }
            }
        }
        return (mean.map { Float($0) }, variance.map { Float($0) })
    }

    /// `y = x·scale[c] + shift[c]` per channel; padding lanes become 0.
    static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, scale: [Float], shift: [Float],
                       _ layout: ChannelLayout, threads: Int) {
        let run = layout.blockStride
        let (scales, shifts) = ((0..<layout.blocks).map { layout.lanes(scale, block: $0) },
                                (0..<layout.blocks).map { layout.lanes(shift, block: $0) })
        layout.forEachRun(threads: threads) { _, b, offset in
            let (a, d) = (scales[b], shifts[b])
            var i = 0
            while i + 16 <= run {
                let value = load(x + offset + i) * a + d
                UnsafeMutableRawPointer(y + offset + i).storeBytes(of: value, as: SIMD16<Float>.self)
                i += 16
            }
            while i < run {
                y[offset + i] = x[offset + i] * a[i % 16] + d[i % 16]
                i += 1
            }
        }
    }

    /// `Σ dy` and `Σ dy·(x − mean)` per channel.
    static func gradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: [Float],
                             _ layout: ChannelLayout, threads: Int) -> (sumDy: [Double], sumDyCentered: [Double]) {
        var sumDy = [Double](repeating: 0, count: layout.channels), sumDyCentered = sumDy
        let run = layout.blockStride
        sumDy.withUnsafeMutableBufferPointer { dyTotals in
            sumDyCentered.withUnsafeMutableBufferPointer { productTotals in
                let (dyOut, productOut) = (dyTotals.baseAddress!, productTotals.baseAddress!)
                layout.forEachBlock(threads: threads) { b in
                    let centre = layout.lanes(mean, block: b)
                    var (sums, products) = (SIMD16<Double>(repeating: 0), SIMD16<Double>(repeating: 0))
                    for n in 0..<layout.batch {
                        let offset = n * layout.sampleStride + b * run
                        var (sum, product) = (SIMD16<Float>(repeating: 0), SIMD16<Float>(repeating: 0))
                        var i = 0
                        while i + 16 <= run {
                            let gradient = load(dy + offset + i)
                            sum += gradient
                            product += gradient * (load(x + offset + i) - centre)
                            i += 16
                        }
                        sums += SIMD16<Double>(sum)
                        products += SIMD16<Double>(product)
                        while i < run {
                            sums[i % 16] += Double(dy[offset + i])
                            products[i % 16] += Double(dy[offset + i] * (x[offset + i] - centre[i % 16]))
                            i += 1
                        }
                    }
                    layout.fold(sums, block: b, into: dyOut)
                    layout.fold(products, block: b, into: productOut)
                }
            }
        }
        return (sumDy, sumDyCentered)
    }

    /// `dx = a[c]·dy + b[c]·x + d[c]` per channel; padding lanes become 0.
    static func gradient(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                         a: [Float], b: [Float], d: [Float], _ layout: ChannelLayout, threads: Int) {
        let run = layout.blockStride
        let vectors = (0..<layout.blocks).map { (layout.lanes(a, block: $0), layout.lanes(b, block: $0), layout.lanes(d, block: $0)) }
        layout.forEachRun(threads: threads) { _, block, offset in
            let (va, vb, vd) = vectors[block]
            var i = 0
            while i + 16 <= run {
                let value = load(dy + offset + i) * va
                    + load(x + offset + i) * vb + vd
                UnsafeMutableRawPointer(dx + offset + i).storeBytes(of: value, as: SIMD16<Float>.self)
                i += 16
            }
            while i < run {
                dx[offset + i] = dy[offset + i] * va[i % 16] + x[offset + i] * vb[i % 16] + vd[i % 16]
                i += 1
            }
        }
    }
}
