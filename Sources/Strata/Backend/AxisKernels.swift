import Foundation

/// Loops along one axis of a contiguous tensor viewed as `outer × n × inner`, shared by
/// both CPU backends (`threads` = 1 for the reference).
enum AxisKernels {
    /// The `outer × n × inner` factorisation of `shape` around `axis`.
    static func split(_ shape: [Int], axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (Shape.count(Array(shape[..<axis])), shape[axis], Shape.count(Array(shape[(axis + 1)...])))
    }

    /// `shape` with `axis` set to 1.
    static func keptShape(_ shape: [Int], axis: Int) -> [Int] {
        var result = shape
        result[axis] = 1
        return result
    }

    /// Sum over `axis` (kept with size 1). Whole rows accumulate in `Double`.
    static func sum(_ x: Tensor, axis: Int, threads: Int) -> Tensor {
        let result = Tensor(zerosShape: keptShape(x.shape, axis: axis))
        x.withDenseFloats { input in result.withMutableFloats { output in sumRows(x.shape, axis: axis, input, output, threads: threads) } }
        return result
    }

    private static func sumRows(_ shape: [Int], axis: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                                threads: Int) {
        let (outer, n, inner) = split(shape, axis: axis)
        if inner == 1 {
            Parallel.forEachChunk(outer, threads: threads, minimumChunk: Swift.max(1, 32768 / Swift.max(n, 1))) { range in
                for o in range {
                    let row = input + o * n
                    var total: Double = 0
                    var i = 0
                    // four partial sums of 8 lanes keep the loop vectorised
                    var lanes = SIMD8<Double>()
                    while i + 8 <= n {
                        lanes += SIMD8<Double>(SIMD8<Float>(UnsafeBufferPointer(start: row + i, count: 8)))
                        i += 8
                    }
                    total = lanes.sum()
                    while i < n { total += Double(row[i]); i += 1 }
                    output[o] = Float(total)
                }
            }
        } else {
            Parallel.forEachChunk(outer * inner, threads: threads, minimumChunk: 4096) { range in
                // each chunk covers whole (outer, inner-slice) pairs; split by outer when possible
                var position = range.lowerBound
                while position < range.upperBound {
                    let o = position / inner, j = position % inner
                    let width = Swift.min(inner - j, range.upperBound - position)
                    let target = output + o * inner + j
                    for k in 0..<n {
                        let row = input + (o * n + k) * inner + j
                        for t in 0..<width { target[t] += row[t] }
                    }
                    position += width
                }
            }
        }
    }

    /// Maximum (or minimum) over `axis` and the index of its first occurrence; NaN wins.
    static func extremum(_ x: Tensor, axis: Int, maximum: Bool, threads: Int) -> (Tensor, Tensor) {
        let (outer, n, inner) = split(x.shape, axis: axis)
        let kept = keptShape(x.shape, axis: axis)
        let values = Tensor(uninitializedShape: kept)
        let indices = Tensor(uninitializedShape: kept, dtype: .int64)
        x.withDenseFloats { input in values.withMutableFloats { output in indices.withMutableInt64s { positions in
        Parallel.forEachChunk(outer * inner, threads: threads, minimumChunk: 1024) { range in
            for position in range {
                let o = position / inner, j = position % inner
                let base = input + o * n * inner + j
                var best = base[0], bestIndex = 0
                for k in 1..<Swift.max(n, 1) {
                    let value = base[k * inner]
                    if best.isNaN { break }
                    if value.isNaN || (maximum ? value > best : value < best) {
                        best = value
                        bestIndex = k
                    }
                }
                output[position] = best
                positions[position] = Int64(bestIndex)
            }
        }
        } } }
        return (values, indices)
    }

    /// Softmax or log-softmax over `axis`, max-subtracted for stability.
    static func softmaxForward(_ x: Tensor, axis: Int, log: Bool, threads: Int) -> Tensor {
        let (outer, n, inner) = split(x.shape, axis: axis)
        let result = Tensor(uninitializedShape: x.shape)
        x.withDenseFloats { input in result.withMutableFloats { output in
        Parallel.forEachChunk(outer * inner, threads: threads, minimumChunk: 256) { range in
            for position in range {
                let o = position / inner, j = position % inner
                let base = o * n * inner + j
                var largest = -Float.infinity
                for k in 0..<n { largest = Swift.max(largest, input[base + k * inner]) }
                var total: Double = 0
                for k in 0..<n {
                    let e = Foundation.exp(input[base + k * inner] - largest)
                    output[base + k * inner] = e
                    total += Double(e)
                }
                if log {
                    // (x − max) − log Σ exp(x − max), as PyTorch: adding max back to the log-sum first
                    // would round it at the inputs' magnitude (~10⁻³ for inputs near 10⁴)
                    let logTotal = Float(Foundation.log(total))
                    for k in 0..<n { output[base + k * inner] = (input[base + k * inner] - largest) - logTotal }
                } else {
                    let scale = Float(1 / total)
                    for k in 0..<n { output[base + k * inner] *= scale }
                }
            }
        }
        } }
        return result
    }

    /// Softmax: `dx = y·(dy − Σ dy·y)`; log-softmax: `dx = dy − exp(y)·Σ dy`.
    static func softmaxBackward(_ gradOutput: Tensor, output: Tensor, axis: Int, log: Bool, threads: Int) -> Tensor {
        let (outer, n, inner) = split(output.shape, axis: axis)
        let result = Tensor(uninitializedShape: output.shape)
        gradOutput.withDenseFloats { g in output.withDenseFloats { out in result.withMutableFloats { dx in
        Parallel.forEachChunk(outer * inner, threads: threads, minimumChunk: 256) { range in
            for position in range {
                let o = position / inner, j = position % inner
                let base = o * n * inner + j
                var total: Float = 0
                if log {
                    for k in 0..<n { total += g[base + k * inner] }
                    for k in 0..<n {
                        let i = base + k * inner
                        dx[i] = g[i] - Foundation.exp(out[i]) * total
                    }
                } else {
                    for k in 0..<n { total += g[base + k * inner] * out[base + k * inner] }
                    for k in 0..<n {
                        let i = base + k * inner
                        dx[i] = out[i] * (g[i] - total)
                    }
                }
            }
        }
        } } }
        return result
    }
}

/// Activation functions and their derivatives in plain Swift.
enum ActivationKernels {
    static func forward(_ activation: Activation, _ x: Tensor, threads: Int) -> Tensor {
        switch activation {
        case .relu:
            return ElementwiseKernels.map(x, threads) { $0 > 0 ? $0 : 0 }
        case let .leakyRelu(slope):
            return ElementwiseKernels.map(x, threads) { $0 > 0 ? $0 : slope * $0 }
        case let .elu(alpha):
            return ElementwiseKernels.map(x, threads) { $0 > 0 ? $0 : alpha * (Foundation.exp($0) - 1) }
        case .gelu:
            return ElementwiseKernels.map(x, threads) { value in
                Float(0.5 * Double(value) * (1 + Foundation.erf(Double(value) / 2.0.squareRoot())))
            }
        case .geluTanh:
            return ElementwiseKernels.map(x, threads) { value in
                let inner = GeluTanh.scale * (value + GeluTanh.cubic * value * value * value)
                return 0.5 * value * (1 + Foundation.tanh(inner))
            }
        case .sigmoid:
            return ElementwiseKernels.map(x, threads) { 1 / (1 + Foundation.exp(-$0)) }
        case .tanh:
            return ElementwiseKernels.map(x, threads) { Foundation.tanh($0) }
        case .relu6:
            return ElementwiseKernels.map(x, threads) { Swift.min(Swift.max($0, 0), 6) }
        case .hardswish:
            return ElementwiseKernels.map(x, threads) { $0 * Swift.min(Swift.max($0 + 3, 0), 6) / 6 }
        case .hardsigmoid:
            return ElementwiseKernels.map(x, threads) { Swift.min(Swift.max($0 + 3, 0), 6) / 6 }
        case .softplus:
            return ElementwiseKernels.map(x, threads) { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }
        }
    }

    static func backward(_ activation: Activation, gradOutput: Tensor, input: Tensor, output: Tensor,
                         threads: Int) -> Tensor {
        switch activation {
        case .relu:
            return ElementwiseKernels.zip(gradOutput, input, threads) { g, x in x > 0 ? g : 0 }
        case let .leakyRelu(slope):
            return ElementwiseKernels.zip(gradOutput, input, threads) { g, x in x > 0 ? g : slope * g }
        case let .elu(alpha):
            return ElementwiseKernels.zip3(gradOutput, input, output, threads) { g, x, y in x > 0 ? g : g * (y + alpha) }
        case .gelu:
            return ElementwiseKernels.zip(gradOutput, input, threads) { g, x in
                let value = Double(x)
                let cdf = 0.5 * (1 + Foundation.erf(value / 2.0.squareRoot()))
                let pdf = Foundation.exp(-0.5 * value * value) / (2 * Double.pi).squareRoot()
                return Float(Double(g) * (cdf + value * pdf))
            }
        case .geluTanh:
            return ElementwiseKernels.zip(gradOutput, input, threads) { g, x in
                let inner = GeluTanh.scale * (x + GeluTanh.cubic * x * x * x)
                let t = Foundation.tanh(inner)
                let derivative = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GeluTanh.scale * (1 + 3 * GeluTanh.cubic * x * x)
                return g * derivative
            }
        case .sigmoid:
            return ElementwiseKernels.zip(gradOutput, output, threads) { g, y in g * y * (1 - y) }
        case .tanh:
            return ElementwiseKernels.zip(gradOutput, output, threads) { g, y in g * (1 - y * y) }
        case .relu6:
            return ElementwiseKernels.zip(gradOutput, input, threads) { g, x in x > 0 && x < 6 ? g : 0 }
        case .hardswish:
            // PyTorch's rule: 0 below −3, (2x + 3)/6 up to 3 inclusive, 1 above
            return ElementwiseKernels.zip(gradOutput, input, threads) { g, x in x < -3 ? 0 : (x <= 3 ? g * (x / 3 + 0.5) : g) }
        case .hardsigmoid:
            return ElementwiseKernels.zip(gradOutput, input, threads) { g, x in x > -3 && x < 3 ? g / 6 : 0 }
        case .softplus:
            return ElementwiseKernels.zip(gradOutput, input, threads) { g, x in g / (1 + Foundation.exp(-x)) }
        }
    }
}

/// Constants of GELU's tanh approximation.
enum GeluTanh {
    static let scale = Float((2 / Double.pi).squareRoot())
    static let cubic: Float = 0.044715
}
