import Foundation
import XCTest
@testable import Strata

final class LayerTests: XCTestCase {
    func testParameterNamesFollowPyTorch() throws {
        let model = Models.cifarCNN()
        let names = model.stateDict().map(\.0)
        // PyTorch's CifarCNN().state_dict() of torch_reference.py, BN buffers after its parameters
        XCTAssertEqual(Array(names.prefix(8)), ["body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias",
                                                "body.1.running_mean", "body.1.running_var", "body.1.num_batches_tracked",
                                                "body.3.weight"])
        XCTAssertEqual(names.suffix(2), ["fc.weight", "fc.bias"])
        XCTAssertEqual(Models.lenet5().namedParameters().map(\.0),
                       ["c1.weight", "c1.bias", "c2.weight", "c2.bias", "f1.weight", "f1.bias", "f2.weight", "f2.bias",
                        "f3.weight", "f3.bias"])
        let digits = Models.digitRecognizerCNN()
        XCTAssertEqual(digits.namedParameters().map(\.0),
                       ["conv_layers.0.weight", "conv_layers.0.bias", "conv_layers.3.weight", "conv_layers.3.bias",
                        "conv_layers.6.weight", "conv_layers.6.bias", "fc_layers.0.weight", "fc_layers.0.bias",
                        "fc_layers.2.weight", "fc_layers.2.bias"])
        XCTAssertTrue(model.parameters().allSatisfy(\.requiresGrad))
        XCTAssertEqual(model.namedBuffers().count, 18)
    }

    func testCustomModulesNameTheirProperties() throws {
        final class Block: Module {
            let conv1 = Conv2d(4, 4, kernel: 3, padding: 1)
            let bn1 = BatchNorm2d(4)
            let stages = [Linear(2, 2), Linear(2, 3)]
            @Parameter var scale = Tensor(filledShape: [1], value: 1)
            override func forward(_ input: Tensor) throws(StrataError) -> Tensor { try bn1(conv1(input)) * scale }
        }
        let names = Block().stateDict().map(\.0)
        XCTAssertEqual(names, ["scale", "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
                               "bn1.running_var", "bn1.num_batches_tracked", "stages.0.weight", "stages.0.bias",
                               "stages.1.weight", "stages.1.bias"])
    }

    func testDefaultInitialisationMatchesPyTorchBounds() throws {
        Random.seed(1)
        let conv = Conv2d(16, 32, kernel: 3)
        let bound = 1 / (16.0 * 9).squareRoot()
        let weights = conv.weight.toArray()
        XCTAssertLessThanOrEqual(Double(weights.map(Swift.abs).max()!), bound)
        // uniform on ±b has standard deviation b/√3
        let mean = weights.reduce(0, +) / Float(weights.count)
        let std = (weights.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(weights.count)).squareRoot()
        XCTAssertEqual(Double(std), bound / 3.0.squareRoot(), accuracy: 0.05 * bound)
        XCTAssertLessThanOrEqual(Double(conv.bias!.toArray().map(Swift.abs).max()!), bound)
        let bn = BatchNorm2d(8)
        XCTAssertEqual(bn.weight?.toArray(), [Float](repeating: 1, count: 8))
        XCTAssertEqual(bn.bias?.toArray(), [Float](repeating: 0, count: 8))
        Random.seed(1)
        XCTAssertEqual(Conv2d(16, 32, kernel: 3).weight.toArray(), weights, "a seed fixes the initial weights")
    }

    func testTrainEvalModesAndBatchNormState() throws {
        let model = Sequential { Conv2d(2, 3, kernel: 1); BatchNorm2d(3); Dropout(0.5) }
        var rng = RandomGenerator(seed: 4)
        let x = try Tensor.randn([4, 2, 3, 3], generator: &rng)
        _ = try model(x)
        let bn = model[1] as! BatchNorm2d
        XCTAssertEqual(bn.num_batches_tracked?.toLabels(), [1])
        XCTAssertNotEqual(bn.running_mean?.toArray(), [0, 0, 0])
        model.eval()
        XCTAssertFalse(bn.isTraining)
        let a = try model(x), b = try model(x)
        XCTAssertEqual(a.toArray(), b.toArray(), "evaluation is deterministic: no dropout, running statistics")
        XCTAssertEqual(bn.num_batches_tracked?.toLabels(), [1])
    }

    func testFreezing() throws {
        let model = Models.lenet5()
        model.freeze()
        XCTAssertTrue(model.trainableParameters().isEmpty)
        let changed = model.freeze(matching: "f3.*", frozen: false)
        XCTAssertEqual(changed, ["f3.weight", "f3.bias"])
        XCTAssertEqual(model.trainableParameters().count, 2)
        XCTAssertTrue(Glob.matches("layer1.0.bn1.weight", "*.bn*.weight"))
        XCTAssertFalse(Glob.matches("layer1.0.conv1.weight", "*.bn*.weight"))
    }

    func testStateDictRoundTripAndErrors() throws {
        let source = Models.digitsCNN(), target = Models.digitsCNN()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try source.save(to: path)
        try target.load(from: path)
        for ((name, a), (_, b)) in zip(source.stateDict(), target.stateDict()) { XCTAssertEqual(a.toArray(), b.toArray(), name) }
        var values = try Safetensors.read(contentsOf: path)
        values["0.wieght"] = values.removeValue(forKey: "0.weight")
        guard case .invalidArgument(_, let message)? = thrownError({ try target.loadStateDict(values) }) else { return XCTFail() }
        XCTAssertTrue(message.contains("missing '0.weight' (the file has '0.wieght')"), message)
        XCTAssertTrue(message.contains("unexpected '0.wieght' (the model has '0.weight')"), message)
        let report = try target.loadStateDict(values, strict: false)
        XCTAssertEqual(report.missingKeys, ["0.weight"])
        values["0.weight"] = try Tensor.zeros([32, 1, 5, 5])
        XCTAssertEqual(try target.loadStateDict(values, strict: false).mismatchedKeys,
                       [StateDictReport.ShapeMismatch(name: "0.weight", fileShape: [32, 1, 5, 5], modelShape: [32, 1, 3, 3])])
        guard case .invalidArgument(_, let shape)? = thrownError({ try target.loadStateDict(values) }) else { return XCTFail() }
        XCTAssertTrue(shape.contains("'0.weight' has shape [32, 1, 5, 5] in the file but [32, 1, 3, 3] in the model"), shape)
    }
}

/// The zoo's ResNets have torchvision's state-dict names and parameter counts.
final class ResNetTests: XCTestCase {
    func testStateDictNamesAndCountsMatchTorchvision() throws {
        // torchvision.models.resnet18().state_dict(): 122 entries; resnet50: 320
        let resnet18 = Models.resnet18(), resnet50 = Models.resnet50()
        let names18 = resnet18.stateDict().map(\.0), names50 = resnet50.stateDict().map(\.0)
        XCTAssertEqual(names18.count, 122)
        XCTAssertEqual(names50.count, 320)
        XCTAssertEqual(Array(names18.prefix(7)), ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                                                  "bn1.num_batches_tracked", "layer1.0.conv1.weight"])
        XCTAssertEqual(Array(names18[30..<34]), ["layer2.0.conv1.weight", "layer2.0.bn1.weight", "layer2.0.bn1.bias",
                                                 "layer2.0.bn1.running_mean"])
        XCTAssertTrue(names18.contains("layer2.0.downsample.0.weight") && names18.contains("layer2.0.downsample.1.running_var"))
        XCTAssertEqual(Array(names50.suffix(3)), ["layer4.2.bn3.num_batches_tracked", "fc.weight", "fc.bias"])
        XCTAssertEqual(Array(names50[30..<34]), ["layer1.1.conv1.weight", "layer1.1.bn1.weight", "layer1.1.bn1.bias",
                                                 "layer1.1.bn1.running_mean"])
        // sum(p.numel() for p in torchvision.models.resnetNN().parameters())
        XCTAssertEqual(try summary(resnet18, input: [3, 224, 224]).parameters, 11_689_512)
        XCTAssertEqual(try summary(Models.resnet34(), input: [3, 224, 224]).parameters, 21_797_672)
        XCTAssertEqual(try summary(resnet50, input: [3, 224, 224]).parameters, 25_557_032)
    }

    func testForwardOnASmallImage() throws {
        let model = Models.resnet18(classes: 7)
        model.eval()
        var rng = RandomGenerator(seed: 2)
        let logits = try withoutGradients { () throws(StrataError) in try model(try Tensor.randn([2, 3, 64, 64], generator: &rng)) }
        XCTAssertEqual(logits.shape, [2, 7])
        XCTAssertTrue(logits.toArray().allSatisfy(\.isFinite))
        XCTAssertEqual(try summary(model, input: [3, 64, 64]).output, [1, 7])
    }
}
