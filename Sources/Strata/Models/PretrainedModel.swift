/// A named network with weights from a file (safetensors or PyTorch `.pth`): the number
/// of classes comes from the weights' classifier, so ImageNet weights give 1000 outputs and
/// a fine-tuned checkpoint its own count.
public enum PretrainedModel {
    /// Builds `name` for samples of `inputShape` and loads `weights` into it (after
    /// renaming keys by `renamings`).
    ///
    /// - Parameters:
    ///   - classes: the classifier's width when the weights do not say.
    ///   - strict: refuse (listing every problem) unless names and shapes match exactly.
    /// - Returns: the network in evaluation mode and what loading found.
    public static func load(_ name: String, weights path: String, inputShape: [Int]? = nil, classes: Int? = nil,
                            renamings: [KeyRenaming] = [], strict: Bool = true) throws(StrataError) -> (Module, StateDictReport) {
        var values: [String: Tensor] = [:]
        for (key, tensor) in try WeightsFile.read(contentsOf: path) { values[renamings.reduce(key) { $1.apply($0) }] = tensor }
        let input = inputShape ?? (Models.zooNames.contains(name.lowercased()) ? Models.standardInput(for: name) : [1, 28, 28])
        let model = try TrainingRecipe.buildModel(name, inputShape: input, classes: classes ?? 1000)
        if let (path, _) = model.classifierLayer, let head = values["\(path).weight"], head.rank >= 1,
           head.shape[0] != (model.namedParameters().first { $0.0 == "\(path).weight" }?.1.shape[0]) {
            try model.replaceClassifier(classes: head.shape[0])
        }
        let report = try model.loadStateDict(values, strict: strict)
        model.eval()
        return (model, report)
    }
}
