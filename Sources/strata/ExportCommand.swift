import ArgumentParser
import Foundation
import Strata

/// `strata export`: a model's weights as safetensors, from a PyTorch `.pth` or safetensors file.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model's weights as safetensors (from a PyTorch .pth/.pt or safetensors file).",
        discussion: """
            With --model, the weights are loaded into that network first (strictly unless \
            --lenient), so names and shapes are checked and the file holds exactly the \
            model's state dict under PyTorch's names. Without it, every tensor of --weights \
            is converted as it is. .pth files are read without running pickle code.
            """)

    @Option(help: "Built-in model whose state dict to write (\(Models.zooNames.prefix(4).joined(separator: ", ")), …; see strata summary).")
    var model: String?

    @Option(help: "Number of classes of --model (default: what the weights hold).")
    var classes: Int?

    @Option(help: "Weights to read: .pth/.pt (zip or legacy) or .safetensors.")
    var weights: String

    @Option(name: .customLong("rename"), help: "Rename keys by a regular expression, OLD=NEW (repeatable), e.g. '^backbone\\.=features.'.")
    var renames: [String] = []

    @Flag(help: "Load what matches in name and shape and report the rest, instead of refusing.")
    var lenient = false

    @Option(help: "The safetensors file to write.")
    var output: String

    @Option(help: "Output format: safetensors.")
    var format = "safetensors"

    func run() throws {
        guard format == "safetensors" else {
            throw ValidationError("--format \(format) is not allowed: use safetensors")
        }
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
