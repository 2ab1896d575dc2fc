/// A network seen as a chain of stages run one after another — what transfer learning
/// cuts into a frozen backbone and a trained top.
extension Module {
    /// The stages in the order they run, with their state-dict paths: the layers of the
    /// network's sequential body, with stored `Sequential` containers opened one level
    /// (`features.0` … `features.18`, `layer4.1`, `classifier.1`). A module whose
    /// computation is not a chain is a single stage.
    public var chainedStages: [(path: String, module: Module)] {
        let top: Sequential
        if let sequential = self as? Sequential {
            top = sequential
        } else if let composite = self as? Composite, let body = composite.body as? Sequential {
            top = body
        } else {
            return [("", self)]
        }
        return top.layers.flatMap { name, layer -> [(path: String, module: Module)] in
            guard let inner = layer as? Sequential, !inner.layers.isEmpty else { return [(name, layer)] }
            return inner.layers.map { (ModulePath.child(name, $0.name), $0.module) }
        }
    }

    /// Where the classifier head starts in `chainedStages`: at the last stage with parameters,
    /// together with the dropout right before it (mobilenet_v2's `classifier.0`,
    /// `classifier.1`; resnet's `fc`; squeezenet's `classifier.0` … and the pooling after).
    public var headStart: Int? {
        let chain = chainedStages
        guard var start = chain.lastIndex(where: { !$0.module.parameters().isEmpty }) else { return nil }
        while start > 0, chain[start - 1].module is Dropout { start -= 1 }
        return start
    }

    /// The last layer with parameters, by path: the classifier a new head replaces
    /// (`classifier.1`, `fc`, `fc_layers.2`, `classifier.1` as a 1×1 convolution).
    public var classifierLayer: (path: String, module: Module)? {
        namedModules().last { !$0.1.ownState.filter { !$0.isBuffer }.isEmpty }.map { ($0.0, $0.1) }
    }

    /// Gives the classifier `classes` freshly initialised outputs, keeping its input width.
    ///
    /// - Throws: `StrataError.invalidArgument` when the last layer with parameters is not a
    ///   `Linear` or ungrouped convolution.
    public func replaceClassifier(classes: Int) throws(StrataError) {
        guard let (path, layer) = classifierLayer else {
            throw .invalidArgument(op: "replaceClassifier", message: "the model has no layer with parameters")
        }
        if let linear = layer as? Linear {
            linear.reinitialize(outFeatures: classes)
        } else if let convolution = layer as? ConvolutionLayer, convolution.groups == 1 {
            convolution.reinitialize(outChannels: classes)
        } else {
            throw .invalidArgument(op: "replaceClassifier", message: "the last layer with parameters, \(path) (\(layer.summaryText)), is not a Linear or a 1×1 convolution")
        }
    }
}
