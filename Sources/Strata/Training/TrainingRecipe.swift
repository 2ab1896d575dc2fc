import Foundation

/// Everything a training run is made of, as the CLI's options give it: data, model,
/// optimiser, schedule, seed, run folder. `run()` carries it out end to end and is what
/// `strata train` calls.
public struct TrainingRecipe: Sendable, Codable, Equatable {
    public enum OptimizerKind: String, Sendable, Codable, CaseIterable { case sgd, adam, adamw, rmsprop }
    public enum Schedule: String, Sendable, Codable, CaseIterable {
        case none, step, multistep, exponential, cosine, onecycle, plateau, warmup
    }

    /// `digits`, `mnist`, `fashion-mnist`, `ucr:NAME` or `forecast:FILE` (see `LoadedData.load`).
    public var data = "digits"
    public var dataDirectory: String?
    /// Framing of `forecast:` data.
    public var forecast = LoadedData.ForecastOptions()
    /// What `text:` data's ids stand for: words or characters; `nil` = words.
    public var tokens: Tokenizer.Level?
    /// A built-in model name or the path of a model file (`.json`); `nil` = the data's default.
    public var model: String?
    public var epochs: Int?
    public var batchSize: Int?
    public var optimizer = OptimizerKind.adam
    /// `nil` = the data's default (a 5e-3 one-cycle peak for MNIST-like data, else 1e-3).
    public var learningRate: Float?
    public var momentum: Float = 0.9
    public var weightDecay: Float = 0
    /// `nil` = the data's default (one-cycle for MNIST-like data, cosine for `ucr:`, else none).
    public var schedule: Schedule?
    /// `nil` = the data's default (per channel for images, per sample for time series).
    public var normalization: Normalization?
    public var seed: UInt64 = 0
    /// Fraction of the training part held out (stratified) for validation; 0 = none;
    /// `nil` = the data's default (none for UCR/UEA series, whose training parts are small, else 0.1).
    /// For `forecast:` data, the share of the series just before its test part (0.15 by default).
    public var validationFraction: Double?
    /// Fraction of `digits` kept for testing (the other sets have their own test split).
    public var testFraction = 0.2
    public var labelSmoothing: Float = 0
    /// On-the-fly augmentation of the training samples (`AugmentationSpecification`), e.g. `hflip,crop:4`.
    public var augment: String?
    /// `nil` = mean squared error.
    public var regressionLoss: RegressionLoss?
    public var clipNorm: Float?
    /// Early-stopping patience in epochs (`nil` = train every epoch).
    public var patience: Int?
    public var output = "runs/run"
    public var progress = ProgressStyle.automatic
    /// Folder for TensorBoard event files (`nil`: none).
    public var tensorboard: String?
    /// Networks trained alike from seeds `seed`, `seed + 1`, … and answering as one
    /// `Ensemble` (`nil` or 1: a single network). Members share the data, its split and its
    /// normalisation; each trains in `members/K/` of the run folder.
    public var ensemble: Int?
    /// In a data-parallel job, batch norm normalises with the statistics of every rank's
    /// batch together (PyTorch's `SyncBatchNorm`); `nil`/false: each rank's own batch.
    public var synchronizeBatchNorm: Bool?

    public init() {}

    /// The kinds of data with their own defaults.
    enum Kind: CaseIterable { case digits, mnistLike, colour, series, forecast, tabular, text }

    var kind: Kind {
        let lower = data.lowercased()
        if lower.hasPrefix("ucr:") { return .series }
        if lower.hasPrefix("forecast:") { return .forecast }
        if lower.hasPrefix("csv:") { return .tabular }
        if lower.hasPrefix("text:") { return .text }
        if lower == "digits" { return .digits }
        return ["mnist", "fashion-mnist"].contains(lower) ? .mnistLike : .colour
    }

    /// What a recipe uses for the options it leaves out, per kind of data.
    public struct Defaults: Sendable {
        public let model: String
        public let epochs: Int
        public let batchSize: Int
        public let schedule: Schedule
        public let validationFraction: Double
        /// Networks trained from consecutive seeds and answering as one (1: a single network);
        /// applies only when the recipe names no model.
        public var ensemble = 1
    }

    /// The data a kind stands for (in help texts) and its defaults.
    static func defaults(_ kind: Kind) -> (data: String, values: Defaults) {
        switch kind {
        case .digits: ("digits", Defaults(model: "digits-cnn", epochs: 30, batchSize: 32, schedule: .none, validationFraction: 0.1))
        case .mnistLike: ("mnist, fashion-mnist", Defaults(model: "mnist-cnn", epochs: 3, batchSize: 64, schedule: .onecycle, validationFraction: 0.1))
        case .colour: ("colour images", Defaults(model: "cifar-cnn", epochs: 10, batchSize: 128, schedule: .none, validationFraction: 0.1))
        // three ResNets (seeds seed…seed+2) with a cosine decay on the whole (small) training
        // part: chosen against FCN, one ResNet and InceptionTime on the UCR/UEA sets (README,
        // "Sequences and text"); a named --model trains one network
        case .series: ("ucr:", Defaults(model: "resnet1d", epochs: 300, batchSize: 16, schedule: .cosine, validationFraction: 0,
                                        ensemble: 3))
        // forecast: data hold out a chronological validation part before their test part
        case .forecast: ("forecast:", Defaults(model: "residual-forecaster", epochs: 100, batchSize: 32, schedule: .none, validationFraction: 0.15))
        case .tabular: ("csv:", Defaults(model: "mlp", epochs: 100, batchSize: 16, schedule: .none, validationFraction: 0.1))
        case .text: ("text:", Defaults(model: "text-cnn", epochs: 10, batchSize: 50, schedule: .none, validationFraction: 0.1))
        }
    }

    /// One option's defaults for help texts: `value (data), value (data), …`.
    public static func defaultsHelp<T>(_ value: (Defaults) -> T) -> String {
        Kind.allCases.map { kind in "\(value(defaults(kind).values)) (\(defaults(kind).data))" }.joined(separator: ", ")
    }

    var resolvedDefaults: Defaults { Self.defaults(kind).values }
    /// This recipe with every left-out option replaced by the data's default, as run.json
    /// stores it (so a later change of defaults does not change what a run folder means).
    var resolved: TrainingRecipe {
        var recipe = self
        recipe.model = resolvedModel
        recipe.epochs = resolvedEpochs
        recipe.batchSize = resolvedBatchSize
        recipe.schedule = resolvedSchedule
        recipe.validationFraction = resolvedValidationFraction
        recipe.learningRate = resolvedLearningRate
        recipe.ensemble = resolvedEnsemble
        if kind == .forecast { recipe.forecast.validation = resolvedValidationFraction }
        if kind == .text { recipe.tokens = resolvedTokens }
        return recipe
    }
    /// The model used when none is named.
    public var resolvedModel: String { model ?? resolvedDefaults.model }
    public var resolvedEpochs: Int { epochs ?? resolvedDefaults.epochs }
    public var resolvedBatchSize: Int { batchSize ?? resolvedDefaults.batchSize }
    public var resolvedSchedule: Schedule { schedule ?? resolvedDefaults.schedule }
    public var resolvedValidationFraction: Double { validationFraction ?? resolvedDefaults.validationFraction }
    /// Words unless `--tokens` says characters (run.json files of text runs from before the
    /// option leave it out: they are words).
    public var resolvedTokens: Tokenizer.Level { tokens ?? .word }
    public var resolvedLearningRate: Float { learningRate ?? (resolvedSchedule == .onecycle ? 5e-3 : 1e-3) }
    /// The data's default ensemble when neither `--model` nor `--ensemble` is given, else one
    /// network unless `--ensemble` says otherwise.
    public var resolvedEnsemble: Int { ensemble ?? (model == nil ? resolvedDefaults.ensemble : 1) }
}

extension ProgressStyle: Codable {}

extension TrainingRecipe.OptimizerKind {
    /// The optimizer over `groups` (`momentum` for SGD; decoupled weight decay for AdamW).
    func make(groups: [ParameterGroup], momentum: Float) throws(StrataError) -> any Optimizer {
        switch self {
        case .sgd: return try SGD(groups: groups, momentum: momentum)
        case .adam: return try Adam(groups: groups)
        case .adamw: return try Adam(groups: groups, decoupledWeightDecay: true)
        case .rmsprop: return try RMSprop(groups: groups, momentum: 0)
        }
    }
}

extension TrainingRecipe.Schedule {
    /// The schedule over `epochs` (one-cycle steps per batch and peaks at `peak`, or at
    /// each group's own rate with `groupPeaks`); `nil` for `none`.
    func scheduler(for optimizer: any Optimizer, epochs: Int, batchesPerEpoch: Int, peak: Float,
                   groupPeaks: [Float]? = nil) throws(StrataError) -> LearningRateScheduler? {
        let rule: LearningRateScheduler.Rule
        switch self {
        case .none: return nil
        case .step: rule = .step(stepSize: Swift.max(1, epochs / 3), gamma: 0.1)
        case .multistep: rule = .multiStep(milestones: [epochs / 2, epochs * 3 / 4], gamma: 0.1)
        case .exponential: rule = .exponential(gamma: 0.95)
        case .cosine: rule = .cosineAnnealing(tMax: epochs, minimum: 0)
        case .onecycle:
            rule = .oneCycle(maxLearningRate: peak, totalSteps: Swift.max(2, epochs * batchesPerEpoch), pctStart: 0.3,
                             divFactor: 25, finalDivFactor: 1e4, baseMomentum: 0.85, maxMomentum: 0.95)
        case .plateau: rule = .reduceOnPlateau(factor: 0.1, patience: 3, threshold: 1e-4, cooldown: 0, minimum: 0)
        case .warmup: rule = .linear(startFactor: 0.1, endFactor: 1, totalIterations: Swift.max(1, Swift.min(5, epochs)))
        }
        return try LearningRateScheduler(optimizer, rule: rule, groupPeaks: groupPeaks)
    }
}

/// What a finished run reports.
public struct TrainingOutcome: Sendable {
    public let history: TrainingHistory
    /// Evaluation of the final model on the test part.
    public let test: Evaluation
    public let seconds: Double
    public let runDirectory: String
    public let parameters: Int
    /// Test figures by name for reports: `test_accuracy` or `test_mae`/`test_rmse` (in the
    /// data's units), baselines such as `persistence_mae`, `trend_accuracy`.
    public let figures: [String: Double]
    /// Each ensemble member's own `test_accuracy` (or `test_mae`) and `test_loss`; empty for one network.
    public var members: [[String: Double]] = []
}

/// The run folder's description of a trained model (`run.json`), enough for `evaluate`
/// and `predict` to rebuild it.
public struct RunDescription: Sendable, Codable {
    public let recipe: TrainingRecipe
    /// One sample of the data as loaded, before normalisation (no batch axis).
    public let inputShape: [Int]
    /// One sample as the network takes it: `inputShape` after the normaliser.
    public var modelInputShape: [Int] { normalizer.sampleShape(inputShape) }
    public let classNames: [String]
    /// Number of model outputs (classes, or forecast values).
    public let outputs: Int
    public let normalizer: Normalizer
    /// The tokenizer of text data (`nil` otherwise): evaluation encodes with it.
    public var tokenizer: Tokenizer? = nil
    public var vocabulary: Int? { tokenizer?.size }
    /// Networks in the run: run.json stores the resolved ensemble; older ones without it hold one.
    public var memberCount: Int { recipe.ensemble ?? 1 }

    public static func read(directory: String) throws(StrataError) -> RunDescription {
        let path = (directory as NSString).appendingPathComponent("run.json")
        guard let data = FileBytes.contents(atPath: path) else {
            throw .io(path: path, message: "no run.json here: is this a folder written by strata train?")
        }
        do {
            return try JSONDecoder().decode(RunDescription.self, from: data)
        } catch {
            throw .corruptFile(path: path, offset: 0, message: "not a run description: \(error)")
        }
    }

    /// The network's built-in name or file. run.json files store the resolved model; older
    /// ones left the data's default unnamed, and the default for ucr: was sequence-cnn then.
    var modelName: String { recipe.model ?? (recipe.kind == .series ? "sequence-cnn" : recipe.resolvedModel) }

    /// The run's network, freshly initialised (load a checkpoint into it); an `Ensemble` of
    /// the recipe's members for an ensemble run.
    public func makeModel() throws(StrataError) -> Module {
        var members: [Module] = []
        for _ in 0..<memberCount {
            members.append(try TrainingRecipe.buildModel(modelName, inputShape: modelInputShape, classes: outputs, vocabulary: vocabulary))
        }
        return memberCount == 1 ? members[0] : ensemble(members)
    }

    /// The run's data as trained on: the same split, and text encoded with the run's tokenizer.
    /// `dataDirectory` replaces the recorded folder (for a run trained elsewhere).
    public func loadData(dataDirectory: String? = nil) throws(StrataError) -> LoadedData {
        try LoadedData.load(recipe.data, directory: dataDirectory ?? recipe.dataDirectory, seed: recipe.seed,
                            testFraction: recipe.testFraction, forecast: recipe.forecast, tokenizer: tokenizer)
    }

    /// `members` answering as one: mean probabilities for classes, mean values for regression.
    func ensemble(_ members: [Module]) -> Ensemble {
        Ensemble(members, combination: classNames.isEmpty ? .mean : .probabilities)
    }
}

extension TrainingRecipe {
    /// A built-in model by name, or by path a model file or an ONNX file (with its weights).
    static func buildModel(_ name: String, inputShape: [Int], classes: Int, vocabulary: Int? = nil) throws(StrataError) -> Module {
        if name.hasSuffix(".onnx") { return try ONNXModel.load(contentsOf: name) }
        if name.hasSuffix(".json") || FileManager.default.fileExists(atPath: name) {
            return try ModelFile.load(contentsOf: name).model
        }
        return try Models.named(name, inputShape: inputShape, classes: classes, vocabulary: vocabulary)
    }

    func checkOptions() throws(StrataError) {
        func bad(_ option: String, _ value: String, _ allowed: String) -> StrataError {
            .invalidArgument(op: "train", message: "\(option) \(value) is not allowed: \(allowed)")
        }
        if resolvedEpochs < 1 { throw bad("--epochs", "\(resolvedEpochs)", "give 1 or more") }
        if resolvedBatchSize < 1 { throw bad("--batch-size", "\(resolvedBatchSize)", "give 1 or more") }
        if !(resolvedLearningRate > 0) { throw bad("--lr", "\(resolvedLearningRate)", "give a positive number") }
        if !(resolvedValidationFraction >= 0 && resolvedValidationFraction < 1) {
            throw bad("--validation", "\(resolvedValidationFraction)", "give a fraction in [0, 1)")
        }
        if !(testFraction > 0 && testFraction < 1) { throw bad("--test-fraction", "\(testFraction)", "give a fraction in (0, 1)") }
        if !(weightDecay >= 0) { throw bad("--weight-decay", "\(weightDecay)", "give 0 or more") }
        if !(momentum >= 0) { throw bad("--momentum", "\(momentum)", "give 0 or more") }
        if !(labelSmoothing >= 0 && labelSmoothing <= 1) { throw bad("--label-smoothing", "\(labelSmoothing)", "give a value in [0, 1]") }
        if let clipNorm, !(clipNorm > 0) { throw bad("--clip-norm", "\(clipNorm)", "give a positive number") }
        if let patience, patience < 0 { throw bad("--patience", "\(patience)", "give 0 or more") }
        if !(1...64).contains(resolvedEnsemble) { throw bad("--ensemble", "\(resolvedEnsemble)", "give 1 to 64 members") }
        if kind != .text, let tokens { throw bad("--tokens", tokens.rawValue, "it applies to text: data only") }
        if kind == .text, let normalization, normalization != .none {
            throw bad("--normalize", normalization.rawValue, "text: inputs are token ids; give none")
        }
        if kind == .forecast {
            if forecast.frame < 1 { throw bad("--frame", "\(forecast.frame)", "give 1 or more") }
            if forecast.step < 1 { throw bad("--step", "\(forecast.step)", "give 1 or more") }
            if forecast.horizon < 1 { throw bad("--horizon", "\(forecast.horizon)", "give 1 or more") }
            if !(forecast.threshold >= 0) { throw bad("--threshold", "\(forecast.threshold)", "give 0 or more") }
            if let season = forecast.season, season < 1 { throw bad("--season", "\(season)", "give 1 or more") }
            if !ForecastingData.targetNames.contains(forecast.target) {
                throw bad("--target", forecast.target, ForecastingData.targetNames.joined(separator: ", "))
            }
            if resolvedValidationFraction >= 0.85 {
                throw bad("--validation", "\(resolvedValidationFraction)", "give a fraction in [0, 0.85): forecast: data keep their last 15% for testing")
            }
        }
    }

    /// Loads the data, builds everything, trains (continuing from the run folder's
    /// `last.ckpt` when `resume`), evaluates on the test part and writes the run folder:
    /// `run.json`, `best.ckpt` (with a validation set), `last.ckpt`, `model.safetensors`,
    /// `log.csv`, `curves.svg`, `summary.txt`. An ensemble writes each member's checkpoints and logs in `members/K/`
    /// and the ensemble's `run.json`, `summary.txt` and `model.safetensors` at the top.
    public func run(resume: Bool = false) throws(StrataError) -> TrainingOutcome {
        let started = Date()
        try checkOptions()
        let data = try LoadedData.load(self.data, directory: dataDirectory, seed: seed, testFraction: testFraction,
                                       forecast: resolved.forecast, tokens: resolvedTokens)
        if resume { try checkResumable(defaultNormalization: data.defaultNormalization) }
        // validation rows come from the training part only; so do normalisation statistics
        var trainPart = data.train, validationPart = data.validation
        if validationPart == nil && resolvedValidationFraction > 0 {
            let (keep, heldOut) = data.task == .regression
                ? Splits.random(count: data.train.count, fraction: resolvedValidationFraction, seed: seed &+ 1)
                : Splits.stratified(labels: data.train.labels, fraction: resolvedValidationFraction, seed: seed &+ 1)
            trainPart = try data.train.subset(keep)
            validationPart = try data.train.subset(heldOut)
        }
        let normalizer = Normalizer.fit(normalization ?? data.defaultNormalization, on: trainPart.inputs)
        if normalization == nil, let evidence = data.normalizationEvidence, progress != .silent && writesFiles {
            FileHandle.standardError.write(Data("normalisation: \(evidence)\n".utf8))
        }
        func normalized(_ set: TensorDataset) throws(StrataError) -> TensorDataset {
            try TensorDataset(inputs: try normalizer.apply(set.inputs), targets: set.targets, classNames: set.classNames)
        }
        let train = try normalized(trainPart), test = try normalized(data.test)
        let validation = try validationPart.map { set throws(StrataError) in try normalized(set) }

        try makeFolder(output)
        let classNames: [String]
        if case let .classification(names) = data.task { classNames = names } else { classNames = [] }
        let description = RunDescription(recipe: resolved, inputShape: data.inputShape, classNames: classNames,
                                         outputs: data.outputs, normalizer: normalizer, tokenizer: data.tokenizer)
        try writeJSON(description, to: "run.json")
        if writesFiles { AtomicFile.removeLeftovers(in: output) }

        var members: [(model: Module, history: TrainingHistory, trainer: Trainer)] = []
        for index in 0..<resolvedEnsemble {
            members.append(try trainMember(index, data: data, train: train, validation: validation, resume: resume))
        }
        let model = resolvedEnsemble == 1 ? members[0].model : description.ensemble(members.map(\.model))
        let trainer = resolvedEnsemble == 1 ? members[0].trainer : try Trainer(evaluating: model, task: data.task)
        if resolvedEnsemble > 1 { try writeSummary(try summary(model, input: description.modelInputShape)) }
        if writesFiles { try model.save(to: (output as NSString).appendingPathComponent("model.safetensors")) }
        let testLoader = try DataLoader(test, batchSize: 256)
        var memberFigures: [[String: Double]] = []
        if resolvedEnsemble > 1 {
            for member in members {
                let evaluation = try member.trainer.evaluate(testLoader)
                let score = evaluation.regression.map { ("test_mae", $0.meanAbsoluteError * data.targetScale) }
                    ?? ("test_accuracy", evaluation.metric)
                memberFigures.append([score.0: score.1, "test_loss": evaluation.loss])
            }
        }
        let evaluation = try trainer.evaluate(testLoader)
        var figures = data.baselines
        if let regression = evaluation.regression {
            figures = ForecastFigures.figures(regression, data: data)
            if kind == .forecast { figures["trend_accuracy"] = try trendAccuracy(model, test) }
        } else {
            figures["test_accuracy"] = evaluation.metric
        }
        figures["test_loss"] = evaluation.loss
        return TrainingOutcome(history: members[members.count - 1].history, test: evaluation,
                               seconds: Date().timeIntervalSince(started), runDirectory: output,
                               parameters: model.parameters().reduce(0) { $0 + $1.count }, figures: figures,
                               members: memberFigures)
    }

    /// Where ensemble member `index` (0-based) trains inside the run folder `output`.
    public static func memberFolder(_ output: String, _ index: Int) -> String {
        ((output as NSString).appendingPathComponent("members") as NSString).appendingPathComponent("\(index)")
    }

    /// Builds ensemble member `index` (the only network when there is no ensemble) from seed
    /// `seed + index` (initialisation, shuffling, augmentation, dropout) and trains it with its
    /// checkpoints and logs in its folder.
    private func trainMember(_ index: Int, data: LoadedData, train: TensorDataset, validation: TensorDataset?,
                             resume: Bool) throws(StrataError) -> (model: Module, history: TrainingHistory, trainer: Trainer) {
        let seed = self.seed &+ UInt64(index)
        let folder = resolvedEnsemble == 1 ? output : Self.memberFolder(output, index)
        if resolvedEnsemble > 1 && progress != .silent && writesFiles {
            FileHandle.standardError.write(Data("ensemble member \(index + 1) of \(resolvedEnsemble) (seed \(seed)): \(folder)\n".utf8))
        }
        Random.seed(seed)
        let model = try Self.buildModel(resolvedModel, inputShape: train.sampleShape, classes: data.outputs, vocabulary: data.vocabulary)
        if synchronizeBatchNorm == true, let communicator = Communicator.dataParallel {
            for case let (_, layer as BatchNormLayer) in model.namedModules() { layer.synchronization = communicator }
        }
        // before training: a network that does not fit the data fails here, naming the layer
        let modelSummary = try summary(model, input: train.sampleShape)
        if resolvedEnsemble == 1 { try writeSummary(modelSummary) }
        let augmentations = try augment.map { text throws(StrataError) in try AugmentationSpecification.parse(text) } ?? []
        let trainSource: any Dataset = augmentations.isEmpty ? train : AugmentedDataset(train, augmentations: augmentations, seed: seed)
        var trainLoader = try DataLoader(trainSource, batchSize: resolvedBatchSize, shuffle: true, seed: seed)
        // data-parallel: each rank trains on its shard of every epoch, --batch-size samples per step
        if let communicator = Communicator.dataParallel { trainLoader.shard = (communicator.rank, communicator.size) }
        let groups = [ParameterGroup(parameters: model.parameters(), learningRate: resolvedLearningRate, weightDecay: weightDecay)]
        let optimizer = try self.optimizer.make(groups: groups, momentum: momentum)
        let scheduler = try makeScheduler(optimizer, batchesPerEpoch: trainLoader.batchCount)

        var configuration = TrainingConfiguration(epochs: resolvedEpochs, task: data.task)
        configuration.labelSmoothing = labelSmoothing
        configuration.regressionLoss = regressionLoss ?? .mse
        configuration.gradientClipNorm = clipNorm
        configuration.earlyStopping = patience.map { EarlyStopping(patience: $0) }
        if kind == .forecast && patience == nil && validation != nil {
            // the best epoch on validation error, as forecasting is usually judged
            configuration.earlyStopping = EarlyStopping(monitor: .metric, patience: resolvedEpochs, restoreBest: true)
        }
        configuration.runDirectory = folder
        configuration.tensorboardDirectory = tensorboard.map { resolvedEnsemble == 1 ? $0 : ($0 as NSString).appendingPathComponent(
            (folder as NSString).lastPathComponent) }
        configuration.progress = progress
        configuration.communicator = Communicator.dataParallel
        let trainer = Trainer(model: model, optimizer: optimizer, scheduler: scheduler, configuration: configuration)
        try makeFolder(folder)
        let last = (folder as NSString).appendingPathComponent("last.ckpt")
        // an ensemble resumes the member that was training and starts the ones after it
        let resumable = FileManager.default.fileExists(atPath: last)
        if resume && !resumable && index == 0 {
            throw .io(path: last, message: "nothing to resume: no last.ckpt in the run folder")
        }
        let history = try trainer.fit(train: trainLoader,
                                      validation: try validation.map { set throws(StrataError) in try DataLoader(set, batchSize: 256) },
                                      resumeFrom: resume && resumable ? last : nil)
        if resolvedEnsemble > 1 && writesFiles { try model.save(to: (folder as NSString).appendingPathComponent("model.safetensors")) }
        return (model, history, trainer)
    }

    /// How often a forecast moves in the same direction as the truth from the window's
    /// last value of the target (channel 0; windows `N×C×m`, targets `N×…` in its units).
    private func trendAccuracy(_ model: Module, _ test: TensorDataset) throws(StrataError) -> Double {
        model.eval()
        let predictions = try withoutGradients { () throws(StrataError) in try model(test.inputs) }.toArray()
        let truth = test.targets.toArray(), windows = test.inputs.toArray()
        let frame = test.inputs.shape.last ?? 1, perWindow = Swift.max(truth.count / Swift.max(test.count, 1), 1)
        var agree = 0
        for index in truth.indices {
            let last = windows[(index / perWindow) * frame * (test.inputs.shape[1]) + frame - 1]
            if (predictions[index] - last).sign == (truth[index] - last).sign { agree += 1 }
        }
        return Double(agree) / Double(Swift.max(truth.count, 1))
    }

    private func makeScheduler(_ optimizer: any Optimizer, batchesPerEpoch: Int) throws(StrataError) -> LearningRateScheduler? {
        try resolvedSchedule.scheduler(for: optimizer, epochs: resolvedEpochs, batchesPerEpoch: batchesPerEpoch,
                                       peak: resolvedLearningRate)
    }

    /// Whether this process writes the run folder: every process but ranks other than 0 of a
    /// data-parallel job.
    var writesFiles: Bool { Communicator.dataParallel?.isRoot ?? true }

    private func makeFolder(_ path: String) throws(StrataError) {
        guard writesFiles else { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io(path: path, message: "cannot create the run folder: \(error.localizedDescription)")
        }
    }

    private func writeSummary(_ modelSummary: ModelSummary) throws(StrataError) {
        guard writesFiles else { return }
        try AtomicFile.write(Data((modelSummary.description + "\n").utf8), to: (output as NSString).appendingPathComponent("summary.txt"))
    }

    private func writeJSON<T: Encodable>(_ value: T, to name: String) throws(StrataError) {
        guard writesFiles else { return }
        let path = (output as NSString).appendingPathComponent(name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(try encoder.encode(value), to: path)
        } catch let error as StrataError {
            throw error
        } catch {
            throw .io(path: path, message: "cannot encode: \(error)")
        }
    }
}
