extension Tensor {
    /// The elements of a float tensor in row-major order.
    public func toArray() -> [Float] {
        if dtype == .int64 { return toLabels().map { Float($0) } }
        return withDenseFloats { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// The elements of an int64 tensor in row-major order (float tensors are truncated).
    public func toLabels() -> [Int] {
        if dtype == .float32 { return toArray().map { Int($0) } }
        return withDenseInt64s { source in (0..<count).map { Int(source[$0]) } }
    }

    /// The value of a one-element tensor.
    ///
    /// - Throws: `StrataError.shapeMismatch` when the tensor has more than one element.
    public func item() throws(StrataError) -> Float {
        guard count == 1 else {
            throw .shapeMismatch(op: "item", message: "needs a tensor with one element, got shape \(Shape.describe(shape))")
        }
        return toArray()[0]
    }

    /// This tensor as float32 (class indices become their float values).
    public func toFloat() -> Tensor {
        if dtype == .float32 { return self }
        let result = Tensor(uninitializedShape: shape)
        withDenseInt64s { source in result.withMutableFloats { target in for i in 0..<count { target[i] = Float(source[i]) } } }
        return result
    }

    /// This tensor as int64, truncating toward zero.
    public func toInt64() -> Tensor {
        if dtype == .int64 { return self }
        let result = Tensor(uninitializedShape: shape, dtype: .int64)
        withDenseFloats { source in result.withMutableInt64s { target in for i in 0..<count { target[i] = Int64(source[i]) } } }
        return result
    }
}
