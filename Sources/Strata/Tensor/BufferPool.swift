import Foundation

/// Reuses large tensor buffers instead of returning them to the system.
///
/// A freshly mapped buffer costs a page fault per 4 KiB on first touch: for a
/// 16×64×56×56 activation (12.8 MB) that is ~2.5 ms, more than a fast reorder of it.
/// Training and inference loops allocate the same sizes step after step, so buffers of
/// 128 KiB and more are kept (by size, rounded up to 64 KiB) and handed out again, also
/// for requests up to half their size. (Below that the C heap serves them; from 128 KiB
/// glibc maps them on their own or gives the heap's top back when they are freed, and a
/// small network's step then spends a third of its time in page faults: LeNet-5's
/// 0.1–0.8 MB activations ran at 19k samples/s with a 1 MiB threshold, 26–30k with this one.)
///
/// The pool stays bounded: at most `capacity` bytes are held, and every `sweepInterval`
/// pooled allocations the sizes nobody asked for since the previous sweep (a sequence
/// length or batch size no longer in use) go back to the system, and the C heap is
/// trimmed. `releaseAll` empties it.
enum BufferPool {
    static let minimumPooledBytes = 128 << 10
    static let granularity = 1 << 16
    static let capacity = 1 << 30
    static let sweepInterval = 1024
    private static let lock = NSLock()
    /// Free buffers by size, and the allocation count when each size was last wanted.
    nonisolated(unsafe) private static var free: [Int: (buffers: [UnsafeMutableRawPointer], lastUse: Int)] = [:]
    nonisolated(unsafe) private static var heldBytes = 0
    nonisolated(unsafe) private static var allocations = 0
    /// The size of each pooled buffer handed out (a reused one may be larger than asked).
    nonisolated(unsafe) private static var inUse: [UnsafeMutableRawPointer: Int] = [:]

    /// Bytes held for reuse now.
    static var held: Int { lock.withLock { heldBytes } }

    /// The size a request of `byteCount` bytes is served with.
    private static func bucket(_ byteCount: Int) -> Int {
        (Swift.max(byteCount, 64) + granularity - 1) / granularity * granularity
    }

    /// A 64-byte-aligned buffer of at least `byteCount` bytes (contents undefined): a held
    /// buffer of the same size, else the smallest held one up to twice the size (so a
    /// batch or sequence a little shorter than the last reuses its buffers), else a new one.
    static func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        guard byteCount >= minimumPooledBytes else {
            return UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 64), alignment: 64)
        }
        let wanted = bucket(byteCount)
        let (reused, stale) = lock.withLock { () -> (UnsafeMutableRawPointer?, [(UnsafeMutableRawPointer, Int)]?) in
            allocations += 1
            let stale = allocations % sweepInterval == 0 ? takeStale() : nil
            let size = free[wanted].map { $0.buffers.isEmpty } == false ? wanted
                : free.filter { $0.key > wanted && $0.key <= 2 * wanted && !$0.value.buffers.isEmpty }.keys.min() ?? wanted
            var entry = free[size] ?? ([], allocations)
            let pointer = entry.buffers.popLast()
            entry.lastUse = allocations
            free[size] = entry
            if let pointer {
                heldBytes -= size
                inUse[pointer] = size
            }
            return (pointer, stale)
        }
        if let stale {
            for (buffer, size) in stale { unmap(buffer, size) }
            trimHeap()
        }
        if let reused { return reused }
        let fresh = map(wanted)
        lock.withLock { inUse[fresh] = wanted }
        return fresh
    }

    /// Gives back a buffer from `allocate(byteCount)`.
    static func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= minimumPooledBytes else {
            pointer.deallocate()
            return
        }
        // the size to unmap when the pool is full, nil when kept
        let kept = lock.withLock { () -> Int? in
            let size = inUse.removeValue(forKey: pointer) ?? bucket(byteCount)
            guard heldBytes + size <= capacity else { return size }
            free[size, default: ([], allocations)].buffers.append(pointer)
            heldBytes += size
            return nil
        }
        if let size = kept { unmap(pointer, size) }
    }

    /// Returns every held buffer to the system (PyTorch's `empty_cache`).
    static func releaseAll() {
        let buffers = lock.withLock { () -> [(UnsafeMutableRawPointer, Int)] in
            let all = free.flatMap { size, entry in entry.buffers.map { ($0, size) } }
            free = [:]
            heldBytes = 0
            return all
        }
        for (buffer, size) in buffers { unmap(buffer, size) }
        trimHeap()
    }

    /// Removes the sizes not wanted during the last `sweepInterval` allocations (under the lock).
    private static func takeStale() -> [(UnsafeMutableRawPointer, Int)] {
        let cutoff = allocations - sweepInterval
        var stale: [(UnsafeMutableRawPointer, Int)] = []
        for (size, entry) in free where entry.lastUse <= cutoff {
            stale += entry.buffers.map { ($0, size) }
            heldBytes -= size * entry.buffers.count
            free[size] = nil
        }
        return stale
    }

    /// Pooled buffers are mapped pages of their own, outside the C heap: freeing one gives
    /// its memory back at once and cannot fragment the heap that small tensors use.
    /// When the system refuses, the pool's free buffers go back first and the mapping is
    /// tried again; operations check their working set against memory beforehand
    /// (`MemoryBudget`, a typed error), so a refusal after that is the system's last word.
    private static func map(_ size: Int) -> UnsafeMutableRawPointer {
        func attempt() -> UnsafeMutableRawPointer? {
            guard let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  pointer != MAP_FAILED else { return nil }
            return pointer
        }
        if let pointer = attempt() { return pointer }
        releaseAll()
        guard let pointer = attempt() else {
            fatalError("out of memory: could not map \(ByteCount.describe(size)) for a tensor")
        }
        return pointer
    }

    private static func unmap(_ pointer: UnsafeMutableRawPointer, _ size: Int) {
        munmap(pointer, size)
    }

    /// Asks the C allocator to hand free pages back to the system: after a sweep, the
    /// pages of freed buffers and of the small allocations of shapes no longer in use.
    private static func trimHeap() {
        #if os(Linux)
        _ = mallocTrim(0)
        #endif
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (in `<malloc.h>`, which Swift's Glibc module does not export):
/// returns free pages at the top of the heap and inside its arenas to the system.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
#endif

/// Returns the memory Strata keeps for reuse (large tensor buffers) to the system, as
/// PyTorch's `torch.cuda.empty_cache()` does for its caching allocator. Tensors in use are
/// untouched; later operations allocate afresh.
public func releaseCachedMemory() {
    BufferPool.releaseAll()
}
