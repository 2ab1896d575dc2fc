/// Reductions over axes (`keepDims` keeps reduced axes with size 1, as PyTorch's `keepdim`).
extension Tensor {
    /// Validated, sorted, de-duplicated axes; `nil` means every axis.
    func reductionAxes(_ axes: [Int]?, op: String) throws(StrataError) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        var resolved: [Int] = []
        for axis in axes { resolved.append(try Shape.normalizeAxis(axis, rank: rank, op: op)) }
        return Array(Set(resolved)).sorted()
    }

    /// The shape after reducing `axes`.
    private func reducedShape(_ axes: [Int], keepDims: Bool) -> [Int] {
        keepDims ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
            : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Sum over `axes` (every axis when `nil`).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: { trace, inputs in trace.node("ReduceSum", [inputs[0], trace.constant(ONNXEmit.reductionAxes(axes, rank: self.rank))], [ONNXAttribute.int("keepdims", keepDims ? 1 : 0)]) }) { () throws(StrataError) in
            guard dtype == .float32 else { throw .dtypeMismatch(op: "sum", expected: .float32, got: dtype) }
            let axes = try reductionAxes(axes, op: "sum")
            let kept = Kernels.sum(self, axes: axes).dense()
            let result = kept.viewing(shape: reducedShape(axes, keepDims: keepDims))
            let inputShape = shape, keptShape = kept.shape
            return record(result, "sum", inputs: [self], saves: .nothing) { grad in
                [Kernels.expand(grad.dense().viewing(shape: keptShape), to: inputShape)]
            }
        }
    }

    /// Sum of every element (shape `[]`).
    public func sum() -> Tensor { try! toFloat().sum(axes: nil) }

    /// Mean over `axes` (every axis when `nil`).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.reduce("ReduceMean", axes: ONNXEmit.reductionAxes(axes, rank: rank), keepDims: keepDims)) { () throws(StrataError) in
            let resolved = try reductionAxes(axes, op: "mean")
            let n = resolved.reduce(1) { $0 * shape[$1] }
            return try sum(axes: resolved, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
        }
    }

    /// Mean of every element (shape `[]`).
    public func mean() -> Tensor { try! toFloat().mean(axes: nil) }

    /// Variance over `axes`; `unbiased` divides by `n − 1` (PyTorch's default), else by `n`.
    public func variance(axes: [Int]? = nil, unbiased: Bool = true, keepDims: Bool = false) throws(StrataError) -> Tensor {
        let resolved = try reductionAxes(axes, op: "variance")
        let n = resolved.reduce(1) { $0 * shape[$1] }
        let centered = try self - mean(axes: resolved, keepDims: true)
        let squares = try centered.square().sum(axes: resolved, keepDims: keepDims)
        return squares * (1 / Float(Swift.max(unbiased ? n - 1 : n, 1)))
    }

    /// Largest values along `axis`; the gradient goes to the first maximum.
    public func max(axis: Int, keepDims: Bool = false) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.reduce("ReduceMax", axes: ONNXEmit.reductionAxes([axis], rank: rank), keepDims: keepDims)) { () throws(StrataError) in
            try extremum(axis: axis, keepDims: keepDims, maximum: true).values
        }
    }

    /// Smallest values along `axis`; the gradient goes to the first minimum.
    public func min(axis: Int, keepDims: Bool = false) throws(StrataError) -> Tensor {
        try extremum(axis: axis, keepDims: keepDims, maximum: false).values
    }

    /// Largest element (shape `[]`).
    public func max() throws(StrataError) -> Tensor { try flattenedForReduction("max").max(axis: 0) }

    /// Smallest element (shape `[]`).
    public func min() throws(StrataError) -> Tensor { try flattenedForReduction("min").min(axis: 0) }

    /// Int64 index of the first maximum along `axis`.
    public func argmax(axis: Int, keepDims: Bool = false) throws(StrataError) -> Tensor {
        try extremum(axis: axis, keepDims: keepDims, maximum: true).indices
    }

    /// Int64 index of the first minimum along `axis`.
    public func argmin(axis: Int, keepDims: Bool = false) throws(StrataError) -> Tensor {
        try extremum(axis: axis, keepDims: keepDims, maximum: false).indices
    }

    private func flattenedForReduction(_ op: String) throws(StrataError) -> Tensor {
        guard count > 0 else { throw .invalidArgument(op: op, message: "cannot reduce an empty tensor") }
        return try reshape([count])
    }

    private func extremum(axis: Int, keepDims: Bool, maximum: Bool) throws(StrataError) -> (values: Tensor, indices: Tensor) {
        let op = maximum ? "max" : "min"
        guard dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: dtype) }
        let axis = try Shape.normalizeAxis(axis, rank: rank, op: op)
        guard rank > 0 && shape[axis] > 0 else {
            throw .invalidArgument(op: op, message: "cannot reduce an empty axis of shape \(Shape.describe(shape))")
        }
        let (values, indices) = Kernels.backend.extremum(self, axis: axis, maximum: maximum)
        let outShape = reducedShape([axis], keepDims: keepDims)
        let inputShape = shape, keptShape = values.shape
        let result = values.viewing(shape: outShape)
        record(result, op, inputs: [self]) { grad in
            [Kernels.scatter(grad.dense().viewing(shape: keptShape), indices: indices, axis: axis, shape: inputShape)]
        }
        return (result, indices.viewing(shape: outShape))
    }
}

extension Kernels {
    /// Broadcasts `x` to `shape` as a new contiguous tensor.
    static func expand(_ x: Tensor, to shape: [Int]) -> Tensor {
        if x.shape == shape { return x }
        return backend.binary(.add, x, full([], 0), shape: shape)
    }

    /// A zero tensor of `shape` with `values[…, 0, …]` written at `indices` along `axis`
    /// (the backward of max/min/gather along one axis).
    static func scatter(_ values: Tensor, indices: Tensor, axis: Int, shape: [Int]) -> Tensor {
        let result = Tensor(zerosShape: shape)
        let (outer, n, inner) = AxisKernels.split(shape, axis: axis)
        values.withDenseFloats { source in
            indices.withDenseInt64s { positions in
                result.withMutableFloats { target in
                    for o in 0..<outer {
                        for j in 0..<inner {
                            let k = Int(positions[o * inner + j])
                            target[(o * n + k) * inner + j] += source[o * inner + j]
                        }
                    }
                }
            }
        }
        return result
    }
}
