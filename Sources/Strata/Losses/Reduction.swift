/// How a loss combines its per-element values.
public enum Reduction: String, Sendable, CaseIterable {
    /// The mean over elements (PyTorch's default).
    case mean
    /// The sum over elements.
    case sum
    /// No reduction: one loss per element.
    case none

    /// Applies the reduction to per-element losses.
    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .none: return losses
        }
    }
}
