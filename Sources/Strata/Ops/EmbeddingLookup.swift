/// Looks up rows of an embedding table (PyTorch's `F.embedding`): int64 `indices` of any
/// shape and `weight` `V×D` give `indices.shape + [D]`, each position the row its index
/// names. The gradient adds each position's gradient into the row it read, except into
/// `paddingIndex`'s row, which stays fixed (PyTorch's `padding_idx`).
///
/// - Throws: `StrataError.dtypeMismatch` for non-int64 indices or a non-float weight,
///   `shapeMismatch` for a weight that is not `V×D`, `invalidArgument` for an index
///   outside `0..<V` (naming the index, its position and the table size).
public func embedding(_ indices: Tensor, weight: Tensor, paddingIndex: Int? = nil) throws(StrataError) -> Tensor {
    try ONNXTrace.op([indices, weight], emit: { trace, inputs in trace.node("Gather", [inputs[1], inputs[0]]) }) { () throws(StrataError) in
        let op = "embedding"
        guard indices.dtype == .int64 else { throw .dtypeMismatch(op: op, expected: .int64, got: indices.dtype) }
        guard weight.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: weight.dtype) }
        guard weight.rank == 2 else {
            throw .shapeMismatch(op: op, message: "the table must be V×D (rows × embedding size), got \(Shape.describe(weight.shape))")
        }
        let (rows, width) = (weight.shape[0], weight.shape[1])
        let positions = indices.toLabels()
        if let bad = positions.firstIndex(where: { $0 < 0 || $0 >= rows }) {
            throw .invalidArgument(op: op, message: "index \(positions[bad]) at position \(bad) is outside the table of \(rows) rows (0…\(rows - 1)); a tokenizer's vocabulary and the layer's size must agree")
        }
        let output = Kernels.backend.gatherRows(weight, indices: indices).viewing(shape: indices.shape + [width])
        let savedIndices = indices.copyToContiguous()   // the positions as they were (the caller may reuse the tensor)
        return Tensor.record(output, op, inputs: [weight], saves: .nothing) { grad in
            [Kernels.backend.scatterAddRows(grad.dense().viewing(shape: [positions.count, width]), indices: savedIndices, rows: rows,
                                            skipping: paddingIndex)]
        }
    }
}
