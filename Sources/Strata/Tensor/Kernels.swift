/// Computations on tensors without autograd bookkeeping or argument checks: the bodies
/// of operations and of their backward rules. Callers guarantee valid shapes.
enum Kernels {
    static var backend: any Backend { Backends.current }

    static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = a.shape == b.shape ? a.shape : try! Shape.broadcast(a.shape, b.shape, op: "\(op)")
        return backend.binary(op, a, b, shape: shape)
    }

    static func add(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.add, a, b) }
    static func subtract(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.subtract, a, b) }
    static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.multiply, a, b) }
    static func divide(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.divide, a, b) }
    static func unary(_ op: UnaryOp, _ x: Tensor) -> Tensor { backend.unary(op, x) }
    static func scale(_ x: Tensor, _ factor: Float) -> Tensor { backend.unary(.scale(factor), x) }

    /// Sum over the given axes, keeping them with size 1.
    static func sum(_ x: Tensor, axes: [Int]) -> Tensor {
        var result = x
        for axis in axes.sorted() where result.shape[axis] != 1 || result === x {
            result = backend.sum(result, axis: axis)
        }
        return result
    }

    /// Sum of every element, as a tensor of shape `[]`.
    static func sumAll(_ x: Tensor) -> Tensor {
        let flat = x.dense().viewing(shape: [x.count])
        return backend.sum(flat, axis: 0).viewing(shape: [])
    }

    /// Reduces a broadcast gradient back to the shape of the operand it belongs to:
    /// sums over the leading axes the operand lacked and over axes where it had size 1.
    static func sumToShape(_ gradient: Tensor, _ shape: [Int]) -> Tensor {
        if gradient.shape == shape { return gradient }
        let extra = gradient.rank - shape.count
        var axes = Array(0..<extra)
        for (i, size) in shape.enumerated() where size == 1 && gradient.shape[extra + i] != 1 {
            axes.append(extra + i)
        }
        return sum(gradient, axes: axes).dense().viewing(shape: shape)
    }

    /// A tensor of `shape` with every element `value`.
    static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(filledShape: shape, value: value)
    }
}

extension Tensor {
    /// The same contiguous storage under another shape with the same element count
    /// (no history; callers guarantee `self` is contiguous).
    func viewing(shape newShape: [Int]) -> Tensor {
        Tensor(storage: storage, shape: newShape, strides: Shape.contiguousStrides(newShape), offset: offset, dtype: dtype)
    }
}
