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
        let (optimizerTensors, steps) = optimizer.stateTensors()
        let tensors = model.stateDict().map { ("model.\($0.0)", $0.1) } + optimizerTensors.map { ("optimizer.\($0.0)", $0.1) }
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

    /// The epoch and training history stored in a checkpoint (nothing else is read into a model).
    ///
    /// - Throws: `StrataError.corruptFile` when the file is not a Strata checkpoint.
    public static func history(at path: String) throws(StrataError) -> (epoch: Int, history: TrainingHistory) {
        let (_, metadataText) = try Safetensors.readWithMetadata(contentsOf: path)
        guard let text = metadataText[metadataKey],
              let metadata = try? JSONDecoder().decode(Metadata.self, from: Data(text.utf8)) else {
            throw .corruptFile(path: path, offset: 8, message: "not a Strata training checkpoint (no \(metadataKey) metadata)")
        }
        return (metadata.epoch, metadata.history)
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
        var optimizerTensors: [String: Tensor] = [:]
        for (name, tensor) in tensors where name.hasPrefix("optimizer.") { optimizerTensors[String(name.dropFirst(10))] = tensor }
        do {
            try optimizer.restoreState(tensors: optimizerTensors, steps: metadata.optimizerSteps)
        } catch {
            throw .corruptFile(path: path, offset: 8, message: "the checkpoint does not fit this optimizer: \(error.message)")
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
}
