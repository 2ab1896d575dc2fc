import Foundation

/// Transfer learning from a pretrained network, as the lecture teaches it four ways:
/// (a) `frozen` — the backbone as a fixed feature extractor and a new head; (b) `full` —
/// retrain everything; (c) `layerwise` — everything, with a larger learning rate for the
/// head than for the backbone (optionally decaying block by block); (d) `top(N)` — train
/// only the top `N` blocks and the head. `scratch` trains the same architecture from its
/// initialisation, the baseline the four are measured against.
///
/// The network is cut along `Module.chainedStages`: the head starts at the last stage
/// with parameters (with a dropout right before it), and "blocks" are the stages with
/// parameters before it (MobileNetV2's `features.0` … `features.18`). Frozen stages run in
/// evaluation mode (batch norm on its pretrained statistics); when nothing random happens
/// to the input, their output is computed once and cached instead of every epoch.
///
///     var recipe = FineTuningRecipe(model: "mobilenet_v2", weights: "mobilenet_v2-b0353104.pth")
///     recipe.data = "mnist"; recipe.dataDirectory = "data/mnist"
///     recipe.trainPerClass = 100; recipe.resize = [96, 96]; recipe.way = .frozen
///     let outcome = try recipe.run()          // outcome.testAccuracy
public struct FineTuningRecipe: Sendable {
    public enum Way: Sendable, Equatable, CustomStringConvertible {
        case frozen, full, layerwise, top(Int), scratch

        /// `frozen`, `full`, `layerwise`, `top:N` or `scratch`.
        public init(parsing text: String) throws(StrataError) {
            switch text.lowercased() {
            case "frozen", "a": self = .frozen
            case "full", "b": self = .full
            case "layerwise", "c": self = .layerwise
            case "scratch": self = .scratch
            case let top where top.hasPrefix("top:") || top.hasPrefix("d:"):
                guard let count = Int(top.split(separator: ":").last ?? ""), count >= 1 else {
                    throw .invalidArgument(op: "finetune", message: "--way \(text) is not allowed: top:N needs a number of blocks N ≥ 1, e.g. top:5")
                }
                self = .top(count)
            default:
                throw .invalidArgument(op: "finetune", message: "--way \(text) is not allowed: use frozen, full, layerwise, top:N or scratch")
            }
        }

        public var description: String {
            switch self {
            case .frozen: return "frozen"
            case .full: return "full"
            case .layerwise: return "layerwise"
            case let .top(count): return "top:\(count)"
            case .scratch: return "scratch"
            }
        }
    }

    /// A built-in network (`mobilenet_v2`, `digit-recognizer`, …).
    public var model: String
    /// Pretrained weights (`.pth` or `.safetensors`); not read for `scratch`.
    public var weights: String?
    /// Rules that rename the weights' keys to the network's (checkpoints from other code).
    public var renamings: [KeyRenaming] = []
    /// `digits`, `mnist`, `fashion-mnist`, `cifar10`, … as `strata train` reads them.
    public var data = "digits"
    public var dataDirectory: String?
    /// Train on the first `N` samples of each class (in file order); sets without a test
    /// split of their own are tested on all the other samples.
    public var trainPerClass: Int?
    /// Resize images to height × width (bilinear, as PyTorch's `interpolate`).
    public var resize: [Int]?
    /// `nil`: Strata's own recipe (see `resolved`).
    public var way: Way?
    public var epochs: Int?
    public var batchSize: Int?
    public var optimizer = TrainingRecipe.OptimizerKind.adam
    /// The head's learning rate (every parameter's for `full` and `scratch`).
    public var learningRate: Float?
    /// The backbone's learning rate for `layerwise` and `top:N`.
    public var backboneLearningRate: Float?
    /// `layerwise`: each block down from the top gets this factor more of the backbone's rate.
    public var layerDecay: Float?
    public var schedule: TrainingRecipe.Schedule?
    public var weightDecay: Float = 0
    public var momentum: Float = 0.9
    public var labelSmoothing: Float?
    /// On-the-fly augmentation of the training images (`AugmentationSpecification`).
    public var augment: String?
    /// Input normalisation: `imagenet`, `caffe`, `mnist`, `none`; `nil` = the network's own.
    public var normalization: String?
    /// Compute frozen stages once (when no augmentation changes their input).
    public var cacheFeatures = true
    public var seed: UInt64 = 0
    /// Where to write `model.safetensors`, `finetune.json`, `log.csv`, `curves.svg` (nothing when `nil`).
    public var output: String?
    public var progress = ProgressStyle.automatic

    public init(model: String, weights: String?) {
        self.model = model
        self.weights = weights
    }

    /// Per-channel normalisations by name, in 0…1 pixel units.
    static let normalizations: [String: (mean: [Float], std: [Float])] = [
        "imagenet": ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        "caffe": ([104.006 / 255, 116.669 / 255, 122.679 / 255], [1 / 255, 1 / 255, 1 / 255]),
        "mnist": ([0.1307], [0.3081]),
        "xception": ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
    ]

    /// The settings a run on `trainSamples` samples uses. With a `way`, PyTorch's reference
    /// recipe (`shared/bench/transfer.md`): Adam at a constant rate — head 10⁻³; backbone
    /// 10⁻⁴ (`full`: 10⁻⁴ for all; `scratch`: 10⁻³) — 15 epochs, batch 32, no augmentation.
    /// Without one, Strata's recipe: `full` at a one-cycle rate peaking at 3·10⁻⁴, training
    /// images shifted by up to 10% of their size, batch 32, and 20 epochs or at least 600
    /// optimizer steps, whichever is longer (small sets need the steps). On T1 and T3 of
    /// `transfer.md` it beats every row of PyTorch's recipe (README).
    public func resolved(trainSamples: Int) -> Settings {
        guard let way else {
            let rate = learningRate ?? 3e-4, batch = batchSize ?? 32
            let batches = Swift.max(1, (trainSamples + batch - 1) / batch)
            return Settings(way: .full, epochs: epochs ?? Swift.max(20, (600 + batches - 1) / batches), batchSize: batch,
                            head: rate, backbone: backboneLearningRate ?? rate, schedule: schedule ?? .onecycle,
                            augment: augment ?? "translate:0.1", labelSmoothing: labelSmoothing ?? 0)
        }
        let head: Float = learningRate ?? (way == .full ? 1e-4 : 1e-3)
        return Settings(way: way, epochs: epochs ?? 15, batchSize: batchSize ?? 32, head: head,
                        backbone: backboneLearningRate ?? (way == .full ? head : 1e-4), schedule: schedule ?? .none,
                        augment: augment, labelSmoothing: labelSmoothing ?? 0)
    }

    /// A recipe's options with every default filled in.
    public struct Settings: Sendable, Equatable {
        public let way: Way
        public let epochs: Int
        public let batchSize: Int
        /// Learning rates of the head and of the trained backbone blocks.
        public let head: Float
        public let backbone: Float
        public let schedule: TrainingRecipe.Schedule
        public let augment: String?
        public let labelSmoothing: Float
    }

    func checkOptions(_ settings: Settings) throws(StrataError) {
        func bad(_ option: String, _ value: String, _ allowed: String) -> StrataError {
            .invalidArgument(op: "finetune", message: "\(option) \(value) is not allowed: \(allowed)")
        }
        if settings.epochs < 1 { throw bad("--epochs", "\(settings.epochs)", "give 1 or more") }
        if settings.batchSize < 1 { throw bad("--batch-size", "\(settings.batchSize)", "give 1 or more") }
        if !(settings.head > 0) { throw bad("--lr", "\(settings.head)", "give a positive number") }
        if !(settings.backbone > 0) { throw bad("--backbone-lr", "\(settings.backbone)", "give a positive number") }
        if let layerDecay, !(layerDecay > 0 && layerDecay <= 1) { throw bad("--layer-decay", "\(layerDecay)", "give a factor in (0, 1]") }
        if let trainPerClass, trainPerClass < 1 { throw bad("--train-per-class", "\(trainPerClass)", "give 1 or more") }
        if let resize, resize.count != 2 || resize.contains(where: { $0 < 1 || $0 > 4096 }) {
            throw bad("--resize", resize.map(String.init).joined(separator: "x"), "give HEIGHTxWIDTH, e.g. 96x96")
        }
        if let normalization, normalization != "none", Self.normalizations[normalization] == nil {
            throw bad("--normalize", normalization, "use \((Self.normalizations.keys.sorted() + ["none"]).joined(separator: ", "))")
        }
        if !(weightDecay >= 0) { throw bad("--weight-decay", "\(weightDecay)", "give 0 or more") }
        if !(settings.labelSmoothing >= 0 && settings.labelSmoothing <= 1) {
            throw bad("--label-smoothing", "\(settings.labelSmoothing)", "give a value in [0, 1]")
        }
        if settings.way != .scratch && weights == nil { throw bad("--weights", "(none)", "give the pretrained weights, or --way scratch") }
    }
}

/// What a fine-tuning run reports.
public struct FineTuningOutcome: @unchecked Sendable {
    public let way: FineTuningRecipe.Way
    /// Accuracy and mean loss of the final model on the test part.
    public let testAccuracy: Double
    public let testLoss: Double
    public let history: TrainingHistory
    /// Mean seconds per training epoch (shuffle, forward, backward, update).
    public let secondsPerEpoch: Double
    /// Seconds spent computing the frozen stages' output once, for the training and the test samples.
    public let trainCacheSeconds: Double
    public let testCacheSeconds: Double
    public let trainableParameters: Int
    public let parameters: Int
    public let trainSamples: Int
    public let testSamples: Int
    /// The whole network with its new head, trained.
    public let model: Module

    /// Seconds of training including the one-off pass that caches features for training
    /// (evaluation excluded), comparable across ways.
    public var trainingSeconds: Double { secondsPerEpoch * Double(history.epochs.count) + trainCacheSeconds }
}

extension FineTuningRecipe {
    /// Loads the data and the network, replaces the head, trains as the way says,
    /// evaluates on the test part and writes the run folder.
    ///
    /// - Throws: `StrataError.invalidArgument` for options out of range (naming the option)
    ///   or a network that cannot be cut into a backbone and a head; data, weights and I/O
    ///   errors as they occur.
    public func run() throws(StrataError) -> FineTuningOutcome {
        try checkOptions(resolved(trainSamples: 1))
        let (rawTrain, rawTest, classNames) = try loadData()
        let settings = resolved(trainSamples: rawTrain.count)
        Random.seed(seed)
        let model: Module
        if settings.way == .scratch {
            model = try TrainingRecipe.buildModel(self.model, inputShape: transformedShape(rawTrain.sampleShape, channels: nil),
                                                  classes: classNames.count)
        } else {
            (model, _) = try PretrainedModel.load(self.model, weights: weights ?? "", renamings: renamings)
            Random.seed(seed)
            try model.replaceClassifier(classes: classNames.count)
        }
        let transform = try batchTransform(for: model)
        let chain = model.chainedStages
        let trainableStart = try firstTrainableStage(chain, model: model, way: settings.way)
        let headStart = model.headStart ?? 0
        for (index, stage) in chain.enumerated() {
            for parameter in stage.module.parameters() { parameter.requiresGrad = index >= trainableStart }
        }

        // frozen stages: computed once (cached) unless augmentation changes their input
        let augmentations = try settings.augment.map { text throws(StrataError) in try AugmentationSpecification.parse(text) } ?? []
        var train: any Dataset = TransformedDataset(augmentations.isEmpty ? rawTrain : AugmentedDataset(rawTrain, augmentations: augmentations, seed: seed),
                                                    transform: transform)
        var test: any Dataset = TransformedDataset(rawTest, transform: transform)
        let trainable: Module
        var (trainCache, testCache) = (0.0, 0.0)
        if trainableStart > 0 {
            let prefix = Sequential(named: Array(chain[..<trainableStart]))
            let top = Array(chain[trainableStart...])
            if cacheFeatures && augmentations.isEmpty {
                (train, trainCache) = try Self.cache(prefix, over: train)
                (test, testCache) = try Self.cache(prefix, over: test)
                trainable = Sequential(named: top)
            } else {
                trainable = Sequential(named: [("", FrozenStages(prefix))] + top)
            }
        } else {
            trainable = model
        }

        let optimizer = try makeOptimizer(chain: chain, trainableStart: trainableStart, headStart: headStart, settings: settings,
                                          whole: trainableStart == 0 ? model : nil)
        let loader = try DataLoader(train, batchSize: settings.batchSize, shuffle: true, seed: seed)
        var configuration = TrainingConfiguration(epochs: settings.epochs, task: .classification(classNames: classNames))
        configuration.labelSmoothing = settings.labelSmoothing
        configuration.progress = progress
        // each group (head, backbone blocks) follows the schedule from its own rate
        let scheduler = try settings.schedule.scheduler(for: optimizer, epochs: settings.epochs, batchesPerEpoch: loader.batchCount,
                                                        peak: settings.head, groupPeaks: optimizer.groups.map(\.learningRate))
        let trainer = Trainer(model: trainable, optimizer: optimizer, scheduler: scheduler, configuration: configuration)
        let history = try trainer.fit(train: loader)
        let evaluation = try trainer.evaluate(try DataLoader(test, batchSize: 250))
        model.eval()

        let outcome = FineTuningOutcome(
            way: settings.way, testAccuracy: evaluation.metric, testLoss: evaluation.loss, history: history,
            secondsPerEpoch: history.epochs.map(\.seconds).reduce(0, +) / Double(Swift.max(history.epochs.count, 1)),
            trainCacheSeconds: trainCache, testCacheSeconds: testCache,
            trainableParameters: model.parameters().filter(\.requiresGrad).reduce(0) { $0 + $1.count },
            parameters: model.parameters().reduce(0) { $0 + $1.count }, trainSamples: rawTrain.count, testSamples: rawTest.count,
            model: model)
        if let output { try write(outcome, classNames: classNames, transform: transform, to: output) }
        return outcome
    }

    // MARK: Data

    /// Training and test samples: the first `trainPerClass` of each class, tested on the
    /// set's own test split or, for sets without one (`digits`), on every other sample.
    private func loadData() throws(StrataError) -> (TensorDataset, TensorDataset, [String]) {
        if data.lowercased() == "digits" {
            let all = try DigitDatasets.uciDigits()
            let names = all.classNames ?? (0...9).map(String.init)
            guard let perClass = trainPerClass else {
                let (trainIndices, testIndices) = Splits.stratified(labels: all.labels, fraction: 0.2, seed: seed)
                return (try all.subset(trainIndices), try all.subset(testIndices), names)
            }
            let chosen = Self.firstPerClass(all.labels, count: perClass)
            let rest = Set(chosen)
            return (try all.subset(chosen), try all.subset((0..<all.count).filter { !rest.contains($0) }), names)
        }
        let loaded = try LoadedData.load(data, directory: dataDirectory, seed: seed)
        guard case let .classification(names) = loaded.task else {
            throw .invalidArgument(op: "finetune", message: "--data \(data) is not a classification set; fine-tuning trains classifiers")
        }
        let train = try trainPerClass.map { count throws(StrataError) in try loaded.train.subset(Self.firstPerClass(loaded.train.labels, count: count)) }
            ?? loaded.train
        return (train, loaded.test, names)
    }

    /// The indices of the first `count` samples of each class, ascending.
    static func firstPerClass(_ labels: [Int], count: Int) -> [Int] {
        var taken: [Int: Int] = [:]
        return labels.indices.filter { index in
            let seen = taken[labels[index], default: 0]
            taken[labels[index]] = seen + 1
            return seen < count
        }
    }

    private func transformedShape(_ shape: [Int], channels: Int?) -> [Int] {
        ImageBatchTransform(size: resize, channels: channels).sampleShape(for: shape)
    }

    /// Resizing, channel copying and the network's normalisation.
    private func batchTransform(for model: Module) throws(StrataError) -> ImageBatchTransform {
        let channels = model.namedModules().lazy.compactMap { $0.1 as? ConvolutionLayer }.first?.inChannels
        let name = normalization ?? (model is Sequential && self.model.lowercased() == "digit-recognizer" ? "mnist"
            : Models.zooNames.contains(self.model.lowercased()) ? (self.model.lowercased().contains("xception") ? "xception" : "imagenet") : "none")
        guard let (mean, std) = Self.normalizations[name] else { return ImageBatchTransform(size: resize, channels: channels) }
        let count = channels ?? mean.count
        return ImageBatchTransform(size: resize, channels: channels, mean: mean.count == count ? mean : Array(repeating: mean[0], count: count),
                                   std: std.count == count ? std : Array(repeating: std[0], count: count))
    }

    /// The outputs of `prefix` (evaluation mode, no gradients) for every sample, in batches of 250.
    static func cache(_ prefix: Module, over dataset: any Dataset) throws(StrataError) -> (TensorDataset, Double) {
        let started = Date()
        prefix.eval()
        var features: [Tensor] = [], targets: [Tensor] = []
        for batch in try DataLoader(dataset, batchSize: 250).batches(epoch: 0) {
            let (inputs, labels) = try batch.get()
            features.append(try withoutGradients { () throws(StrataError) in try prefix(inputs) }.copyToContiguous())
            targets.append(labels)
        }
        let cached = try TensorDataset(inputs: try Tensor.concat(features, axis: 0), targets: try Tensor.concat(targets, axis: 0),
                                       classNames: dataset.classNames)
        return (cached, Date().timeIntervalSince(started))
    }

    // MARK: Which stages train, at which rates

    private func firstTrainableStage(_ chain: [(path: String, module: Module)], model: Module, way: Way) throws(StrataError) -> Int {
        switch way {
        case .full, .layerwise, .scratch:
            return 0
        case .frozen, .top:
            guard chain.count > 1, let headStart = model.headStart else {
                throw .invalidArgument(op: "finetune", message: "--way \(way) needs a network that runs as a chain of stages (a Sequential or a zoo model); \(self.model) does not")
            }
            guard case let .top(count) = way else { return headStart }
            let blocks = chain.indices.filter { $0 < headStart && !chain[$0].module.parameters().isEmpty }
            guard count <= blocks.count else {
                throw .invalidArgument(op: "finetune", message: "--way top:\(count) is not allowed: \(self.model) has \(blocks.count) blocks with parameters below its head (\(chain[blocks.first ?? 0].path) … \(chain[blocks.last ?? 0].path))")
            }
            return blocks[blocks.count - count]
        }
    }

    private func makeOptimizer(chain: [(path: String, module: Module)], trainableStart: Int, headStart: Int,
                               settings: Settings, whole: Module?) throws(StrataError) -> any Optimizer {
        var groups: [ParameterGroup] = []
        switch settings.way {
        case .full, .scratch:
            groups = [ParameterGroup(parameters: (whole ?? Sequential(named: chain)).parameters(), learningRate: settings.head,
                                     weightDecay: weightDecay)]
        case .frozen, .top, .layerwise:
            let head = chain[headStart...].flatMap { $0.module.parameters() }
            groups.append(ParameterGroup(parameters: head, learningRate: settings.head, weightDecay: weightDecay))
            let backbone = chain[trainableStart..<Swift.max(trainableStart, headStart)].filter { !$0.module.parameters().isEmpty }
            if let layerDecay, settings.way == .layerwise {
                // the block right below the head gets the backbone's rate, each one further down `layerDecay` times more
                for (depth, stage) in backbone.reversed().enumerated() {
                    groups.append(ParameterGroup(parameters: stage.module.parameters(),
                                                 learningRate: settings.backbone * Float(pow(Double(layerDecay), Double(depth))),
                                                 weightDecay: weightDecay))
                }
            } else if !backbone.isEmpty {
                groups.append(ParameterGroup(parameters: backbone.flatMap { $0.module.parameters() }, learningRate: settings.backbone,
                                             weightDecay: weightDecay))
            }
            // parameters outside the chain's stages (none in the zoo) train with the backbone
            let listed = Set(groups.flatMap { $0.parameters.map(ObjectIdentifier.init) })
            let rest = (whole?.parameters() ?? []).filter { !listed.contains(ObjectIdentifier($0)) && $0.requiresGrad }
            if !rest.isEmpty { groups.append(ParameterGroup(parameters: rest, learningRate: settings.backbone, weightDecay: weightDecay)) }
        }
        return try optimizer.make(groups: groups, momentum: momentum)
    }

    // MARK: Run folder

    private func write(_ outcome: FineTuningOutcome, classNames: [String], transform: ImageBatchTransform, to folder: String) throws(StrataError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .io(path: folder, message: "cannot create the run folder: \(error.localizedDescription)")
        }
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        try outcome.model.save(to: path("model.safetensors"), metadata: ["architecture": model, "way": outcome.way.description])
        let summary: [String: Any] = [
            "model": model, "weights": weights as Any? ?? NSNull(), "way": outcome.way.description, "data": data,
            "classes": classNames, "test_accuracy": outcome.testAccuracy, "test_loss": outcome.testLoss,
            "seconds_per_epoch": outcome.secondsPerEpoch, "train_cache_seconds": outcome.trainCacheSeconds,
            "input": ["size": transform.size as Any? ?? NSNull(), "channels": transform.channels as Any? ?? NSNull(),
                      "mean": transform.mean as Any? ?? NSNull(), "std": transform.std as Any? ?? NSNull()],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        try AtomicFile.write(data, to: path("finetune.json"))
        try AtomicFile.write(Data(outcome.history.csv.utf8), to: path("log.csv"))
        try AtomicFile.write(Data(LearningCurves.svg(outcome.history, metricName: "accuracy").utf8), to: path("curves.svg"))
    }
}

/// Stages that stay fixed: run in evaluation mode without gradients, whatever mode the
/// model around them is in (a frozen backbone whose batch norm keeps its pretrained
/// statistics).
public final class FrozenStages: Composite {
    public let stages: Sequential

    public init(_ stages: Sequential) {
        self.stages = stages
    }

    public override var body: Module { Sequential(named: [("", stages)]) }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        stages.eval()
        return try withoutGradients { () throws(StrataError) in try stages(input) }
    }
}
