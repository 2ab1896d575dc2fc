import ArgumentParser
import Foundation
import Strata

/// `strata summary`: a network's layers, shapes, parameters, FLOPs and receptive fields.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Show a network's output shapes, parameters, FLOPs and receptive fields without running it.")

    @Option(help: "Built-in model (\(Models.names.joined(separator: ", "))), a model file (.json) or an ONNX file (.onnx).")
    var model: String

    @Option(help: "Input of one sample as channels@height×width or channels@length, e.g. 1@28x28 or 3@200 (a model file may declare it; ImageNet networks default to 3@224x224, Inception v3 and Xception to 3@299x299).")
    var input: String?

    @Option(help: "Number of classes of built-in models (default 1000 for ImageNet networks, 10 otherwise).")
    var classes: Int?

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
        var declared: [Int]?
        let network: Module
        if model.hasSuffix(".json") {
            (network, declared) = try ModelFile.load(contentsOf: model)
        } else if model.hasSuffix(".onnx") {
            let imported = try ONNXModel.load(contentsOf: model)
            (network, declared) = (imported, imported.declaredInput)
        } else {
            let imageNet = Models.zooNames.contains(model.lowercased())
            declared = imageNet ? Models.standardInput(for: model) : nil
            network = try Models.named(model, inputShape: try input.map(ShapeArgument.parse) ?? declared ?? [1, 28, 28],
                                       classes: classes ?? (imageNet ? 1000 : 10))
        }
        guard let shape = try input.map(ShapeArgument.parse) ?? declared else {
            throw ValidationError("--input is needed: the model file declares no input shape (e.g. --input 1@28x28)")
        }
        let result = try summary(network, input: shape)
        if json {
            JSONOutput.print(["input": shape, "output": Array(result.output.dropFirst()), "parameters": result.parameters,
                              "trainable_parameters": result.trainableParameters, "size_mib": result.sizeMiB,
                              "flops": result.flops,
                              "layers": result.rows.map { row -> [String: Any] in
                                  ["name": row.name, "layer": row.layer, "output": Array(row.outputShape.dropFirst()),
                                   "parameters": row.parameters, "flops": row.flops,
                                   "receptive_field": row.receptiveField as Any? ?? NSNull(), "jump": row.jump]
                              }])
        } else {
            print(result)
        }
    }
}

/// Shapes in the lecture's notation on the command line: `3@224x224`, `3@200`, or `1x28x28`.
enum ShapeArgument {
    static func parse(_ text: String) throws -> [Int] {
        let parts = text.lowercased().replacingOccurrences(of: "×", with: "x").split(separator: "@", omittingEmptySubsequences: false)
        let numbers = parts.flatMap { $0.split(separator: "x") }.map { Int($0) }
        guard parts.count <= 2, !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("'\(text)' is not a shape: write channels@height×width (3@224x224) or channels@length (3@200)")
        }
        return numbers.compactMap { $0 }
    }
}
