/// Matrix products, batch normalisation and reductions.
extension ONNXOperators {
    static let linear: [String: ONNXOperator] = [
        "Gemm": .single(parameters: [0, 1, 2]) { c throws(StrataError) in try gemm(c) },
        "MatMul": .single(parameters: [0, 1]) { c throws(StrataError) in try Tensor.matmul(try c.input(0), try c.input(1)) },
        "BatchNormalization": .single(parameters: [1, 2], buffers: [3, 4], unsupported: { node in
            expect(node, "training_mode", in: [0], default: 0)
        }) { c throws(StrataError) in
            // ONNX's momentum weighs the running value (0.9), PyTorch's the batch's (0.1)
            try batchNorm(try c.input(0), weight: try c.input(1), bias: try c.input(2), runningMean: try c.input(3),
                          runningVar: try c.input(4), training: c.training,
                          momentum: 1 - (try c.attributes.float("momentum", default: 0.9)),
                          eps: try c.attributes.float("epsilon", default: 1e-5))
        },
        "ReduceMean": reduction { x, axes, keep throws(StrataError) in try x.mean(axes: axes, keepDims: keep) },
        "ReduceSum": reduction { x, axes, keep throws(StrataError) in try x.sum(axes: axes, keepDims: keep) },
        "ReduceMax": reduction { x, axes, keep throws(StrataError) in
            // the maximum of nothing is −∞; integers compare as floats (exact below 2²⁴)
            if axes.contains(where: { x.shape[$0] == 0 }) {
                let shape = x.shape.indices.compactMap { axes.contains($0) ? (keep ? 1 : nil) : x.shape[$0] }
                return Tensor(filledShape: shape, value: -.infinity)
            }
            var y = x.toFloat()
            for axis in axes.sorted(by: >) { y = try y.max(axis: axis, keepDims: keep) }
            return x.dtype == .int64 ? y.toInt64() : y
        },
    ]

    /// A reduction over the `axes` attribute (ReduceSum from opset 13 and all from 18: the
    /// `axes` input); none or an empty list reduce every axis, or none with `noop_with_empty_axes`.
    private static func reduction(_ reduce: @escaping @Sendable (Tensor, [Int], Bool) throws(StrataError) -> Tensor) -> ONNXOperator {
        .single { c throws(StrataError) in
            let x = try c.input(0)
            var given = try c.attributes.ints("axes")
            if given == nil, c.optionalInput(1) != nil { given = try c.integers(1) }
            // noop_with_empty_axes: no axes leave the input as it is
            if given?.isEmpty ?? true, try c.attributes.int("noop_with_empty_axes", default: 0) == 1 { return x }
            var axes: [Int] = []
            for axis in given.flatMap({ $0.isEmpty ? nil : $0 }) ?? Array(0..<x.rank) { axes.append(try c.axis(axis, rank: x.rank)) }
            return try reduce(x, axes, try c.attributes.int("keepdims", default: 1) == 1)
        }
    }

    /// `Y = α·A'·B' + β·C` with `A' = transA ? Aᵀ : A`, `B' = transB ? Bᵀ : B`; the layout
    /// PyTorch's `Linear` exports (transB = 1, α = β = 1) runs as one `linear`.
    private static func gemm(_ c: ONNXNodeContext) throws(StrataError) -> Tensor {
        var (a, b) = (try c.input(0), try c.input(1))
        let bias = c.optionalInput(2)
        let alpha = try c.attributes.float("alpha", default: 1), beta = try c.attributes.float("beta", default: 1)
        let (transA, transB) = (try c.attributes.int("transA", default: 0) == 1, try c.attributes.int("transB", default: 0) == 1)
        guard a.rank == 2, b.rank == 2 else {
            throw .shapeMismatch(op: "onnx", message: "node '\(c.node)' (Gemm) needs 2-D A and B, got \(Shape.describe(a.shape)) and \(Shape.describe(b.shape))")
        }
        if transA { a = try a.transpose(0, 1) }
        if transB, alpha == 1, beta == 1, bias.map({ $0.rank == 1 && $0.count == b.shape[0] }) ?? true {
            return try Strata.linear(a, weight: b, bias: bias)
        }
        if transB { b = try b.transpose(0, 1) }
        var y = try Tensor.matmul(a, b)
        if alpha != 1 { y = y * alpha }
        if let bias { y = try y + (beta == 1 ? bias : bias * beta) }
        return y
    }
}
