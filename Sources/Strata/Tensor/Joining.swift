/// Joining tensors along an axis.
extension Tensor {
    /// Joins tensors along an existing `axis`; every other size must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) throws(StrataError) -> Tensor {
        try ONNXTrace.op(tensors, emit: ONNXEmit.plain("Concat", [ONNXAttribute.int("axis", axis < 0 ? axis + (tensors.first?.rank ?? 0) : axis)])) { () throws(StrataError) in
            guard let first = tensors.first else {
                throw .invalidArgument(op: "concat", message: "needs at least one tensor")
            }
            let axis = try Shape.normalizeAxis(axis, rank: first.rank, op: "concat")
            for (i, tensor) in tensors.enumerated() {
                guard tensor.dtype == first.dtype else {
                    throw .dtypeMismatch(op: "concat", expected: first.dtype, got: tensor.dtype)
                }
                let matches = tensor.rank == first.rank
                    && (0..<first.rank).allSatisfy { $0 == axis || tensor.shape[$0] == first.shape[$0] }
                guard matches else {
                    throw .shapeMismatch(op: "concat", message: "tensor \(i) has shape \(Shape.describe(tensor.shape)); every shape must equal \(Shape.describe(first.shape)) except along axis \(axis)")
                }
            }
            var shape = first.shape
            shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
            let result = Tensor(uninitializedShape: shape, dtype: first.dtype)
            let resultStrides = Shape.contiguousStrides(shape)
            var position = 0
            var ranges: [Range<Int>] = []
            for tensor in tensors {
                let target = Tensor(storage: result.storage, shape: tensor.shape, strides: resultStrides,
                                    offset: position * resultStrides[axis], dtype: first.dtype)
                Kernels.copy(tensor, into: target)
                ranges.append(position..<(position + tensor.shape[axis]))
                position += tensor.shape[axis]
            }
            return record(result, "concat", inputs: tensors, saves: .nothing) { grad in
                ranges.map { range in try! grad.slice(axis: axis, start: range.lowerBound, end: range.upperBound).dense() }
            }
        }
    }

    /// Joins same-shaped tensors along a new `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) throws(StrataError) -> Tensor {
        guard let first = tensors.first else {
            throw .invalidArgument(op: "stack", message: "needs at least one tensor")
        }
        for (i, tensor) in tensors.enumerated() where tensor.shape != first.shape {
            throw .shapeMismatch(op: "stack", message: "tensor \(i) has shape \(Shape.describe(tensor.shape)), expected \(Shape.describe(first.shape)) like tensor 0")
        }
        var expanded: [Tensor] = []
        for tensor in tensors { expanded.append(try tensor.unsqueeze(axis: axis)) }
        return try concat(expanded, axis: axis)
    }
}
