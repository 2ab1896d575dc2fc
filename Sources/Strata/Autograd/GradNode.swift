/// What an operation's backward reads besides the incoming gradient. Only these may not
/// change in place before backward runs (as in PyTorch, `y = x + 1` leaves `x` free to
/// change, `y = x.exp()` does not leave `y`).
struct SavedForBackward: OptionSet {
    let rawValue: Int
    static let inputs = SavedForBackward(rawValue: 1)
    static let output = SavedForBackward(rawValue: 2)
    static let nothing: SavedForBackward = []
    static let inputsAndOutput: SavedForBackward = [.inputs, .output]
}

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
    /// The storage versions, when the operation ran, of what its backward reads (operands
    /// and/or output, see `SavedForBackward`): none of those may change before it runs.
    private var inputVersions: [Int]
    private weak var outputStorage: TensorStorage?
    private let outputVersion: Int

    init(name: String, inputs: [Tensor], output: Tensor, saves: SavedForBackward, backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backwardFunction = backward
        inputVersions = saves.contains(.inputs) ? inputs.map(\.storage.version) : []
        outputStorage = saves.contains(.output) ? output.storage : nil
        outputVersion = output.storage.version
    }

    /// Whether `release()` already freed the saved values.
    var isReleased: Bool { backwardFunction == nil }

    /// The gradients of the operands for `outputGradient`.
    /// - Throws: `StrataError.modifiedInPlace` when an operand or the output was modified
    ///   in place after the operation ran (the gradient would silently be wrong).
    func gradients(for outputGradient: Tensor) throws(StrataError) -> [Tensor?] {
        for (index, (input, version)) in zip(inputs, inputVersions).enumerated() where input.storage.version != version {
            throw .modifiedInPlace(op: name, tensor: "operand \(index + 1) of \(inputs.count), shape \(Shape.describe(input.shape))",
                                   savedVersion: version, currentVersion: input.storage.version)
        }
        if let outputStorage, outputStorage.version != outputVersion {
            throw .modifiedInPlace(op: name, tensor: "its output", savedVersion: outputVersion, currentVersion: outputStorage.version)
        }
        return backwardFunction?(outputGradient) ?? []
    }

    /// Frees the saved tensors once the graph has been used (as PyTorch does without
    /// `retain_graph`), so activations do not outlive the backward pass.
    func release() {
        backwardFunction = nil
        inputs = []
        inputVersions = []
    }
}

extension Tensor {
    /// Attaches history to `result` when gradients are being recorded and any input
    /// requires them; returns `result` either way.
    @discardableResult
    func record(_ result: Tensor, _ name: String, inputs: [Tensor], saves: SavedForBackward = .inputsAndOutput,
                backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        Tensor.record(result, name, inputs: inputs, saves: saves, backward: backward)
    }

    @discardableResult
    static func record(_ result: Tensor, _ name: String, inputs: [Tensor], saves: SavedForBackward = .inputsAndOutput,
                       backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return result }
        result.requiresGrad = true
        result.gradFn = GradNode(name: name, inputs: inputs, output: result, saves: saves, backward: backward)
        return result
    }
}
