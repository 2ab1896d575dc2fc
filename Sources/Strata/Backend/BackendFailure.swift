import Foundation

/// A failed call of the compute library (oneDNN) inside a kernel that cannot throw — a
/// reorder while a tensor's elements are read, an activation, a part of a weight gradient
/// on another thread. The first failure is kept and the kernel's result is unusable; the
/// next operation that can throw (every convolution, pooling, normalisation, matrix
/// product, softmax, module call and backward step) throws it as
/// `StrataError.backendFailure`, the way CUDA reports an error at the next synchronisation.
/// The process never stops on one.
enum BackendFailure {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pending: StrataError?

    /// Keeps `error` unless an earlier failure is still pending.
    static func record(_ error: StrataError) {
        lock.withLock { if pending == nil { pending = error } }
    }

    /// Throws (and clears) the pending failure, if any.
    static func check() throws(StrataError) {
        if let error = lock.withLock({ () -> StrataError? in
            defer { pending = nil }
            return pending
        }) {
            throw error
        }
    }
}
