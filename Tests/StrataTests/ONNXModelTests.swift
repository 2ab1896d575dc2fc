import Foundation
import XCTest
@testable import Strata

/// An imported graph as a Strata network: it trains (gradients equal the built-in twin's),
/// its layers are the ONNX nodes for summaries and captures, and bad files give typed errors.
final class ONNXModelTests: XCTestCase {
    private static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/onnx").standardized

    func testGradientsOfAnImportedNetworkEqualItsBuiltInTwins() throws {
        try Backends.$selected.withValue(Backends.reference) { try gradientsMatch() }
    }

    private func gradientsMatch() throws {
        // InceptionTime: Pad, Conv, MaxPool, Concat, BatchNormalization (training), Relu, Add, ReduceMean, Gemm;
        // on the reference backend, whose fixed summation order both networks share: on the fast
        // path the two graphs sum in different orders, and a batch-norm output within rounding of 0
        // can fall on either side of a ReLU
        let zoo = try Models.named("inception-time", inputShape: [3, 50], classes: 5)
        try ONNXImportTests.fill(zoo, gain: 2)
        let path = try ONNXImportTests.materialize(graph: Self.folder.appendingPathComponent("zoo/inception-time.onnx"),
                                                   state: Dictionary(uniqueKeysWithValues: zoo.stateDict()))
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let imported = try ONNXModel.load(contentsOf: path)
        let input = try ONNXImportTests.patternInput([4, 3, 50])
        let labels = try Tensor(labels: [0, 1, 2, 3])
        var gradients: [[String: Tensor]] = []
        for model in [zoo, imported] {
            model.train()
            try crossEntropy(try model(input), target: labels).backward()
            gradients.append(Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.1.grad ?? Tensor(scalar: .nan)) }))
        }
        XCTAssertEqual(Set(gradients[1].keys), Set(gradients[0].keys))
        XCTAssertEqual(imported.trainableParameters().count, zoo.parameters().count)
        for (name, expected) in gradients[0] {
            let actual = try XCTUnwrap(gradients[1][name])
            XCTAssertGreaterThan(expected.abs().sum().toArray()[0], 0, name)
            assertClose(actual, expected, rtol: 1e-3, atol: 1e-5, name)
        }
        // the running statistics moved as the built-in network's did
        let zooBuffers = Dictionary(uniqueKeysWithValues: zoo.namedBuffers())
        for (name, buffer) in imported.namedBuffers() {
            assertClose(buffer, try XCTUnwrap(zooBuffers[name]), rtol: 1e-4, atol: 1e-6, name)
        }
    }

    func testLayersAreTheNodesForSummariesAndCaptures() throws {
        let model = try ONNXModel.load(contentsOf: Self.folder.appendingPathComponent("folded/lenet5.onnx").path)
        XCTAssertFalse(model.isTraining, "an exported graph is for inference: it imports in evaluation mode")
        XCTAssertEqual(model.declaredInput, [1, 28, 28])
        let result = try summary(model, input: [1, 28, 28])
        XCTAssertEqual(result.rows.map(\.name), ["/c1/Conv", "/Relu", "/MaxPool", "/c2/Conv", "/Relu_1", "/MaxPool_1", "/Flatten",
                                                 "/f1/Gemm", "/Relu_2", "/f2/Gemm", "/Relu_3", "/f3/Gemm"])
        XCTAssertEqual(result.rows[0].layer, "Conv 1→6, k5×5 pads=2×2×2×2")
        XCTAssertEqual(result.rows[3].receptiveField, [14, 14])
        XCTAssertEqual(result.parameters, 61_706)
        XCTAssertEqual(result.flops, 833_040)
        let (output, captured) = try model.forward(try Tensor.zeros([2, 1, 28, 28]), capturing: ["/c2/Conv"])
        XCTAssertEqual(output.shape, [2, 10])
        XCTAssertEqual(captured["/c2/Conv"]?.shape, [2, 16, 10, 10])
    }

    /// A one-input graph of the given nodes (opset `opset`), serialised.
    private func graph(_ nodes: [(String, String, [String], [String], [Onnx_AttributeProto])], opset: Int64 = 17,
                       initializers: [Onnx_TensorProto] = []) throws -> Data {
        var model = Onnx_ModelProto()
        var import_ = Onnx_OperatorSetIdProto()
        import_.version = opset
        model.opsetImport = [import_]
        var input = Onnx_ValueInfoProto()
        input.name = "x"
        model.graph.input = [input]
        var output = Onnx_ValueInfoProto()
        output.name = nodes.last?.3.first ?? "y"
        model.graph.output = [output]
        model.graph.initializer = initializers
        model.graph.node = nodes.map { name, op, inputs, outputs, attributes in
            var node = Onnx_NodeProto()
            (node.name, node.opType, node.input, node.output, node.attribute) = (name, op, inputs, outputs, attributes)
            return node
        }
        return try model.serializedData()
    }

    private func attribute(_ name: String, int value: Int64) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        (attribute.name, attribute.type, attribute.i) = (name, .int, value)
        return attribute
    }

    func testAnUnsupportedGraphListsEveryProblemAtOnce() throws {
        let data = try graph([("first", "Relu", ["x"], ["a"], []), ("warp", "GridSample", ["a"], ["b"], []),
                              ("pool", "MaxPool", ["b"], ["c"], [attribute("storage_order", int: 1)]),
                              ("norm", "LayerNormalization", ["c"], ["d"], []), ("warp2", "GridSample", ["d"], ["e"], [])])
        let error = thrownError { _ = try ONNXModel.decode(data, path: "bad.onnx") }
        let message = error?.message ?? ""
        for expected in ["unsupported op GridSample in 2 nodes", "node 'warp' (GridSample, opset 17)", "node 'warp2'",
                         "unsupported op LayerNormalization", "node 'pool' (MaxPool, opset 17): storage_order=1"] {
            XCTAssertTrue(message.contains(expected), "\(expected) in \(message)")
        }
        XCTAssertFalse(message.contains("'first'"))
        let old = thrownError { _ = try ONNXModel.decode(try self.graph([("r", "Relu", ["x"], ["y"], [])], opset: 9)) }
        XCTAssertTrue(old?.message.contains("opset 9") ?? false, "\(String(describing: old))")
    }

    func testBadFilesGiveTypedErrorsBeforeAllocating() throws {
        guard case .corruptFile? = thrownError({ _ = try ONNXModel.decode(Data([0xFF, 0xFF, 0xFF, 0x0F, 0x12]), path: "x.onnx") }) else {
            return XCTFail("garbage must be a corrupt file")
        }
        // 2^40 elements declared, 4 bytes present
        var huge = Onnx_TensorProto()
        (huge.name, huge.dataType, huge.dims, huge.rawData) = ("w", 1, [1 << 20, 1 << 20], Data(count: 4))
        let declared = try graph([("add", "Add", ["x", "w"], ["y"], [])], initializers: [huge])
        guard case .corruptFile(_, _, let message)? = thrownError({ _ = try ONNXModel.decode(declared, path: "huge.onnx") }) else {
            return XCTFail("a shape larger than the data must be refused")
        }
        XCTAssertTrue(message.contains("too many") || message.contains("needs"), message)
        // external data must stay inside the model's folder
        var outside = Onnx_TensorProto()
        (outside.name, outside.dataType, outside.dims, outside.dataLocation) = ("w", 1, [2], .external)
        var location = Onnx_StringStringEntryProto()
        (location.key, location.value) = ("location", "../../etc/passwd")
        outside.externalData = [location]
        let escaping = try graph([("add", "Add", ["x", "w"], ["y"], [])], initializers: [outside])
        let refused = thrownError { _ = try ONNXModel.decode(escaping, path: "/tmp/model.onnx") }
        XCTAssertTrue(refused?.message.contains("inside the model's folder") ?? false, "\(String(describing: refused))")
    }

    func testCommandsTakeAnONNXFile() throws {
        let file = Self.folder.appendingPathComponent("folded/lenet5.onnx").path
        let (status, output) = try CLITests.strata(["import", file, "--json"])
        XCTAssertEqual(status, 0, output)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        XCTAssertEqual(json["parameters"] as? Int, 61_706)
        XCTAssertEqual(json["output"] as? [Int], [10])
        let (summaryStatus, summaryOutput) = try CLITests.strata(["summary", "--model", file])
        XCTAssertEqual(summaryStatus, 0, summaryOutput)
        XCTAssertTrue(summaryOutput.contains("/f3/Gemm"), summaryOutput)
    }

    func testInsightVerbsExplainAnImportedNetwork() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-onnx-insight-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let network = Sequential { Conv2d(3, 4, kernel: 3, stride: 2); ReLU(); GlobalAvgPool(); Flatten(); Linear(4, 3) }
        let file = (folder as NSString).appendingPathComponent("tiny.onnx")
        try ONNXExport.write(network, inputShape: [3, 224, 224], to: file)
        let layer = try XCTUnwrap(try ONNXModel.load(contentsOf: file).nodes.first { $0.opType == "Relu" }?.nodeName)
        let image = SharedData.path("data/images/chelsea.png")
        // what the verbs must find: the same maps computed on the network that was exported
        network.eval()
        let input = try ImagePreprocessing.imagenet.tensor(try ImageCodec.read(contentsOf: image, channels: 3))
        let target = try withoutGradients { try network(input) }.argmax(axis: 1).toLabels()[0]
        let expected = ["gradcam": try GradCAM.map(network, input: input, target: target, layer: "1").map,
                        "saliency": try Saliency.map(network, input: input, target: target)]
        for verb in [["gradcam", "--layer", layer], ["saliency"], ["occlusion", "--patch", "56", "--stride", "56"]] {
            let output = (folder as NSString).appendingPathComponent(verb[0])
            let (status, text) = try CLITests.strata(["insight"] + verb + ["--model", file, "--image", image, "--json", "--output", output])
            XCTAssertEqual(status, 0, text)
            let map = try NumpyArray.read(contentsOf: output + ".npy")
            XCTAssertEqual(map.shape, [224, 224], verb[0])
            if let reference = expected[verb[0]] { assertClose(map, reference, rtol: 1e-3, atol: 1e-5, verb[0]) }
        }
    }

    func testATrainedRunExportsAndTheFileEvaluatesLikeTheRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-onnx-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = (folder as NSString).appendingPathComponent("run")
        let (trained, trainOutput) = try CLITests.strata(["train", "--data", "digits", "--epochs", "2", "--seed", "5",
                                                          "--progress", "silent", "--output", run])
        XCTAssertEqual(trained, 0, trainOutput)
        let file = (folder as NSString).appendingPathComponent("digits.onnx")
        let (exported, exportOutput) = try CLITests.strata(["export", "--run", run, "--checkpoint", "final", "--format", "onnx",
                                                            "--output", file])
        XCTAssertEqual(exported, 0, exportOutput)
        // the file holds the trained weights: it computes what the run's network computes
        let description = try RunDescription.read(directory: run)
        let network = try description.makeModel()
        try network.load(from: (run as NSString).appendingPathComponent("model.safetensors"))
        network.eval()
        let imported = try ONNXModel.load(contentsOf: file)
        imported.eval()
        let input = try ONNXImportTests.patternInput([5] + description.inputShape)
        assertClose(try withoutGradients { try imported(input) }, try withoutGradients { try network(input) },
                    rtol: 0, atol: 1e-4, "exported run")
        let (refused, refusal) = try CLITests.strata(["export", "--model", "lenet5", "--format", "onnx", "--output", file])
        XCTAssertEqual(refused, 2, refusal)
        XCTAssertTrue(refusal.contains("--input is needed"), refusal)
    }
}
