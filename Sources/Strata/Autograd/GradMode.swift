/// Whether operations record themselves for `backward()` on the current task or thread.
public enum GradMode {
    /// `true` unless inside `withoutGradients { }`.
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording operations for autodiff (like `torch.no_grad()`):
/// results have no history and `requiresGrad == false`. Use it for evaluation and for
/// in-place parameter updates.
public func withoutGradients<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    let result: Result<T, E> = GradMode.$isEnabled.withValue(false) { Result { () throws(E) in try body() } }
    return try result.get()
}
