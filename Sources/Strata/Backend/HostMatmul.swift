/// Batched matrix products on host memory through a backend's BLAS-style `gemm`: what
/// `Backend.matmul` is for the CPU and reference backends.
enum HostMatmul {
    /// Row-major `C = alpha·op(A)·op(B) + beta·C` with `op(A)` of `m×k` and `op(B)` of `k×n`.
    typealias Gemm = (_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                      _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                      _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) -> Void

    /// `batch×m×n`: each product starts from the bias rows (β = 1) or from nothing (β = 0).
    static func products(_ a: Tensor, _ b: Tensor, batch: Int, m: Int, k: Int, n: Int,
                         transposeA: Bool, transposeB: Bool, bias: Tensor?, gemm: Gemm) -> Tensor {
        let result = Tensor(uninitializedShape: [batch, m, n])
        a.withDenseFloats { pa in
            b.withDenseFloats { pb in
                result.withMutableFloats { pc in
                    bias?.withDenseFloats { row in
                        for i in 0..<(batch * m) { (pc + i * n).update(from: row, count: n) }
                    }
                    for i in 0..<batch {
                        gemm(transposeA, transposeB, m, n, k, 1, pa + i * m * k, transposeA ? m : k,
                             pb + i * k * n, transposeB ? k : n, bias == nil ? 0 : 1, pc + i * m * n, n)
                    }
                }
            }
        }
        return result
    }
}
