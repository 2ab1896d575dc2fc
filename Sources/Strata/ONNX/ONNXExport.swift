import Foundation
import SwiftProtobuf

/// Strata networks as ONNX graphs for onnxruntime, TensorRT, OpenVINO and Netron: the
/// network runs once in evaluation mode while `ONNXTrace` records its ops. The graph takes
/// `input` of `batch×…` (any batch size) and gives `output`; parameters and buffers are
/// initializers under their state-dict names.
public enum ONNXExport {
    /// The opsets whose semantics the exporter writes.
    public static let opsets = 13...17

    /// The ONNX file's bytes for `model` on inputs of one sample's `inputShape`.
    ///
    /// - Parameters:
    ///   - tokens: the input holds token ids (`int64`) rather than floats.
    /// - Throws: `invalidArgument` listing every part of the network that has no ONNX
    ///   operator (with the layer it is in); what the forward pass throws.
    public static func encode(_ model: Module, inputShape: [Int], opset: Int = 17, tokens: Bool = false,
                              name: String = "strata") throws(StrataError) -> Data {
        guard opsets.contains(opset) else {
            throw .invalidArgument(op: "onnx export", message: "opset \(opset) is not written; Strata writes opsets \(opsets.lowerBound)–\(opsets.upperBound)")
        }
        let (trace, output, outputName) = try traced(model, inputShape: inputShape, tokens: tokens)
        var graph = Onnx_GraphProto()
        graph.name = name
        graph.node = trace.nodes.map { node in
            var renamed = node
            renamed.output = node.output.map { $0 == outputName ? "output" : $0 }
            renamed.input = node.input.map { $0 == outputName ? "output" : $0 }
            return renamed
        }
        graph.initializer = trace.initializers
        graph.input = [valueInfo("input", elementType: tokens ? 7 : 1, sample: inputShape)]
        graph.output = [valueInfo("output", elementType: 1, sample: Array(output.shape.dropFirst()))]
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "strata"
        var domain = Onnx_OperatorSetIdProto()
        domain.version = Int64(opset)
        model.opsetImport = [domain]
        model.graph = graph
        do {
            return try model.serializedData()
        } catch {
            throw .invalidArgument(op: "onnx export", message: "cannot serialise the graph: \(error)")
        }
    }

    /// `model`'s graph, recorded while it runs once in evaluation mode on two samples of
    /// `inputShape`: the trace, the output and the name of the graph value that holds it.
    static func traced(_ model: Module, inputShape: [Int], tokens: Bool = false) throws(StrataError) -> (ONNXTrace, Tensor, String) {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        // two samples, so a size equal to the batch is rarely anything else
        let shape = [2] + inputShape
        let input = tokens ? try Tensor(labels: [Int](repeating: 1, count: Shape.count(shape)), shape: shape)
                           : try Tensor((0..<Shape.count(shape)).map { Float(sin(0.37 * Double($0))) }, shape: shape)
        if !tokens { input.requiresGrad = true }
        let trace = ONNXTrace(model: model)
        trace.bind(input, to: "input")
        let traced: Result<Tensor, StrataError> = ONNXTrace.$current.withValue(trace) {
            GradMode.$isEnabled.withValue(true) { Result { () throws(StrataError) in try model(input) } }
        }
        let output = try traced.get()
        var outputName = trace.name(of: output)
        if outputName == "input" || !trace.nodes.contains(where: { $0.output.contains(outputName) }) {
            outputName = trace.node("Identity", [outputName])
        }
        guard trace.problems.isEmpty else {
            throw .invalidArgument(op: "onnx export", message: "the network cannot be written as ONNX:\n  - " + trace.problems.joined(separator: "\n  - "))
        }
        return (trace, output, outputName)
    }

    /// Writes `model` as an ONNX file at `path` atomically (see `encode`).
    public static func write(_ model: Module, inputShape: [Int], to path: String, opset: Int = 17,
                             tokens: Bool = false) throws(StrataError) {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        try AtomicFile.write(try encode(model, inputShape: inputShape, opset: opset, tokens: tokens, name: name), to: path)
    }

    /// A tensor value with a symbolic batch axis and fixed sample sizes.
    private static func valueInfo(_ name: String, elementType: Int32, sample: [Int]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var type = Onnx_TypeProto.Tensor()
        type.elemType = elementType
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        type.shape.dim = [batch] + sample.map { size in
            var dim = Onnx_TensorShapeProto.Dimension()
            dim.dimValue = Int64(size)
            return dim
        }
        info.type.tensorType = type
        return info
    }
}
