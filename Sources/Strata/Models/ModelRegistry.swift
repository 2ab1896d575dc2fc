import Foundation

extension Models {
    /// Built-in networks by name, for the CLI and model files.
    public static let names = ["lenet5", "digits-cnn", "mnist-cnn", "cifar-cnn", "sensor-cnn", "digit-recognizer", "fcn",
                               "resnet1d", "inception-time", "sequence-cnn", "text-cnn", "tcn", "forecaster", "residual-forecaster", "mlp"] + zooNames

    /// The built-in network `name` for samples of `inputShape` (no batch axis) and
    /// `classes` outputs (classes or forecast values).
    ///
    /// The time-series classifiers `fcn`, `resnet1d` and `inception-time` take the suffixes
    /// `-causal` (left padding only) and `-dilated` (dilation doubling per block), e.g.
    /// `resnet1d-causal-dilated`.
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown name (listing the known
    ///   ones) or an input the network is not made for.
    /// `text-cnn` needs the token ids' range, `vocabulary`.
    public static func named(_ name: String, inputShape: [Int], classes: Int, vocabulary: Int? = nil) throws(StrataError) -> Module {
        let channels = inputShape.first ?? 1
        var base = name.lowercased()
        var causal = false, dilated = false
        while true {
            if base.hasSuffix("-causal") { causal = true; base.removeLast(7) }
            else if base.hasSuffix("-dilated") { dilated = true; base.removeLast(8) }
            else { break }
        }
        let timeSeriesClassifiers = ["fcn", "resnet1d", "inception-time"]
        if (causal || dilated) && !timeSeriesClassifiers.contains(base) {
            throw .invalidArgument(op: "model", message: "'\(name)': only \(timeSeriesClassifiers.joined(separator: ", ")) take -causal and -dilated")
        }
        switch base {
        case "lenet5", "lenet-5", "lenet":
            return lenet5(classes: classes, inputChannels: channels)
        case "digits-cnn":
            return digitsCNN(classes: classes)
        case "mnist-cnn":
            return mnistCNN(classes: classes)
        case "cifar-cnn":
            return cifarCNN(classes: classes, inputChannels: channels)
        case "sensor-cnn":
            return sensorCNN(channels: channels, classes: classes)
        case "digit-recognizer":
            return digitRecognizerCNN()
        case "fcn":
            return fcn(channels: channels, classes: classes, causal: causal, dilated: dilated)
        case "resnet1d":
            return ResNet1d(channels: channels, classes: classes, causal: causal, dilated: dilated)
        case "inception-time":
            return InceptionTime(channels: channels, classes: classes, causal: causal, dilated: dilated)
        case "text-cnn":
            guard let vocabulary else {
                throw .invalidArgument(op: "model", message: "text-cnn reads token ids: it needs text data (--data text:FILE) for its vocabulary size")
            }
            return TextCNN(vocabulary: vocabulary, classes: classes)
        case "sequence-cnn":
            return sequenceCNN(channels: channels, classes: classes)
        case "forecaster":
            return forecaster(channels: channels, frame: inputShape.last ?? 1, outputs: classes)
        case "residual-forecaster":
            return residualForecaster(channels: channels, frame: inputShape.last ?? 1, outputs: classes)
        case "tcn":
            return TCN(channels: channels, outputs: classes)
        case "mlp":
            return mlp(inputs: Shape.count(inputShape), classes: classes)
        case let zooName where zooNames.contains(zooName) || zooName == "legacy_xception":
            return try zoo(zooName, classes: classes)
        default:
            throw .invalidArgument(op: "model", message: "unknown model '\(name)'; built-in models: \(names.joined(separator: ", ")), or a model file (.json)")
        }
    }
}

/// Networks described in a JSON file, layer by layer in the field's notation:
///
///     {"input": [1, 28, 28],
///      "layers": ["Conv2d(1,32,k3,p1)", "ReLU", "MaxPool2d(2)", "Flatten", "Linear(6272,10)"]}
///
/// A list entry may also be `{"name": "features", "layers": [...]}` for a named block,
/// so state-dict names can match a PyTorch model. Layer words: Conv1d/Conv2d
/// (`in,out,k…,s…,p…|psame|pvalid|pcausal,d…,g…,nobias`), ConvTranspose2d, MaxPool1d/2d
/// and AvgPool1d/2d (`kernel[,stride]` or `k…,s…,p…`), GlobalAvgPool, BatchNorm1d/2d(n),
/// Linear(in,out), Flatten, ReLU, LeakyReLU(slope), ELU(α), GELU, Sigmoid, Tanh, Softmax,
/// PReLU(n), Dropout(p).
public enum ModelFile {
    /// Reads a model file: the network and the input shape it declares (if any).
    ///
    /// - Throws: `StrataError.io` when unreadable, `invalidArgument` naming the entry that
    ///   does not parse and what was expected.
    public static func load(contentsOf path: String) throws(StrataError) -> (model: Module, input: [Int]?) {
        guard let data = FileBytes.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .io(path: path, message: "cannot read a JSON object from the model file")
        }
        guard let layers = (object["layers"] ?? object["architecture"]) as? [Any] else {
            throw .invalidArgument(op: "model file", message: "\(path) has no \"layers\" list")
        }
        return (try block(layers, path: path), object["input"] as? [Int])
    }

    /// Parses the JSON `layers` list of a model file.
    public static func block(_ entries: [Any], path: String = "<model>") throws(StrataError) -> Sequential {
        var layers: [(String, Module)] = []
        for (index, entry) in entries.enumerated() {
            if let text = entry as? String {
                layers.append((String(index), try layer(text)))
            } else if let group = entry as? [String: Any], let name = group["name"] as? String, let children = group["layers"] as? [Any] {
                layers.append((name, try block(children, path: path)))
            } else {
                throw .invalidArgument(op: "model file", message: "\(path): entry \(index) must be a layer string or {\"name\", \"layers\"}")
            }
        }
        return Sequential(named: layers)
    }

    /// One layer from its notation, e.g. `Conv2d(1,32,k3,p1)` or `MaxPool2d(2,2)`.
    public static func layer(_ text: String) throws(StrataError) -> Module {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let word = String(trimmed.prefix { $0.isLetter || $0.isNumber })
        var arguments: [String] = []
        if trimmed.dropFirst(word.count).hasPrefix("("), let close = trimmed.firstIndex(of: ")") {
            let start = trimmed.index(trimmed.startIndex, offsetBy: word.count + 1)
            arguments = trimmed[start..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }
        func fail(_ expected: String) -> StrataError {
            .invalidArgument(op: "model file", message: "'\(text)': expected \(expected)")
        }
        /// A layer whose weight the machine could not hold is refused before it is made.
        func checkWeight(_ shape: [Int]) throws(StrataError) {
            try MemoryBudget.check(op: "model file: '\(text)'", shapes: [shape])
        }
        let positional = arguments.compactMap(Double.init)
        guard positional.allSatisfy({ $0.isFinite && Swift.abs($0) < 1e9 }) else { throw fail("numbers below 10⁹") }
        func keyed(_ prefixes: [String]) -> [Int]? {
            for argument in arguments {
                for prefix in prefixes where argument.hasPrefix(prefix) {
                    let values = argument.dropFirst(prefix.count).split(separator: "x").compactMap { Int($0) }
                        .map { Swift.min(Swift.max($0, -1_000_000), 1_000_000) }
                    if !values.isEmpty { return values }
                }
            }
            return nil
        }
        func convolutionPadding() -> Padding {
            if arguments.contains(where: { $0 == "psame" || $0 == "padsame" || $0 == "same" }) { return .same }
            if arguments.contains(where: { $0 == "pvalid" || $0 == "valid" }) { return .valid }
            if arguments.contains(where: { $0 == "pcausal" || $0 == "causal" }) { return .causal }
            return .explicit(AxisValues(keyed(["pad", "p"]) ?? [0]))
        }
        switch word.lowercased() {
        case "conv2d", "conv1d":
            guard positional.count >= 2, let kernel = keyed(["k"]) else { throw fail("\(word)(in,out,k…[,s…][,p…][,d…][,g…])") }
            let (input, output) = (Int(positional[0]), Int(positional[1]))
            let stride = keyed(["stride", "s"]) ?? [1], dilation = keyed(["d"]) ?? [1], groups = keyed(["g"])?.first ?? 1
            let bias = !arguments.contains("nobias")
            try checkWeight([output, input / Swift.max(groups, 1)] + kernel)
            if word.lowercased() == "conv1d" {
                return Conv1d(input, output, kernel: kernel[0], stride: stride[0], padding: convolutionPadding(),
                              dilation: dilation[0], groups: groups, bias: bias)
            }
            return Conv2d(input, output, kernel: AxisValues(kernel), stride: AxisValues(stride), padding: convolutionPadding(),
                          dilation: AxisValues(dilation), groups: groups, bias: bias)
        case "convtranspose2d":
            guard positional.count >= 2, let kernel = keyed(["k"]) else { throw fail("ConvTranspose2d(in,out,k…,s…,p…,op…)") }
            try checkWeight([Int(positional[0]), Int(positional[1])] + kernel)
            return ConvTranspose2d(Int(positional[0]), Int(positional[1]), kernel: AxisValues(kernel),
                                   stride: AxisValues(keyed(["stride", "s"]) ?? [1]), padding: AxisValues(keyed(["pad", "p"]) ?? [0]),
                                   outputPadding: AxisValues(keyed(["op"]) ?? [0]), dilation: AxisValues(keyed(["d"]) ?? [1]))
        case "maxpool2d", "avgpool2d", "maxpool1d", "avgpool1d":
            guard let kernel = keyed(["k"]) ?? positional.first.map({ [Int($0)] }) else { throw fail("\(word)(kernel[,stride])") }
            let stride = keyed(["stride", "s"]) ?? (positional.count >= 2 ? [Int(positional[1])] : kernel)
            let padding = keyed(["pad", "p"]) ?? [0]
            switch word.lowercased() {
            case "maxpool2d": return MaxPool2d(AxisValues(kernel), stride: AxisValues(stride), padding: AxisValues(padding))
            case "avgpool2d": return AvgPool2d(AxisValues(kernel), stride: AxisValues(stride), padding: AxisValues(padding))
            case "maxpool1d": return MaxPool1d(kernel[0], stride: stride[0], padding: padding[0])
            default: return AvgPool1d(kernel[0], stride: stride[0], padding: padding[0])
            }
        case "batchnorm2d", "batchnorm1d":
            guard let features = positional.first else { throw fail("\(word)(features)") }
            return word.lowercased() == "batchnorm2d" ? BatchNorm2d(Int(features)) : BatchNorm1d(Int(features))
        case "linear", "dense":
            guard positional.count >= 2 else { throw fail("Linear(in,out)") }
            try checkWeight([Int(positional[1]), Int(positional[0])])
            return Linear(Int(positional[0]), Int(positional[1]), bias: !arguments.contains("nobias"))
        case "flatten": return Flatten()
        case "globalavgpool", "adaptiveavgpool2d": return GlobalAvgPool()
        case "relu": return ReLU()
        case "leakyrelu": return LeakyReLU(negativeSlope: Float(positional.first ?? 0.01))
        case "elu": return ELU(alpha: Float(positional.first ?? 1))
        case "gelu": return GELU()
        case "sigmoid": return Sigmoid()
        case "tanh": return Tanh()
        case "softmax": return Softmax()
        case "prelu": return PReLU(parameters: Int(positional.first ?? 1))
        case "dropout": return Dropout(Float(positional.first ?? 0.5))
        default:
            throw .invalidArgument(op: "model file", message: "'\(text)': unknown layer '\(word)' (known: Conv1d, Conv2d, ConvTranspose2d, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, GlobalAvgPool, BatchNorm1d, BatchNorm2d, Linear, Flatten, ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, Softmax, PReLU, Dropout)")
        }
    }
}
