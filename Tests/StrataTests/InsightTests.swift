import Foundation
import XCTest
@testable import Strata

/// Looking inside the real pretrained MobileNetV2: saliency, Grad-CAM and occlusion
/// against Captum (tools/make_insight_fixtures.py), activations against PyTorch's forward
/// hook, and activation maximisation and DeepDream climbing their objectives.
final class InsightTests: XCTestCase {
    nonisolated(unsafe) private static let network: Module = {
        try! PretrainedModel.load("mobilenet_v2", weights: SharedData.path("data/pretrained/mobilenet_v2-b0353104.pth")).0
    }()

    private func fixture(_ name: String) throws -> Tensor {
        try NumpyArray.read(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/insight/\(name)").standardized.path)
    }

    private func input(_ image: String) throws -> Tensor {
        try NumpyArray.read(contentsOf: SharedData.path("data/pretrained/reference/mobilenet_v2_\(image)_input.npy"))
    }

    func testSaliencyGradCAMAndOcclusionEqualCaptum() throws {
        let targets = ["chelsea": 285, "camera": 872, "astronaut": 450]
        for (image, target) in targets.sorted(by: { $0.key < $1.key }) {
            let x = try input(image)
            assertSameMap(try Saliency.map(Self.network, input: x, target: target), try fixture("\(image)_saliency.npy"), "\(image) saliency")
            assertSameMap(try GradCAM.map(Self.network, input: x, target: target, layer: "features.18").map,
                          try fixture("\(image)_gradcam.npy"), "\(image) Grad-CAM")
            assertSameMap(try Occlusion.map(Self.network, input: x, target: target, window: [15, 15], stride: [8, 8]),
                          try fixture("\(image)_occlusion.npy"), "\(image) occlusion")
        }
    }

    func testActivationsEqualPyTorchsForwardHook() throws {
        let chelsea = try input("chelsea")
        let (output, captured) = try withoutGradients { () throws(StrataError) in
            try Self.network.forward(chelsea, capturing: ["features.7.conv.2"])
        }
        XCTAssertEqual(output.shape, [1, 1000])
        let activations = try captured["features.7.conv.2"]!.contiguous().reshape([64, 14, 14])
        assertClose(activations, try fixture("chelsea_features.7.conv.2.npy"), rtol: 0, atol: 1e-4)
        guard case .invalidArgument(_, let message)? = thrownError({ _ = try Self.network.forward(try self.input("chelsea"), capturing: ["features.7.conv.9"]) }) else {
            return XCTFail()
        }
        XCTAssertTrue(message.contains("no layer 'features.7.conv.9'; nearest: features.7.conv.0"), message)
    }

    /// `retainGrad` keeps an intermediate result's gradient: for `y = (2x)²` summed,
    /// `∂L/∂(2x) = 2·(2x)`.
    func testAnIntermediateResultKeepsItsGradient() throws {
        let x = try Tensor([1, -2, 3], shape: [3])
        x.requiresGrad = true
        let doubled = x * 2
        doubled.retainGrad()
        try doubled.square().sum().backward()
        XCTAssertEqual(doubled.grad?.toArray(), [4, -8, 12])
        XCTAssertEqual(x.grad?.toArray(), [8, -16, 24])
    }

    func testSmoothGradWithoutNoiseIsTheGradient() throws {
        let x = try input("camera")
        let vanilla = try Saliency.map(Self.network, input: x, target: 872)
        assertClose(try Saliency.smoothGrad(Self.network, input: x, target: 872, samples: 3, noise: 0), vanilla, rtol: 1e-4, atol: 1e-7)
        let smooth = try Saliency.smoothGrad(Self.network, input: x, target: 872, samples: 4, noise: 0.2)
        XCTAssertNotEqual(smooth.toArray(), vanilla.toArray())
        XCTAssertEqual(smooth.shape, [224, 224])
    }

    func testActivationMaximisationClimbsItsObjective() throws {
        var maximization = ActivationMaximization(objective: .channel(layer: "features.10.conv.1", channel: 11))
        maximization.steps = 40
        maximization.sizes = [64, 96]
        let (image, objectives) = try maximization.run(Self.network)
        XCTAssertEqual(image.shape, [1, 3, 96, 96])
        XCTAssertEqual(objectives.count, 40)
        XCTAssertGreaterThan(objectives[0], 0)
        XCTAssertGreaterThanOrEqual(objectives.suffix(10).reduce(0, +) / 10, 3 * objectives[0], "\(objectives)")
        var byClass = ActivationMaximization(objective: .classLogit(1))
        byClass.steps = 30
        byClass.sizes = [64, 96]
        let classObjectives = try byClass.run(Self.network).objectives
        XCTAssertGreaterThan(classObjectives.suffix(10).reduce(0, +) / 10, classObjectives[0] + 3, "\(classObjectives)")
        guard case .invalidArgument(_, let message)? = thrownError({
            _ = try ActivationMaximization(objective: .channel(layer: "features.10.conv.1", channel: 999)).run(Self.network)
        }) else { return XCTFail() }
        XCTAssertTrue(message.contains("channel 999 is not one of layer 'features.10.conv.1's 384 channels (0…383)"), message)
    }

    func testDeepDreamClimbsItsObjective() throws {
        var dream = DeepDream(layers: ["features.10.conv.1"])
        dream.octaves = 3
        dream.stepSize = 0.15
        dream.jitter = 2
        let (image, objectives) = try dream.run(Self.network, image: try input("coffee"))
        XCTAssertEqual(image.shape, [1, 3, 224, 224])
        XCTAssertEqual(objectives.count, 60)
        XCTAssertGreaterThanOrEqual(objectives.suffix(10).reduce(0, +) / 10, 3 * objectives[0], "\(objectives)")
    }

    /// The verbs on a run folder of `strata train` and its test samples.
    func testInsightOnATrainedRun() throws {
        let folder = try TestFiles.temporaryFolder("insight-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path
        let (trained, log) = try CLITests.strata(["train", "--epochs", "3", "--output", run, "--json"])
        XCTAssertEqual(trained, 0, log)
        let verbs: [([String], [Int])] = [
            (["activations", "--layer", "3"], [64, 8, 8]), (["filters"], [32, 1, 3, 3]),
            (["occlusion", "--patch", "3", "--stride", "2"], [8, 8]), (["saliency"], [8, 8]), (["gradcam", "--layer", "3"], [8, 8]),
        ]
        for (verb, shape) in verbs {
            let output = folder.appendingPathComponent(verb[0]).path
            let (status, text) = try CLITests.strata(["insight", verb[0], "--run", run, "--sample", "5"] + verb.dropFirst()
                                                     + ["--output", output, "--json"])
            XCTAssertEqual(status, 0, "\(verb[0]): \(text)")
            XCTAssertEqual(try NumpyArray.read(contentsOf: output + ".npy").shape, shape, verb[0])
            XCTAssertGreaterThan(try ImageCodec.read(contentsOf: output + ".png").width, 7, verb[0])
        }
        let (outOfRange, message) = try CLITests.strata(["insight", "saliency", "--run", run, "--sample", "5000"])
        XCTAssertEqual(outOfRange, 2, message)
        XCTAssertTrue(message.contains("--sample 5000 is not allowed: the run has 359 test samples (0…358)"), message)
        // without best.ckpt (a run with no validation set) the last weights are used, and said so
        try FileManager.default.removeItem(atPath: (run as NSString).appendingPathComponent("best.ckpt"))
        let (fallback, used) = try CLITests.strata(["insight", "filters", "--run", run, "--output", folder.appendingPathComponent("last").path])
        XCTAssertEqual(fallback, 0, used)
        XCTAssertTrue(used.contains("weights: last.ckpt"), used)
        let (missing, text) = try CLITests.strata(["insight", "filters", "--run", run, "--checkpoint", "best"])
        XCTAssertEqual(missing, 2, text)
        XCTAssertTrue(text.contains("no best.ckpt in"), text)
    }

    func testInsightCommandsWritePicturesAndRefuseWrongInput() throws {
        let folder = try TestFiles.temporaryFolder("insight")
        defer { try? FileManager.default.removeItem(at: folder) }
        let network = ["--model", "mobilenet_v2", "--weights", SharedData.path("data/pretrained/mobilenet_v2-b0353104.pth")]
        let photo = SharedData.path("data/images/chelsea.png")
        let output = folder.appendingPathComponent("cam").path
        let (status, text) = try CLITests.strata(["insight", "gradcam"] + network + ["--image", photo, "--layer", "features.18",
                                                                                     "--output", output, "--json"])
        XCTAssertEqual(status, 0, text)
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        XCTAssertEqual(json?["target"] as? Int, 285)
        let picture = try ImageCodec.read(contentsOf: output + ".png")
        XCTAssertEqual([picture.width, picture.height], [224, 224])
        XCTAssertEqual(try NumpyArray.read(contentsOf: output + ".npy").shape, [224, 224])
        // wrong input exits 2 naming the thing and what is allowed
        let cases: [([String], String)] = [
            (["insight", "gradcam"] + network + ["--image", photo, "--layer", "features.99"], "no layer 'features.99'; nearest"),
            (["insight", "maximize"] + network + ["--layer", "features.3", "--channel", "500", "--steps", "1"], "channel 500 is not one of"),
            (["insight", "saliency"] + network + ["--image", #filePath], "not a PNG"),
            (["insight", "saliency"] + network + ["--image", photo, "--target", "1000"], "--target 1000 is not allowed: the network has 1000 classes"),
            (["insight", "activations", "--run", folder.path, "--sample", "0", "--layer", "0"], "run.json"),
        ]
        for (arguments, expected) in cases {
            let (code, message) = try CLITests.strata(arguments + ["--output", folder.appendingPathComponent("bad").path])
            XCTAssertEqual(code, 2, "\(arguments.prefix(2)): \(message)")
            XCTAssertTrue(message.contains(expected), "\(arguments.prefix(2)): \(message)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad.png").path))
    }
}
