import Foundation

/// Trains a model with validation every epoch, early stopping, best/last checkpoints,
/// resumption, progress, a CSV log and learning curves — Keras's `fit` for Strata.
///
///     let trainer = Trainer(model: model, optimizer: try Adam(parameters: model.parameters()),
///                           configuration: TrainingConfiguration(epochs: 30, task: .classification(classNames: names)))
///     let history = try trainer.fit(train: trainLoader, validation: validationLoader)
public final class Trainer {
    public let model: Module
    public let optimizer: any Optimizer
    public let scheduler: LearningRateScheduler?
    public let configuration: TrainingConfiguration

    public init(model: Module, optimizer: any Optimizer, scheduler: LearningRateScheduler? = nil,
                configuration: TrainingConfiguration) {
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.configuration = configuration
    }

    /// A trainer that only evaluates `model` on `task` (its loss and metrics): it never steps.
    public convenience init(evaluating model: Module, task: Task) throws(StrataError) {
        var configuration = TrainingConfiguration(epochs: 1, task: task)
        configuration.progress = .silent
        self.init(model: model, optimizer: try SGD(parameters: [], learningRate: 0), configuration: configuration)
    }

    private var stepsSchedulerPerBatch: Bool {
        if case .oneCycle = scheduler?.rule { return true }
        return false
    }

    /// Whether this process reports and writes files: always, but for ranks other than 0 of a job.
    private var isReporter: Bool { configuration.communicator?.isRoot ?? true }

    private func path(_ name: String) -> String? {
        guard isReporter else { return nil }
        return configuration.runDirectory.map { ($0 as NSString).appendingPathComponent(name) }
    }

    /// The loss of a batch for the task.
    func loss(_ output: Tensor, _ targets: Tensor) throws(StrataError) -> Tensor {
        switch configuration.task {
        case .classification:
            return try crossEntropy(output, target: targets, labelSmoothing: configuration.labelSmoothing)
        case .regression:
            let matched = output.shape == targets.shape ? targets : try targets.toFloat().reshape(output.shape)
            switch configuration.regressionLoss {
            case .mse: return try mseLoss(output, target: matched)
            case .l1: return try l1Loss(output, target: matched)
            case .huber: return try huberLoss(output, target: matched)
            }
        }
    }

    /// Trains for the configured epochs (from the epoch after the checkpoint's when
    /// `resumeFrom` names one; a resumed run ends with the same weights as an
    /// uninterrupted one).
    ///
    /// - Throws: `StrataError.diverged` naming epoch, batch, step and the first layer whose
    ///   output was non-finite when the loss is NaN or infinite (the checkpoints keep the
    ///   last complete epoch); data, shape and I/O errors as they occur.
    @discardableResult
    public func fit(train: DataLoader, validation: DataLoader? = nil, resumeFrom: String? = nil) throws(StrataError) -> TrainingHistory {
        var history = TrainingHistory()
        var firstEpoch = 1, withoutImprovement = 0
        if let resumeFrom {
            let checkpoint = try Checkpoint.restore(from: resumeFrom, model: model, optimizer: optimizer, scheduler: scheduler)
            history = checkpoint.history
            firstEpoch = checkpoint.epoch + 1
            withoutImprovement = checkpoint.epochsWithoutImprovement
        }
        if let communicator = configuration.communicator {
            // every rank starts from rank 0's weights (and, resumed, its restored state)
            for (_, tensor, _) in model.namedState() where tensor.dtype == .float32 {
                try communicator.broadcast(tensor, from: 0)
            }
        }
        if isReporter, let directory = configuration.runDirectory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .io(path: directory, message: "cannot create the run folder: \(error.localizedDescription)")
            }
        }
        let reporter = ProgressReporter(style: isReporter ? configuration.progress : .silent, epochs: configuration.epochs,
                                        batchesPerEpoch: train.batchCount)
        let tensorboard = try configuration.tensorboardDirectory.flatMap { isReporter ? $0 : nil }.map { directory throws(StrataError) in
            try TensorBoardLog(directory: directory, metricName: configuration.task.metricName)
        }
        if let tensorboard, let first = train.batchIndices(epoch: 0).first {
            try tensorboard.samples(try train.dataset.batch(first).inputs)
        }
        var bestState: [(String, Tensor)]?
        guard firstEpoch <= configuration.epochs else { return history }
        for epoch in firstEpoch...configuration.epochs {
            let start = Date()
            reporter.startEpoch()
            let (trainLoss, trainMetric) = try trainEpoch(train, epoch: epoch, reporter: reporter)
            let evaluation = try validation.map { loader throws(StrataError) in try evaluate(loader) }
            if let scheduler, !stepsSchedulerPerBatch {
                scheduler.step(metric: Float(evaluation?.loss ?? trainLoss))
            }
            let record = EpochRecord(epoch: epoch, trainLoss: trainLoss, trainMetric: trainMetric,
                                     validationLoss: evaluation?.loss, validationMetric: evaluation?.metric,
                                     learningRate: Double(optimizer.groups.first?.learningRate ?? 0),
                                     seconds: Date().timeIntervalSince(start))
            history.epochs.append(record)
            reporter.endEpoch(record, metricName: configuration.task.metricName)
            try tensorboard?.epoch(record, model: model)
            // the monitored value, as "lower is better"
            let monitor = configuration.earlyStopping?.monitor ?? .loss
            let higherIsBetter = monitor == .metric && configuration.task != .regression
            let observed = monitor == .loss ? (record.validationLoss ?? record.trainLoss)
                : (record.validationMetric ?? record.trainMetric)
            let score = higherIsBetter ? -observed : observed
            let minDelta = configuration.earlyStopping?.minDelta ?? 0
            if history.bestValue.map({ score < (higherIsBetter ? -$0 : $0) - minDelta }) ?? true {
                history.bestEpoch = epoch
                history.bestValue = observed
                withoutImprovement = 0
                if configuration.earlyStopping?.restoreBest == true {
                    bestState = model.stateDict().map { ($0.0, $0.1.copyToContiguous()) }
                }
                // without a validation set there is no "best" epoch to keep
                if validation != nil, let best = path("best.ckpt") {
                    try Checkpoint.save(to: best, epoch: epoch, history: history, epochsWithoutImprovement: 0,
                                        model: model, optimizer: optimizer, scheduler: scheduler)
                }
            } else {
                withoutImprovement += 1
            }
            var stop = false
            if let early = configuration.earlyStopping, withoutImprovement > early.patience {
                history.stoppedEarly = "no improvement of \(monitor == .loss ? "the loss" : configuration.task.metricName) for \(withoutImprovement) epochs after epoch \(history.bestEpoch ?? 0)"
                stop = true
            }
            if let last = path("last.ckpt") {
                try Checkpoint.save(to: last, epoch: epoch, history: history, epochsWithoutImprovement: withoutImprovement,
                                    model: model, optimizer: optimizer, scheduler: scheduler)
            }
            try writeLogs(history)
            if stop {
                reporter.note("early stopping: \(history.stoppedEarly ?? "")")
                break
            }
        }
        if configuration.earlyStopping?.restoreBest == true, let bestState {
            try model.loadStateDict(Dictionary(uniqueKeysWithValues: bestState))
        }
        return history
    }

    private func trainEpoch(_ loader: DataLoader, epoch: Int, reporter: ProgressReporter) throws(StrataError) -> (Double, Double) {
        model.train()
        var lossSum = 0.0, metricSum = 0.0, samples = 0, index = 0
        let batches = loader.batchCount
        let parameters = model.trainableParameters()
        let buckets = configuration.communicator.map { GradientBuckets(parameters: parameters, ranks: $0) }
        for result in loader.batches(epoch: epoch - 1) {
            let (inputs, targets) = try result.get()
            index += 1
            optimizer.zeroGrad()
            let output = try model(inputs)
            let loss = try self.loss(output, targets)
            let value = try loss.item()
            guard value.isFinite else {
                let diagnosis = AnomalyDetection.diagnose(model, input: inputs)
                throw .diverged(message: "the loss is \(value) at epoch \(epoch), batch \(index) of \(batches) (optimizer step \((epoch - 1) * batches + index)); \(diagnosis); the last checkpoint is of the last complete epoch; lower the learning rate, clip gradients or check the inputs for NaN")
            }
            buckets?.beginStep()
            try loss.backward(gradientFinal: buckets?.gradientFinal)
            try buckets?.finishStep()
            if let limit = configuration.gradientClipNorm { clipGradientNorm(parameters, maxNorm: limit) }
            optimizer.step()
            if stepsSchedulerPerBatch { scheduler?.step() }
            let count = inputs.shape[0]
            lossSum += Double(value) * Double(count)
            metricSum += batchMetric(output.detach(), targets) * Double(count)
            samples += count
            reporter.batch(epoch: epoch, index: index, loss: lossSum / Double(samples), batchSize: count)
        }
        if let communicator = configuration.communicator {
            let totals = try communicator.sum([lossSum, metricSum, Double(samples)])
            (lossSum, metricSum, samples) = (totals[0], totals[1], Int(totals[2]))
        }
        return samples == 0 ? (.nan, .nan) : (lossSum / Double(samples), metricSum / Double(samples))
    }

    /// Accuracy (classification) or mean absolute error (regression) of one batch.
    private func batchMetric(_ output: Tensor, _ targets: Tensor) -> Double {
        switch configuration.task {
        case .classification:
            guard let predictions = try? output.argmax(axis: 1).toLabels() else { return 0 }
            let truth = targets.toLabels()
            return Double(zip(predictions, truth).filter { $0 == $1 }.count) / Double(Swift.max(truth.count, 1))
        case .regression:
            let (p, t) = (output.dense(), targets.toFloat().dense())
            guard p.count == t.count, p.count > 0 else { return 0 }
            let errors = Kernels.unary(.abs, Kernels.subtract(p.viewing(shape: [p.count]), t.viewing(shape: [t.count])))
            return Double(Kernels.sumAll(errors).toArray()[0]) / Double(p.count)
        }
    }

    /// Loss and metrics of the model on every batch of `loader`, in evaluation mode. In a
    /// data-parallel job each rank evaluates its shard (every sample once) and the figures are
    /// summed over the ranks, so every rank returns those of the whole loader.
    public func evaluate(_ loader: DataLoader) throws(StrataError) -> Evaluation {
        var loader = loader
        let communicator = loader.shard == nil ? configuration.communicator : nil
        if let communicator {
            loader.shard = (communicator.rank, communicator.size)
            loader.padsShards = false
        }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var classification: ClassificationMetrics?
        var regression: RegressionMetrics?
        switch configuration.task {
        case let .classification(names): classification = ClassificationMetrics(classNames: names, k: configuration.topK)
        case .regression: regression = RegressionMetrics()
        }
        for result in loader.batches(epoch: 0) {
            let (inputs, targets) = try result.get()
            let (output, loss) = try withoutGradients { () throws(StrataError) -> (Tensor, Float) in
                let output = try model(inputs)
                return (output, try self.loss(output, targets).item())
            }
            classification?.add(logits: output, labels: targets, meanLoss: loss)
            regression?.add(predictions: output, targets: targets, meanLoss: loss)
        }
        if let communicator {
            try classification?.combine(over: communicator)
            try regression?.combine(over: communicator)
        }
        if let classification {
            return Evaluation(loss: classification.loss, metric: classification.accuracy, classification: classification, regression: nil)
        }
        let metrics = regression ?? RegressionMetrics()
        return Evaluation(loss: metrics.loss, metric: metrics.meanAbsoluteError, classification: nil, regression: metrics)
    }

    private func writeLogs(_ history: TrainingHistory) throws(StrataError) {
        if let log = path("log.csv") { try AtomicFile.write(Data(history.csv.utf8), to: log) }
        if let curves = path("curves.svg") {
            try AtomicFile.write(Data(LearningCurves.svg(history, metricName: configuration.task.metricName).utf8), to: curves)
        }
    }
}
