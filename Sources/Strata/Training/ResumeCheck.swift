import Foundation

extension TrainingRecipe {
    /// The options that decide a run's data, network and optimiser, by their CLI names: a
    /// resumed run must give the values its `run.json` holds. `--epochs`, `--patience`,
    /// `--progress`, `--tensorboard` and `--data-dir` may change between the two.
    static let resumeBound: [(option: String, value: @Sendable (TrainingRecipe) -> String)] = [
        ("--data", { $0.data }),
        ("--tokens", { $0.kind == .text ? $0.resolvedTokens.rawValue : "-" }),
        ("--model", { $0.resolvedModel }),
        ("--normalize", { $0.normalization?.rawValue ?? "the data's default" }),
        ("--seed", { "\($0.seed)" }),
        ("--validation", { "\($0.resolvedValidationFraction)" }),
        ("--test-fraction", { "\($0.testFraction)" }),
        ("--ensemble", { "\($0.resolvedEnsemble)" }),
        ("--batch-size", { "\($0.resolvedBatchSize)" }),
        ("--optimizer", { $0.optimizer.rawValue }),
        ("--schedule", { $0.resolvedSchedule.rawValue }),
        ("--column, --inputs, --frame, --step, --horizon, --target, --season", { $0.kind == .forecast ? "\($0.forecast)" : "-" }),
    ]

    /// Refuses `--resume` into a run folder whose `run.json` was written with other values of
    /// `resumeBound`, before anything in the folder is overwritten. Options left out on either
    /// side count as the data's default; a run.json from before defaults were stored counts
    /// as the model and members `makeModel` builds. A folder without `run.json` passes (the
    /// missing `last.ckpt` is reported later).
    ///
    /// - Throws: `StrataError.invalidArgument` naming the option, the value given and the
    ///   run's value.
    func checkResumable() throws(StrataError) {
        guard FileManager.default.fileExists(atPath: (output as NSString).appendingPathComponent("run.json")) else { return }
        let description = try RunDescription.read(directory: output)
        var trained = description.recipe.resolved
        trained.model = description.modelName
        trained.ensemble = description.memberCount
        let given = resolved
        for (option, value) in Self.resumeBound where value(given) != value(trained) {
            throw .invalidArgument(op: "train", message: "--resume: \(option) \(value(given)) differs from the run's \(value(trained)) "
                                   + "(\(output)/run.json); resume with the options the run was trained with")
        }
    }
}
