import Foundation
import XCTest
@testable import Strata

/// The pretrained MNIST CNN of `shared/data/pretrained` (trained in PyTorch) loads by name
/// and reproduces PyTorch's logits and accuracy.
final class PretrainedModelTests: XCTestCase {
    private let folder = SharedData.path("data/pretrained/mnist-cnn-digit-recognizer")

    private func model() throws -> Module {
        let model = Models.digitRecognizerCNN()
        try model.load(from: (folder as NSString).appendingPathComponent("mnist_cnn.safetensors"))
        model.eval()
        return model
    }

    /// MNIST test images as the model expects them: `(pixel/255 − 0.1307)/0.3081`.
    private func testImages() throws -> TensorDataset {
        let test = try DigitDatasets.mnist(directory: SharedData.path("data/mnist")).test
        let normalized = try (test.inputs - 0.1307) / 0.3081
        return try TensorDataset(inputs: normalized, targets: test.targets)
    }

    func testReferenceLogitsOfTheFirstSixteenImages() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("model.json")))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let reference = (json["reference_first16_test_images"] as! [String: Any])["logits"] as! [[Double]]
        let (inputs, _) = try testImages().batch(Array(0..<16))
        let network = try model()
        let logits = try withoutGradients { () throws(StrataError) in try network(inputs) }
        XCTAssertEqual(logits.shape, [16, 10])
        assertClose(logits, try Tensor(reference.flatMap { $0.map(Float.init) }, shape: [16, 10]), rtol: 0, atol: 1e-4)
    }

    func testTestAccuracyMatchesPyTorch() throws {
        let network = try model()
        let test = try testImages()
        var correct = 0
        for batch in try DataLoader(test, batchSize: 500).batches(epoch: 0) {
            let (inputs, labels) = try batch.get()
            let predictions = try withoutGradients { () throws(StrataError) in try network(inputs).argmax(axis: 1) }
            correct += zip(predictions.toLabels(), labels.toLabels()).filter { $0 == $1 }.count
        }
        // PyTorch 2.13: 9,906 of 10,000 (model.json "verified")
        XCTAssertEqual(correct, 9_906, accuracy: 2)
    }
}
