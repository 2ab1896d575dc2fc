import Foundation
import XCTest
@testable import Strata

/// 1-D CNNs from the command line's recipe on real sequence data: UCR/UEA classification
/// (official splits) and monthly sunspot forecasting.
final class SequenceTrainingTests: XCTestCase {
    private func run(_ configure: (inout TrainingRecipe) -> Void) throws -> TrainingOutcome {
        var recipe = TrainingRecipe()
        recipe.dataDirectory = SharedData.path("data/ucr-uea")
        recipe.output = FileManager.default.temporaryDirectory.appendingPathComponent("sequence-\(UUID().uuidString)").path
        recipe.progress = .silent
        configure(&recipe)
        defer { try? FileManager.default.removeItem(atPath: recipe.output) }
        return try recipe.run()
    }

    func testBasicMotionsAbove95Percent() throws {
        // the FCN recipe, a seventh of the default's time (the default: 100% at seed 0; PyTorch FCN here: 100%);
        // six sensor streams standardised per channel, so a watch's orientation still tells standing apart
        let outcome = try run {
            $0.data = "ucr:BasicMotions"
            $0.model = "fcn"
            $0.schedule = TrainingRecipe.Schedule.none
        }
        XCTAssertEqual(outcome.test.classification?.samples, 40)
        XCTAssertGreaterThanOrEqual(outcome.figures["test_accuracy"]!, 0.95)
    }

    func testGunPointAbove95Percent() throws {
        // one of the default's three ResNets (seeds 0–5 here: 98.7–100%; PyTorch FCN here: 95.6% ± 3.0)
        let outcome = try run {
            $0.data = "ucr:GunPoint"
            $0.ensemble = 1
        }
        XCTAssertEqual(outcome.test.classification?.samples, 150)
        XCTAssertTrue(outcome.members.isEmpty, "--ensemble 1 trains one network")
        XCTAssertGreaterThanOrEqual(outcome.figures["test_accuracy"]!, 0.95)
    }

    func testSunspotForecastBeatsPersistenceByEightPercent() throws {
        // monthly sunspots, chronological 70/15/15, m = 24, step 1, next value; PyTorch's
        // conv1d(32, k3)×2 + linear, best of 100 epochs on validation MAE: 12.80 vs persistence 14.02
        let outcome = try run {
            $0.data = "forecast:" + SharedData.path("data/forecasting-statsmodels/sunspots_monthly.dat")
            $0.forecast.frame = 24
        }
        let figures = outcome.figures
        XCTAssertEqual(figures["persistence_mae"]!, 14.02, accuracy: 0.01)
        XCTAssertLessThanOrEqual(figures["mae_ratio_to_persistence"]!, 0.92, "\(figures)")
        XCTAssertGreaterThan(figures["trend_accuracy"]!, 0.5)
    }

    func testUnnormalisedSeriesKeepTheirLevelSoClassesOfOneShapeStayApart() throws {
        // two classes of one shape, a noisy sine, at amplitudes 0.01 and 10: z-normalising each
        // case leaves nothing to tell them apart; the default keeps each case's level as channels
        let folder = try TestFiles.temporaryFolder("levels").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = RandomGenerator(seed: 7)
        for part in ["TRAIN", "TEST"] {
            let lines = (0..<40).map { index -> String in
                let amplitude = index % 2 == 0 ? 0.01 : 10.0, phase = 2 * Double.pi * Double(generator.nextUniform())
                let values = (0..<32).map { step -> String in
                    String(amplitude * (sin(2 * Double.pi * Double(step) / 32 + phase) + 0.3 * Double(generator.nextNormal())))
                }
                return ([index % 2 == 0 ? "quiet" : "loud"] + values).joined(separator: "\t")
            }
            try FileManager.default.createDirectory(atPath: "\(folder)/Hum", withIntermediateDirectories: true)
            try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(folder)/Hum/Hum_\(part).tsv"))
        }
        let data = try LoadedData.load("ucr:Hum", directory: folder)
        XCTAssertEqual(data.defaultNormalization, .sampleLevel, "the archive's convention: unnormalised cases keep their level")
        func trained(_ normalization: Normalization?) throws -> (TrainingOutcome, RunDescription) {
            var recipe = TrainingRecipe()
            (recipe.data, recipe.dataDirectory, recipe.model, recipe.epochs) = ("ucr:Hum", folder, "fcn", 20)
            (recipe.normalization, recipe.progress) = (normalization, .silent)
            recipe.output = "\(folder)/run-\(normalization?.rawValue ?? "default")"
            let outcome = try recipe.run()
            return (outcome, try RunDescription.read(directory: recipe.output))
        }
        let (kept, description) = try trained(nil)
        XCTAssertEqual(description.normalizer.kind, .sampleLevel)
        XCTAssertEqual(description.inputShape, [1, 32])
        XCTAssertEqual(description.modelInputShape, [4, 32])
        XCTAssertEqual(try description.makeModel().stateDict().first?.1.shape[1], 4, "the first convolution takes 4 channels")
        XCTAssertEqual(kept.figures["test_accuracy"], 1)
        let (removed, _) = try trained(.sample)
        XCTAssertLessThanOrEqual(removed.figures["test_accuracy"]!, 0.75, "one shape: near chance")
    }

    func testRunFoldersNameTheirModelSoNewDefaultsDoNotChangeThem() throws {
        var recipe = TrainingRecipe()
        recipe.data = "ucr:GunPoint"
        XCTAssertEqual(recipe.resolved.model, "resnet1d")
        XCTAssertEqual(recipe.resolved.ensemble, 3)
        XCTAssertEqual(recipe.resolved.schedule, .cosine)
        XCTAssertEqual(recipe.resolved.validationFraction, 0)
        var named = recipe
        named.model = "resnet1d"
        XCTAssertEqual(named.resolved.ensemble, 1, "a named model trains one network unless --ensemble says otherwise")
        // a run.json written before run folders stored the resolved recipe: the ucr: default was sequence-cnn, alone
        let legacy = RunDescription(recipe: recipe, inputShape: [1, 150], classNames: ["1", "2"], outputs: 2,
                                    normalizer: Normalizer.fit(.sample, on: try Tensor.zeros([1, 1, 150])))
        XCTAssertEqual(legacy.memberCount, 1)
        XCTAssertEqual(try legacy.makeModel().stateDict().first?.1.shape, [64, 1, 7], "sequence-cnn's first convolution")
        let current = RunDescription(recipe: recipe.resolved, inputShape: [1, 150], classNames: ["1", "2"], outputs: 2,
                                     normalizer: legacy.normalizer)
        let ensemble = try XCTUnwrap(try current.makeModel() as? Ensemble)
        XCTAssertEqual(ensemble.members.count, 3)
        XCTAssertTrue(ensemble.members.allSatisfy { $0 is Models.ResNet1d })
        XCTAssertEqual(ensemble.combination, .probabilities)
    }

    func testCrossValidationScoresOneNetworkPerFoldAndRefusesANamedEnsemble() throws {
        var recipe = TrainingRecipe()
        recipe.data = "ucr:GunPoint"
        recipe.dataDirectory = SharedData.path("data/ucr-uea")
        recipe.epochs = 2
        recipe.progress = .silent
        // the default ensemble of three: one ResNet per fold
        XCTAssertEqual(try recipe.crossValidate(folds: 2).scores.count, 2)
        recipe.ensemble = 2
        XCTAssertThrowsError(try recipe.crossValidate(folds: 2)) { error in
            XCTAssertTrue("\(error)".contains("do not combine"), "\(error)")
        }
    }

    func testTrendTargetsAreAThreeClassProblem() throws {
        let data = try ForecastingData(series: (0..<200).map { Float(sin(Double($0) / 5)) }, frame: 12, horizon: 3,
                                       target: "trend", threshold: 0.05)
        XCTAssertEqual(data.classNames, ["down", "flat", "up"])
        XCTAssertEqual(Set(data.train.labels), [0, 1, 2])
        XCTAssertEqual(data.train.inputs.shape, [140 - 12 - 3 + 1, 1, 12])
    }
}

/// Windows of a long stream are views until a batch needs them.
final class FramingTests: XCTestCase {
    func testWindowsAreViewsAndBatchesCopyOnlyTheirWindows() throws {
        let stream = try Tensor.arange(0, 2_000_000).reshape([1_000_000, 2])
        let frames = try Frames(series: stream, frame: 50, step: 10, horizon: 5)
        XCTAssertEqual(frames.count, (1_000_000 - 50 - 5) / 10 + 1)
        let window = try frames.window(3)
        XCTAssertTrue(window.storage === frames.series.storage, "a window shares the stream's storage")
        XCTAssertEqual(window.shape, [50, 2])
        XCTAssertEqual(window.toArray().prefix(2), [60, 61])
        let dataset = FramedDataset(frames, target: .meanOfNext)
        let (inputs, targets) = try dataset.batch([0, 99_990])
        XCTAssertEqual(inputs.shape, [2, 2, 50])
        XCTAssertEqual(inputs.toArray()[50], 1, "channel 1 of window 0 starts at value 1")
        XCTAssertEqual(targets.toArray()[0], (100 + 102 + 104 + 106 + 108) / 5)
        let trends = try FramedDataset(frames, target: .trend(threshold: 0)).batch([0])
        XCTAssertEqual(trends.targets.toLabels(), [2], "a rising stream trends up")
    }
}

final class LayoutConversionTests: XCTestCase {
    func testKerasAndPyTorchLayoutsConvertBothWays() throws {
        let nlc = try Tensor((0..<12).map(Float.init), shape: [2, 3, 2])   // N×m×C
        let ncl = Frames.nlcToNCL(nlc)
        XCTAssertEqual(ncl.shape, [2, 2, 3])
        XCTAssertEqual(ncl.toArray().prefix(6), [0, 2, 4, 1, 3, 5])
        XCTAssertEqual(Frames.nclToNLC(ncl).toArray(), nlc.toArray())
    }
}
