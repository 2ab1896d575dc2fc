import Foundation

extension TrainingRecipe {
    /// The options that decide a run's data, network and optimiser, by their CLI names: a
    /// resumed run must give the values its `run.json` holds. The others (`--epochs`, `--lr`,
    /// `--patience`, `--progress`, `--data-dir`, …) are not checked and may change.
    static let resumeBound: [(option: String, value: @Sendable (TrainingRecipe) -> String)] = [
        ("--data", { $0.data }),
        ("--column", { $0.forecast.column ?? "(not given)" }),
        ("--tokens", { $0.kind == .text ? $0.resolvedTokens.rawValue : "-" }),
        ("--model", { $0.resolvedModel }),
        ("--seed", { "\($0.seed)" }),
        ("--validation", { "\($0.resolvedValidationFraction)" }),
        ("--test-fraction", { "\($0.testFraction)" }),
        ("--ensemble", { "\($0.resolvedEnsemble)" }),
        ("--batch-size", { "\($0.resolvedBatchSize)" }),
        ("--optimizer", { $0.optimizer.rawValue }),
        ("--schedule", { $0.resolvedSchedule.rawValue }),
        ("--inputs", { $0.kind == .forecast ? ($0.forecast.inputs ?? []).joined(separator: ",") : "-" }),
        ("--frame", { $0.kind == .forecast ? "\($0.forecast.frame)" : "-" }),
        ("--step", { $0.kind == .forecast ? "\($0.forecast.step)" : "-" }),
        ("--horizon", { $0.kind == .forecast ? "\($0.forecast.horizon)" : "-" }),
        ("--target", { $0.kind == .forecast ? $0.forecast.target : "-" }),
        ("--threshold", { $0.kind == .forecast ? "\($0.forecast.threshold)" : "-" }),
        ("--season", { $0.kind == .forecast ? $0.forecast.season.map { "\($0)" } ?? "(not given)" : "-" }),
    ]

    /// Refuses `--resume` into a run folder whose `run.json` was written with other values of
    /// `resumeBound` or another normalisation, before anything in the folder is overwritten.
    /// Defaults that need no data are resolved on both sides (a run.json from before they
    /// were stored counts as the model and members `makeModel` builds); `--normalize` left
    /// out counts as `defaultNormalization`, the loaded data's; `--column` and `--season` are
    /// compared as written. A folder without `run.json` passes (the missing `last.ckpt` is
    /// reported later).
    ///
    /// - Throws: `StrataError.invalidArgument` naming the option, the value given, the run's
    ///   value and its run.json.
    func checkResumable(defaultNormalization: Normalization) throws(StrataError) {
        guard FileManager.default.fileExists(atPath: (output as NSString).appendingPathComponent("run.json")) else { return }
        let description = try RunDescription.read(directory: output)
        var trained = description.recipe.resolved
        trained.model = description.modelName
        trained.ensemble = description.memberCount
        let given = resolved
        var differences = Self.resumeBound.map { ($0.option, $0.value(given), $0.value(trained)) }.filter { $0.1 != $0.2 }
        let normalization = normalization ?? defaultNormalization
        if normalization != description.normalizer.kind {
            differences.append(("--normalize", normalization.rawValue, description.normalizer.kind.rawValue))
        }
        if let (option, value, runValue) = differences.first {
            throw .invalidArgument(op: "train", message: "--resume: \(option) \(value) differs from the run's \(runValue) "
                                   + "(\(output)/run.json); resume with the options the run was trained with")
        }
    }
}
