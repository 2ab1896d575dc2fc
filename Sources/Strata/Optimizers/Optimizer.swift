/// Parameters that share hyperparameters ("backbone small, head large").
public struct ParameterGroup {
    public var parameters: [Tensor]
    public var learningRate: Float
    public var weightDecay: Float

    public init(parameters: [Tensor], learningRate: Float, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

/// Updates parameters in place from their `grad`, following PyTorch's definitions exactly.
/// Parameters without a gradient are skipped (as PyTorch does).
public protocol Optimizer: AnyObject {
    /// The parameter groups, each with its own learning rate and weight decay.
    var groups: [ParameterGroup] { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// Running buffers and step counts per parameter (saved in checkpoints).
    var parameterStates: [ObjectIdentifier: ParameterState] { get set }
    /// Buffers each parameter's state holds.
    var bufferCount: Int { get }
}

extension Optimizer {
    /// Clears every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        for group in groups { for parameter in group.parameters { parameter.grad = nil } }
    }

    /// Sets every group's learning rate (used by schedules).
    public func setLearningRate(_ learningRate: Float) {
        for i in groups.indices { groups[i].learningRate = learningRate }
    }

    /// Checks hyperparameters shared by every optimizer.
    static func validate(_ groups: [ParameterGroup], op: String) throws(StrataError) {
        for group in groups {
            guard group.learningRate >= 0 else {
                throw .invalidArgument(op: op, message: "learning rate must be ≥ 0, got \(group.learningRate)")
            }
            guard group.weightDecay >= 0 else {
                throw .invalidArgument(op: op, message: "weight decay must be ≥ 0, got \(group.weightDecay)")
            }
            if let bad = group.parameters.first(where: { $0.dtype != .float32 || !$0.isContiguous }) {
                throw .invalidArgument(op: op, message: "parameters must be contiguous float32 tensors, got one of shape \(Shape.describe(bad.shape)) (\(bad.dtype))")
            }
        }
    }

    /// One step of `rule` on every parameter with a gradient, through the current backend,
    /// with that parameter's state (created with `bufferCount` zero buffers on its first
    /// update; its `step` counts completed updates).
    func update(_ rule: OptimizerRule) {
        for group in groups {
            for parameter in group.parameters {
                guard let gradient = parameter.grad else { continue }
                let key = ObjectIdentifier(parameter)
                let parameterState = parameterStates[key] ?? ParameterState(shape: parameter.shape, bufferCount: bufferCount)
                parameterStates[key] = parameterState
                Kernels.backend.optimizerUpdate(rule, parameter: parameter, gradient: gradient, buffers: parameterState.buffers,
                                                step: parameterState.step, learningRate: group.learningRate,
                                                weightDecay: group.weightDecay)
                parameterState.step += 1
            }
        }
    }
}

/// An optimizer's memory for one parameter: running buffers (momentum, moments) and the
/// number of updates done.
public final class ParameterState {
    public internal(set) var step = 0
    public let buffers: [Tensor]

    init(shape: [Int], bufferCount: Int) {
        buffers = (0..<bufferCount).map { _ in Tensor(zerosShape: shape) }
    }

    /// A state restored from a checkpoint.
    init(step: Int, buffers: [Tensor]) {
        self.step = step
        self.buffers = buffers
    }
}
