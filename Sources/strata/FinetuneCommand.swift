import ArgumentParser
import Foundation
import Strata

/// `strata finetune`: transfer learning from pretrained weights, four ways.
struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a pretrained network on a data set: frozen backbone, full, layer-wise rates or top blocks.",
        discussion: """
            The classifier is replaced by a new one for the data's classes (its input width \
            taken from the network). --way frozen trains only that head on the backbone's \
            features, computed once and cached; full retrains everything; layerwise gives the \
            head --lr and the backbone --backbone-lr (each block further down --layer-decay \
            times less); top:N trains the top N blocks and the head; scratch trains the same \
            network from its initialisation. Frozen batch norm keeps its pretrained statistics. \
            Images are resized (--resize), grey ones copied to the channels the network expects, \
            and normalised as the network was trained (--normalize). With a --way, the defaults \
            are PyTorch's reference recipe (Adam, constant rate: head 1e-3, backbone 1e-4, full \
            1e-4; 15 epochs; batch 32). Without one, Strata's own recipe: full, one-cycle peaking \
            at 3e-4, images shifted by up to 10%, 20 epochs or 600 steps, whichever is longer.
            """)

    @Option(help: "Network: \(Models.zooNames.prefix(6).joined(separator: ", ")), …, digit-recognizer.")
    var model: String

    @Option(help: "Pretrained weights: PyTorch .pth/.pt (read without running pickle code) or .safetensors.")
    var weights: String?

    @Option(name: .customLong("rename"), help: "Rename weight keys by a regular expression, OLD=NEW (repeatable), for checkpoints from other code.")
    var renames: [String] = []

    @Option(help: "Data: digits, mnist, fashion-mnist, cifar10, cifar100, stl10, svhn, folder:PATH, npz:FILE.")
    var data = "digits"

    @Option(name: .customLong("data-dir"), help: "Folder with the data set's files.")
    var dataDirectory: String?

    @Option(help: "How: frozen, full, layerwise, top:N or scratch (default: Strata's recipe, full with one-cycle and shifts).")
    var way: String?

    @Option(name: .customLong("train-per-class"), help: "Train on the first N samples of each class (file order).")
    var trainPerClass: Int?

    @Option(help: "Resize images to HEIGHTxWIDTH, e.g. 96x96.")
    var resize: String?

    @Option(help: "Input normalisation: imagenet, caffe, mnist, xception or none (default: the network's own).")
    var normalize: String?

    @Option(help: "Epochs.")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Samples per batch.")
    var batchSize: Int?

    @Option(help: "Optimizer: \(TrainingRecipe.OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer = TrainingRecipe.OptimizerKind.adam

    @Option(help: "Learning rate of the head (of everything for full and scratch).")
    var lr: Float?

    @Option(name: .customLong("backbone-lr"), help: "Learning rate of the backbone for layerwise and top:N.")
    var backboneLr: Float?

    @Option(name: .customLong("layer-decay"), help: "layerwise: each block further below the head trains this factor slower, e.g. 0.8.")
    var layerDecay: Float?

    @Option(help: "Learning-rate schedule: \(TrainingRecipe.Schedule.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule: TrainingRecipe.Schedule?

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(name: .customLong("weight-decay"), help: "Weight decay.")
    var weightDecay: Float = 0

    @Option(name: .customLong("label-smoothing"), help: "Label smoothing ε.")
    var labelSmoothing: Float?

    @Option(help: "On-the-fly augmentation of the training images, e.g. translate:0.1,rotate:10 (\(AugmentationSpecification.names.prefix(8).joined(separator: ", ")), …).")
    var augment: String?

    @Flag(name: .customLong("no-cache"), help: "Run frozen stages every step instead of caching their output.")
    var noCache = false

    @Option(help: "Seed for the new head, shuffling, dropout and augmentation.")
    var seed: UInt64 = 0

    @Option(help: "Run folder for model.safetensors, finetune.json, log.csv and curves.svg.")
    var output: String?

    @Option(help: "Progress display: \(ProgressStyle.allCases.map(\.rawValue).joined(separator: ", ")).")
    var progress = ProgressStyle.automatic

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
        var recipe = FineTuningRecipe(model: model, weights: weights)
        recipe.renamings = try renames.map { rule throws(StrataError) in try KeyRenaming(rule) }
        recipe.data = data
        recipe.dataDirectory = dataDirectory
        recipe.way = try way.map { text throws(StrataError) in try FineTuningRecipe.Way(parsing: text) }
        recipe.trainPerClass = trainPerClass
        if let resize {
            let sizes = resize.lowercased().replacingOccurrences(of: "×", with: "x").split(separator: "x").map { Int($0) }
            guard sizes.count == 2, let height = sizes[0], let width = sizes[1] else {
                throw ValidationError("--resize \(resize) is not allowed: give HEIGHTxWIDTH, e.g. 96x96")
            }
            recipe.resize = [height, width]
        }
        recipe.normalization = normalize
        recipe.epochs = epochs
        recipe.batchSize = batchSize
        recipe.optimizer = optimizer
        recipe.learningRate = lr
        recipe.backboneLearningRate = backboneLr
        recipe.layerDecay = layerDecay
        recipe.schedule = schedule
        recipe.momentum = momentum
        recipe.weightDecay = weightDecay
        recipe.labelSmoothing = labelSmoothing
        recipe.augment = augment
        recipe.cacheFeatures = !noCache
        recipe.seed = seed
        recipe.output = output
        recipe.progress = json && progress == .automatic ? .silent : progress
        let outcome = try recipe.run()
        if json {
            JSONOutput.print(["test_accuracy": outcome.testAccuracy, "test_loss": outcome.testLoss, "way": outcome.way.description,
                              "epochs": outcome.history.epochs.count, "seconds_per_epoch": outcome.secondsPerEpoch,
                              "train_cache_seconds": outcome.trainCacheSeconds, "test_cache_seconds": outcome.testCacheSeconds,
                              "training_seconds": outcome.trainingSeconds, "trainable_parameters": outcome.trainableParameters,
                              "parameters": outcome.parameters, "train_samples": outcome.trainSamples,
                              "test_samples": outcome.testSamples, "run_dir": output ?? NSNull()])
            return
        }
        print(String(format: "Test accuracy: %.4f (%@ way, %d training and %d test samples)", outcome.testAccuracy,
                     outcome.way.description, outcome.trainSamples, outcome.testSamples))
        print(String(format: "Trained %d of %d parameters; %.3f s per epoch%@", outcome.trainableParameters, outcome.parameters,
                     outcome.secondsPerEpoch,
                     outcome.trainCacheSeconds > 0 ? String(format: " after caching the frozen stages' output in %.1f s", outcome.trainCacheSeconds) : ""))
        if let output { print("Run folder: \(output) (model.safetensors, finetune.json, log.csv, curves.svg)") }
    }
}
