/// Views share storage with their base (no copy) where the layout allows, like PyTorch's.
extension Tensor {
    /// The same elements under a new shape; one size may be −1 (inferred). A view when
    /// the tensor is contiguous, else a copy.
    ///
    /// - Throws: `StrataError.shapeMismatch` when the element counts differ.
    public func reshape(_ newShape: [Int]) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.reshape(from: shape, to: (try? resolveShape(newShape)) ?? newShape)) { () throws(StrataError) in
            let resolved = try resolveShape(newShape)
            if resolved == shape { return self }
            let base = dense()
            let result = base.viewing(shape: resolved)
            let inputShape = shape
            return record(result, "reshape", inputs: [self], saves: .nothing) { grad in [grad.dense().viewing(shape: inputShape)] }
        }
    }

    private func resolveShape(_ newShape: [Int]) throws(StrataError) -> [Int] {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw .invalidArgument(op: "reshape", message: "shape \(Shape.describe(newShape)) may hold one −1 and no other negative size")
        }
        var resolved = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        if let axis = inferred.first {
            guard known > 0, count % known == 0 else {
                throw .shapeMismatch(op: "reshape", message: "cannot view \(count) elements of shape \(Shape.describe(shape)) as \(Shape.describe(newShape)): \(count) is not a multiple of \(known)")
            }
            resolved[axis] = count / known
        }
        guard Shape.count(resolved) == count else {
            throw .shapeMismatch(op: "reshape", message: "cannot view shape \(Shape.describe(shape)) (\(count) elements) as \(Shape.describe(newShape)) (\(Shape.count(resolved)) elements)")
        }
        return resolved
    }

    /// Merges axes `startAxis...endAxis` into one (PyTorch's `flatten(start_dim, end_dim)`).
    public func flatten(from startAxis: Int = 0, through endAxis: Int = -1) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.flatten(shape, from: startAxis, through: endAxis)) { () throws(StrataError) in
            guard rank > 0 else { return try reshape([1]) }
            let start = try Shape.normalizeAxis(startAxis, rank: rank, op: "flatten")
            let end = try Shape.normalizeAxis(endAxis, rank: rank, op: "flatten")
            guard start <= end else {
                throw .invalidArgument(op: "flatten", message: "start axis \(startAxis) comes after end axis \(endAxis)")
            }
            let merged = shape[start...end].reduce(1, *)
            return try reshape(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
        }
    }

    /// Reorders the axes: result axis `i` is input axis `dims[i]`.
    public func permute(_ dims: [Int]) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.plain("Transpose", [ONNXAttribute.ints("perm", dims.map { $0 < 0 ? $0 + rank : $0 })])) { () throws(StrataError) in
            var resolved: [Int] = []
            for axis in dims { resolved.append(try Shape.normalizeAxis(axis, rank: rank, op: "permute")) }
            guard resolved.count == rank, Set(resolved).count == rank else {
                throw .invalidArgument(op: "permute", message: "\(dims) is not a permutation of the \(rank) axes of shape \(Shape.describe(shape))")
            }
            var inverse = [Int](repeating: 0, count: rank)
            for (i, axis) in resolved.enumerated() { inverse[axis] = i }
            let result = Tensor(storage: storage, shape: resolved.map { shape[$0] }, strides: resolved.map { strides[$0] },
                                offset: offset, dtype: dtype)
            return record(result, "permute", inputs: [self], saves: .nothing) { grad in [try! grad.detach().permute(inverse)] }
        }
    }

    /// Swaps two axes.
    public func transpose(_ first: Int, _ second: Int) throws(StrataError) -> Tensor {
        let a = try Shape.normalizeAxis(first, rank: rank, op: "transpose")
        let b = try Shape.normalizeAxis(second, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return try permute(order)
    }

    /// Removes `axis` when it has size 1 (otherwise returns the tensor unchanged, as PyTorch).
    public func squeeze(axis: Int) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.axes("Squeeze", [axis < 0 ? axis + rank : axis])) { () throws(StrataError) in
            let axis = try Shape.normalizeAxis(axis, rank: rank, op: "squeeze")
            guard shape[axis] == 1 else { return self }
            var newShape = shape
            newShape.remove(at: axis)
            return try reshape(newShape)
        }
    }

    /// Inserts an axis of size 1 at `axis` (in `−(rank+1)...rank`).
    public func unsqueeze(axis: Int) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.axes("Unsqueeze", [axis < 0 ? axis + rank + 1 : axis])) { () throws(StrataError) in
            let position = try Shape.normalizeAxis(axis, rank: rank + 1, op: "unsqueeze")
            var newShape = shape
            newShape.insert(1, at: position)
            return try reshape(newShape)
        }
    }

    /// A view repeating size-1 axes (and new leading axes) to `newShape`, without copying;
    /// −1 keeps a size. The backward sums over the repeated axes.
    public func expand(_ newShape: [Int]) throws(StrataError) -> Tensor {
        let extra = newShape.count - rank
        guard extra >= 0 else {
            throw .shapeMismatch(op: "expand", message: "cannot expand shape \(Shape.describe(shape)) to fewer axes \(Shape.describe(newShape))")
        }
        var resolved = newShape, newStrides = [Int](repeating: 0, count: newShape.count)
        for axis in 0..<newShape.count {
            let source = axis - extra
            if newShape[axis] == -1 {
                guard source >= 0 else {
                    throw .invalidArgument(op: "expand", message: "−1 is not allowed for the new leading axis \(axis)")
                }
                resolved[axis] = shape[source]
            }
            if source >= 0 {
                if shape[source] == resolved[axis] {
                    newStrides[axis] = strides[source]
                } else if shape[source] != 1 {
                    throw .shapeMismatch(op: "expand", message: "axis \(source) has size \(shape[source]); only size-1 axes expand (to \(resolved[axis]))")
                }
            } else if resolved[axis] < 0 {
                throw .invalidArgument(op: "expand", message: "size \(resolved[axis]) at axis \(axis) is negative")
            }
        }
        let result = Tensor(storage: storage, shape: resolved, strides: newStrides, offset: offset, dtype: dtype)
        let inputShape = shape
        return record(result, "expand", inputs: [self], saves: .nothing) { grad in [Kernels.sumToShape(grad, inputShape)] }
    }

    /// Elements `start, start + step, …` below `end` along `axis`, as a view. Negative
    /// `start`/`end` count from the end; both are clipped to the axis like Python slices.
    public func slice(axis: Int, start: Int = 0, end: Int? = nil, step: Int = 1) throws(StrataError) -> Tensor {
        try ONNXTrace.op([self], emit: ONNXEmit.slice(axis: axis < 0 ? axis + rank : axis, start: start, end: end ?? Int(Int32.max), step: step)) { () throws(StrataError) in
            let axis = try Shape.normalizeAxis(axis, rank: rank, op: "slice")
            guard step > 0 else { throw .invalidArgument(op: "slice", message: "step must be ≥ 1, got \(step)") }
            let size = shape[axis]
            func clip(_ value: Int) -> Int { Swift.min(Swift.max(value < 0 ? value + size : value, 0), size) }
            let first = clip(start), last = Swift.max(clip(end ?? size), first)
            var newShape = shape, newStrides = strides
            newShape[axis] = (last - first + step - 1) / step
            newStrides[axis] = strides[axis] * step
            let result = Tensor(storage: storage, shape: newShape, strides: newStrides,
                                offset: offset + first * strides[axis], dtype: dtype)
            let inputShape = shape
            return record(result, "slice", inputs: [self], saves: .nothing) { grad in
                let full = Tensor(zerosShape: inputShape)
                let target = Tensor(storage: full.storage, shape: newShape,
                                    strides: Shape.contiguousStrides(inputShape).enumerated().map { $0.offset == axis ? $0.element * step : $0.element },
                                    offset: first * Shape.contiguousStrides(inputShape)[axis])
                Kernels.copy(grad, into: target)
                return [full]
            }
        }
    }
}

extension Kernels {
    /// Writes the elements of `source` into the (strided) view `target` of the same shape.
    static func copy(_ source: Tensor, into target: Tensor) {
        source.withBytes { from in
            target.withMutableBytes { to in
                StridedCopy.copy(shape: source.shape, sourceStrides: source.strides, targetStrides: target.strides,
                                 elementSize: source.dtype.size, from: from, to: to)
            }
        }
    }
}
