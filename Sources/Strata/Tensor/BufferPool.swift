import Foundation

/// Reuses large tensor buffers instead of returning them to the system.
///
/// A freshly mapped buffer costs a page fault per 4 KiB on first touch: for a
/// 16×64×56×56 activation (12.8 MB) that is ~2.5 ms, more than a fast reorder of it.
/// Training and inference loops allocate the same sizes step after step, so buffers of
/// 1 MiB and more are kept (by size, rounded up to 64 KiB) and handed out again; at most
/// `capacity` bytes are held, beyond that freed buffers go back to the system.
enum BufferPool {
    static let minimumPooledBytes = 1 << 20
    static let granularity = 1 << 16
    static let capacity = 1 << 30
    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) private static var heldBytes = 0

    /// The size a request of `byteCount` bytes is served with.
    private static func bucket(_ byteCount: Int) -> Int {
        (Swift.max(byteCount, 64) + granularity - 1) / granularity * granularity
    }

    /// A 64-byte-aligned buffer of at least `byteCount` bytes (contents undefined).
    static func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= minimumPooledBytes else {
            return UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 64), alignment: 64)
        }
        let size = bucket(byteCount)
        if let reused = lock.withLock({ () -> UnsafeMutableRawPointer? in
            guard let pointer = free[size]?.popLast() else { return nil }
            heldBytes -= size
            return pointer
        }) {
            return reused
        }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Gives back a buffer from `allocate(byteCount)`.
    static func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= minimumPooledBytes else {
            pointer.deallocate()
            return
        }
        let size = bucket(byteCount)
        let kept = lock.withLock { () -> Bool in
            guard heldBytes + size <= capacity else { return false }
            free[size, default: []].append(pointer)
            heldBytes += size
            return true
        }
        if !kept { pointer.deallocate() }
    }
}
