/// Whole-model golden cases (op `model`): a torchvision or timm network built by Strata's
/// zoo from the case's constructor arguments, loaded with the case's state dict
/// (`.safetensors`), run in evaluation mode on `x`; its logits and `d sum(y·grad_output)/dx`
/// are compared with PyTorch's.
enum ModelCase {
    static let op = "model"

    /// Builds the case's network; `nil` with a reason when the architecture is not in the zoo.
    static func model(for testCase: GoldenCase) throws(StrataError) -> Module? {
        let params = GoldenParams(values: testCase.params)
        let library = try params.string("library", default: "torchvision")
        guard ["torchvision", "timm"].contains(library) else {
            throw .invalidArgument(op: op, message: "library must be torchvision or timm, got \(library)")
        }
        let architecture = try params.string("architecture")
        let known = Models.zooNames + ["legacy_xception"]
        guard known.contains(architecture.lowercased()) else { return nil }
        var keywords = testCase.params
        for key in ["library", "architecture", "num_classes"] { keywords[key] = nil }
        return try Models.zoo(architecture, classes: try params.int("num_classes", default: 1000),
                              options: try ZooOptions(keywordArguments: keywords))
    }

    /// Runs the case: outputs and input gradient against the references.
    static func run(_ testCase: GoldenCase, in set: GoldenCaseSet) -> ParityOutcome {
        func outcome(_ status: ParityOutcome.Status) -> ParityOutcome {
            ParityOutcome(name: testCase.name, op: testCase.op, status: status)
        }
        do {
            guard let model = try model(for: testCase) else {
                return outcome(.skipped("architecture \(testCase.params["architecture"]?.description ?? "?") is not in Strata's zoo"))
            }
            guard let weights = testCase.inputs["weights"], let xPath = testCase.inputs["x"] else {
                throw StrataError.invalidArgument(op: op, message: "a model case needs inputs x and weights")
            }
            try model.load(from: set.path(weights))
            model.eval()
            let x = try set.array(xPath)
            x.requiresGrad = testCase.grads["x"] != nil
            let y = try model(x)
            var failures: [String] = []
            if let path = testCase.outputs["y"],
               let mismatch = GoldenCaseRunner.compare(y, try set.array(path), rtol: testCase.rtol, atol: testCase.atol) {
                failures.append("output y: \(mismatch)")
            }
            if let gradPath = testCase.gradOutput, let expectedPath = testCase.grads["x"] {
                try y.backward(gradient: try set.array(gradPath))
                let expected = try set.array(expectedPath)
                if let gradient = x.grad {
                    let mismatch = testCase.gradRelL2.map { GoldenCaseRunner.relativeL2(gradient, expected, bound: $0) }
                        ?? GoldenCaseRunner.compare(gradient, expected, rtol: testCase.gradRtol ?? testCase.rtol,
                                                    atol: testCase.gradAtol ?? testCase.atol)
                    if let mismatch { failures.append("grad x: \(mismatch)") }
                } else {
                    failures.append("grad x: no gradient reached the input")
                }
            }
            return outcome(failures.isEmpty ? .passed : .failed(failures))
        } catch {
            return outcome(.failed(["error: \(error)"]))
        }
    }
}
