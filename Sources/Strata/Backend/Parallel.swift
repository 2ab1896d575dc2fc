import CDNNL
import Foundation

/// Splitting loops over the machine's cores, on OpenMP's threads: the same pool oneDNN's
/// primitives run on, so the two never compete for the cores (threads of a second pool
/// would wait for cores that OpenMP's threads spin on between regions).
enum Parallel {
    /// Number of cores used by parallel loops of the fast backend.
    static let coreCount = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body` over `0..<count` split into at most `threads` contiguous chunks, each
    /// at least `minimumChunk` long; returns when every chunk is done. With one thread
    /// (or a small `count`) `body` runs once, inline, over the whole range. The chunks
    /// depend on `count`, `threads` and `minimumChunk` only, never on which thread runs one.
    static func forEachChunk(_ count: Int, threads: Int, minimumChunk: Int = 1,
                             _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = Swift.min(threads, Swift.max(1, count / Swift.max(minimumChunk, 1)))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            var task = ChunkedTask(count: count, chunks: chunks, body: body)
            withUnsafeMutablePointer(to: &task) { pointer in
                ThreadSanitizer.release(pointer)
                defer { ThreadSanitizer.acquire(pointer) }
                GOMP_parallel({ raw in
                    ThreadSanitizer.acquire(raw)
                    defer { ThreadSanitizer.release(raw) }
                    let task = raw!.assumingMemoryBound(to: ChunkedTask.self).pointee
                    // a team smaller than asked for (a nested region) still covers every chunk
                    let (member, members) = (Int(omp_get_thread_num()), Int(omp_get_num_threads()))
                    for chunk in stride(from: member, to: task.chunks, by: Swift.max(members, 1)) {
                        task.body((task.count * chunk / task.chunks)..<(task.count * (chunk + 1) / task.chunks))
                    }
                }, pointer, UInt32(chunks), 0)
            }
        }
    }

    /// A loop handed to OpenMP's threads: each chunk touches a disjoint range, which is
    /// the caller's contract.
    private struct ChunkedTask {
        let count: Int
        let chunks: Int
        let body: (Range<Int>) -> Void
    }
}

/// ThreadSanitizer's annotations, found at run time (they exist only in a build with
/// `-sanitize=thread`): OpenMP's runtime is not instrumented, so the start of a parallel
/// region (everything before it happens before the team's work) and its end (the team's
/// work happens before what follows) are declared to the sanitizer.
private enum ThreadSanitizer {
    private typealias Annotation = @convention(c) (UnsafeRawPointer?) -> Void
    private static let acquireHook = lookup("__tsan_acquire")
    private static let releaseHook = lookup("__tsan_release")

    private static func lookup(_ name: String) -> Annotation? {
        dlsym(nil, name).map { unsafeBitCast($0, to: Annotation.self) }
    }

    static func acquire(_ address: UnsafeRawPointer?) { acquireHook?(address) }
    static func release(_ address: UnsafeRawPointer?) { releaseHook?(address) }
}
