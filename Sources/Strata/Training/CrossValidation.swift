import Foundation

/// k-fold cross-validation of a training recipe: each fold trains a fresh model on the
/// other folds (normalisation fitted on them alone) and scores it on its own.
public struct CrossValidationResult: Sendable {
    /// Validation accuracy (classification) or MAE of each fold.
    public let scores: [Double]
    public let metricName: String

    public var mean: Double { scores.reduce(0, +) / Double(Swift.max(scores.count, 1)) }
    /// Sample standard deviation over folds.
    public var standardDeviation: Double {
        guard scores.count > 1 else { return 0 }
        return (scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(scores.count - 1)).squareRoot()
    }
}

/// One fold ready to train: its parts normalised with statistics of its training part.
public struct PreparedFold: Sendable {
    public let train: TensorDataset
    public let validation: TensorDataset
    public let normalizer: Normalizer
}

extension TrainingRecipe {
    /// The folds of the recipe's training data (stratified for classification), each
    /// normalised with statistics fitted on its own training rows only.
    public func preparedFolds(_ k: Int, data: LoadedData) throws(StrataError) -> [PreparedFold] {
        guard k >= 2 else { throw .invalidArgument(op: "train", message: "--folds \(k) is not allowed: give 2 or more") }
        let splits = data.task == .regression ? Splits.kFold(count: data.train.count, k: k, seed: seed)
            : Splits.stratifiedKFold(labels: data.train.labels, k: k, seed: seed)
        return try splits.map { split throws(StrataError) in
            let train = try data.train.subset(split.train), validation = try data.train.subset(split.validation)
            let normalizer = Normalizer.fit(normalization ?? data.defaultNormalization, on: train.inputs)
            return PreparedFold(train: try TensorDataset(inputs: try normalizer.apply(train.inputs), targets: train.targets,
                                                         classNames: train.classNames),
                                validation: try TensorDataset(inputs: try normalizer.apply(validation.inputs),
                                                              targets: validation.targets, classNames: validation.classNames),
                                normalizer: normalizer)
        }
    }

    /// Trains and scores `k` folds of the training data (the test part stays unseen), one
    /// network per fold (a default ensemble is scored by one of its members).
    public func crossValidate(folds k: Int) throws(StrataError) -> CrossValidationResult {
        try checkOptions()
        guard (ensemble ?? 1) == 1 else {
            throw .invalidArgument(op: "train", message: "--folds and --ensemble do not combine: cross-validation scores one network per fold")
        }
        let data = try LoadedData.load(self.data, directory: dataDirectory, seed: seed, testFraction: testFraction,
                                       forecast: forecast, tokens: resolvedTokens)
        var scores: [Double] = []
        for (index, fold) in try preparedFolds(k, data: data).enumerated() {
            Random.seed(seed &+ UInt64(index))
            let model = try Self.buildModel(resolvedModel, inputShape: fold.train.sampleShape, classes: data.outputs, vocabulary: data.vocabulary)
            let optimizer = try Adam(groups: [ParameterGroup(parameters: model.parameters(), learningRate: resolvedLearningRate,
                                                             weightDecay: weightDecay)])
            var configuration = TrainingConfiguration(epochs: resolvedEpochs, task: data.task)
            configuration.progress = progress == .automatic ? .silent : progress
            let trainer = Trainer(model: model, optimizer: optimizer, configuration: configuration)
            try trainer.fit(train: try DataLoader(fold.train, batchSize: resolvedBatchSize, shuffle: true, seed: seed))
            let evaluation = try trainer.evaluate(try DataLoader(fold.validation, batchSize: 256))
            scores.append(data.task == .regression ? evaluation.metric * data.targetScale : evaluation.metric)
        }
        return CrossValidationResult(scores: scores, metricName: data.task == .regression ? "mae" : "accuracy")
    }
}
