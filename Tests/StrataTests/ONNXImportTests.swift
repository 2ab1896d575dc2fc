import Foundation
import XCTest
@testable import Strata

/// Importing graphs that PyTorch's `torch.onnx.export` wrote (opset 17; made by
/// tools/make_onnx_fixtures.py): zoo networks with batch norm as nodes and pattern weights
/// as external data, small networks exported with the defaults (batch norm folded, weights
/// inside), and the real pretrained MobileNetV2.
final class ONNXImportTests: XCTestCase {
    private struct Reference: Decodable {
        struct Case: Decodable {
            let input: [Int]
            let classes: Int
            let gain: Double
            let logits: [Float]
            /// Checked by `make test-onnx-zoo` (ONNXWholeZooTests), outside `make test`.
            let large: Bool?
        }
        let cases: [String: Case]
    }

    private static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/onnx").standardized

    private static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
    }

    /// The zoo graphs exported by PyTorch, the large ones or the others.
    static func zooCases(large: Bool) throws -> [(name: String, input: [Int], classes: Int, gain: Double, logits: [Float])] {
        try reference().cases.filter { !$0.key.contains("/") && ($0.value.large ?? false) == large }
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value.input, $0.value.classes, $0.value.gain, $0.value.logits) }
    }

    /// The generator's pattern: entry `j`, element `i`, `s = sin(0.7·i + 1.3·j)`; weights
    /// `gain·s/√fan_in`, batch-norm weights `1 + 0.1·s`, running variances `1 + 0.5·|s|`, other vectors `0.1·s`.
    static func fill(_ model: Module, gain: Double) throws {
        var values: [String: Tensor] = [:]
        for (index, (name, tensor)) in model.stateDict().enumerated() {
            if name.hasSuffix("num_batches_tracked") { values[name] = tensor; continue }
            let fanIn = tensor.rank >= 2 ? Double(tensor.count / tensor.shape[0]) : 1
            let isNormWeight = name.hasSuffix("weight") && (name.contains("bn") || name.contains("norm"))
            let pattern = (0..<tensor.count).map { element -> Float in
                let s = sin(0.7 * Double(element) + 1.3 * Double(index))
                if tensor.rank >= 2 { return Float(gain * s / fanIn.squareRoot()) }
                if name.hasSuffix("running_var") { return Float(1 + 0.5 * Swift.abs(s)) }
                return Float(isNormWeight ? 1 + 0.1 * s : 0.1 * s)
            }
            values[name] = try Tensor(pattern, shape: tensor.shape)
        }
        XCTAssertTrue(try model.loadStateDict(values).isExact)
    }

    static func patternInput(_ shape: [Int]) throws -> Tensor {
        try Tensor((0..<shape.reduce(1, *)).map { Float(sin(0.05 * Double($0))) }, shape: shape)
    }

    /// Copies `graph` into a new folder and writes its external data file there from `state`
    /// (by initializer name, at the offsets the graph gives). Returns the copy's path.
    static func materialize(graph: URL, state: [String: Tensor]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let model = try Onnx_ModelProto(serializedBytes: Data(contentsOf: graph))
        var files: [String: Data] = [:]
        for initializer in model.graph.initializer where initializer.dataLocation == .external {
            var entries: [String: String] = [:]
            for entry in initializer.externalData { entries[entry.key] = entry.value }
            let location = try XCTUnwrap(entries["location"])
            let offset = Int(entries["offset"] ?? "0") ?? 0
            let tensor = try XCTUnwrap(state[initializer.name], "no state for \(initializer.name)")
            let bytes = tensor.toArray().withUnsafeBufferPointer { Data(buffer: $0) }
            XCTAssertEqual(Int(entries["length"] ?? "") ?? bytes.count, bytes.count, initializer.name)
            var data = files[location] ?? Data()
            if data.count < offset + bytes.count { data.append(Data(count: offset + bytes.count - data.count)) }
            data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
            files[location] = data
        }
        for (location, data) in files { try data.write(to: folder.appendingPathComponent(location)) }
        let copy = folder.appendingPathComponent(graph.lastPathComponent)
        try FileManager.default.copyItem(at: graph, to: copy)
        return copy.path
    }

    func testZooNetworksExportedByPyTorchGiveItsLogits() throws {
        let cases = try Self.zooCases(large: false)
        XCTAssertEqual(cases.count, 18)
        for zooCase in cases { try Self.checkPyTorchExport(zooCase) }
    }

    /// Imports the graph PyTorch exported for `zooCase.name` with the pattern weights, and
    /// compares its logits with PyTorch's and its state-dict names with the zoo model's.
    static func checkPyTorchExport(_ zooCase: (name: String, input: [Int], classes: Int, gain: Double, logits: [Float])) throws {
        let (name, input, classes, gain, logits) = zooCase
        let model = try Models.named(name, inputShape: Array(input.dropFirst()), classes: classes)
        try fill(model, gain: gain)
        let path = try materialize(graph: folder.appendingPathComponent("zoo/\(name).onnx"),
                                   state: Dictionary(uniqueKeysWithValues: model.stateDict()))
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let imported = try ONNXModel.load(contentsOf: path)
        imported.eval()
        let output = try withoutGradients { try imported(try patternInput(input)) }
        assertClose(output, try Tensor(logits, shape: [input[0], classes]), rtol: 0, atol: 1e-4, name)
        // the state dict keeps PyTorch's names: every parameter and buffer of the zoo model but the counters
        let zooNames = Set(model.stateDict().map(\.0).filter { !$0.hasSuffix("num_batches_tracked") })
        XCTAssertEqual(Set(imported.stateDict().map(\.0)), zooNames, name)
    }

    func testDefaultExportsWithFoldedBatchNormGiveItsLogits() throws {
        for (name, expected) in try Self.reference().cases.filter({ $0.key.hasPrefix("folded/") }) {
            let imported = try ONNXModel.load(contentsOf: Self.folder.appendingPathComponent("\(name).onnx").path)
            imported.eval()
            let output = try withoutGradients { try imported(try Self.patternInput(expected.input)) }
            assertClose(output, try Tensor(expected.logits, shape: [expected.input[0], expected.classes]), rtol: 0, atol: 1e-4, name)
            XCTAssertEqual(imported.declaredInput, Array(expected.input.dropFirst()), name)
        }
    }

    func testPretrainedMobileNetV2ExportedByPyTorchGivesTheReferenceLogits() throws {
        let checkpoint = SharedData.path("data/pretrained/mobilenet_v2-b0353104.pth")
        let state = Dictionary(try TorchCheckpoint.read(contentsOf: checkpoint), uniquingKeysWith: { first, _ in first })
        let path = try Self.materialize(graph: Self.folder.appendingPathComponent("mobilenet_v2.onnx"), state: state)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let imported = try ONNXModel.load(contentsOf: path)
        imported.eval()
        for image in ["astronaut", "camera", "chelsea"] {
            let reference = SharedData.path("data/pretrained/reference/mobilenet_v2_\(image)")
            let input = try NumpyArray.read(contentsOf: reference + "_input.npy")
            let output = try withoutGradients { try imported(input) }
            assertClose(output, try NumpyArray.read(contentsOf: reference + "_logits.npy"), rtol: 0, atol: 1e-3, image)
        }
    }

    /// Keras 3 (PyTorch backend) exports channels-last graphs: Transposes around each
    /// convolution, batch norm as Sub/Mul/Add, ReduceMean with its axes as an input (opset 20).
    func testAKerasExportGivesKerasPredictions() throws {
        let folder = Self.folder.appendingPathComponent("keras")
        let imported = try ONNXModel.load(contentsOf: folder.appendingPathComponent("small_cnn.onnx").path)
        XCTAssertEqual(imported.declaredInput, [28, 28, 1])
        imported.eval()
        let input = try NumpyArray.read(contentsOf: folder.appendingPathComponent("input.npy").path)
        let output = try withoutGradients { try imported(input) }
        assertClose(output, try NumpyArray.read(contentsOf: folder.appendingPathComponent("output.npy").path), rtol: 0, atol: 1e-4)
        // Keras's 1,482 parameters, batch norm's γ and variance exported folded into one scale (−16)
        XCTAssertEqual(imported.parameters().reduce(0) { $0 + $1.count }, 1_466)
    }
}
