/// Matrix products as PyTorch's `matmul`: 1-D operands act as a row (left) or column
/// (right) vector; leading (batch) axes broadcast.
extension Tensor {
    /// `a @ b`: `[…, m, k] × […, k, n] → […, m, n]`.
    ///
    /// - Throws: `StrataError.shapeMismatch` when the inner sizes differ or batch axes do
    ///   not broadcast; `dtypeMismatch` for non-float operands.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws(StrataError) -> Tensor {
        try ONNXTrace.op([a, b], emit: ONNXEmit.plain("MatMul")) { () throws(StrataError) in
            guard a.dtype == .float32 else { throw .dtypeMismatch(op: "matmul", expected: .float32, got: a.dtype) }
            guard b.dtype == .float32 else { throw .dtypeMismatch(op: "matmul", expected: .float32, got: b.dtype) }
            guard a.rank >= 1, b.rank >= 1 else {
                throw .shapeMismatch(op: "matmul", message: "needs operands with at least one axis, got \(Shape.describe(a.shape)) and \(Shape.describe(b.shape))")
            }
            let left = a.rank == 1 ? try a.unsqueeze(axis: 0) : a
            let right = b.rank == 1 ? try b.unsqueeze(axis: 1) : b
            let (m, k) = (left.shape[left.rank - 2], left.shape[left.rank - 1])
            let (k2, n) = (right.shape[right.rank - 2], right.shape[right.rank - 1])
            guard k == k2 else {
                throw .shapeMismatch(op: "matmul", message: "inner sizes differ: \(Shape.describe(a.shape)) × \(Shape.describe(b.shape)) needs \(k) == \(k2) (columns of the left = rows of the right)")
            }
            let batch = try Shape.broadcast(Array(left.shape.dropLast(2)), Array(right.shape.dropLast(2)), op: "matmul")
            // the product and the dense copies of broadcast operands
            try MemoryBudget.check(op: "matmul", shapes: [batch + [m, n], batch + [m, k], batch + [k, n]])
            var result = try batchedProduct(try left.expand(batch + [m, k]), try right.expand(batch + [k, n]))
            if a.rank == 1 { result = try result.squeeze(axis: -2) }
            if b.rank == 1 { result = try result.squeeze(axis: -1) }
            return result
        }
    }

    /// `[B…, m, k] × [B…, k, n]` with equal batch axes (after expansion).
    private static func batchedProduct(_ a: Tensor, _ b: Tensor) throws(StrataError) -> Tensor {
        let batchShape = Array(a.shape.dropLast(2))
        let (m, k, n) = (a.shape[a.rank - 2], a.shape[a.rank - 1], b.shape[b.rank - 1])
        let result = Kernels.matmul(a.dense(), b.dense(), batch: Shape.count(batchShape), m: m, k: k, n: n,
                                    transposeA: false, transposeB: false)
            .viewing(shape: batchShape + [m, n])
        try BackendFailure.check()
        let (left, right) = (a.detach(), b.detach())
        return record(result, "matmul", inputs: [a, b]) { grad in
            let g = grad.dense(), batch = Shape.count(batchShape)
            // dA = dC·Bᵀ, dB = Aᵀ·dC
            let ga = Kernels.matmul(g, right.dense(), batch: batch, m: m, k: n, n: k, transposeA: false, transposeB: true)
            let gb = Kernels.matmul(left.dense(), g, batch: batch, m: k, k: m, n: n, transposeA: true, transposeB: false)
            return [ga.viewing(shape: left.shape), gb.viewing(shape: right.shape)]
        }
    }
}

extension Kernels {
    /// `batch` products of row-major matrices: `op(A)` is `m×k`, `op(B)` is `k×n`, `bias`
    /// (`n` elements) added to every row; `batch×m×n`.
    static func matmul(_ a: Tensor, _ b: Tensor, batch: Int, m: Int, k: Int, n: Int,
                       transposeA: Bool, transposeB: Bool, bias: Tensor? = nil) -> Tensor {
        backend.matmul(a, b, batch: batch, m: m, k: k, n: n, transposeA: transposeA, transposeB: transposeB, bias: bias)
    }
}
