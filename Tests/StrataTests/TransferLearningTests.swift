import Foundation
import XCTest
@testable import Strata

/// Transfer learning four ways on real data: T3 of `shared/bench/transfer.md` (the
/// pretrained MNIST CNN → the 8×8 digits upscaled to 28×28, 10 training images per class,
/// tested on the other 1,697) against PyTorch's figures, and the mechanics of each way.
final class TransferLearningTests: XCTestCase {
    private let weights = SharedData.path("data/pretrained/mnist-cnn-digit-recognizer/handwriting_model.pth")

    private func recipe(_ way: FineTuningRecipe.Way?, seed: UInt64) -> FineTuningRecipe {
        var recipe = FineTuningRecipe(model: "digit-recognizer", weights: weights)
        recipe.data = "digits"
        recipe.trainPerClass = 10
        recipe.resize = [28, 28]
        recipe.way = way
        recipe.seed = seed
        recipe.progress = .silent
        if way != nil {
            // T3's recipe: 30 epochs, batch 16, Adam 1e-3 for every way
            recipe.epochs = 30
            recipe.batchSize = 16
            recipe.learningRate = 1e-3
        }
        return recipe
    }

    private func meanAccuracy(_ way: FineTuningRecipe.Way?) throws -> Double {
        var accuracies: [Double] = []
        for seed: UInt64 in [0, 1, 2] {
            let outcome = try recipe(way, seed: seed).run()
            XCTAssertEqual(outcome.trainSamples, 100)
            XCTAssertEqual(outcome.testSamples, 1_697)
            accuracies.append(outcome.testAccuracy * 100)
        }
        return accuracies.reduce(0, +) / Double(accuracies.count)
    }

    /// PyTorch, seeds 0–2: (a) 85.56%, (b) 87.86%, scratch 78.37%; every way within 1.5
    /// points or above, and Strata's own recipe above every one of them.
    func testT3EveryWayMatchesPyTorchAndStratasRecipeBeatsThemAll() throws {
        let frozen = try meanAccuracy(.frozen), full = try meanAccuracy(.full), scratch = try meanAccuracy(.scratch)
        XCTAssertGreaterThanOrEqual(frozen, 85.56 - 1.5)
        XCTAssertGreaterThanOrEqual(full, 87.86 - 1.5)
        XCTAssertGreaterThanOrEqual(scratch, 78.37 - 1.5)
        XCTAssertGreaterThan(full, scratch + 3)
        let strata = try meanAccuracy(nil)
        XCTAssertGreaterThan(strata, [85.56, 87.86, 78.37].max()!, "Strata's recipe: \(strata)")
        XCTAssertGreaterThan(strata, frozen, "Strata's recipe: \(strata)")
    }

    func testFrozenBackboneIsCachedOnceAndStaysFixed() throws {
        let pretrained = Dictionary(uniqueKeysWithValues: try TorchCheckpoint.read(contentsOf: weights))
        var cached = recipe(.frozen, seed: 4)
        cached.epochs = 3
        let outcome = try cached.run()
        XCTAssertGreaterThan(outcome.trainCacheSeconds, 0)
        XCTAssertEqual(outcome.trainableParameters, 256 * 10 + 10)
        for (name, tensor) in outcome.model.stateDict() where !name.hasPrefix("fc_layers.2") {
            XCTAssertEqual(tensor.toArray(), pretrained[name]?.toArray(), "\(name) must not change")
        }
        XCTAssertNotEqual(outcome.model.stateDict().first { $0.0 == "fc_layers.2.weight" }?.1.toArray(),
                          pretrained["fc_layers.2.weight"]?.toArray())
        // the same run computing the frozen stages every step gives the same head
        var uncached = cached
        uncached.cacheFeatures = false
        let recomputed = try uncached.run()
        XCTAssertEqual(recomputed.trainCacheSeconds, 0)
        assertClose(recomputed.model.stateDict().first { $0.0 == "fc_layers.2.weight" }!.1,
                    outcome.model.stateDict().first { $0.0 == "fc_layers.2.weight" }!.1, rtol: 1e-4, atol: 1e-6)
        XCTAssertEqual(recomputed.testAccuracy, outcome.testAccuracy, accuracy: 0.002)
    }

    /// Frozen batch norm keeps its statistics; the top blocks train; the head is new.
    func testTopBlocksOfAMobileNetTrainAndFrozenBatchNormKeepsItsStatistics() throws {
        let folder = try TestFiles.temporaryFolder("finetune")
        defer { try? FileManager.default.removeItem(at: folder) }
        Random.seed(11)
        let source = try Models.zoo("mobilenet_v2", classes: 1000)
        let path = folder.appendingPathComponent("mobilenet.safetensors").path
        try source.save(to: path)
        var recipe = FineTuningRecipe(model: "mobilenet_v2", weights: path)
        recipe.data = "digits"
        recipe.trainPerClass = 2
        recipe.resize = [32, 32]
        recipe.way = .top(2)
        recipe.epochs = 1
        recipe.augment = "translate:0.1"
        recipe.progress = .silent
        recipe.output = folder.appendingPathComponent("run").path
        let outcome = try recipe.run()
        let before = Dictionary(uniqueKeysWithValues: source.stateDict())
        for (name, tensor) in outcome.model.stateDict() {
            let changed = tensor.dtype == .int64 ? tensor.toLabels() != before[name]!.toLabels() : tensor.toArray() != before[name]?.toArray()
            let trains = name.hasPrefix("features.17.") || name.hasPrefix("features.18.") || name.hasPrefix("classifier.1.")
            // BN weights and statistics train only in the trained blocks
            if name.hasPrefix("classifier.1.") { continue }
            XCTAssertEqual(changed, trains, name)
        }
        XCTAssertEqual(outcome.model.namedParameters().first { $0.0 == "classifier.1.weight" }?.1.shape, [10, 1280])
        for file in ["model.safetensors", "finetune.json", "log.csv", "curves.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/\(file)").path), file)
        }
        XCTAssertTrue(try Models.zoo("mobilenet_v2", classes: 10).load(from: folder.appendingPathComponent("run/model.safetensors").path).isExact)
    }

    func testLayerwiseRatesAndOptionErrors() throws {
        var layerwise = recipe(.layerwise, seed: 0)
        layerwise.layerDecay = 0.5
        layerwise.epochs = 1
        XCTAssertEqual(layerwise.resolved(trainSamples: 100).backbone, 1e-4)
        XCTAssertEqual(recipe(nil, seed: 0).resolved(trainSamples: 100).way, .full)
        XCTAssertGreaterThan(try layerwise.run().testAccuracy, 0.1)
        XCTAssertEqual(recipe(nil, seed: 0).resolved(trainSamples: 100).epochs, 150, "600 steps of 4 batches")
        XCTAssertEqual(recipe(nil, seed: 0).resolved(trainSamples: 1_000).epochs, 20)
        var tooDeep = recipe(.top(9), seed: 0)
        tooDeep.epochs = 1
        guard case .invalidArgument(_, let message)? = thrownError({ _ = try tooDeep.run() }) else { return XCTFail() }
        XCTAssertTrue(message.contains("digit-recognizer has 4 blocks with parameters below its head"), message)
        guard case .invalidArgument(_, let way)? = thrownError({ _ = try FineTuningRecipe.Way(parsing: "top:x") }) else { return XCTFail() }
        XCTAssertTrue(way.contains("top:N"), way)
        XCTAssertEqual(try FineTuningRecipe.Way(parsing: "top:5"), .top(5))
        XCTAssertEqual(FineTuningRecipe.firstPerClass([3, 1, 3, 3, 1, 2], count: 2), [0, 1, 2, 4, 5])
    }

    func testFinetuneCommandPrintsTheTestAccuracy() throws {
        let (status, output) = try CLITests.strata(["finetune", "--model", "digit-recognizer", "--weights", weights, "--data", "digits",
                                                    "--train-per-class", "10", "--resize", "28x28", "--way", "frozen", "--epochs", "30",
                                                    "--batch-size", "16", "--json"])
        XCTAssertEqual(status, 0, output)
        let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        XCTAssertGreaterThan(json?["test_accuracy"] as? Double ?? 0, 0.8, output)
        let (bad, text) = try CLITests.strata(["finetune", "--model", "digit-recognizer", "--weights", weights, "--way", "sideways"])
        XCTAssertEqual(bad, 2, text)
        XCTAssertTrue(text.contains("--way sideways is not allowed: use frozen, full, layerwise, top:N or scratch"), text)
    }
}
