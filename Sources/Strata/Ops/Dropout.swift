/// Inverted dropout: in training each element is zeroed with probability `p` and the
/// survivors are scaled by `1/(1 − p)`, so evaluation (`training: false`) is the identity.
/// The mask comes from `generator` (or the default generator, see `Random.seed`), so a
/// seed fixes which units drop.
///
/// - Throws: `StrataError.invalidArgument` when `p` is outside `[0, 1]`.
public func dropout(_ input: Tensor, p: Float, training: Bool,
                    generator: inout RandomGenerator) throws(StrataError) -> Tensor {
    try dropoutChecks(input, p: p)
    guard training, p > 0 else { return input }
    let mask = Tensor.filled(input.shape) { generator.nextUniform() < p ? 0 : 1 / (1 - p) }
    return try input * mask
}

/// Dropout with the default generator.
public func dropout(_ input: Tensor, p: Float, training: Bool) throws(StrataError) -> Tensor {
    try dropoutChecks(input, p: p)
    guard training, p > 0 else { return input }
    let mask = Random.withDefault { generator in
        Tensor.filled(input.shape) { generator.nextUniform() < p ? 0 : 1 / (1 - p) }
    }
    return try input * mask
}

private func dropoutChecks(_ input: Tensor, p: Float) throws(StrataError) {
    guard p >= 0 && p <= 1 else {
        throw .invalidArgument(op: "dropout", message: "p must be in [0, 1], got \(p)")
    }
    guard input.dtype == .float32 else { throw .dtypeMismatch(op: "dropout", expected: .float32, got: input.dtype) }
}
