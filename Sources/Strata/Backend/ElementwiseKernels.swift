import Foundation

/// Element-wise loops in plain Swift, shared by both CPU backends: the reference runs
/// them on one thread, the fast backend splits them over every core.
enum ElementwiseKernels {
    /// `a ∘ b` broadcast to `shape`; `a` and `b` may be any strided views.
    static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, shape: [Int], threads: Int) -> Tensor {
        switch op {
        case .add: return broadcast(a, b, shape, threads) { $0 + $1 }
        case .subtract: return broadcast(a, b, shape, threads) { $0 - $1 }
        case .multiply: return broadcast(a, b, shape, threads) { $0 * $1 }
        case .divide: return broadcast(a, b, shape, threads) { $0 / $1 }
        case .power: return broadcast(a, b, shape, threads) { Foundation.pow($0, $1) }
        case .maximum: return broadcast(a, b, shape, threads) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
        case .minimum: return broadcast(a, b, shape, threads) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
        case .equal: return broadcast(a, b, shape, threads) { $0 == $1 ? 1 : 0 }
        case .notEqual: return broadcast(a, b, shape, threads) { $0 != $1 ? 1 : 0 }
        case .less: return broadcast(a, b, shape, threads) { $0 < $1 ? 1 : 0 }
        case .lessEqual: return broadcast(a, b, shape, threads) { $0 <= $1 ? 1 : 0 }
        case .greater: return broadcast(a, b, shape, threads) { $0 > $1 ? 1 : 0 }
        case .greaterEqual: return broadcast(a, b, shape, threads) { $0 >= $1 ? 1 : 0 }
        }
    }

    /// `op(x)` element by element.
    static func unary(_ op: UnaryOp, _ x: Tensor, threads: Int) -> Tensor {
        switch op {
        case .negate: return map(x, threads) { -$0 }
        case .exp: return map(x, threads) { Foundation.exp($0) }
        case .log: return map(x, threads) { Foundation.log($0) }
        case .sqrt: return map(x, threads) { $0.squareRoot() }
        case .abs: return map(x, threads) { Swift.abs($0) }
        case .sign: return map(x, threads) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        case .square: return map(x, threads) { $0 * $0 }
        case .reciprocal: return map(x, threads) { 1 / $0 }
        case let .power(p):
            if p == 2 { return map(x, threads) { $0 * $0 } }
            return map(x, threads) { Foundation.pow($0, p) }
        case let .clamp(low, high): return map(x, threads) { $0.isNaN ? $0 : Swift.min(Swift.max($0, low), high) }
        case let .scale(factor): return map(x, threads) { $0 * factor }
        case let .shift(amount): return map(x, threads) { $0 + amount }
        }
    }

    /// Applies `f` to every element of `x` into a new contiguous tensor.
    @inline(__always)
    static func map(_ x: Tensor, _ threads: Int, _ f: (Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: x.shape)
        x.withDenseFloats { input in
            result.withMutableFloats { output in
                Parallel.forEachChunk(x.count, threads: threads, minimumChunk: 32768) { range in
                    for i in range { output[i] = f(input[i]) }
                }
            }
        }
        return result
    }

    /// Applies `f` pairwise to two same-shaped tensors into a new contiguous tensor.
    @inline(__always)
    static func zip(_ x: Tensor, _ y: Tensor, _ threads: Int, _ f: (Float, Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: x.shape)
        x.withDenseFloats { a in
            y.withDenseFloats { b in
                result.withMutableFloats { output in
                    Parallel.forEachChunk(x.count, threads: threads, minimumChunk: 32768) { range in
                        for i in range { output[i] = f(a[i], b[i]) }
                    }
                }
            }
        }
        return result
    }

    /// Applies `f` to three same-shaped tensors into a new contiguous tensor.
    @inline(__always)
    static func zip3(_ x: Tensor, _ y: Tensor, _ z: Tensor, _ threads: Int,
                     _ f: (Float, Float, Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: x.shape)
        x.withDenseFloats { a in
            y.withDenseFloats { b in
                z.withDenseFloats { c in
                    result.withMutableFloats { output in
                        Parallel.forEachChunk(x.count, threads: threads, minimumChunk: 32768) { range in
                            for i in range { output[i] = f(a[i], b[i], c[i]) }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The broadcasting loop: walks the output in row-major order with each operand's
    /// strides (0 along broadcast axes), after merging axes that are contiguous in all three.
    @inline(__always)
    static func broadcast(_ a: Tensor, _ b: Tensor, _ shape: [Int], _ threads: Int,
                          _ f: (Float, Float) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let total = result.count
        guard total > 0 else { return result }
        let layout = BroadcastLayout(shape: shape, a: a, b: b)
        a.withFloats { pa in b.withFloats { pb in result.withMutableFloats { output in
            broadcastRows(layout, UnsafePointer(pa), UnsafePointer(pb), output, total: total, threads: threads, f)
        } } }
        return result
    }

    /// The rows of `broadcast`: operands read through the layout's strides.
    @inline(__always)
    private static func broadcastRows(_ layout: BroadcastLayout, _ pa: UnsafePointer<Float>, _ pb: UnsafePointer<Float>,
                                      _ output: UnsafeMutablePointer<Float>, total: Int, threads: Int,
                                      _ f: (Float, Float) -> Float) {
        let inner = layout.shape.last ?? 1
        let innerA = layout.stridesA.last ?? 0, innerB = layout.stridesB.last ?? 0
        let rows = total / inner
        Parallel.forEachChunk(rows, threads: threads, minimumChunk: Swift.max(1, 32768 / inner)) { range in
            var (offsetA, offsetB, index) = layout.start(row: range.lowerBound)
            for row in range {
                let out = output + row * inner
                let rowA = pa + offsetA, rowB = pb + offsetB
                if innerA == 1 && innerB == 1 {
                    for i in 0..<inner { out[i] = f(rowA[i], rowB[i]) }
                } else if innerA == 1 && innerB == 0 {
                    let value = rowB[0]
                    for i in 0..<inner { out[i] = f(rowA[i], value) }
                } else if innerA == 0 && innerB == 1 {
                    let value = rowA[0]
                    for i in 0..<inner { out[i] = f(value, rowB[i]) }
                } else {
                    for i in 0..<inner { out[i] = f(rowA[i * innerA], rowB[i * innerB]) }
                }
                layout.advance(&index, &offsetA, &offsetB)
            }
        }
    }
}

/// Operand strides of a broadcast, aligned to the output shape, with mergeable axes merged.
struct BroadcastLayout {
    private(set) var shape: [Int] = []
    private(set) var stridesA: [Int] = []
    private(set) var stridesB: [Int] = []

    init(shape outShape: [Int], a: Tensor, b: Tensor) {
        let rank = outShape.count
        func aligned(_ t: Tensor) -> [Int] {
            (0..<rank).map { axis in
                let source = axis - (rank - t.rank)
                return source < 0 || t.shape[source] == 1 ? 0 : t.strides[source]
            }
        }
        let alignedA = aligned(a), alignedB = aligned(b)
        for axis in 0..<rank where outShape[axis] != 1 {
            if let last = shape.indices.last,
               stridesA[last] == alignedA[axis] * outShape[axis],
               stridesB[last] == alignedB[axis] * outShape[axis] {
                shape[last] *= outShape[axis]
                stridesA[last] = alignedA[axis]
                stridesB[last] = alignedB[axis]
            } else {
                shape.append(outShape[axis])
                stridesA.append(alignedA[axis])
                stridesB.append(alignedB[axis])
            }
        }
        if shape.isEmpty {
            shape = [1]
            stridesA = [0]
            stridesB = [0]
        }
    }

    /// Operand offsets and outer index of the first element of `row` (rows = all axes but the last).
    func start(row: Int) -> (Int, Int, [Int]) {
        var index = [Int](repeating: 0, count: Swift.max(shape.count - 1, 0))
        var remaining = row, offsetA = 0, offsetB = 0
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            index[axis] = remaining % shape[axis]
            remaining /= shape[axis]
            offsetA += index[axis] * stridesA[axis]
            offsetB += index[axis] * stridesB[axis]
        }
        return (offsetA, offsetB, index)
    }

    /// Moves the outer index to the next row (odometer), updating both offsets.
    @inline(__always)
    func advance(_ index: inout [Int], _ offsetA: inout Int, _ offsetB: inout Int) {
        var axis = shape.count - 2
        while axis >= 0 {
            index[axis] += 1
            offsetA += stridesA[axis]
            offsetB += stridesB[axis]
            if index[axis] < shape[axis] { return }
            offsetA -= stridesA[axis] * shape[axis]
            offsetB -= stridesB[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
