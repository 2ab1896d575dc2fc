/// An n-dimensional array of `Float` (or `Int64` for labels) with reverse-mode autodiff.
///
/// Layout follows PyTorch: row-major shapes such as `N×C×H×W` for images and `N×C×L` for
/// sequences. A tensor has reference semantics: views made by `reshape`, `permute`,
/// `slice` or `expand` share storage with their base. Operations that build on tensors
/// with `requiresGrad` record how to differentiate themselves, and `backward()` replays
/// that record in reverse (see `Autograd/`).
public final class Tensor: @unchecked Sendable {
    /// Size of each axis.
    public let shape: [Int]
    /// Elements to skip in storage to move one step along each axis.
    public let strides: [Int]
    /// Element type.
    public let dtype: DType
    let storage: TensorStorage
    /// Offset of element `[0, 0, …]` in `storage`, in elements.
    let offset: Int

    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs);
    /// results of operations get it from their operands.
    public var requiresGrad: Bool
    /// The accumulated gradient of the last `backward()` for a leaf with `requiresGrad`.
    public var grad: Tensor?
    /// The recorded operation that produced this tensor, `nil` for leaves.
    var gradFn: GradNode?
    /// An activation a fused convolution already applied to these elements, and the storage
    /// version then: that activation (or one it absorbs, `Activation.absorbs`) on them returns
    /// them as they are.
    var appliedActivation: (activation: Activation, version: Int)?

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int = 0, dtype: DType = .float32) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.requiresGrad = false
    }

    /// A new contiguous tensor with uninitialised elements.
    convenience init(uninitializedShape shape: [Int], dtype: DType = .float32) {
        let storage = TensorStorage(byteCount: Shape.count(shape) * dtype.size)
        self.init(storage: storage, shape: shape, strides: Shape.contiguousStrides(shape), dtype: dtype)
    }

    /// A new contiguous tensor filled with zeros.
    convenience init(zerosShape shape: [Int], dtype: DType = .float32) {
        let storage = TensorStorage(zeroedBytes: Shape.count(shape) * dtype.size)
        self.init(storage: storage, shape: shape, strides: Shape.contiguousStrides(shape), dtype: dtype)
    }

    /// Number of axes.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { Shape.count(shape) }
    /// Whether this tensor is the result of a recorded operation rather than a leaf.
    public var isLeaf: Bool { gradFn == nil }

    /// Whether the elements lie in storage in row-major order without gaps.
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The backend-layout data behind this tensor when it covers its whole storage in
    /// row-major order (so the two describe the same elements), else `nil`.
    var opaqueData: OpaqueData? {
        guard offset == 0, count * dtype.size == storage.byteCount, isContiguous else { return nil }
        return storage.opaque
    }

    /// Calls `body` with a read-only pointer to element `[0, 0, …]` of a float tensor (a
    /// flat array only when contiguous). The pointer is valid while `body` runs — the
    /// storage cannot be freed before it returns — and must not escape it.
    func withFloats<R, E: Error>(_ body: (UnsafePointer<Float>) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(storage.floats + offset)
    }

    /// `withFloats` for writing: counts a modification of the storage (its `version`),
    /// so a backward pass that saved these elements refuses to use changed ones.
    func withMutableFloats<R, E: Error>(_ body: (UnsafeMutablePointer<Float>) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        storage.recordModification()
        return try body(storage.floats + offset)
    }

    /// `withFloats` for an int64 tensor.
    func withInt64s<R, E: Error>(_ body: (UnsafePointer<Int64>) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(storage.int64s + offset)
    }

    /// `withMutableFloats` for an int64 tensor.
    func withMutableInt64s<R, E: Error>(_ body: (UnsafeMutablePointer<Int64>) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        storage.recordModification()
        return try body(storage.int64s + offset)
    }

    /// Calls `body` with the elements in row-major order without gaps — this tensor's own
    /// when contiguous, else a copy that lives until `body` returns.
    func withDenseFloats<R, E: Error>(_ body: (UnsafePointer<Float>) throws(E) -> R) throws(E) -> R {
        try dense().withFloats(body)
    }

    /// `withDenseFloats` for an int64 tensor.
    func withDenseInt64s<R, E: Error>(_ body: (UnsafePointer<Int64>) throws(E) -> R) throws(E) -> R {
        try dense().withInt64s(body)
    }

    /// `withMutableFloats` for several tensors at once: `body` gets their pointers in order.
    static func withMutableFloats<R>(of tensors: ArraySlice<Tensor>, _ body: ([UnsafeMutablePointer<Float>]) -> R) -> R {
        guard let first = tensors.first else { return body([]) }
        return first.withMutableFloats { pointer in withMutableFloats(of: tensors.dropFirst()) { body([pointer] + $0) } }
    }

    /// The raw bytes from element `[0, 0, …]`, read-only, valid while `body` runs.
    func withBytes<R, E: Error>(_ body: (UnsafeRawPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(storage.pointer + offset * dtype.size)
    }

    /// `withBytes` for writing (counts a modification, as `withMutableFloats`).
    func withMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        storage.recordModification()
        return try body(storage.pointer + offset * dtype.size)
    }

    /// This tensor as a contiguous tensor: itself when already contiguous, otherwise a copy.
    /// Gradients pass through unchanged.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        return ONNXTrace.op([self], emit: ONNXEmit.plain("Identity")) {
            record(copyToContiguous(), "contiguous", inputs: [self], saves: .nothing) { grad in [grad] }
        }
    }

    /// The same elements without autograd history (shares storage).
    public func detach() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    /// Contiguous, history-free view of the data for kernels: no copy when already contiguous.
    func dense() -> Tensor {
        isContiguous ? self : copyToContiguous()
    }

    /// Copies the elements, in row-major order, into a new contiguous tensor (no history).
    func copyToContiguous() -> Tensor {
        let result = Tensor(uninitializedShape: shape, dtype: dtype)
        let elementSize = dtype.size
        let source = storage.pointer + offset * elementSize
        let target = result.storage.pointer
        if isContiguous {
            target.copyMemory(from: source, byteCount: count * elementSize)
            return result
        }
        StridedCopy.copy(shape: shape, strides: strides, elementSize: elementSize, from: source, to: target)
        return result
    }
}
