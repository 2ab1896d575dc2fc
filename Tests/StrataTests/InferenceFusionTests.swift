import XCTest
@testable import Strata

/// Folds zoo networks and compares their outputs before and after.
enum InferenceFusionCheck {
    /// Running statistics and affine parameters away from their initial values, so that
    /// folding changes every weight it touches.
    private static func randomizeBatchNorms(_ model: Module, _ generator: inout RandomGenerator) throws {
        for case let (_, batchNorm as BatchNormLayer) in model.namedModules() {
            let n = batchNorm.features
            batchNorm.running_mean = Tensor.filled([n]) { generator.nextUniform() - 0.5 }
            batchNorm.running_var = Tensor.filled([n]) { 0.5 + 1.5 * generator.nextUniform() }
            batchNorm.weight = Tensor.filled([n]) { 0.5 + generator.nextUniform() }
            batchNorm.bias = Tensor.filled([n]) { 0.6 * generator.nextUniform() - 0.3 }
        }
    }

    /// Folds `architectures` and compares their outputs before and after on one batch.
    static func checkFolding(_ architectures: [String]) throws {
        var generator = RandomGenerator(seed: 21)
        for name in architectures {
            // AlexNet's 6×6 and VGG's 7×7 adaptive pooling need 224 to trace (ONNX's cannot upsample)
            let size = name.hasPrefix("vgg") || name == "alexnet" ? 224 : ["inception_v3", "xception"].contains(name) ? 96 : 64
            let model = try Models.zoo(name, classes: 10)
            try randomizeBatchNorms(model, &generator)
            model.eval()
            let x = try Tensor.randn([2, 3, size, size], generator: &generator)
            let before = try withoutGradients { () throws(StrataError) in try model(x) }.toArray()
            let fusion = try model.fuseForInference(inputShape: [3, size, size])
            let folded = fusion.foldedBatchNorms
            let after = try withoutGradients { () throws(StrataError) in try model(x) }.toArray()
            let batchNorms = model.namedModules().filter { $0.1 is BatchNormLayer }.count
            let scale = Swift.max(1, before.map(Swift.abs).max() ?? 0)
            let difference = zip(before, after).map { Swift.abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(difference, 1e-4 * scale, "\(name): \(folded.count) of \(batchNorms) batch norms folded")
            if batchNorms > 0 { XCTAssertGreaterThan(folded.count, 0, name) }
            // every network but Xception (whose convolutions feed batch norms that feed adds) has a ReLU to fuse
            if name != "xception" { XCTAssertGreaterThan(fusion.fusedActivations.count, 0, name) }
            print("\(name): folded \(folded.count) of \(batchNorms) batch norms, fused \(fusion.fusedActivations.count) activations, largest difference \(difference) (outputs up to \(scale))")
        }
    }
}

/// Batch norm and ReLU fused into the convolution before them give the network's outputs unchanged.
final class InferenceFusionTests: XCTestCase {

    /// The zoo's deepest and widest networks, folded in `make test-onnx-zoo` (`InferenceFusionWholeZooTests`).
    static let large = ["vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn", "resnet101", "resnet152", "resnext101_32x8d",
                        "resnext101_64x4d", "wide_resnet101_2", "densenet161", "densenet201"]

    /// Every zoo network but the large ones (VGG without batch norm included: nothing folds).
    func testFoldingKeepsTheOutputsOfTheZoo() throws {
        try InferenceFusionCheck.checkFolding(Models.zooNames.filter { !Self.large.contains($0) })
    }

    /// Only a convolution whose output goes nowhere else folds: DenseNet's batch norms that
    /// read concatenated features, or that come first in a layer, stay; a folded batch norm
    /// refuses to train.
    func testOnlyBatchNormsReadingAConvolutionAloneFoldAndFoldedOnesDoNotTrain() throws {
        let model = try Models.zoo("densenet121", classes: 10)
        let folded = try model.fuseForInference(inputShape: [3, 64, 64]).foldedBatchNorms
        XCTAssertEqual(folded.first?.convolution, "features.conv0")
        XCTAssertEqual(folded.first?.batchNorm, "features.norm0")
        // in each dense layer norm2 follows conv1; norm1 reads the concatenation
        XCTAssertTrue(folded.contains { $0.convolution == "features.denseblock1.denselayer1.conv1" && $0.batchNorm == "features.denseblock1.denselayer1.norm2" })
        XCTAssertFalse(folded.contains { $0.batchNorm.hasSuffix("norm1") })
        XCTAssertEqual(folded.count, 1 + 6 + 12 + 24 + 16)
        model.train()
        XCTAssertThrowsError(try model(Tensor(zerosShape: [2, 3, 64, 64]))) { error in
            XCTAssertTrue("\(error)".contains("folded"), "\(error)")
        }
    }
}

extension InferenceFusionTests {
    /// With gradients recorded (Grad-CAM, saliency) or a layer captured, a fused ResNet-18 gives
    /// the unfused outputs, the captured convolution's own output (its batch norm's, not
    /// rectified), and gradients; a fused network refuses another state dict.
    func testFusedNetworksStayExactWithGradientsAndCapturesAndRefuseNewWeights() throws {
        var generator = RandomGenerator(seed: 4)
        let model = Models.resnet18(classes: 5)
        model.eval()
        let x = try Tensor.randn([2, 3, 64, 64], generator: &generator)
        let state = Dictionary(uniqueKeysWithValues: model.stateDict())
        let (plainOutput, plainCaptured) = try model.forward(x, capturing: ["layer1.0.bn1"])
        let plainInput = x.copyToContiguous()
        plainInput.requiresGrad = true
        try model(plainInput).sum().backward()
        let fusion = try model.fuseForInference(inputShape: [3, 64, 64])
        XCTAssertTrue(fusion.fusedActivations.contains { $0.convolution == "layer1.0.conv1" && $0.activation == .relu })
        let (fusedOutput, fusedCaptured) = try model.forward(x, capturing: ["layer1.0.conv1"])
        // the fused convolution's own output is the unfused batch norm's, negative values included
        let normalized = try XCTUnwrap(plainCaptured["layer1.0.bn1"]).toArray()
        let captured = try XCTUnwrap(fusedCaptured["layer1.0.conv1"]).toArray()
        XCTAssertTrue(captured.contains { $0 < 0 }, "the captured convolution output is not rectified")
        XCTAssertLessThanOrEqual(zip(normalized, captured).map { Swift.abs($0 - $1) }.max() ?? .infinity, 1e-4)
        let input = x.copyToContiguous()
        input.requiresGrad = true
        let recorded = try model(input)
        try recorded.sum().backward()
        let gradients = zip(try XCTUnwrap(plainInput.grad).toArray(), try XCTUnwrap(input.grad).toArray())
        XCTAssertLessThanOrEqual(gradients.map { Swift.abs($0 - $1) }.max() ?? .infinity, 1e-4, "input gradients through the fused network")
        let withoutRecording = try withoutGradients { () throws(StrataError) in try model(x) }
        for (expected, actual) in [(plainOutput, fusedOutput), (plainOutput, recorded), (plainOutput, withoutRecording)] {
            let difference = zip(expected.toArray(), actual.toArray()).map { Swift.abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(difference, 1e-4)
        }
        XCTAssertThrowsError(try model.loadStateDict(state)) { error in XCTAssertTrue("\(error)".contains("fused"), "\(error)") }
    }

    /// MobileNetV3's hard-swishes fuse into the convolutions before them (oneDNN's post-op): the
    /// stem, each expansion and depthwise convolution of the eight hard-swish blocks and the last
    /// convolution (18 in the small network); a hard-swish applied twice after a fused one is
    /// applied again, not absorbed (it is not idempotent, unlike ReLU).
    func testHardSwishFusesAndIsAppliedOnceMore() throws {
        var generator = RandomGenerator(seed: 9)
        let model = try Models.zoo("mobilenet_v3_small", classes: 10)
        model.eval()
        let fused = try model.fuseForInference(inputShape: [3, 64, 64]).fusedActivations
        XCTAssertEqual(fused.filter { $0.activation == .hardswish }.count, 18)
        XCTAssertTrue(fused.contains { $0.convolution == "features.0.0" && $0.activation == .hardswish })

        let twice = Sequential([Conv2d(3, 8, kernel: 3, padding: 1), BatchNorm2d(8), Hardswish(), Hardswish()])
        twice.eval()
        let x = try Tensor.randn([2, 3, 8, 8], generator: &generator) * 4
        let expected = try withoutGradients { () throws(StrataError) in try twice(x) }.toArray()
        let fusion = try twice.fuseForInference(inputShape: [3, 8, 8])
        XCTAssertEqual(fusion.fusedActivations.map(\.convolution), ["0"])
        let actual = try withoutGradients { () throws(StrataError) in try twice(x) }.toArray()
        XCTAssertLessThanOrEqual(zip(expected, actual).map { Swift.abs($0 - $1) }.max() ?? .infinity, 1e-5)
        let once = try withoutGradients { () throws(StrataError) in try Sequential([twice[0], twice[1], twice[2]])(x) }
        XCTAssertGreaterThan(zip(once.toArray(), actual).map { Swift.abs($0 - $1) }.max() ?? 0, 0.01, "the second hard-swish changes the values")
    }
}

/// The large zoo networks' folding (slow: 0.2–0.6 GB of weights each), run by `make test-onnx-zoo`.
final class InferenceFusionWholeZooTests: XCTestCase {
    func testFoldingKeepsTheOutputsOfTheLargeZooNetworks() throws {
        try InferenceFusionCheck.checkFolding(InferenceFusionTests.large)
    }
}
