import Foundation
import Synchronization

/// Elements a backend keeps in its own layout (e.g. oneDNN's channel-blocked `nChw16c`),
/// so a chain of its operations passes data on without converting it.
protocol OpaqueData: AnyObject, Sendable {
    /// Writes the elements in plain row-major order to `target`.
    func materialize(into target: UnsafeMutableRawPointer)
}

/// A 64-byte-aligned, reference-counted block of tensor elements. Several tensors (views)
/// may share one storage with different shapes, strides and offsets.
///
/// A storage may instead start out holding `opaque` data in a backend's layout; the
/// first access to `pointer` converts it to plain row-major elements and drops the opaque
/// form, so every plain reader and writer sees correct, current values.
final class TensorStorage: @unchecked Sendable {
    /// Size of the plain buffer in bytes.
    let byteCount: Int
    private var plain: UnsafeMutableRawPointer?
    /// The backend-layout data, until someone asks for plain elements.
    private(set) var opaque: OpaqueData?
    private let lock = NSLock()
    private let modifications = Atomic<Int>(0)

    /// How many times the elements were modified in place (PyTorch's version counter):
    /// autograd notes it when an operation saves a tensor and checks it in backward.
    var version: Int { modifications.load(ordering: .relaxed) }

    /// Counts one in-place modification (every writer through `withMutableFloats` & co.)
    /// and drops the kept copy, which no longer holds these elements.
    func recordModification() {
        modifications.add(1, ordering: .relaxed)
        lock.withLock { kept = nil }
    }

    /// A copy of the elements in another layout that a backend made to read them (oneDNN's
    /// blocked weights) and what it holds: kept so that the next read the same way (a layer's
    /// weight, call after call in inference) does not copy again, until the elements change.
    /// One per storage: a copy for another key replaces it.
    private var kept: (key: AnyHashable, copy: AnyObject)?

    /// The copy kept for `key`, else `make()`'s, kept in its place unless the elements
    /// changed while it was made.
    func keptCopy<Copy: AnyObject>(for key: AnyHashable, make: () -> Copy) -> Copy {
        let version = self.version
        if let kept = lock.withLock({ kept }), kept.key == key, let copy = kept.copy as? Copy { return copy }
        let copy = make()
        lock.withLock { if self.version == version { kept = (key, copy) } }
        return copy
    }

    /// Allocates an uninitialised buffer of `byteCount` bytes.
    init(byteCount: Int) {
        self.byteCount = byteCount
        plain = Self.allocate(byteCount)
    }

    /// A storage of `byteCount` plain bytes whose elements are, for now, `opaque`.
    init(opaque: OpaqueData, byteCount: Int) {
        self.byteCount = byteCount
        self.opaque = opaque
    }

    /// Allocates a zero-filled buffer of `byteCount` bytes.
    convenience init(zeroedBytes byteCount: Int) {
        self.init(byteCount: byteCount)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit {
        if let plain { BufferPool.release(plain, byteCount: byteCount) }
    }

    private static func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        BufferPool.allocate(byteCount)
    }

    /// Start of the plain row-major buffer (aligned to 64 bytes), converting opaque data
    /// first if there is any.
    var pointer: UnsafeMutableRawPointer {
        if let plain { return plain }
        return lock.withLock {
            if let plain { return plain }
            let buffer = Self.allocate(byteCount)
            opaque?.materialize(into: buffer)
            opaque = nil
            plain = buffer
            return buffer
        }
    }

    var floats: UnsafeMutablePointer<Float> { pointer.assumingMemoryBound(to: Float.self) }
    var int64s: UnsafeMutablePointer<Int64> { pointer.assumingMemoryBound(to: Int64.self) }
}
