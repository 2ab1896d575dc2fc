import Foundation

/// Saving and restoring an optimizer's memory (momentum buffers, moments, step counts),
/// PyTorch's `optimizer.state_dict()` / `load_state_dict()`. Parameters are identified by
/// their position in the groups, so the state loads into an optimizer built the same way.
extension Optimizer {
    /// The parameters in group order (the positions state refers to).
    var orderedParameters: [Tensor] { groups.flatMap(\.parameters) }

    /// Each parameter's buffers as `"<parameter>.<buffer>"`, and its step count (−1 for a
    /// parameter not updated yet).
    public func stateTensors() -> (tensors: [(String, Tensor)], steps: [Int]) {
        var tensors: [(String, Tensor)] = [], steps: [Int] = []
        for (index, parameter) in orderedParameters.enumerated() {
            guard let state = parameterStates[ObjectIdentifier(parameter)] else {
                steps.append(-1)
                continue
            }
            steps.append(state.step)
            for (buffer, tensor) in state.buffers.enumerated() { tensors.append(("\(index).\(buffer)", tensor)) }
        }
        return (tensors, steps)
    }

    /// Restores what `stateTensors` gave (by position).
    ///
    /// - Throws: `StrataError.invalidArgument` when the counts or shapes do not match this
    ///   optimizer's parameters.
    public func restoreState(tensors: [String: Tensor], steps: [Int]) throws(StrataError) {
        let parameters = orderedParameters
        guard steps.count == parameters.count else {
            throw .invalidArgument(op: "optimizer state", message: "the state has \(steps.count) parameters, this optimizer \(parameters.count)")
        }
        var restored: [ObjectIdentifier: ParameterState] = [:]
        for (index, parameter) in parameters.enumerated() where steps[index] >= 0 {
            var buffers: [Tensor] = []
            for buffer in 0..<bufferCount {
                guard let tensor = tensors["\(index).\(buffer)"], tensor.shape == parameter.shape else {
                    throw .invalidArgument(op: "optimizer state", message: "buffer \(index).\(buffer) is missing or is not \(Shape.describe(parameter.shape)) like parameter \(index)")
                }
                buffers.append(tensor.copyToContiguous())
            }
            restored[ObjectIdentifier(parameter)] = ParameterState(step: steps[index], buffers: buffers)
        }
        parameterStates = restored
    }

    /// Writes the state to a safetensors file (steps and learning rates as metadata).
    public func saveState(to path: String) throws(StrataError) {
        let (tensors, steps) = stateTensors()
        try Safetensors.write(tensors, metadata: ["steps": steps.map(String.init).joined(separator: ","),
                                                  "learning_rates": groups.map { String($0.learningRate) }.joined(separator: ",")],
                              to: path)
    }

    /// Reads a state written by `saveState` (learning rates included).
    public func loadState(from path: String) throws(StrataError) {
        let (tensors, metadata) = try Safetensors.readWithMetadata(contentsOf: path)
        let steps = (metadata["steps"] ?? "").split(separator: ",").compactMap { Int($0) }
        try restoreState(tensors: tensors, steps: steps)
        let rates = (metadata["learning_rates"] ?? "").split(separator: ",").compactMap { Float($0) }
        if rates.count == groups.count { for i in groups.indices { groups[i].learningRate = rates[i] } }
    }
}
