import Dispatch
import Foundation

/// Splitting loops over the machine's cores.
enum Parallel {
    /// Number of cores used by parallel loops of the fast backend.
    static let coreCount = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body` over `0..<count` split into at most `threads` contiguous chunks, each
    /// at least `minimumChunk` long; returns when every chunk is done. With one thread
    /// (or a small `count`) `body` runs once, inline, over the whole range.
    static func forEachChunk(_ count: Int, threads: Int, minimumChunk: Int = 1,
                             _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = Swift.min(threads, Swift.max(1, count / Swift.max(minimumChunk, 1)))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let task = ChunkedTask(body: body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = count * chunk / chunks
                let end = count * (chunk + 1) / chunks
                task.body(start..<end)
            }
        }
    }

    /// Boxes a non-Sendable closure for `concurrentPerform`: each chunk touches a
    /// disjoint range, which is the caller's contract.
    private final class ChunkedTask: @unchecked Sendable {
        let body: (Range<Int>) -> Void
        init(body: @escaping (Range<Int>) -> Void) { self.body = body }
    }
}
