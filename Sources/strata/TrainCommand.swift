import ArgumentParser
import Foundation
import Strata

/// `strata train`: trains a network on a data set and writes a run folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network and write a run folder (checkpoints, CSV log, SVG curves).",
        discussion: """
            With no options it trains Strata's small CNN on the 8×8 digits bundled with Strata \
            (stratified 80/20 train/test split). --data mnist --data-dir DIR trains on MNIST IDX \
            files. The run folder gets run.json, last.ckpt (model, optimizer, scheduler, \
            random state, epoch), best.ckpt (the same, of the best epoch on validation; none \
            with --validation 0), model.safetensors, log.csv, curves.svg and summary.txt; \
            --resume continues an interrupted run from last.ckpt, given the options it was \
            trained with (run.json holds them).
            """)

    @Option(help: "Data: \(LoadedData.names.joined(separator: ", ")) (ucr:, forecast:, csv:, npz: and text: read files; see --data-dir).")
    var data = "digits"

    @Option(name: .customLong("data-dir"), help: "Folder with the data set's files: MNIST-format IDX (plain or .gz) and ucr: sets; forecast:, csv:, npz: and text: files are looked for here first, then as given.")
    var dataDirectory: String?

    @Option(help: "Built-in model (\(Models.names.joined(separator: ", "))) or a model file (.json). Default: \(TrainingRecipe.defaultsHelp(\.model)).")
    var model: String?

    @Option(help: "Epochs. Default: \(TrainingRecipe.defaultsHelp(\.epochs)).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Samples per batch. Default: \(TrainingRecipe.defaultsHelp(\.batchSize)).")
    var batchSize: Int?

    @Option(help: "Optimizer: \(TrainingRecipe.OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer = TrainingRecipe.OptimizerKind.adam

    @Option(help: "Learning rate, the peak for onecycle (default 5e-3 with onecycle, 1e-3 otherwise).")
    var lr: Float?

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(name: .customLong("weight-decay"), help: "Weight decay (L2 for sgd/adam/rmsprop, decoupled for adamw).")
    var weightDecay: Float = 0

    @Option(help: "Learning-rate schedule: \(TrainingRecipe.Schedule.allCases.map(\.rawValue).joined(separator: ", ")). Default: \(TrainingRecipe.defaultsHelp(\.schedule.rawValue)).")
    var schedule: TrainingRecipe.Schedule?

    @Option(help: "Input normalisation: \(Normalization.allCases.map(\.rawValue).joined(separator: ", ")) (default for univariate ucr: sets: sample, or sample-level where the archive did not z-normalise the cases and 1-nearest-neighbour on their levels beats it on their shapes; none for forecast: and text:; standard otherwise).")
    var normalize: Normalization?

    @Option(name: [.customLong("column"), .customLong("target-column")],
            help: "The CSV column: what forecast: predicts (default: the last numeric one), the label for csv: and text: (default: the last).")
    var column: String?

    @Option(help: "text: what the ids stand for: \(Tokenizer.Level.allCases.map(\.rawValue).joined(separator: ", ")) (default: word).")
    var tokens: Tokenizer.Level?

    @Option(help: ArgumentHelp("forecast: further CSV columns as input channels after the target, in this order; \(SeriesFile.dayOfYear) adds the date's position in the year (sin, cos).", valueName: "COL,COL,…"))
    var inputs: String?

    @Option(help: "forecast: steps per season for the seasonal-naive baseline (default: from the dates — daily 7, weekly 52, monthly 12, quarterly 4).")
    var season: Int?

    @Option(help: "forecast: window length m.")
    var frame = 24

    @Option(help: "forecast: step s between window starts.")
    var step = 1

    @Option(help: "forecast: horizon k (values after the window for next-k, mean and trend).")
    var horizon = 1

    @Option(help: "forecast: what to predict: \(ForecastingData.targetNames.joined(separator: ", ")).")
    var target = "next"

    @Option(help: "forecast: trend threshold (in standard deviations of the series) below which the trend is flat.")
    var threshold: Float = 0

    @Option(help: "Seed for initialisation, splits, shuffling and dropout.")
    var seed: UInt64 = 0

    @Option(help: "Fraction of the training part held out for validation, 0 = none. Default: \(TrainingRecipe.defaultsHelp(\.validationFraction)); for forecast: the share of the series just before its test part (the last 15%), 0 = train up to the test part.")
    var validation: Double?

    @Option(name: .customLong("test-fraction"), help: "Fraction kept for testing of data without their own test part (digits, folder:, csv:, npz:, text: without a _test twin).")
    var testFraction = 0.2

    @Option(name: .customLong("label-smoothing"), help: "Label smoothing ε for the cross-entropy.")
    var labelSmoothing: Float = 0

    @Option(help: "On-the-fly training augmentation, e.g. hflip,crop:4,rotate:10 or jitter:0.03,scale:0.1,timewarp:0.2 (names: \(AugmentationSpecification.names.joined(separator: ", "))).")
    var augment: String?

    @Option(help: "Regression loss: \(RegressionLoss.allCases.map(\.rawValue).joined(separator: ", ")).")
    var loss: RegressionLoss?

    @Option(name: .customLong("clip-norm"), help: "Clip the gradients' norm to this value.")
    var clipNorm: Float?

    @Option(help: "Stop after this many epochs without validation-loss improvement.")
    var patience: Int?

    @Option(help: "Train this many networks from seeds seed, seed+1, … and answer as their ensemble (mean probabilities; mean forecasts), as InceptionTime does with 5. Default: \(TrainingRecipe.defaultsHelp(\.ensemble)) with the data's default model; 1 with a named --model.")
    var ensemble: Int?

    @Option(help: "Run folder.")
    var output = "runs/run"

    @Option(help: "Also write TensorBoard event files here (scalars, weight histograms, filters, sample images).")
    var tensorboard: String?

    @Option(help: "k-fold cross-validation on the training part (stratified for classes): prints mean ± std and writes no run folder.")
    var folds: Int?

    @Flag(help: "Continue the run in --output from its last.ckpt (with the options in its run.json).")
    var resume = false

    @Option(help: "Progress display: \(ProgressStyle.allCases.map(\.rawValue).joined(separator: ", ")).")
    var progress = ProgressStyle.automatic

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    @Flag(name: .customLong("sync-bn"), help: "In a data-parallel job, batch norm uses the statistics of all ranks' batches together (PyTorch's SyncBatchNorm); by default each rank's own.")
    var syncBatchNorm = false

    @Flag(help: "Train data-parallel and refuse to run alone: start it with mpirun -np N (a run under mpirun is data-parallel without it).")
    var distributed = false

    func run() throws {
        guard let job = Communicator.dataParallel else {
            if distributed {
                throw ValidationError("--distributed: this process was not started as part of a job; run it as mpirun -np N strata train … (README, \"Training on several processes\")")
            }
            return try train()
        }
        do {
            try train()
        } catch {
            // the other ranks wait in the next collective call: end them all
            FileHandle.standardError.write(Data("strata train, rank \(job.rank) of \(job.size): \(error)\n".utf8))
            job.abort(code: 1)
        }
    }

    private func train() throws {
        var recipe = TrainingRecipe()
        recipe.data = data
        recipe.dataDirectory = dataDirectory
        recipe.normalization = normalize
        recipe.tokens = tokens
        recipe.forecast.column = column
        recipe.forecast.inputs = inputs.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        recipe.forecast.season = season
        recipe.forecast.frame = frame
        recipe.forecast.step = step
        recipe.forecast.horizon = horizon
        recipe.forecast.target = target
        recipe.forecast.threshold = threshold
        recipe.model = model
        recipe.epochs = epochs
        recipe.batchSize = batchSize
        recipe.optimizer = optimizer
        recipe.learningRate = lr
        recipe.momentum = momentum
        recipe.weightDecay = weightDecay
        recipe.schedule = schedule
        recipe.seed = seed
        recipe.validationFraction = validation
        recipe.testFraction = testFraction
        recipe.labelSmoothing = labelSmoothing
        recipe.regressionLoss = loss
        recipe.augment = augment
        recipe.clipNorm = clipNorm
        recipe.patience = patience
        recipe.ensemble = ensemble
        recipe.synchronizeBatchNorm = syncBatchNorm ? true : nil
        recipe.output = output
        recipe.tensorboard = tensorboard
        recipe.progress = json && progress == .automatic ? .silent : progress
        if let folds {
            let result = try recipe.crossValidate(folds: folds)
            if json {
                JSONOutput.print(["folds": folds, "scores": result.scores, "mean": result.mean, "std": result.standardDeviation,
                                  "metric": result.metricName])
            } else {
                for (index, score) in result.scores.enumerated() { print(String(format: "fold %d: %@ %.4f", index + 1, result.metricName, score)) }
                print(String(format: "%d-fold cross-validation: %@ %.4f ± %.4f", folds, result.metricName, result.mean, result.standardDeviation))
            }
            return
        }
        let outcome = try recipe.run(resume: resume)
        // in a data-parallel job rank 0 reports for all
        guard Communicator.dataParallel?.isRoot ?? true else { return }
        let classification = outcome.test.classification
        if json {
            var object: [String: Any] = ["epochs": outcome.history.epochs.count, "best_epoch": outcome.history.bestEpoch ?? 0,
                                         "seconds": outcome.seconds, "run_dir": outcome.runDirectory,
                                         "parameters": outcome.parameters]
            for (name, value) in outcome.figures { object[name] = value }
            if let classification { object["top_k_accuracy"] = classification.topKAccuracy }
            if !outcome.members.isEmpty { object["members"] = outcome.members }
            JSONOutput.print(object)
            return
        }
        if let stopped = outcome.history.stoppedEarly { print("Stopped early: \(stopped)") }
        for (index, figures) in outcome.members.enumerated() {
            let score = figures["test_accuracy"].map { String(format: "test accuracy %.4f", $0) }
                ?? String(format: "test MAE %.4g", figures["test_mae"] ?? .nan)
            print(String(format: "Member %d: %@   test loss %.4f", index + 1, score, figures["test_loss"] ?? .nan))
        }
        guard classification != nil else {
            print(String(format: "Best epoch %d, %.1f s", outcome.history.bestEpoch ?? 0, outcome.seconds))
            print(ForecastFigures.report(outcome.figures))
            print("\nRun folder: \(outcome.runDirectory)")
            return
        }
        print(String(format: "Test accuracy: %.4f (%d of %d)   test loss: %.4f   %.1f s", outcome.test.metric,
                     classification?.confusion.correct ?? 0, classification?.confusion.total ?? 0, outcome.test.loss, outcome.seconds))
        if let confusion = classification?.confusion {
            print("\nConfusion matrix:\n\(confusion)\n\n\(confusion.perClassReport)")
        }
        let members = outcome.members.count
        let checkpoints = members > 0 ? TrainingRecipe.memberFolder(outcome.runDirectory, 0) : outcome.runDirectory
        let files = ["best.ckpt", "last.ckpt", "model.safetensors", "log.csv", "curves.svg"].filter {
            FileManager.default.fileExists(atPath: (checkpoints as NSString).appendingPathComponent($0))
        }
        print("\nRun folder: \(outcome.runDirectory) (\(files.joined(separator: ", "))\(members > 0 ? " of each member in members/0…\(members - 1)/; the ensemble's model.safetensors" : ""))")
        let best = outcome.history.bestEpoch ?? 0
        if members > 0 {
            print("The test figures are of the ensemble of the \(members) members' final weights (model.safetensors); strata evaluate combines the members' \(files.contains("best.ckpt") ? "best" : "last") checkpoints by default.")
        } else if !files.contains("best.ckpt") {
            print("Trained without a validation set: no best.ckpt; the test figures and strata evaluate use the last epoch's weights.")
        } else if patience != nil {
            print("The test figures are of epoch \(best)'s weights, the best on validation (restored by early stopping; best.ckpt).")
        } else {
            print("The test figures are of the last epoch's weights; best.ckpt holds epoch \(best), the best on validation (strata evaluate's default).")
        }
    }
}
