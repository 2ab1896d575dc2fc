/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight
/// decay, as `torch.optim.SGD`:
///
///     g = grad + wd·p
///     buf = g (first step) or momentum·buf + (1 − dampening)·g
///     g = g + momentum·buf (Nesterov) or buf (momentum > 0)
///     p = p − lr·g
public final class SGD: Optimizer, MomentumCycling {
    public var groups: [ParameterGroup]
    public private(set) var momentum: Float
    public let dampening: Float
    public let nesterov: Bool
    public var parameterStates: [ObjectIdentifier: ParameterState] = [:]

    /// - Throws: `StrataError.invalidArgument` for negative hyperparameters or Nesterov
    ///   without momentum or with dampening.
    public init(groups: [ParameterGroup], momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false) throws(StrataError) {
        try Self.validate(groups, op: "SGD")
        guard momentum >= 0 else { throw .invalidArgument(op: "SGD", message: "momentum must be ≥ 0, got \(momentum)") }
        guard !nesterov || (momentum > 0 && dampening == 0) else {
            throw .invalidArgument(op: "SGD", message: "Nesterov momentum needs momentum > 0 and dampening 0")
        }
        self.groups = groups
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }

    public convenience init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                            nesterov: Bool = false, weightDecay: Float = 0) throws(StrataError) {
        try self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      momentum: momentum, dampening: dampening, nesterov: nesterov)
    }

    public func setCycledMomentum(_ value: Float) { momentum = value }

    public var bufferCount: Int { momentum > 0 ? 1 : 0 }

    public func step() {
        update(.sgd(momentum: momentum, dampening: dampening, nesterov: nesterov))
    }
}
