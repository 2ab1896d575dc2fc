import Foundation
import XCTest
@testable import Strata

/// Every zoo network has torchvision's (timm's for Xception) state-dict keys, shapes,
/// dtypes and parameter count, recorded from PyTorch by tools/make_zoo_fixtures.py, and a
/// shape-only summary that ends in its classes.
final class ZooTests: XCTestCase {
    private struct Reference: Decodable {
        struct Model: Decodable {
            let architecture: String
            let kwargs: [String: JSONValue]
            let parameters: Int
            let state: [[JSONValue]]
        }
        let models: [String: Model]
    }

    private func reference() throws -> Reference {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/zoo/state_dicts.json.gz")
            .standardized.path
        return try JSONDecoder().decode(Reference.self, from: try Gzip.decompress(Data(contentsOf: URL(fileURLWithPath: path)), path: path))
    }

    func testStateDictsAndParameterCountsEqualTorchvision() throws {
        let models = try reference().models
        XCTAssertEqual(models.count, 33)
        for (name, expected) in models.sorted(by: { $0.key < $1.key }) {
            let model = try Models.zoo(expected.architecture, classes: 1000, options: try ZooOptions(keywordArguments: expected.kwargs))
            let state = model.stateDict()
            XCTAssertEqual(model.parameters().reduce(0) { $0 + $1.count }, expected.parameters, name)
            XCTAssertEqual(state.map(\.0), expected.state.map { $0[0].string ?? "" }, "\(name): names and order")
            for ((key, tensor), entry) in zip(state, expected.state) {
                XCTAssertEqual(tensor.shape, entry[1].integers ?? [-1], "\(name): \(key)")
                XCTAssertEqual(tensor.dtype == .int64 ? "int64" : "float32", entry[2].string, "\(name): \(key)")
            }
        }
    }

    func testEverySummaryEndsInTheClasses() throws {
        for name in Models.zooNames where !name.hasPrefix("vgg") && !name.contains("101") && !name.contains("152") {
            let model = try Models.named(name, inputShape: Models.standardInput(for: name), classes: 7)
            let result = try summary(model, input: Models.standardInput(for: name))
            XCTAssertEqual(result.output, [1, 7], name)
            XCTAssertEqual(result.parameters, model.parameters().reduce(0) { $0 + $1.count }, name)
            XCTAssertGreaterThan(result.flops, 100_000_000, name)
        }
        // the smallest input each network takes: 63² for AlexNet, 75² for Inception v3
        XCTAssertEqual(try summary(Models.zoo("alexnet", classes: 3), input: [3, 63, 63]).output, [1, 3])
        XCTAssertEqual(try summary(Models.zoo("inception_v3", classes: 3), input: [3, 75, 75]).output, [1, 3])
        guard case .shapeMismatch(_, let message)? = thrownError({ _ = try summary(Models.zoo("inception_v3"), input: [3, 60, 60]) }) else {
            return XCTFail()
        }
        XCTAssertTrue(message.contains("Conv2d_4a_3x3") || message.contains("maxpool") || message.contains("Mixed"), message)
    }

    func testSummaryCommandKnowsEveryZooModel() throws {
        for (name, parameters) in [("inception_v3", "23,834,568"), ("xception", "22,855,952"), ("densenet121", "7,978,856"),
                                   ("squeezenet1_0", "1,248,424")] {
            let (status, output) = try CLITests.strata(["summary", "--model", name])
            XCTAssertEqual(status, 0, output)
            XCTAssertTrue(output.contains("Total params: \(parameters)"), "\(name): \(output.suffix(300))")
            XCTAssertTrue(output.contains("Output: 1000"), name)
        }
        let (status, output) = try CLITests.strata(["summary", "--model", "tcn", "--input", "3@128", "--classes", "4", "--json"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("\"output\":[4]"), output)
    }

    func testMobileNetV2SummaryNamesTorchvisionLayersAndCountsFLOPs() throws {
        let result = try summary(Models.zoo("mobilenet_v2"), input: [3, 224, 224])
        XCTAssertEqual(result.parameters, 3_504_872)
        XCTAssertEqual(result.rows.first?.name, "features.0.0")
        XCTAssertTrue(result.rows.contains { $0.name == "features.17.conv.1.0" && $0.layer.contains("g960") })
        XCTAssertEqual(result.rows.last?.name, "classifier.1")
        // torchvision lists 300.8M multiply-adds; Strata counts FLOPs (2 per multiply-add) and adds BN and ReLU6
        XCTAssertEqual(Double(result.flops) / 2e6, 300.8, accuracy: 15)
    }

    func testTCNIsCausalAndItsReceptiveFieldCoversTheWindow() throws {
        let model = Models.TCN(channels: 3, outputs: 5, width: 16, levels: 4, kernel: 3)
        let result = try summary(model, input: [3, 64])
        XCTAssertEqual(result.output, [1, 5])
        // 1 + 2·(k − 1)·(2⁴ − 1) = 61
        XCTAssertEqual(result.rows.last { $0.receptiveField != nil }?.receptiveField, [61])
        // causal: changing the last time step leaves every earlier output unchanged
        model.eval()
        var generator = RandomGenerator(seed: 3)
        let x = try Tensor.randn([1, 3, 32], generator: &generator)
        let changed = x.copyToContiguous()
        changed.withMutableFloats { $0[31] += 5 }
        let body = Sequential(named: model.chainedStages.filter { $0.path.hasPrefix("blocks") }.map { ($0.path, $0.module) })
        let (a, b) = try withoutGradients { () throws(StrataError) in (try body(x), try body(changed)) }
        for channel in 0..<16 {
            for t in 0..<31 { XCTAssertEqual(a.toArray()[channel * 32 + t], b.toArray()[channel * 32 + t]) }
        }
        XCTAssertNotEqual(a.toArray()[31], b.toArray()[31])
    }

    func testStagesAndClassifierOfPretrainedLayouts() throws {
        let mobilenet = try Models.zoo("mobilenet_v2", classes: 10)
        let stages = mobilenet.chainedStages
        XCTAssertEqual(stages.map(\.path).prefix(2), ["features.0", "features.1"])
        XCTAssertEqual(stages.map(\.path).suffix(3), ["avgpool", "classifier.0", "classifier.1"])
        XCTAssertEqual(mobilenet.headStart.map { stages[$0].path }, "classifier.0")
        XCTAssertEqual(mobilenet.classifierLayer?.path, "classifier.1")
        try mobilenet.replaceClassifier(classes: 3)
        XCTAssertEqual(try summary(mobilenet, input: [3, 96, 96]).output, [1, 3])
        let squeezenet = try Models.zoo("squeezenet1_1", classes: 10)
        XCTAssertEqual(squeezenet.classifierLayer?.path, "classifier.1")
        try squeezenet.replaceClassifier(classes: 4)
        XCTAssertEqual(squeezenet.namedParameters().first { $0.0 == "classifier.1.weight" }?.1.shape, [4, 512, 1, 1])
        XCTAssertEqual(Models.digitRecognizerCNN().classifierLayer?.path, "fc_layers.2")
        XCTAssertEqual(try Models.zoo("resnet18").chainedStages.map(\.path).filter { $0.hasPrefix("layer4") }, ["layer4.0", "layer4.1"])
    }
}
