import Foundation
import XCTest
@testable import Strata

/// The rest of the zoo through ONNX both ways: the deepest and widest networks, whose weights
/// (0.2–0.6 GB each) make these checks too slow for `make test`. `make test-onnx-zoo` runs
/// them; with ONNXImportTests and ONNXExportTests every zoo architecture is covered.
final class ONNXWholeZooTests: XCTestCase {
    /// The torchvision and timm networks PyTorch exported (tools/make_onnx_fixtures.py, cases
    /// marked large): the eight VGGs at 224×224, ResNet-101/152, both ResNeXt-101s, Wide
    /// ResNet-101-2, DenseNet-161/201 at 64×64, Inception v3 and Xception at 96×96.
    func testLargeZooNetworksExportedByPyTorchGiveItsLogits() throws {
        let cases = try ONNXImportTests.zooCases(large: true)
        XCTAssertEqual(cases.map(\.name), [
            "densenet161", "densenet201", "inception_v3", "resnet101", "resnet152", "resnext101_32x8d", "resnext101_64x4d",
            "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "wide_resnet101_2", "xception",
        ])
        for zooCase in cases { try ONNXImportTests.checkPyTorchExport(zooCase) }
    }

    /// The zoo architectures ONNXExportTests leaves out, exported by Strata and run by
    /// onnxruntime, with the pattern weights at the import fixtures' gains (0.7 for ResNet-34's
    /// basic blocks, 1 for the rest), which keep their logits near 1 and their activations well
    /// inside float32's range of accurate sums.
    func testLargeZooNetworksExportedByStrataGiveItsLogitsInOnnxruntime() throws {
        let vggs = ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]
        let others = ["resnet34", "resnet101", "resnet152", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2",
                      "wide_resnet101_2", "densenet161", "densenet169", "densenet201"]
        // VGG's adaptive pooling to 7×7 is an ONNX AveragePool only where its bins are equal: 224×224
        let cases = vggs.map { ($0, [3, 224, 224], false) } + others.map { ($0, [3, 64, 64], false) }
        var gains = Dictionary(uniqueKeysWithValues: (vggs + others).map { ($0, 1.0) })
        gains["resnet34"] = 0.7
        try ONNXExportTests.check(cases, patternGains: gains)
    }
}
