extension Tensor {
    /// A float tensor holding `values` in row-major order.
    ///
    /// - Throws: `StrataError.shapeMismatch` when `values.count` is not the product of `shape`.
    public convenience init(_ values: [Float], shape: [Int]) throws(StrataError) {
        try Shape.validate(shape, op: "Tensor")
        guard values.count == Shape.count(shape) else {
            throw .shapeMismatch(op: "Tensor", message: "\(values.count) values do not fill shape \(Shape.describe(shape)) (\(Shape.count(shape)) elements)")
        }
        self.init(uninitializedShape: shape)
        withMutableFloats { target in values.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: values.count) } }
    }

    /// A one-dimensional float tensor of `values`.
    public convenience init(_ values: [Float]) {
        self.init(uninitializedShape: [values.count])
        withMutableFloats { target in
            values.withUnsafeBufferPointer { buffer in
                if let base = buffer.baseAddress { target.update(from: base, count: values.count) }
            }
        }
    }

    /// A zero-dimensional (scalar) float tensor.
    public convenience init(scalar value: Float) {
        self.init(filledShape: [], value: value)
    }

    /// An int64 tensor of class indices or labels in row-major order.
    ///
    /// - Throws: `StrataError.shapeMismatch` when `labels.count` does not fill `shape`
    ///   (default: one axis of `labels.count`).
    public convenience init(labels: [Int], shape: [Int]? = nil) throws(StrataError) {
        let shape = shape ?? [labels.count]
        try Shape.validate(shape, op: "Tensor(labels:)")
        guard labels.count == Shape.count(shape) else {
            throw .shapeMismatch(op: "Tensor(labels:)", message: "\(labels.count) labels do not fill shape \(Shape.describe(shape))")
        }
        self.init(uninitializedShape: shape, dtype: .int64)
        withMutableInt64s { target in for (i, label) in labels.enumerated() { target[i] = Int64(label) } }
    }

    /// A contiguous float tensor with every element `value` (no validation; internal).
    convenience init(filledShape shape: [Int], value: Float) {
        self.init(uninitializedShape: shape)
        withMutableFloats { $0.update(repeating: value, count: count) }
    }

    /// Zeros of the given shape.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) throws(StrataError) -> Tensor {
        try Shape.validate(shape, op: "zeros")
        return Tensor(zerosShape: shape, dtype: dtype)
    }

    /// Ones of the given shape.
    public static func ones(_ shape: [Int]) throws(StrataError) -> Tensor {
        try full(shape, value: 1)
    }

    /// A tensor of the given shape with every element `value`.
    public static func full(_ shape: [Int], value: Float) throws(StrataError) -> Tensor {
        try Shape.validate(shape, op: "full")
        return Tensor(filledShape: shape, value: value)
    }

    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor {
        Tensor(zerosShape: other.shape, dtype: other.dtype)
    }

    /// Values `start, start + step, …` below `end` (like `torch.arange`).
    ///
    /// - Throws: `StrataError.invalidArgument` when `step` is 0 or points away from `end`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) throws(StrataError) -> Tensor {
        guard start.isFinite, end.isFinite, step.isFinite else {
            throw .invalidArgument(op: "arange", message: "start, end and step must be finite, got \(start), \(end), \(step)")
        }
        guard step != 0, (end - start) * step >= 0 else {
            throw .invalidArgument(op: "arange", message: "step \(step) never reaches end \(end) from start \(start)")
        }
        let steps = ((Double(end) - Double(start)) / Double(step)).rounded(.up)
        guard steps <= Double(Shape.maximumCount) else {
            throw .invalidArgument(op: "arange", message: "\(steps) values are too many")
        }
        let n = Swift.max(0, Int(steps))
        let result = Tensor(uninitializedShape: [n])
        result.withMutableFloats { target in for i in 0..<n { target[i] = start + Float(i) * step } }
        return result
    }

    /// Standard-normal draws (mean 0, std 1) from `generator` or the default generator.
    public static func randn(_ shape: [Int], generator: inout RandomGenerator) throws(StrataError) -> Tensor {
        try normal(shape, mean: 0, std: 1, generator: &generator)
    }

    /// Standard-normal draws from the default generator (see `Random.seed`).
    public static func randn(_ shape: [Int]) throws(StrataError) -> Tensor {
        try Shape.validate(shape, op: "randn")
        return Random.withDefault { generator in Tensor.filled(shape) { generator.nextNormal() } }
    }

    /// Normal draws with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float, std: Float,
                              generator: inout RandomGenerator) throws(StrataError) -> Tensor {
        try Shape.validate(shape, op: "normal")
        guard std >= 0 else { throw .invalidArgument(op: "normal", message: "std must be ≥ 0, got \(std)") }
        return filled(shape) { mean + std * generator.nextNormal() }
    }

    /// Uniform draws in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               generator: inout RandomGenerator) throws(StrataError) -> Tensor {
        try Shape.validate(shape, op: "uniform")
        guard low <= high else { throw .invalidArgument(op: "uniform", message: "low \(low) must be ≤ high \(high)") }
        return filled(shape) { low + (high - low) * generator.nextUniform() }
    }

    /// Uniform draws in [low, high) from the default generator.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1) throws(StrataError) -> Tensor {
        try Shape.validate(shape, op: "uniform")
        guard low <= high else { throw .invalidArgument(op: "uniform", message: "low \(low) must be ≤ high \(high)") }
        return Random.withDefault { generator in filled(shape) { low + (high - low) * generator.nextUniform() } }
    }

    /// Draws of 1 with probability `p` and 0 otherwise.
    public static func bernoulli(_ shape: [Int], p: Float, generator: inout RandomGenerator) throws(StrataError) -> Tensor {
        try Shape.validate(shape, op: "bernoulli")
        guard p >= 0 && p <= 1 else { throw .invalidArgument(op: "bernoulli", message: "p must be in [0, 1], got \(p)") }
        return filled(shape) { generator.nextUniform() < p ? 1 : 0 }
    }

    /// A contiguous tensor whose elements are produced in row-major order by `next`.
    static func filled(_ shape: [Int], _ next: () -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        result.withMutableFloats { pointer in for i in 0..<result.count { pointer[i] = next() } }
        return result
    }
}
