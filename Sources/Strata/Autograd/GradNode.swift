/// One recorded operation in the autodiff graph: the operands it read and the closure
/// that maps the gradient of its output to gradients of those operands.
///
/// Closures must not capture the output tensor itself (that would be a reference cycle
/// output → node → closure → output); they capture detached values instead.
final class GradNode {
    /// Name of the operation, shown in errors.
    let name: String
    /// The operands, in the order the backward closure returns their gradients.
    private(set) var inputs: [Tensor]
    /// Maps d(loss)/d(output) to d(loss)/d(input) for each input (`nil` = no gradient).
    private var backwardFunction: ((Tensor) -> [Tensor?])?
    /// The output whose gradient `backward` stores in its `grad` (see `Tensor.retainGrad`);
    /// weak, as the output already owns this node.
    weak var retainedOutput: Tensor?

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backwardFunction = backward
    }

    /// Whether `release()` already freed the saved values.
    var isReleased: Bool { backwardFunction == nil }

    func gradients(for outputGradient: Tensor) -> [Tensor?] {
        backwardFunction?(outputGradient) ?? []
    }

    /// Frees the saved tensors once the graph has been used (as PyTorch does without
    /// `retain_graph`), so activations do not outlive the backward pass.
    func release() {
        backwardFunction = nil
        inputs = []
    }
}

extension Tensor {
    /// Attaches history to `result` when gradients are being recorded and any input
    /// requires them; returns `result` either way.
    @discardableResult
    func record(_ result: Tensor, _ name: String, inputs: [Tensor],
                backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        Tensor.record(result, name, inputs: inputs, backward: backward)
    }

    @discardableResult
    static func record(_ result: Tensor, _ name: String, inputs: [Tensor],
                       backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return result }
        result.requiresGrad = true
        result.gradFn = GradNode(name: name, inputs: inputs, backward: backward)
        return result
    }
}
