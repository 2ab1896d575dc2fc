import Foundation

/// The outputs of chosen layers of a network, recorded while it runs (PyTorch's forward
/// hooks): `model.forward(x, capturing: ["features.7.conv.2"])`. Nothing is copied — the
/// recorded tensors are the ones the network computed, still part of its autograd graph
/// (with `retainingGradients`, `backward` also leaves their gradients in `grad`, which
/// Grad-CAM reads). Outside a capture the only cost is one task-local read per layer call.
final class LayerCapture: @unchecked Sendable {
    @TaskLocal static var current: LayerCapture?

    private let watched: [ObjectIdentifier: String]
    private let retainingGradients: Bool
    private let lock = NSLock()
    private(set) var outputs: [String: Tensor] = [:]
    /// The watched layers in the order their calls returned (inner layers before the
    /// containers that called them).
    private(set) var completionOrder: [String] = []

    init(watched: [ObjectIdentifier: String], retainingGradients: Bool) {
        self.watched = watched
        self.retainingGradients = retainingGradients
    }

    /// Keeps `output` when `module` is watched (a layer called twice keeps its last output).
    func record(_ module: Module, _ output: Tensor) {
        guard let name = watched[ObjectIdentifier(module)] else { return }
        if retainingGradients { output.retainGrad() }
        lock.withLock {
            outputs[name] = output
            completionOrder.append(name)
        }
    }
}

extension Module {
    /// The layer at a state-dict path (`features.7.conv.2`, `layer4.1`).
    ///
    /// - Throws: `StrataError.invalidArgument` naming the path, the nearest existing names
    ///   and where to find them all (`strata summary`).
    public func submodule(at path: String) throws(StrataError) -> Module {
        let modules = namedModules().filter { !$0.0.isEmpty }
        if let match = modules.first(where: { $0.0 == path }) { return match.1 }
        let nearest = modules.map(\.0).sorted { EditDistance.between(path, $0) < EditDistance.between(path, $1) }.prefix(5)
        throw .invalidArgument(op: "layer", message: "the network has no layer '\(path)'; nearest: \(nearest.joined(separator: ", ")) (strata summary lists them all)")
    }

    /// Runs the network on `input` and returns its output with the outputs of the layers
    /// at `paths` (shapes as the layers give them, batch axis included).
    ///
    /// - Parameter retainingGradients: keep the captured outputs' gradients on `backward`.
    /// - Throws: what `submodule(at:)` throws for an unknown path; what the forward pass throws.
    public func forward(_ input: Tensor, capturing paths: [String], retainingGradients: Bool = false) throws(StrataError) -> (output: Tensor, captured: [String: Tensor]) {
        var watched: [ObjectIdentifier: String] = [:]
        for path in paths { watched[ObjectIdentifier(try submodule(at: path))] = path }
        let (output, capture) = try forward(input, watching: watched, retainingGradients: retainingGradients)
        for path in paths where capture.outputs[path] == nil {
            throw .invalidArgument(op: "layer", message: "layer '\(path)' did not run in the forward pass (it belongs to a part the network skips, such as an auxiliary classifier in evaluation)")
        }
        return (output, capture.outputs)
    }

    /// Runs the network on `input` while `capture` records the `watched` layers' outputs.
    func forward(_ input: Tensor, watching watched: [ObjectIdentifier: String],
                 retainingGradients: Bool = false) throws(StrataError) -> (Tensor, LayerCapture) {
        let capture = LayerCapture(watched: watched, retainingGradients: retainingGradients)
        let result: Result<Tensor, StrataError> = LayerCapture.$current.withValue(capture) {
            Result { () throws(StrataError) in try self(input) }
        }
        return (try result.get(), capture)
    }
}
