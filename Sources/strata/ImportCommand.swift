import ArgumentParser
import Foundation
import Strata

/// `strata import`: checks an ONNX file, shows the network it becomes, and writes its weights.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an ONNX model (opsets 13–25): check it, show its layers and write its weights.",
        discussion: """
            Every node Strata cannot run is listed at once. An imported file works wherever a \
            model is asked for: strata summary --model FILE.onnx, strata train --model FILE.onnx \
            (training starts from its weights), strata insight … --model FILE.onnx. Layers are \
            named by the ONNX node names; parameters keep the initializer names (for a PyTorch \
            export, the state-dict names).
            """)

    @Argument(help: "The .onnx file (external data files next to it).")
    var file: String

    @Option(help: "Input of one sample, e.g. 3@224x224, when the file leaves a size open.")
    var input: String?

    @Option(help: "Also write the parameters and buffers to this safetensors file.")
    var weights: String?

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
        let model = try ONNXModel.load(contentsOf: file)
        guard let shape = try input.map(ShapeArgument.parse) ?? model.declaredInput else {
            throw ValidationError("--input is needed: \(file) leaves a size of its input open (e.g. --input 3@224x224)")
        }
        let result = try summary(model, input: shape)
        if let weights {
            try model.save(to: weights, metadata: ["source": (file as NSString).lastPathComponent])
        }
        if json {
            JSONOutput.print(["input": shape, "output": Array(result.output.dropFirst()), "layers": result.rows.count,
                              "parameters": result.parameters, "state": model.stateDict().map(\.0),
                              "inputs": model.inputNames, "outputs": model.outputNames])
        } else {
            print(result)
            if let weights { print("Wrote \(model.stateDict().count) tensors to \(weights)") }
        }
    }
}
