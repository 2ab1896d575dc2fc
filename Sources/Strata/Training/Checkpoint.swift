import Foundation

/// A training run frozen at the end of an epoch: the model's state dict, the optimizer's
/// buffers and step counts, the scheduler's progress, the default random generator, the
/// epoch and the history so far. Stored as one safetensors file (tensors under `model.`
/// and `optimizer.`, the rest as JSON metadata), written atomically.
public struct Checkpoint {
    public let epoch: Int
    public let history: TrainingHistory
    /// Epochs since the monitored value last improved (early stopping).
    public let epochsWithoutImprovement: Int

    private static let metadataKey = "strata_checkpoint"

    private struct Metadata: Codable {
        let epoch: Int
        let history: TrainingHistory
        let epochsWithoutImprovement: Int
        let optimizerSteps: [Int]
        let scheduler: [String: Double]?
        let random: [String]
    }

    /// Writes a checkpoint of the current state.
    static func save(to path: String, epoch: Int, history: TrainingHistory, epochsWithoutImprovement: Int,
                     model: Module, optimizer: any Optimizer, scheduler: LearningRateScheduler?) throws(StrataError) {
        var tensors = model.stateDict().map { ("model.\($0.0)", $0.1) }
        var steps: [Int] = []
        for (index, parameter) in optimizerParameters(optimizer).enumerated() {
            guard let state = optimizer.parameterStates[ObjectIdentifier(parameter)] else {
                steps.append(-1)
                continue
            }
            steps.append(state.step)
            for (buffer, tensor) in state.buffers.enumerated() { tensors.append(("optimizer.\(index).\(buffer)", tensor)) }
        }
        let metadata = Metadata(epoch: epoch, history: history, epochsWithoutImprovement: epochsWithoutImprovement,
                                optimizerSteps: steps, scheduler: scheduler?.state,
                                random: Random.state.snapshot.map { String($0, radix: 16) })
        let json: String
        do {
            json = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
        } catch {
            throw .io(path: path, message: "cannot encode the checkpoint's metadata: \(error)")
        }
        try Safetensors.write(tensors, metadata: [metadataKey: json], to: path)
    }

    /// Restores model, optimizer, scheduler and random generator from `path`.
    ///
    /// - Throws: `StrataError.corruptFile` when the file is not a Strata checkpoint or
    ///   does not fit the model and optimizer.
    static func restore(from path: String, model: Module, optimizer: any Optimizer,
                        scheduler: LearningRateScheduler?) throws(StrataError) -> Checkpoint {
        let (tensors, metadataText) = try Safetensors.readWithMetadata(contentsOf: path)
        guard let text = metadataText[metadataKey],
              let metadata = try? JSONDecoder().decode(Metadata.self, from: Data(text.utf8)) else {
            throw .corruptFile(path: path, offset: 8, message: "not a Strata training checkpoint (no \(metadataKey) metadata)")
        }
        var modelState: [String: Tensor] = [:]
        for (name, tensor) in tensors where name.hasPrefix("model.") { modelState[String(name.dropFirst(6))] = tensor }
        try model.loadStateDict(modelState)
        let parameters = optimizerParameters(optimizer)
        guard metadata.optimizerSteps.count == parameters.count else {
            throw .corruptFile(path: path, offset: 8, message: "the checkpoint's optimizer has \(metadata.optimizerSteps.count) parameters, this one \(parameters.count)")
        }
        optimizer.parameterStates = [:]
        for (index, parameter) in parameters.enumerated() where metadata.optimizerSteps[index] >= 0 {
            var buffers: [Tensor] = []
            for buffer in 0..<optimizer.bufferCount {
                guard let tensor = tensors["optimizer.\(index).\(buffer)"], tensor.shape == parameter.shape else {
                    throw .corruptFile(path: path, offset: 8, message: "optimizer buffer \(index).\(buffer) is missing or has the wrong shape")
                }
                buffers.append(tensor)
            }
            optimizer.parameterStates[ObjectIdentifier(parameter)] = ParameterState(step: metadata.optimizerSteps[index], buffers: buffers)
        }
        if let state = metadata.scheduler { scheduler?.restore(state) }
        let words = metadata.random.compactMap { UInt64($0, radix: 16) }
        guard let generator = RandomGenerator(snapshot: words) else {
            throw .corruptFile(path: path, offset: 8, message: "the random generator's state is malformed")
        }
        Random.state = generator
        return Checkpoint(epoch: metadata.epoch, history: metadata.history,
                          epochsWithoutImprovement: metadata.epochsWithoutImprovement)
    }

    private static func optimizerParameters(_ optimizer: any Optimizer) -> [Tensor] {
        optimizer.groups.flatMap(\.parameters)
    }
}
