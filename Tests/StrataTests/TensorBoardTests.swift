import Foundation
import XCTest
@testable import Strata

/// TensorBoard event files written while training, read back by TensorBoard's own
/// `EventAccumulator` (the `tensorboard` package of the test environment).
final class TensorBoardTests: XCTestCase {
    func testCRC32CAndItsMask() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testTrainingEventsReadBackByTensorBoard() throws {
        let folder = try TestFiles.temporaryFolder("tensorboard")
        defer { try? FileManager.default.removeItem(at: folder) }
        var recipe = TrainingRecipe()
        recipe.epochs = 3
        recipe.output = folder.appendingPathComponent("run").path
        recipe.tensorboard = folder.appendingPathComponent("events").path
        recipe.progress = .silent
        let outcome = try recipe.run()
        let script = """
            import json, sys
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            events = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "images": 0, "histograms": 0})
            events.Reload()
            tags = events.Tags()
            print(json.dumps({
                "scalars": {tag: [[e.step, e.value] for e in events.Scalars(tag)] for tag in tags["scalars"]},
                "images": {tag: [[e.step, e.width, e.height] for e in events.Images(tag)] for tag in tags["images"]},
                "histograms": {tag: [[e.step, e.histogram_value.num, e.histogram_value.min, e.histogram_value.max]
                                     for e in events.Histograms(tag)] for tag in tags["histograms"]}}))
            """
        let (status, output) = try ReferencePython.run(script, [recipe.tensorboard!])
        XCTAssertEqual(status, 0, "\(ReferencePython.path): \(output)")
        let read = try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [String: [String: [[Double]]]]
        let scalars = read["scalars"]!
        XCTAssertEqual(Set(scalars.keys), ["loss/train", "accuracy/train", "loss/validation", "accuracy/validation", "learning_rate"])
        let epochs = outcome.history.epochs
        XCTAssertEqual(scalars["loss/train"]!.map { Int($0[0]) }, [1, 2, 3])
        for (event, record) in zip(scalars["loss/train"]!, epochs) { XCTAssertEqual(event[1], record.trainLoss, accuracy: 1e-6 * max(1, record.trainLoss)) }
        for (event, record) in zip(scalars["accuracy/validation"]!, epochs) { XCTAssertEqual(event[1], record.validationMetric!, accuracy: 1e-6) }
        XCTAssertEqual(scalars["learning_rate"]!.first?[1] ?? 0, 1e-3, accuracy: 1e-9)
        let images = read["images"]!
        XCTAssertEqual(images["samples"]?.first?[0], 0)
        XCTAssertEqual(images["filters/first_layer"]?.map { Int($0[0]) }, [1, 2, 3])
        let histograms = read["histograms"]!
        let weights = model(outcome)
        XCTAssertEqual(Set(histograms.keys), Set(weights.map { "weights/\($0.0)" }))
        // the first convolution's weight: 32×1×3×3 values between its minimum and maximum
        let first = weights[0].1.toArray()
        XCTAssertEqual(histograms["weights/\(weights[0].0)"]?.last?[1], Double(first.count))
        XCTAssertEqual(histograms["weights/\(weights[0].0)"]?.last?[2] ?? 0, Double(first.min()!), accuracy: 1e-6)
        XCTAssertEqual(histograms["weights/\(weights[0].0)"]?.last?[3] ?? 0, Double(first.max()!), accuracy: 1e-6)
    }

    /// The trained network of the run, with its final weights.
    private func model(_ outcome: TrainingOutcome) -> [(String, Tensor)] {
        let network = Models.digitsCNN()
        try? network.load(from: (outcome.runDirectory as NSString).appendingPathComponent("model.safetensors"))
        return network.namedParameters()
    }
}
