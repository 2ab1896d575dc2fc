/// Copies elements between strided layouts of the same shape.
enum StridedCopy {
    /// Copies `Shape.count(shape)` elements of `elementSize` bytes (4 or 8) laid out with
    /// `strides` (in elements) at `source` into `target` in row-major order.
    static func copy(shape: [Int], strides: [Int], elementSize: Int,
                     from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer) {
        copy(shape: shape, sourceStrides: strides, targetStrides: Shape.contiguousStrides(shape),
             elementSize: elementSize, from: source, to: target)
    }

    /// Copies every element of a `shape`-shaped view at `source` (with `sourceStrides`) to
    /// the view at `target` (with `targetStrides`).
    static func copy(shape: [Int], sourceStrides: [Int], targetStrides: [Int], elementSize: Int,
                     from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer) {
        if elementSize == 4 {
            run(shape, sourceStrides, targetStrides, source.assumingMemoryBound(to: UInt32.self),
                target.assumingMemoryBound(to: UInt32.self))
        } else {
            run(shape, sourceStrides, targetStrides, source.assumingMemoryBound(to: UInt64.self),
                target.assumingMemoryBound(to: UInt64.self))
        }
    }

    private static func run<E>(_ shape: [Int], _ sourceStrides: [Int], _ targetStrides: [Int],
                               _ source: UnsafePointer<E>, _ target: UnsafeMutablePointer<E>) {
        let total = Shape.count(shape)
        guard total > 0 else { return }
        guard let inner = shape.last else {
            target[0] = source[0]
            return
        }
        let rank = shape.count
        let innerSource = sourceStrides[rank - 1], innerTarget = targetStrides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var sourceBase = 0, targetBase = 0
        for _ in 0..<(total / inner) {
            if innerSource == 1 && innerTarget == 1 {
                (target + targetBase).update(from: source + sourceBase, count: inner)
            } else {
                for i in 0..<inner { target[targetBase + i * innerTarget] = source[sourceBase + i * innerSource] }
            }
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                sourceBase += sourceStrides[axis]
                targetBase += targetStrides[axis]
                if index[axis] < shape[axis] { break }
                sourceBase -= sourceStrides[axis] * shape[axis]
                targetBase -= targetStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
