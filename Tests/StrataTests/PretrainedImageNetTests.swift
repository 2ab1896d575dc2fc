import Foundation
import XCTest
@testable import Strata

/// The real ImageNet networks of `shared/data/pretrained` — torchvision's MobileNetV2
/// (legacy `.pth`) and Caffe's SqueezeNet 1.1 (zip `.pth`) — loaded by name, against
/// PyTorch's preprocessed inputs, logits and top-5 on five photos.
final class PretrainedImageNetTests: XCTestCase {
    private let images = ["chelsea", "coffee", "rocket", "camera", "astronaut"]
    private let nets: [(name: String, architecture: String, weights: String, preprocessing: ImagePreprocessing)] = [
        ("mobilenet_v2", "mobilenet_v2", "mobilenet_v2-b0353104.pth", .imagenet),
        ("squeezenet1_1_caffe", "squeezenet1_1", "squeezenet1_1_caffe.pth", .caffe),
    ]

    private func reference(_ name: String) -> String { SharedData.path("data/pretrained/reference/\(name)") }

    private func network(_ net: (name: String, architecture: String, weights: String, preprocessing: ImagePreprocessing)) throws -> Module {
        let (model, report) = try PretrainedModel.load(net.architecture, weights: SharedData.path("data/pretrained/\(net.weights)"))
        XCTAssertTrue(report.isExact)
        return model
    }

    private var results: [String: [String: [String: Any]]] {
        get throws {
            let data = try Data(contentsOf: URL(fileURLWithPath: reference("reference.json")))
            let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            return json["results"] as! [String: [String: [String: Any]]]
        }
    }

    func testPyTorchsInputsGivePyTorchsLogits() throws {
        for net in nets {
            let model = try network(net)
            for image in images {
                let input = try NumpyArray.read(contentsOf: reference("\(net.name)_\(image)_input.npy"))
                let logits = try withoutGradients { () throws(StrataError) in try model(input) }
                let expected = try NumpyArray.read(contentsOf: reference("\(net.name)_\(image)_logits.npy"))
                assertClose(logits, expected, rtol: 0, atol: 1e-3, "\(net.name) on \(image)")
                let worst = zip(logits.toArray(), expected.toArray()).map { Swift.abs($0 - $1) }.max() ?? 1
                XCTAssertLessThan(worst, 1e-4, "\(net.name) on \(image): max |Δlogit| \(worst)")
            }
        }
    }

    /// Decoding, Pillow's antialiased bilinear resize, the centre crop and the
    /// normalisation reproduce torchvision's input tensors.
    func testPreprocessingReproducesTorchvisionsInputs() throws {
        for net in nets {
            for image in images {
                let file = SharedData.path("data/images/\(image).\(image == "rocket" ? "jpg" : "png")")
                let mine = try net.preprocessing.tensor(try ImageCodec.read(contentsOf: file))
                let expected = try NumpyArray.read(contentsOf: reference("\(net.name)_\(image)_input.npy"))
                XCTAssertEqual(mine.shape, expected.shape)
                let worst = zip(mine.toArray(), expected.toArray()).map { Swift.abs($0 - $1) }.max() ?? 1
                XCTAssertLessThanOrEqual(worst, 1e-5, "\(net.name) \(image)")
            }
        }
    }

    func testPhotosGivePyTorchsTopFive() throws {
        let all = try results
        for net in nets {
            let model = try network(net)
            for image in images {
                let file = SharedData.path("data/images/\(image).\(image == "rocket" ? "jpg" : "png")")
                let input = try net.preprocessing.tensor(try ImageCodec.read(contentsOf: file))
                let probabilities = try withoutGradients { () throws(StrataError) in try softmax(try model(input), axis: 1) }.toArray()
                let expected = all[net.name]![image]!
                let indices = expected["top5_indices"] as! [Int], expectedProbabilities = expected["top5_probs"] as! [Double]
                let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
                XCTAssertEqual(ranked[0], indices[0], "\(net.name) \(image) top-1")
                for (index, probability) in zip(indices, expectedProbabilities) {
                    XCTAssertEqual(Double(probabilities[index]), probability, accuracy: 0.02, "\(net.name) \(image) class \(index)")
                }
            }
        }
    }

    func testImageNetClassNamesAreTorchvisions() throws {
        let names = try ImageNetClasses.names()
        XCTAssertEqual(names.count, 1000)
        XCTAssertEqual([names[0], names[134], names[285], names[517], names[967]], ["tench", "crane bird", "Egyptian cat", "crane", "espresso"])
    }

    func testPillowsResizeOnKnownValues() throws {
        // Image.new("L", (4, 1)) with pixels 0, 100, 200, 255 resized to (2, 1) and (7, 1) with BILINEAR
        let row = RawImage(width: 4, height: 1, channels: 1, pixels: [0, 100, 200, 255])
        XCTAssertEqual(ImageResize.bilinear(row, width: 2, height: 1).pixels, [71, 209])
        XCTAssertEqual(ImageResize.bilinear(row, width: 7, height: 1).pixels, [0, 36, 93, 150, 204, 235, 255])
        let preprocessing = ImagePreprocessing.caffe
        XCTAssertEqual(preprocessing.resizedSize(width: 640, height: 427).width, 383)
        XCTAssertTrue(preprocessing.cropOrigin(width: 384, height: 256) == (78, 14))
    }
}
