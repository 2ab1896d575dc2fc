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
        forecastOption("--inputs") { ($0.inputs ?? []).joined(separator: ",") },
        forecastOption("--frame") { "\($0.frame)" },
        forecastOption("--step") { "\($0.step)" },
        forecastOption("--horizon") { "\($0.horizon)" },
        forecastOption("--target") { $0.target },
        forecastOption("--threshold") { "\($0.threshold)" },
        forecastOption("--season") { $0.season.map { "\($0)" } ?? "(not given)" },
    ]

    /// A framing option of `forecast:` data; other data do not use it.
    private static func forecastOption(_ option: String, _ value: @escaping @Sendable (LoadedData.ForecastOptions) -> String)
        -> (option: String, value: @Sendable (TrainingRecipe) -> String) {
        (option, { $0.kind == .forecast ? value($0.forecast) : "-" })
    }

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
        func refuse(_ option: String, _ value: String, _ runValue: String) -> StrataError {
            .invalidArgument(op: "train", message: "--resume: \(option) \(value) differs from the run's \(runValue) "
                             + "(\(output)/run.json); resume with the options the run was trained with")
        }
        for (option, value) in Self.resumeBound where value(given) != value(trained) {
            throw refuse(option, value(given), value(trained))
        }
        let normalization = normalization ?? defaultNormalization
        if normalization != description.normalizer.kind {
            throw refuse("--normalize", normalization.rawValue, description.normalizer.kind.rawValue)
        }
    }
}
