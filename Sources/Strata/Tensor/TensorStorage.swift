/// A 64-byte-aligned, reference-counted block of tensor elements. Several tensors (views)
/// may share one storage with different shapes, strides and offsets.
final class TensorStorage: @unchecked Sendable {
    /// Start of the buffer; aligned to 64 bytes (a cache line, an AVX-512 register).
    let pointer: UnsafeMutableRawPointer
    /// Size of the buffer in bytes.
    let byteCount: Int

    /// Allocates an uninitialised buffer of `byteCount` bytes.
    init(byteCount: Int) {
        self.byteCount = byteCount
        pointer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 64), alignment: 64)
    }

    /// Allocates a zero-filled buffer of `byteCount` bytes.
    convenience init(zeroedBytes byteCount: Int) {
        self.init(byteCount: byteCount)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit { pointer.deallocate() }

    var floats: UnsafeMutablePointer<Float> { pointer.assumingMemoryBound(to: Float.self) }
    var int64s: UnsafeMutablePointer<Int64> { pointer.assumingMemoryBound(to: Int64.self) }
}
