import Foundation
import XCTest
@testable import Strata

/// PyTorch `.pth` files in both serialisations, read without running pickle code, and
/// state dicts loaded by name with every problem reported at once.
final class TorchCheckpointTests: XCTestCase {
    private func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/pth/\(name)").standardized.path
    }

    /// Files written by tools/make_pth_fixtures.py: float32, float16, bfloat16, float64,
    /// int64, int8 and bool storages; a transposed tensor and a strided view with an offset;
    /// an empty tensor; zip (protocols 2 and 4) and legacy; a training checkpoint holding a
    /// DataParallel state dict of `nn.Parameter`s under "state_dict" beside other entries.
    func testEveryFormatGivesPyTorchsValues() throws {
        let expected = try Safetensors.read(contentsOf: fixture("expected.safetensors"))
        for file in ["state_zip", "state_legacy", "state_zip_protocol4", "checkpoint_zip", "checkpoint_legacy"] {
            let tensors = try TorchCheckpoint.read(contentsOf: fixture("\(file).pth"))
            XCTAssertEqual(Set(tensors.map(\.0)), Set(expected.keys), file)
            XCTAssertEqual(tensors.first?.0, "conv.weight", "\(file): the file's order")
            for (name, tensor) in tensors {
                guard let reference = expected[name] else { continue }
                XCTAssertEqual(tensor.shape, reference.shape, "\(file): \(name)")
                XCTAssertEqual(tensor.dtype, reference.dtype, "\(file): \(name)")
                if tensor.dtype == .float32 {
                    XCTAssertEqual(tensor.toArray(), reference.toArray(), "\(file): \(name)")
                } else {
                    XCTAssertEqual(tensor.toLabels(), reference.toLabels(), "\(file): \(name)")
                }
            }
        }
    }

    func testTheRealDigitRecognizerPthEqualsItsSafetensorsConversion() throws {
        let folder = SharedData.path("data/pretrained/mnist-cnn-digit-recognizer")
        let pth = try TorchCheckpoint.read(contentsOf: (folder as NSString).appendingPathComponent("handwriting_model.pth"))
        let converted = try Safetensors.read(contentsOf: (folder as NSString).appendingPathComponent("mnist_cnn.safetensors"))
        XCTAssertEqual(pth.map(\.0), ["conv_layers.0.weight", "conv_layers.0.bias", "conv_layers.3.weight", "conv_layers.3.bias",
                                      "conv_layers.6.weight", "conv_layers.6.bias", "fc_layers.0.weight", "fc_layers.0.bias",
                                      "fc_layers.2.weight", "fc_layers.2.bias"])
        for (name, tensor) in pth { XCTAssertEqual(tensor.toArray(), converted[name]?.toArray(), name) }
    }

    /// A pickle that would call `os.system("ls")` when loaded by Python's pickle.
    private let systemCall: [UInt8] = Array("\u{80}\u{02}cos\nsystem\nq\u{00}X\u{02}\u{00}\u{00}\u{00}lsq\u{01}\u{85}q\u{02}Rq\u{03}.".unicodeScalars.map { UInt8($0.value) })

    func testPicklesThatWouldRunCodeAreRefusedNamingTheGlobal() throws {
        guard case let .disallowedGlobal(_, offset, global)? = thrownError({ _ = try TorchCheckpoint.decode(Data(systemCall)) }) else {
            return XCTFail()
        }
        XCTAssertEqual(global, "os.system")
        XCTAssertEqual(offset, 2)
        XCTAssertTrue("\(StrataError.disallowedGlobal(path: "x.pth", offset: 2, global: global))".contains("refuses the pickle global 'os.system'"))
        // protocol 4: STACK_GLOBAL builtins.eval
        let stackGlobal: [UInt8] = [0x80, 0x04, 0x8C, 0x08] + Array("builtins".utf8) + [0x94, 0x8C, 0x04] + Array("eval".utf8)
            + [0x94, 0x93, 0x94, 0x8C, 0x01, 0x31, 0x85, 0x52, 0x2E]
        guard case .disallowedGlobal(_, _, "builtins.eval")? = thrownError({ _ = try TorchCheckpoint.decode(Data(stackGlobal)) }) else {
            return XCTFail()
        }
        // INST opcode: a class instance by name
        let instance: [UInt8] = [0x80, 0x02, 0x28] + Array("isubprocess\nPopen\n".utf8) + [0x2E]
        guard case .disallowedGlobal(_, _, "subprocess.Popen")? = thrownError({ _ = try TorchCheckpoint.decode(Data(instance)) }) else {
            return XCTFail()
        }
        // the same inside a zip-format file
        let zipped = TestFiles.zip([("archive/data.pkl", systemCall), ("archive/byteorder", Array("little".utf8))], deflated: false)
        guard case .disallowedGlobal(_, _, "os.system")? = thrownError({ _ = try TorchCheckpoint.decode(Data(zipped)) }) else {
            return XCTFail()
        }
    }

    func testFilesThatAreNotStateDictsSayWhatTheyHold() throws {
        // a pickled list, not a PyTorch file
        guard case .corruptFile(_, _, let message)? = thrownError({ _ = try TorchCheckpoint.decode(Data([0x80, 0x02, 0x5D, 0x2E])) }) else {
            return XCTFail()
        }
        XCTAssertTrue(message.contains("not a PyTorch file"), message)
        let list = TestFiles.zip([("a/data.pkl", [0x80, 0x02, 0x5D, 0x2E])], deflated: false)
        guard case .corruptFile(_, _, let holds)? = thrownError({ _ = try TorchCheckpoint.decode(Data(list)) }) else { return XCTFail() }
        XCTAssertTrue(holds.contains("holds a list, not a state dict"), holds)
        guard case .corruptFile(_, 0, _)? = thrownError({ _ = try WeightsFile.read(contentsOf: #filePath) }) else { return XCTFail() }
    }

    func testStrictLoadingListsEveryProblemAtOnceAndLenientLoadsWhatMatches() throws {
        let model = Models.digitRecognizerCNN()
        var values = Dictionary(uniqueKeysWithValues: try TorchCheckpoint.read(contentsOf:
            SharedData.path("data/pretrained/mnist-cnn-digit-recognizer/handwriting_model.pth")))
        values["conv_layers.0.wieght"] = values.removeValue(forKey: "conv_layers.0.weight")
        values["fc_layers.2.weight"] = try Tensor.zeros([5, 256])
        values["extra.running_mean"] = try Tensor.zeros([3])
        guard case .invalidArgument(_, let message)? = thrownError({ try model.loadStateDict(values) }) else { return XCTFail() }
        XCTAssertTrue(message.hasPrefix("4 problems: "), message)
        XCTAssertTrue(message.contains("missing 'conv_layers.0.weight' (the file has 'conv_layers.0.wieght')"), message)
        XCTAssertTrue(message.contains("unexpected 'conv_layers.0.wieght' (the model has 'conv_layers.0.weight')"), message)
        XCTAssertTrue(message.contains("unexpected 'extra.running_mean'"), message)
        XCTAssertTrue(message.contains("'fc_layers.2.weight' has shape [5, 256] in the file but [10, 256] in the model"), message)
        let before = model.stateDict().first { $0.0 == "fc_layers.0.weight" }!.1.toArray()
        XCTAssertEqual(before, model.stateDict().first { $0.0 == "fc_layers.0.weight" }!.1.toArray(), "strict failure loads nothing")
        let report = try model.loadStateDict(values, strict: false)
        XCTAssertEqual(report.missingKeys, ["conv_layers.0.weight"])
        XCTAssertEqual(report.unexpectedKeys, ["conv_layers.0.wieght", "extra.running_mean"])
        XCTAssertEqual(report.mismatchedKeys.map(\.name), ["fc_layers.2.weight"])
        XCTAssertEqual(model.stateDict().first { $0.0 == "fc_layers.0.weight" }!.1.toArray(), values["fc_layers.0.weight"]!.toArray())
    }

    func testRenamingRulesMapCheckpointsFromOtherCode() throws {
        let folder = try TestFiles.temporaryFolder("rename")
        defer { try? FileManager.default.removeItem(at: folder) }
        // the same weights under another program's names
        let source = Models.digitRecognizerCNN()
        let renamed = source.stateDict().map { name, tensor in
            (name.replacingOccurrences(of: "conv_layers.", with: "backbone.").replacingOccurrences(of: "fc_layers.2.", with: "head."), tensor)
        }
        let path = folder.appendingPathComponent("other.safetensors").path
        try Safetensors.write(renamed, to: path)
        let target = Models.digitRecognizerCNN()
        XCTAssertThrowsError(try target.load(from: path))
        let rules = [try KeyRenaming(#"^backbone\."# + "=conv_layers."), try KeyRenaming(#"^head\.(weight|bias)$=fc_layers.2.$1"#)]
        XCTAssertTrue(try target.load(from: path, renamings: rules).isExact)
        for ((name, a), (_, b)) in zip(source.stateDict(), target.stateDict()) { XCTAssertEqual(a.toArray(), b.toArray(), name) }
        guard case .invalidArgument? = thrownError({ _ = try KeyRenaming("no equals sign") }) else { return XCTFail() }
        guard case .invalidArgument? = thrownError({ _ = try KeyRenaming("(unclosed=x") }) else { return XCTFail() }
    }
}
