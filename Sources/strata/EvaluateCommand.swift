import ArgumentParser
import Foundation
import Strata

/// Loads a run's trained model with its normaliser and test data.
struct RunOptions: ParsableArguments {
    @Option(help: "Run folder written by strata train.")
    var run: String?

    @Option(help: "Which weights: best, last (checkpoints) or final (model.safetensors). Default: best when the run had a validation set, else last.")
    var checkpoint: String?

    @Option(name: .customLong("data-dir"), help: "Folder with the data set's files, when not the one used for training.")
    var dataDirectory: String?

    /// The run's description, its model with the chosen weights, and the weights' file;
    /// with `announcing`, which weights and why is printed (on standard error).
    func load(announcing: Bool = true) throws -> (RunDescription, Module, weights: String) {
        guard let run else { throw ValidationError("--run is needed: the folder strata train wrote") }
        let description = try RunDescription.read(directory: run)
        let model = try description.makeModel()
        let files = ["best": "best.ckpt", "last": "last.ckpt", "final": "model.safetensors"]
        // an ensemble's checkpoints are its members', each in members/K/ under the state-dict prefix members.K.
        let members = description.memberCount
        let checkpointFolders = members == 1 ? [(run, "")]
            : (0..<members).map { (TrainingRecipe.memberFolder(run, $0), "members.\($0).") }
        let hasBest = FileManager.default.fileExists(atPath: (checkpointFolders[0].0 as NSString).appendingPathComponent("best.ckpt"))
        let chosen = checkpoint ?? (hasBest ? "best" : "last")
        guard let file = files[chosen] else {
            throw ValidationError("--checkpoint \(chosen) is not allowed: use best, last or final")
        }
        if chosen == "best" && !hasBest {
            throw ValidationError("--checkpoint best: no best.ckpt in \(run) (a run trained without a validation set has no best epoch); use last or final")
        }
        if announcing {
            let why = switch chosen {
            case "best": "the epoch with the best validation score; --checkpoint last for the last epoch's"
            case "last": checkpoint == nil ? "trained without a validation set: there is no best epoch" : "the last epoch's"
            default: "the weights training ended with"
            }
            let whose = members > 1 && file.hasSuffix(".ckpt") ? " of each of the \(members) ensemble members" : ""
            FileHandle.standardError.write(Data("weights: \(file)\(whose) (\(why))\n".utf8))
        }
        if file.hasSuffix(".ckpt") {
            var values: [String: Tensor] = [:]
            for (folder, prefix) in checkpointFolders {
                for (name, tensor) in try Safetensors.read(contentsOf: (folder as NSString).appendingPathComponent(file))
                where name.hasPrefix("model.") {
                    values[prefix + String(name.dropFirst(6))] = tensor
                }
            }
            try model.loadStateDict(values)
        } else {
            try model.load(from: (run as NSString).appendingPathComponent(file))
        }
        model.eval()
        return (description, model, file)
    }

    /// The run's test data, standardised with the training statistics.
    func testData(_ description: RunDescription, from data: LoadedData? = nil) throws -> TensorDataset {
        let data = try data ?? description.loadData(dataDirectory: dataDirectory)
        return try TensorDataset(inputs: try description.normalizer.apply(data.test.inputs), targets: data.test.targets,
                                 classNames: data.test.classNames)
    }
}

/// `strata evaluate`: accuracy, per-class table and confusion matrix of a trained model.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained run on its test data: accuracy, per-class precision/recall/F1, confusion matrix.")

    @OptionGroup var options: RunOptions

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
        let (description, model, weights) = try options.load(announcing: !json)
        let data = try description.loadData(dataDirectory: options.dataDirectory)
        let test = try options.testData(description, from: data)
        let task: Task = description.classNames.isEmpty ? .regression : .classification(classNames: description.classNames)
        let evaluation = try Trainer(evaluating: model, task: task).evaluate(try DataLoader(test, batchSize: 256))
        guard let metrics = evaluation.classification else {
            let regression = evaluation.regression ?? RegressionMetrics()
            let figures = ForecastFigures.figures(regression, data: data)
            if json {
                var object: [String: Any] = ["weights": weights, "test_loss": evaluation.loss, "samples": regression.samples]
                for (name, value) in figures { object[name] = value }
                JSONOutput.print(object)
            } else {
                print(ForecastFigures.report(figures))
            }
            return
        }
        if json {
            JSONOutput.print(["weights": weights, "test_accuracy": evaluation.metric, "test_loss": evaluation.loss, "samples": metrics.samples,
                              "top_k_accuracy": metrics.topKAccuracy, "confusion_matrix": metrics.confusion.counts,
                              "classes": description.classNames])
            return
        }
        print(String(format: "Test accuracy: %.4f (%d of %d)   loss %.4f   top-%d accuracy %.4f", evaluation.metric,
                     metrics.confusion.correct, metrics.confusion.total, evaluation.loss, metrics.k, metrics.topKAccuracy))
        print("\n\(metrics.confusion.perClassReport)\n\nConfusion matrix:\n\(metrics.confusion)")
    }
}

/// `strata predict`: the top classes for test samples of a run, inputs in a .npy file, or
/// photos through a pretrained network.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Top-k classes with probabilities: for a run's test samples or .npy inputs, or for photos through a pretrained network.",
        discussion: """
            With --run: test samples (--samples) or a .npy file of raw inputs (--npy). With \
            --model and --weights (.pth or .safetensors, e.g. torchvision's ImageNet weights): \
            each --image (PNG or JPEG) is resized, centre-cropped and normalised as the \
            weights expect (--preprocess), and the classes are ImageNet's unless --labels names \
            a file with one class name per line.
            """)

    @OptionGroup var options: RunOptions

    @Option(help: "Comma-separated indices of test samples, e.g. 0,1,2.")
    var samples = "0"

    @Option(help: "A .npy file of raw inputs instead of test samples: N × the shape the run was trained on (C×H×W, C×L), as loaded, before normalisation.")
    var npy: String?

    @Option(help: "A pretrained network (\(Models.zooNames.prefix(5).joined(separator: ", ")), …) instead of a run.")
    var model: String?

    @Option(help: "Its weights: a PyTorch .pth/.pt (read without running pickle code) or .safetensors.")
    var weights: String?

    @Option(name: .customLong("image"), help: "A PNG or JPEG photo (repeatable).")
    var images: [String] = []

    @Option(help: "Image preprocessing: \(ImagePreprocessing.named.keys.sorted().joined(separator: ", ")) (default: what the architecture's published weights use; caffe for Caffe-trained SqueezeNet weights).")
    var preprocess: String?

    @Option(help: "Class names, one per line (default: the 1000 ImageNet classes).")
    var labels: String?

    @Option(name: .customLong("rename"), help: "Rename weight keys by a regular expression, OLD=NEW (repeatable).")
    var renames: [String] = []

    @Option(help: "How many classes to list per sample.")
    var top = 3

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
        guard top >= 1 else { throw ValidationError("--top \(top) is not allowed: give 1 or more") }
        if model != nil || weights != nil || !images.isEmpty {
            try predictImages()
            return
        }
        let (description, model, _) = try options.load(announcing: !json)
        guard !description.classNames.isEmpty else {
            throw ValidationError("predict lists classes; this run forecasts values (use evaluate)")
        }
        let inputs: Tensor, truth: [Int]?
        if let npy {
            inputs = try RawInputFile.read(npy, for: description, batch: true)
            truth = nil
        } else {
            let test = try options.testData(description)
            let indices = samples.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !indices.isEmpty, indices.allSatisfy({ $0 >= 0 && $0 < test.count }) else {
                throw ValidationError("--samples \(samples) is not allowed: give indices in 0..<\(test.count) separated by commas")
            }
            let batch = try test.batch(indices)
            (inputs, truth) = (batch.inputs, batch.targets.toLabels())
        }
        let probabilities = try withoutGradients { () throws(StrataError) in try softmax(try model(inputs), axis: 1) }
        let ranked = TopClasses.rank(probabilities, names: description.classNames, top: top)
        var results: [[String: Any]] = []
        for (row, classes) in ranked.enumerated() {
            var entry: [String: Any] = ["sample": row, "top": classes.map(\.json)]
            if let truth { entry["label"] = description.classNames[truth[row]] }
            results.append(entry)
            if !json {
                let listed = classes.map { String(format: "%@ %.4f", $0.name, $0.probability) }.joined(separator: ", ")
                print("sample \(row)\(truth.map { " (label \(description.classNames[$0[row]]))" } ?? ""): \(listed)")
            }
        }
        if json { JSONOutput.print(["predictions": results]) }
    }

    /// Photos through a pretrained network.
    private func predictImages() throws {
        guard let model, let weights, !images.isEmpty else {
            throw ValidationError("predicting photos needs --model, --weights and at least one --image")
        }
        let names: [String]
        if let labels {
            guard let text = try? String(contentsOfFile: labels, encoding: .utf8) else {
                throw ValidationError("--labels \(labels) cannot be read")
            }
            names = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } else {
            names = try ImageNetClasses.names()
        }
        let preprocessing: ImagePreprocessing
        if let preprocess {
            guard let preset = ImagePreprocessing.named[preprocess] else {
                throw ValidationError("--preprocess \(preprocess) is not allowed: use \(ImagePreprocessing.named.keys.sorted().joined(separator: ", "))")
            }
            preprocessing = preset
        } else {
            preprocessing = .standard(for: model)
        }
        let renamings = try renames.map { rule throws(StrataError) in try KeyRenaming(rule) }
        let (network, _) = try PretrainedModel.load(model, weights: weights, inputShape: [3, preprocessing.crop, preprocessing.crop],
                                                    renamings: renamings)
        var results: [[String: Any]] = []
        for image in images {
            let input = try preprocessing.tensor(try ImageCodec.read(contentsOf: image))
            let probabilities = try withoutGradients { () throws(StrataError) in try softmax(try network(input), axis: 1) }
            guard probabilities.shape[1] == names.count else {
                throw ValidationError("the network gives \(probabilities.shape[1]) classes but \(labels ?? "the ImageNet list") names \(names.count)")
            }
            let classes = TopClasses.rank(probabilities, names: names, top: top)[0]
            results.append(["image": image, "top": classes.map(\.json)])
            if !json {
                print("\(image):")
                for (rank, entry) in classes.enumerated() {
                    print(String(format: "  %d. %@ %.4f (class %d)", rank + 1, entry.name, entry.probability, entry.index))
                }
            }
        }
        if json { JSONOutput.print(["model": model, "predictions": results]) }
    }
}

/// The most probable classes of each row of `N×K` probabilities.
enum TopClasses {
    struct Entry {
        let index: Int
        let name: String
        let probability: Double
        var json: [String: Any] { ["class": name, "index": index, "probability": probability] }
    }

    static func rank(_ probabilities: Tensor, names: [String], top: Int) -> [[Entry]] {
        let values = probabilities.toArray(), classes = probabilities.shape[1]
        return (0..<probabilities.shape[0]).map { row in
            let scores = Array(values[(row * classes)..<((row + 1) * classes)])
            return scores.indices.sorted { scores[$0] > scores[$1] }.prefix(Swift.min(top, classes)).map {
                Entry(index: $0, name: $0 < names.count ? names[$0] : String($0), probability: Double(scores[$0]))
            }
        }
    }
}
