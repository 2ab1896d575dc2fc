/// RMSprop as `torch.optim.RMSprop`:
///
///     g = grad + wd·p
///     s = α·s + (1 − α)·g²
///     centered: a = α·a + (1 − α)·g, avg = sqrt(s − a²) + eps; else avg = sqrt(s) + eps
///     momentum > 0: buf = momentum·buf + g/avg, p = p − lr·buf; else p = p − lr·g/avg
public final class RMSprop: Optimizer {
    public var groups: [ParameterGroup]
    public let alpha: Float
    public let eps: Float
    public let momentum: Float
    public let centered: Bool
    public var parameterStates: [ObjectIdentifier: ParameterState] = [:]

    /// - Throws: `StrataError.invalidArgument` for α outside [0, 1], negative eps or momentum.
    public init(groups: [ParameterGroup], alpha: Float = 0.99, eps: Float = 1e-8, momentum: Float = 0,
                centered: Bool = false) throws(StrataError) {
        try Self.validate(groups, op: "RMSprop")
        guard alpha >= 0 && alpha <= 1 else { throw .invalidArgument(op: "RMSprop", message: "alpha must be in [0, 1], got \(alpha)") }
        guard eps >= 0 else { throw .invalidArgument(op: "RMSprop", message: "eps must be ≥ 0, got \(eps)") }
        guard momentum >= 0 else { throw .invalidArgument(op: "RMSprop", message: "momentum must be ≥ 0, got \(momentum)") }
        self.groups = groups
        self.alpha = alpha
        self.eps = eps
        self.momentum = momentum
        self.centered = centered
    }

    public convenience init(parameters: [Tensor], learningRate: Float = 1e-2, alpha: Float = 0.99, eps: Float = 1e-8,
                            weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false) throws(StrataError) {
        try self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      alpha: alpha, eps: eps, momentum: momentum, centered: centered)
    }

    public var bufferCount: Int { 3 }

    public func step() {
        update(.rmsprop(alpha: alpha, eps: eps, momentum: momentum, centered: centered))
    }
}
