import Foundation
import XCTest
@testable import Strata

final class TrainingTests: XCTestCase {
    private func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("training-\(UUID().uuidString)").path
    }

    func testConfusionMatrixMetrics() throws {
        var metrics = ClassificationMetrics(classNames: ["a", "b", "c"], k: 2)
        // logits: predictions 0, 1, 1, 2 for truths 0, 1, 2, 2
        let logits = try Tensor([3, 1, 0, 0, 2, 1, 0, 2, 1, 0, 1, 2], shape: [4, 3])
        metrics.add(logits: logits, labels: try Tensor(labels: [0, 1, 2, 2]), meanLoss: 0.5)
        XCTAssertEqual(metrics.confusion.counts, [[1, 0, 0], [0, 1, 0], [0, 1, 1]])
        XCTAssertEqual(metrics.accuracy, 0.75)
        XCTAssertEqual(metrics.topKAccuracy, 1)   // the third sample's class ranks second
        XCTAssertEqual(metrics.confusion.precision(1), 0.5)
        XCTAssertEqual(metrics.confusion.recall(2), 0.5)
        XCTAssertEqual(metrics.confusion.f1(2), 2 * 1 * 0.5 / 1.5, accuracy: 1e-12)
        XCTAssertEqual(metrics.loss, 0.5)
        XCTAssertTrue(metrics.confusion.perClassReport.contains("b         0.5000  1.0000  0.6667        1"), metrics.confusion.perClassReport)
        var regression = RegressionMetrics()
        regression.add(predictions: try Tensor([1, 2, 4], shape: [3, 1]), targets: try Tensor([1, 3, 2], shape: [3, 1]), meanLoss: 1)
        XCTAssertEqual(regression.meanAbsoluteError, 1)
        XCTAssertEqual(regression.rootMeanSquaredError, (5.0 / 3).squareRoot(), accuracy: 1e-9)
    }

    /// A tiny separable problem: class = which of two features is larger.
    private func toyData(_ count: Int, seed: UInt64) throws -> TensorDataset {
        var rng = RandomGenerator(seed: seed)
        let inputs = try Tensor.randn([count, 2], generator: &rng)
        let values = inputs.toArray()
        let labels = (0..<count).map { values[2 * $0] > values[2 * $0 + 1] ? 1 : 0 }
        return try TensorDataset(inputs: inputs, targets: try Tensor(labels: labels), classNames: ["left", "right"])
    }

    func testFitWritesTheRunFolderAndLearns() throws {
        Random.seed(3)
        let model = Sequential { Linear(2, 8); ReLU(); Linear(8, 2) }
        var configuration = TrainingConfiguration(epochs: 5, task: .classification(classNames: ["left", "right"]))
        configuration.runDirectory = temporaryFolder()
        configuration.progress = .silent
        defer { try? FileManager.default.removeItem(atPath: configuration.runDirectory!) }
        let trainer = Trainer(model: model, optimizer: try Adam(parameters: model.parameters(), learningRate: 0.05),
                              configuration: configuration)
        let history = try trainer.fit(train: try DataLoader(try toyData(512, seed: 1), batchSize: 32, shuffle: true),
                                      validation: try DataLoader(try toyData(128, seed: 2), batchSize: 64))
        XCTAssertEqual(history.epochs.count, 5)
        XCTAssertGreaterThan(history.epochs.last!.validationMetric!, 0.9)
        XCTAssertLessThan(history.epochs.last!.trainLoss, history.epochs.first!.trainLoss)
        for file in ["best.ckpt", "last.ckpt", "log.csv", "curves.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: (configuration.runDirectory! as NSString).appendingPathComponent(file)), file)
        }
        let csv = try String(contentsOfFile: (configuration.runDirectory! as NSString).appendingPathComponent("log.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("epoch,train_loss,train_metric,val_loss,val_metric,learning_rate,seconds\n1,"))
        XCTAssertEqual(csv.split(separator: "\n").count, 6)
        let svg = try String(contentsOfFile: (configuration.runDirectory! as NSString).appendingPathComponent("curves.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 4, "train and validation curves for loss and accuracy")
        // no temporary files are left behind by the atomic writes
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: configuration.runDirectory!).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testEarlyStoppingRestoresTheBestWeights() throws {
        Random.seed(4)
        let model = Sequential { Linear(2, 2) }
        var configuration = TrainingConfiguration(epochs: 40, task: .classification(classNames: ["left", "right"]))
        configuration.progress = .silent
        configuration.earlyStopping = EarlyStopping(monitor: .loss, patience: 2, minDelta: 0.01, restoreBest: true)
        // a learning rate far too large: the validation loss stops improving quickly
        let trainer = Trainer(model: model, optimizer: try SGD(parameters: model.parameters(), learningRate: 5),
                              configuration: configuration)
        let validation = try DataLoader(try toyData(64, seed: 6), batchSize: 64)
        let history = try trainer.fit(train: try DataLoader(try toyData(256, seed: 5), batchSize: 16), validation: validation)
        XCTAssertLessThan(history.epochs.count, 40)
        XCTAssertNotNil(history.stoppedEarly)
        let best = history.epochs.first { $0.epoch == history.bestEpoch }!
        XCTAssertEqual(history.epochs.count, history.bestEpoch! + 3)
        XCTAssertEqual(try trainer.evaluate(validation).loss, best.validationLoss!, accuracy: 1e-5)
    }

    func testNonFiniteLossStopsWithTheStepNamed() throws {
        let model = Sequential { Linear(2, 2) }
        var configuration = TrainingConfiguration(epochs: 3, task: .classification(classNames: ["left", "right"]))
        configuration.progress = .silent
        let trainer = Trainer(model: model, optimizer: try SGD(parameters: model.parameters(), learningRate: 0.1),
                              configuration: configuration)
        var values = try toyData(64, seed: 8).inputs.toArray()
        values[2 * 40] = .nan   // sample 40: batch 3 of 4 with batch size 16, no shuffling
        let data = try TensorDataset(inputs: try Tensor(values, shape: [64, 2]), targets: try toyData(64, seed: 8).targets)
        guard case .diverged(let message)? = thrownError({ try trainer.fit(train: try DataLoader(data, batchSize: 16)) }) else {
            return XCTFail()
        }
        XCTAssertTrue(message.contains("epoch 1, batch 3 of 4 (optimizer step 3)"), message)
    }

    func testOverflowMidRunNamesTheFirstNonFiniteLayerAndKeepsTheLastGoodCheckpoint() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("strata-overflow-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: run) }
        // 4 batches per epoch: the layer overflows from its 11th call, batch 3 of epoch 3
        let model = Sequential { Linear(2, 8); ReLU(); OverflowingLayer(fromCall: 11); Linear(8, 2) }
        var configuration = TrainingConfiguration(epochs: 5, task: .classification(classNames: ["left", "right"]))
        configuration.progress = .silent
        configuration.runDirectory = run
        let optimizer = try SGD(parameters: model.parameters(), learningRate: 0.1)
        let trainer = Trainer(model: model, optimizer: optimizer, configuration: configuration)
        guard case .diverged(let message)? = thrownError({ try trainer.fit(train: try DataLoader(try toyData(64, seed: 8), batchSize: 16)) }) else {
            return XCTFail("expected diverged")
        }
        XCTAssertTrue(message.contains("epoch 3, batch 3 of 4 (optimizer step 11)"), message)
        XCTAssertTrue(message.contains("the first layer with a non-finite output is '2' (OverflowingLayer)"), message)
        XCTAssertFalse(message.contains("parameter"), "the weights were still finite: \(message)")
        // the last checkpoint is epoch 2's, whole, and its weights are finite
        let restored = Sequential { Linear(2, 8); ReLU(); OverflowingLayer(fromCall: 0); Linear(8, 2) }
        let checkpoint = try Checkpoint.restore(from: run + "/last.ckpt", model: restored,
                                                optimizer: try SGD(parameters: restored.parameters(), learningRate: 0.1), scheduler: nil)
        XCTAssertEqual(checkpoint.epoch, 2)
        XCTAssertTrue(restored.parameters().allSatisfy { $0.toArray().allSatisfy(\.isFinite) })
    }

    func testDivergenceFromNonFiniteInputsSaysSo() throws {
        let model = Sequential { Linear(2, 2) }
        let input = try Tensor([1, .infinity, 0, 1], shape: [2, 2])
        let diagnosis = AnomalyDetection.diagnose(model, input: input)
        XCTAssertEqual(diagnosis, "the input batch holds 1 non-finite value(s); the first layer with a non-finite output is '0' (Linear): 2 of 4 values")
    }

    func testStratifiedSplitKeepsClassProportions() {
        let labels = (0..<1000).map { $0 % 10 < 7 ? 0 : 1 }   // 70% / 30%
        let (train, test) = Splits.stratified(labels: labels, fraction: 0.2, seed: 1)
        XCTAssertEqual(train.count, 800)
        XCTAssertEqual(Set(train).intersection(test), [])
        XCTAssertEqual(test.filter { labels[$0] == 1 }.count, 60)
        XCTAssertEqual(Splits.stratified(labels: labels, fraction: 0.2, seed: 1).second, test, "seeded")
    }

    func testNormalizersAreFittedPerChannel() throws {
        let train = try Tensor([0, 2, 4, 6], shape: [2, 2, 1])   // channel 0: 0, 4; channel 1: 2, 6
        let standard = Normalizer.fit(.standard, on: train)
        XCTAssertEqual(standard.offset, [2, 4])
        XCTAssertEqual(standard.scale, [2, 2])
        let test = try Tensor([2, 4], shape: [1, 2, 1])
        XCTAssertEqual(try standard.apply(test).toArray(), [0, 0])
        let minMax = Normalizer.fit(.minmax, on: train)
        XCTAssertEqual(try minMax.apply(test).toArray(), [0.5, 0.5])
        let series = try Tensor([1, 2, 3, 10, 20, 30], shape: [1, 2, 3])
        let perSample = try Normalizer.fit(.sample, on: series).apply(series).toArray()
        XCTAssertEqual(perSample.map { ($0 * 1000).rounded() / 1000 }, [-1.225, 0, 1.225, -1.225, 0, 1.225])
    }

    func testSampleLevelAppendsEachSeriesStandardisedLogLevel() throws {
        // cases 1, 2, 3 and 10, 20, 30: log10 of std √(2/3)·{1, 10}, |mean| {2, 20} and peak {3, 30}
        // differ by exactly 1 between the cases, so the training statistics are mean ± 0.5
        let train = try Tensor([1, 2, 3, 10, 20, 30], shape: [2, 1, 3])
        let level = Normalizer.fit(.sampleLevel, on: train)
        let tenth = Float(0.5 * log10(2.0 / 3)) + 0.5
        for (fitted, expected) in zip(level.offset, [tenth, Float(log10(2.0)) + 0.5, Float(log10(3.0)) + 0.5]) {
            XCTAssertEqual(fitted, expected, accuracy: 1e-4)
        }
        for scale in level.scale { XCTAssertEqual(scale, 0.5, accuracy: 1e-4) }
        XCTAssertEqual(level.sampleShape([1, 3]), [4, 3])
        XCTAssertEqual(Normalizer.fit(.sample, on: train).sampleShape([1, 3]), [1, 3])
        let normalised = try level.apply(train)
        XCTAssertEqual(normalised.shape, [2, 4, 3])
        let rounded = try normalised.toArray().map { ($0 * 1000).rounded() / 1000 }
        XCTAssertEqual(rounded, [-1.225, 0, 1.225, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                 -1.225, 0, 1.225, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        let louder = try level.apply(try Tensor([100, 200, 300], shape: [1, 1, 3])).toArray()
        XCTAssertEqual(louder.suffix(9).map { ($0 * 1000).rounded() / 1000 }, [Float](repeating: 3, count: 9), "ten times case 2: (0.5 + 1) / 0.5")
        guard case .shapeMismatch(_, let message)? = thrownError({ _ = try level.apply(try Tensor.zeros([1, 2, 3])) }) else {
            return XCTFail("two channels against a fit on one")
        }
        XCTAssertTrue(message.contains("fitted on 1 channels, applied to 2"), message)
        guard case .invalidArgument? = thrownError({ _ = try level.apply(try Tensor.zeros([1, 3])) }) else {
            return XCTFail("rows are not series")
        }
    }

    func testDataLoaderShufflesBySeedAndEpoch() throws {
        let data = try toyData(10, seed: 1)
        let loader = try DataLoader(data, batchSize: 4, shuffle: true, dropLast: true, seed: 5)
        XCTAssertEqual(loader.batchCount, 2)
        let first = loader.batchIndices(epoch: 0), again = loader.batchIndices(epoch: 0), second = loader.batchIndices(epoch: 1)
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(first.map(\.count), [4, 4])
        XCTAssertEqual(Set(first.flatMap { $0 }).count, 8)
        var batches = 0
        for batch in loader.batches(epoch: 0) {
            let (inputs, targets) = try batch.get()
            XCTAssertEqual(inputs.shape, [4, 2])
            XCTAssertEqual(targets.shape, [4])
            batches += 1
        }
        XCTAssertEqual(batches, 2)
    }

    func testDigitsTrainingRecipeReachesPublishedAccuracy() throws {
        // the demo's recipe in-process: the bundled 8×8 digits, stratified 80/20, 30 epochs of Adam
        var recipe = TrainingRecipe()
        recipe.output = temporaryFolder()
        recipe.progress = .silent
        defer { try? FileManager.default.removeItem(atPath: recipe.output) }
        let outcome = try recipe.run()
        XCTAssertEqual(outcome.test.classification?.samples, 359)
        XCTAssertGreaterThanOrEqual(outcome.test.metric, 0.97)
        XCTAssertEqual(outcome.history.epochs.count, 30)
    }
}

/// Passes its input through until its `fromCall`-th call, then multiplies it by 10⁶⁰
/// (overflowing to ±Inf in float32): a layer whose outputs break in the middle of a run.
private final class OverflowingLayer: Module {
    private let fromCall: Int
    private var calls = 0

    init(fromCall: Int) {
        self.fromCall = fromCall
        super.init()
    }

    override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        calls += 1
        return calls >= fromCall ? input * 1e30 * 1e30 : input
    }
}
