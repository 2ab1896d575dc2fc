import Foundation
import XCTest
@testable import Strata

/// The `strata` executable, run as a user runs it.
final class CLITests: XCTestCase {
    /// Runs `strata` with arguments; returns (exit code, standard output + error).
    static func strata(_ arguments: [String]) throws -> (Int32, String) {
        try run(executable(), arguments)
    }

    /// The built `strata` executable (the test bundle sits beside the built executables).
    static func executable() -> URL {
        var products = Bundle(for: CLITests.self).bundleURL
        if products.pathExtension == "xctest" { products.deleteLastPathComponent() }
        return products.appendingPathComponent("strata")
    }

    /// Runs `program` to its end, returning its exit status and its output and errors together.
    static func run(_ program: URL, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testParityOnTheSharedFixtures() throws {
        let (status, output) = try Self.strata(["parity", SharedData.path("fixtures")])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.hasSuffix("59 passed, 0 failed, 0 skipped\n"), output)
    }

    func testParityReportsFailuresAndUnknownOps() throws {
        // a folder of the same format: a correct relu case, a wrong one and an unknown op
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let x = try Tensor([-1, 2, -3, 4], shape: [2, 2])
        try NumpyArray.write(x, to: folder.appendingPathComponent("x.npy").path)
        try NumpyArray.write(try Tensor([0, 2, 0, 4], shape: [2, 2]), to: folder.appendingPathComponent("good.npy").path)
        try NumpyArray.write(try Tensor([0, 2, 0, 5], shape: [2, 2]), to: folder.appendingPathComponent("bad.npy").path)
        let manifest = """
            {"generator": "test", "set": "private", "cases": [
              {"name": "relu_ok", "op": "relu", "params": {}, "inputs": {"x": "x.npy"}, "outputs": {"y": "good.npy"}, "rtol": 1e-4, "atol": 1e-5},
              {"name": "relu_wrong", "op": "relu", "params": {}, "inputs": {"x": "x.npy"}, "outputs": {"y": "bad.npy"}, "rtol": 1e-4, "atol": 1e-5},
              {"name": "mystery", "op": "fourier_transform", "params": {}, "inputs": {"x": "x.npy"}, "outputs": {"y": "good.npy"}, "rtol": 1e-4, "atol": 1e-5}
            ]}
            """
        try Data(manifest.utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let (status, output) = try Self.strata(["parity", folder.path, "--backend", "reference"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("FAIL relu_wrong (relu): output y: 1 of 4 elements outside tolerance, max abs error 1.0"), output)
        XCTAssertTrue(output.contains("SKIP mystery: op 'fourier_transform' is not implemented"), output)
        XCTAssertTrue(output.hasSuffix("1 passed, 1 failed, 1 skipped\n"), output)
    }

    func testParityOnAMissingFolderIsAUsageError() throws {
        let (status, output) = try Self.strata(["parity", "/nonexistent/folder"])
        XCTAssertEqual(status, 2, output)
        XCTAssertTrue(output.contains("no manifest.json here"), output)
        let (badOption, text) = try Self.strata(["parity", SharedData.path("fixtures"), "--backend", "gpu"])
        XCTAssertEqual(badOption, 2, text)
        XCTAssertTrue(text.contains("cpu") && text.contains("reference"), text)
    }
}

/// `strata train`, `evaluate`, `predict`, `summary` and `conv-shape` as a user runs them.
final class CommandLineWorkflowTests: XCTestCase {
    func testConvShapeInTheLecturesNotation() throws {
        let (status, output) = try CLITests.strata(["conv-shape", "--input", "3@224x224", "--kernel", "11x11@96",
                                                    "--stride", "4x4", "--padding", "2x2", "--dilation", "1x1"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.hasPrefix("96@55x55\n"), output)
        XCTAssertTrue(output.contains("x: floor((224 + 2·2 − 1·(11 − 1) − 1)/4) + 1 = 55"), output)
        let (oneD, text) = try CLITests.strata(["conv-shape", "--input", "3@200", "--kernel", "5@12"])
        XCTAssertEqual(oneD, 0, text)
        XCTAssertTrue(text.hasPrefix("12@196\n"), text)
        let (tooBig, message) = try CLITests.strata(["conv-shape", "--input", "3@4x4", "--kernel", "5x5@8"])
        XCTAssertEqual(tooBig, 2, message)
        XCTAssertTrue(message.contains("does not fit"), message)
    }

    func testSummaryOfABuiltInModel() throws {
        let (status, output) = try CLITests.strata(["summary", "--model", "lenet5", "--input", "1@28x28"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("Conv2d 1→6, k5×5, s1, p2, d1"), output)
        XCTAssertTrue(output.contains("Total params: 61,706"), output)
        let (json, text) = try CLITests.strata(["summary", "--model", "sensor-cnn", "--input", "3@200", "--classes", "6", "--json"])
        XCTAssertEqual(json, 0, text)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        XCTAssertEqual(object["parameters"] as? Int, 51_078)
    }

    func testOptionErrorsNameTheOptionValueAndWhatIsAllowed() throws {
        for (arguments, expected) in [
            (["train", "--optimizer", "adagrad"], ["adagrad", "sgd", "adam", "adamw", "rmsprop"]),
            (["train", "--epochs", "0", "--output", "/tmp/never"], ["--epochs 0", "1 or more"]),
            (["train", "--label-smoothing", "2"], ["--label-smoothing 2.0", "[0, 1]"]),
            (["train", "--data", "forecast:x.csv", "--frame", "0"], ["--frame 0", "1 or more"]),
            (["train", "--data", "forecast:x.csv", "--target", "tomorrow"], ["--target tomorrow", "next, next-k, mean, trend"]),
            (["train", "--data", "forecast:x.csv", "--validation", "0.9"], ["--validation 0.9", "[0, 0.85)", "last 15% for testing"]),
            (["train", "--folds", "1"], ["--folds 1", "2 or more"]),
            (["train", "--data", "imagenet"], ["imagenet", "digits", "mnist"]),
            (["train", "--data", "mnist"], ["--data-dir"]),
            (["train", "--model", "resnet900"], ["resnet900", "lenet5"]),
            (["summary", "--model", "lenet5", "--input", "banana"], ["banana", "channels@height×width"]),
            (["conv-shape", "--input", "3@10x10", "--kernel", "3x3@8", "--stride", "0"], ["--stride 0", "≥ 1"]),
        ] {
            let (status, output) = try CLITests.strata(arguments)
            XCTAssertEqual(status, 2, "\(arguments): \(output)")
            for part in expected { XCTAssertTrue(output.contains(part), "\(arguments): '\(part)' missing in \(output)") }
        }
    }

    func testTrainEvaluatePredictOnTheBundledDigits() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("cli-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: run) }
        let (status, output) = try CLITests.strata(["train", "--epochs", "8", "--output", run, "--json"])
        XCTAssertEqual(status, 0, output)
        let trained = try JSONSerialization.jsonObject(with: Data(output.split(separator: "\n").last!.utf8)) as! [String: Any]
        XCTAssertEqual(trained["epochs"] as? Int, 8)
        XCTAssertGreaterThan(trained["test_accuracy"] as? Double ?? 0, 0.9)
        for file in ["run.json", "best.ckpt", "last.ckpt", "model.safetensors", "log.csv", "curves.svg", "summary.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: (run as NSString).appendingPathComponent(file)), file)
        }
        let (evaluated, report) = try CLITests.strata(["evaluate", "--run", run, "--checkpoint", "final", "--json"])
        XCTAssertEqual(evaluated, 0, report)
        let evaluation = try JSONSerialization.jsonObject(with: Data(report.utf8)) as! [String: Any]
        XCTAssertEqual(evaluation["test_accuracy"] as? Double ?? 0, trained["test_accuracy"] as? Double ?? 1, accuracy: 1e-9)
        XCTAssertEqual((evaluation["confusion_matrix"] as? [[Int]])?.count, 10)
        let (text, table) = try CLITests.strata(["evaluate", "--run", run])
        XCTAssertEqual(text, 0, table)
        XCTAssertTrue(table.contains("precision  recall") && table.contains("Confusion matrix"), table)
        let (predicted, predictions) = try CLITests.strata(["predict", "--run", run, "--samples", "0,1", "--top", "2", "--json"])
        XCTAssertEqual(predicted, 0, predictions)
        let listed = (try JSONSerialization.jsonObject(with: Data(predictions.utf8)) as! [String: Any])["predictions"] as! [[String: Any]]
        XCTAssertEqual(listed.count, 2)
        XCTAssertEqual((listed[0]["top"] as! [[String: Any]]).count, 2)
        let (badSample, message) = try CLITests.strata(["predict", "--run", run, "--samples", "9999"])
        XCTAssertEqual(badSample, 2, message)
        XCTAssertTrue(message.contains("--samples 9999"), message)
        let npy = run + "-inputs.npy"
        defer { try? FileManager.default.removeItem(atPath: npy) }
        try NumpyArray.write(try Tensor((0..<128).map { Float($0 % 17) }, shape: [2, 1, 8, 8]), to: npy)
        let (fromFile, filePredictions) = try CLITests.strata(["predict", "--run", run, "--npy", npy, "--json"])
        XCTAssertEqual(fromFile, 0, filePredictions)
        XCTAssertEqual(((try JSONSerialization.jsonObject(with: Data(filePredictions.utf8)) as! [String: Any])["predictions"] as! [[String: Any]]).count, 2)
        try NumpyArray.write(try Tensor((0..<128).map { Float($0 % 17) }, shape: [2, 8, 8]), to: npy)
        let (unbatched, shapeMessage) = try CLITests.strata(["predict", "--run", run, "--npy", npy])
        XCTAssertEqual(unbatched, 2, shapeMessage)
        XCTAssertTrue(shapeMessage.contains("holds an array 2×8×8; this run takes N×1×8×8"), shapeMessage)
    }
}

/// Runs without a validation set have no "best" weights; data files are found in --data-dir.
final class RunWeightsTests: XCTestCase {
    private func temporaryFolder(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    }

    /// A new folder holding `series.csv`: a column `value` of 240 steps `value(t)`; removed after the test.
    private func folderWithSeries(_ name: String, _ value: (Double) -> Double) throws -> String {
        let folder = temporaryFolder(name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        let values = (0..<240).map { String(format: "%.3f", value(Double($0))) }
        try ("value\n" + values.joined(separator: "\n") + "\n").write(toFile: (folder as NSString).appendingPathComponent("series.csv"),
                                                                    atomically: true, encoding: .utf8)
        return folder
    }

    func testWithoutAValidationSetThereIsNoBestAndEvaluateUsesTheLastWeights() throws {
        let run = temporaryFolder("no-validation")
        defer { try? FileManager.default.removeItem(atPath: run) }
        let (status, output) = try CLITests.strata(["train", "--epochs", "3", "--validation", "0", "--output", run])
        XCTAssertEqual(status, 0, output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: (run as NSString).appendingPathComponent("best.ckpt")), output)
        XCTAssertTrue(output.contains("no best.ckpt"), output)
        let (evaluated, report) = try CLITests.strata(["evaluate", "--run", run])
        XCTAssertEqual(evaluated, 0, report)
        XCTAssertTrue(report.contains("weights: last.ckpt (trained without a validation set"), report)
        // the last checkpoint's weights are the final ones: the same accuracy either way
        let accuracy = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("Test accuracy") }.map(String.init) }
        let (_, final) = try CLITests.strata(["evaluate", "--run", run, "--checkpoint", "final"])
        XCTAssertEqual(accuracy(report), accuracy(final))
        XCTAssertNotNil(accuracy(report))
        let (asked, refusal) = try CLITests.strata(["evaluate", "--run", run, "--checkpoint", "best"])
        XCTAssertNotEqual(asked, 0)
        XCTAssertTrue(refusal.contains("no best.ckpt in \(run) (a run trained without a validation set has no best epoch)"), refusal)
    }

    func testWithAValidationSetBothCheckpointsExistAndEvaluateSaysItUsesTheBest() throws {
        let run = temporaryFolder("with-validation")
        defer { try? FileManager.default.removeItem(atPath: run) }
        let (status, output) = try CLITests.strata(["train", "--epochs", "2", "--output", run])
        XCTAssertEqual(status, 0, output)
        for file in ["best.ckpt", "last.ckpt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: (run as NSString).appendingPathComponent(file)), file)
        }
        XCTAssertTrue(output.contains("best.ckpt holds epoch"), output)
        let (evaluated, report) = try CLITests.strata(["evaluate", "--run", run])
        XCTAssertEqual(evaluated, 0, report)
        XCTAssertTrue(report.contains("weights: best.ckpt (the epoch with the best validation score"), report)
        let (json, object) = try CLITests.strata(["evaluate", "--run", run, "--checkpoint", "last", "--json"])
        XCTAssertEqual(json, 0, object)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(object.utf8)) as? [String: Any])?["weights"] as? String, "last.ckpt")
    }

    func testAForecastWithValidationZeroTrainsUpToTheTestPartAndHasNoBest() throws {
        let folder = try folderWithSeries("forecast-no-validation") { cos($0 / 5) * 8 + $0 / 30 }
        // 240 steps: training 70% (168), validation 15% (36), test 15% (36); frames of 24 and the next value
        let held = try LoadedData.load("forecast:series.csv", directory: folder, forecast: LoadedData.ForecastOptions())
        XCTAssertEqual([held.train.count, held.validation?.count, held.test.count], [144, 12, 12])
        var options = LoadedData.ForecastOptions()
        options.validation = 0
        let none = try LoadedData.load("forecast:series.csv", directory: folder, forecast: options)
        XCTAssertNil(none.validation)
        XCTAssertEqual(none.train.count, 204 - 24, "the training part runs up to the test part")
        // the same test windows, standardised with the statistics of each training part:
        // differences between windows scale by the ratio of the two training stds
        let (heldTest, noneTest) = (held.test.inputs.toArray(), none.test.inputs.toArray())
        XCTAssertEqual(noneTest.count, heldTest.count)
        let ratio = Float(held.targetScale / none.targetScale)
        XCTAssertNotEqual(ratio, 1, accuracy: 1e-3, "a longer training part has another std")
        for index in noneTest.indices {
            XCTAssertEqual(noneTest[index] - noneTest[0], (heldTest[index] - heldTest[0]) * ratio, accuracy: 1e-4, "value \(index)")
        }

        let run = (folder as NSString).appendingPathComponent("run")
        let (status, output) = try CLITests.strata(["train", "--data", "forecast:series.csv", "--data-dir", folder,
                                                    "--validation", "0", "--epochs", "2", "--output", run])
        XCTAssertEqual(status, 0, output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: (run as NSString).appendingPathComponent("best.ckpt")), output)
        let (evaluated, report) = try CLITests.strata(["evaluate", "--run", run, "--json"])
        XCTAssertEqual(evaluated, 0, report)
        let figures = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
        XCTAssertEqual(figures?["weights"] as? String, "last.ckpt")
        XCTAssertEqual(figures?["samples"] as? Int, 12)
    }

    func testForecastAndCSVFilesAreLookedForInTheDataDirAndErrorsNameEveryPathTried() throws {
        let folder = try folderWithSeries("data-dir") { sin($0 / 6) * 10 + $0 / 20 }
        let located = try LoadedData.locate("series.csv", in: folder)
        XCTAssertEqual(located, (folder as NSString).appendingPathComponent("series.csv"))
        let run = (folder as NSString).appendingPathComponent("run")
        let (status, output) = try CLITests.strata(["train", "--data", "forecast:series.csv", "--data-dir", folder,
                                                    "--epochs", "1", "--output", run])
        XCTAssertEqual(status, 0, output)
        for data in ["forecast:absent.csv", "csv:absent.csv"] {
            let (failed, message) = try CLITests.strata(["train", "--data", data, "--data-dir", folder, "--epochs", "1",
                                                         "--output", run + "-absent"])
            XCTAssertEqual(failed, 1, message)
            XCTAssertTrue(message.contains("tried \((folder as NSString).appendingPathComponent("absent.csv")) and "), message)
        }
        // --data-dir naming the working folder: one place, named once.
        let workingFolder = FileManager.default.currentDirectoryPath
        XCTAssertThrowsError(try LoadedData.locate("absent.csv", in: workingFolder + "/.")) { error in
            let absent = (workingFolder as NSString).appendingPathComponent("absent.csv")
            XCTAssertTrue("\(error)".contains("no such file; tried \(absent)"), "\(error)")
            XCTAssertFalse("\(error)".contains(" and "), "\(error)")
        }
    }
}

/// `strata data inspect` on a named set and on a file.
final class InspectCommandTests: XCTestCase {
    func testInspectDigitsWritesASampleGrid() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let (status, text) = try CLITests.strata(["data", "inspect", "digits", "--output", output])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("Samples: train 1438, test 359"), text)
        XCTAssertTrue(text.contains("Missing values: 0"), text)
        XCTAssertTrue(text.contains("  3         146      37"), text)
        let png = try Data(contentsOf: URL(fileURLWithPath: (output as NSString).appendingPathComponent("samples.png")))
        let grid = try ImageCodec.decode(png, channels: 1)
        XCTAssertEqual(grid.height, 10 * (32 + 2), "one row of 32-pixel cells per class")
    }

    func testInspectATimeSeriesFileWritesAPlot() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let (status, text) = try CLITests.strata(["data", "inspect", SharedData.path("data/ucr-uea/JapaneseVowels/JapaneseVowels_TRAIN.ts"),
                                                  "--output", output])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("Samples: cases 270"), text)
        XCTAssertTrue(text.contains("Sequence lengths: 7…26"), text)
        let svg = try String(contentsOfFile: (output as NSString).appendingPathComponent("series.svg"), encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 9 * 5, "five examples for each of 9 classes")
    }
}
