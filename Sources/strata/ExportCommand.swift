import ArgumentParser
import Foundation
import Strata

/// `strata export`: a model's weights as safetensors, or a whole network as ONNX.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model's weights as safetensors, or a trained run or built-in network as an ONNX graph.",
        discussion: """
            safetensors: with --model, the weights are loaded into that network first \
            (strictly unless --lenient), so names and shapes are checked and the file holds \
            exactly the model's state dict under PyTorch's names. Without it, every tensor of \
            --weights is converted as it is. .pth files are read without running pickle code.

            onnx: --run DIR writes the run's trained network (--checkpoint chooses the \
            weights; inputs as the network saw them, normalised as run.json states); --model \
            NAME a built-in network (with --weights, or freshly initialised) for --input. The \
            graph has a dynamic batch axis, the state-dict names as initializer names, and \
            opset 17 unless --opset says otherwise (13–17); onnxruntime and Netron open it.
            """)

    @OptionGroup var runOptions: RunOptions

    @Option(help: "Input of one sample for --format onnx with --model, e.g. 3@224x224 (zoo networks default to their standard input).")
    var input: String?

    @Option(help: "ONNX opset to write (13–17).")
    var opset = 17

    @Option(help: "Built-in model whose state dict to write (\(Models.zooNames.prefix(4).joined(separator: ", ")), …; see strata summary).")
    var model: String?

    @Option(help: "Number of classes of --model (default: what the weights hold).")
    var classes: Int?

    @Option(help: "Weights to read: .pth/.pt (zip or legacy) or .safetensors.")
    var weights: String?

    @Option(name: .customLong("rename"), help: "Rename keys by a regular expression, OLD=NEW (repeatable), e.g. '^backbone\\.=features.'.")
    var renames: [String] = []

    @Flag(help: "Load what matches in name and shape and report the rest, instead of refusing.")
    var lenient = false

    @Option(help: "The file to write.")
    var output: String

    @Option(help: "Output format: safetensors or onnx.")
    var format = "safetensors"

    func run() throws {
        switch format {
        case "safetensors": try writeWeights()
        case "onnx": try writeONNX()
        default: throw ValidationError("--format \(format) is not allowed: use safetensors or onnx")
        }
    }

    private func writeONNX() throws {
        if runOptions.run != nil {
            guard model == nil else { throw ValidationError("give --run or --model, not both") }
            let (description, network, _) = try runOptions.load()
            try ONNXExport.write(network, inputShape: description.modelInputShape, to: output, opset: opset,
                                 tokens: description.tokenizer != nil)
            let members = description.memberCount
            let name = members == 1 ? description.recipe.resolvedModel : "ensemble of \(members) \(description.recipe.resolvedModel)"
            print("Wrote the run's \(name) as ONNX (opset \(opset), input batch×\(description.modelInputShape.map(String.init).joined(separator: "×"))) to \(output)")
            return
        }
        guard let model else { throw ValidationError("name the network: --run DIR or --model NAME") }
        let zoo = Models.zooNames.contains(model.lowercased())
        guard let shape = try input.map(ShapeArgument.parse) ?? (zoo ? Models.standardInput(for: model) : nil) else {
            throw ValidationError("--input is needed for \(model), e.g. --input 1@28x28")
        }
        let network: Module
        if let weights {
            network = try PretrainedModel.load(model, weights: weights, inputShape: shape, classes: classes).0
        } else {
            network = try Models.named(model, inputShape: shape, classes: classes ?? (zoo ? 1000 : 10))
        }
        try ONNXExport.write(network, inputShape: shape, to: output, opset: opset)
        print("Wrote \(model) as ONNX (opset \(opset), input batch×\(shape.map(String.init).joined(separator: "×"))) to \(output)")
    }

    private func writeWeights() throws {
        guard let weights else { throw ValidationError("--weights is needed: the .pth/.pt or .safetensors file to convert") }
        let renamings = try renames.map { rule throws(StrataError) in try KeyRenaming(rule) }
        guard let model else {
            let tensors = try WeightsFile.read(contentsOf: weights).map { (renamings.reduce($0.0) { $1.apply($0) }, $0.1) }
            try Safetensors.write(tensors, metadata: ["source": (weights as NSString).lastPathComponent], to: output)
            print("Wrote \(tensors.count) tensors to \(output)")
            return
        }
        let (network, report) = try PretrainedModel.load(model, weights: weights, classes: classes, renamings: renamings,
                                                         strict: !lenient)
        for problem in report.problems { print("warning: \(problem)") }
        try network.save(to: output, metadata: ["architecture": model, "source": (weights as NSString).lastPathComponent])
        print("Wrote the \(model) state dict (\(network.stateDict().count) tensors) to \(output)")
    }
}
