import Foundation
import XCTest
@testable import Strata

/// Full MNIST (60k/10k from shared/data/mnist) trained from the command line. Meant for
/// the release build of `make test`; in a debug build they take minutes.
final class MNISTTrainingTests: XCTestCase {
    private func train(_ arguments: [String]) throws -> [String: Any] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let (status, text) = try CLITests.strata(["train", "--data", "mnist", "--data-dir", SharedData.path("data/mnist"),
                                                  "--output", output, "--json"] + arguments)
        XCTAssertEqual(status, 0, text)
        let line = text.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""
        return (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
    }

    func testStrataDefaultReaches99PercentInThreeEpochs() throws {
        // strata train --data mnist --data-dir DIR: default model, one-cycle schedule, 3 epochs
        let result = try train([])
        XCTAssertEqual(result["epochs"] as? Int, 3)
        XCTAssertGreaterThanOrEqual(result["test_accuracy"] as? Double ?? 0, 0.990, "\(result)")
    }

    func testLeNetWithPyTorchsRecipeLandsNextToPyTorch() throws {
        // LeNet-5, (pixel/255 − mean)/std with training statistics, Adam 1e-3, batch 64,
        // shuffled, 3 epochs on all 60,000 images: PyTorch 2.13 gets 98.66% ± 0.09 (3 seeds)
        let result = try train(["--model", "lenet5", "--optimizer", "adam", "--lr", "0.001", "--schedule", "none",
                                "--batch-size", "64", "--epochs", "3", "--validation", "0"])
        XCTAssertEqual(result["test_accuracy"] as? Double ?? 0, 0.9866, accuracy: 0.003, "\(result)")
    }
}
