/// Adam (Kingma & Ba) as `torch.optim.Adam`, and AdamW (decoupled weight decay,
/// Loshchilov & Hutter) as `torch.optim.AdamW`:
///
///     AdamW only: p = p·(1 − lr·wd)        Adam only: g = grad + wd·p
///     m = β1·m + (1 − β1)·g,  v = β2·v + (1 − β2)·g²
///     p = p − lr/(1 − β1ᵗ) · m / (sqrt(v)/sqrt(1 − β2ᵗ) + eps)   (AMSGrad: max of all v so far)
public final class Adam: Optimizer, MomentumCycling {
    public var groups: [ParameterGroup]
    public private(set) var beta1: Float
    public let beta2: Float
    public let eps: Float
    /// `true` for AdamW's decoupled weight decay.
    public let decoupledWeightDecay: Bool
    /// AMSGrad: divide by the running maximum of `v` instead of `v`.
    public let amsgrad: Bool
    public var parameterStates: [ObjectIdentifier: ParameterState] = [:]

    /// - Throws: `StrataError.invalidArgument` when a β is outside [0, 1) or eps < 0.
    public init(groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
                decoupledWeightDecay: Bool = false, amsgrad: Bool = false) throws(StrataError) {
        let op = decoupledWeightDecay ? "AdamW" : "Adam"
        try Self.validate(groups, op: op)
        for (name, beta) in [("beta1", beta1), ("beta2", beta2)] where !(beta >= 0 && beta < 1) {
            throw .invalidArgument(op: op, message: "\(name) must be in [0, 1), got \(beta)")
        }
        guard eps >= 0 else { throw .invalidArgument(op: op, message: "eps must be ≥ 0, got \(eps)") }
        self.groups = groups
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.decoupledWeightDecay = decoupledWeightDecay
        self.amsgrad = amsgrad
    }

    /// Adam with L2 weight decay added to the gradient (default lr 1e-3, wd 0).
    public convenience init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0) throws(StrataError) {
        try self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      beta1: beta1, beta2: beta2, eps: eps)
    }

    /// AdamW: decoupled weight decay (default lr 1e-3, wd 1e-2, as PyTorch).
    public static func adamW(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9,
                             beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 1e-2) throws(StrataError) -> Adam {
        try Adam(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)],
                 beta1: beta1, beta2: beta2, eps: eps, decoupledWeightDecay: true)
    }

    /// One-cycle scheduling moves β1 like SGD's momentum.
    public func setCycledMomentum(_ value: Float) { beta1 = value }

    public var bufferCount: Int { amsgrad ? 3 : 2 }

    public func step() {
        update(.adam(beta1: beta1, beta2: beta2, eps: eps, decoupledWeightDecay: decoupledWeightDecay, amsgrad: amsgrad))
    }
}
