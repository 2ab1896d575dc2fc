/// The keyword arguments of torchvision's and timm's constructors that change a zoo
/// network (the rest — weight initialisation, memory-saving flags — do not change what it
/// computes).
public struct ZooOptions: Sendable, Equatable {
    /// GoogLeNet's and Inception v3's auxiliary classifiers (`aux_logits`): present in the
    /// state dict, run by neither library in evaluation, nor by Strata.
    public var auxiliaryClassifiers = false
    /// GoogLeNet's and Inception v3's `transform_input`.
    public var transformInput = false
    /// The classifier's dropout probability (`dropout`; `drop_rate` for DenseNet and timm).
    public var dropout: Float?
    /// MobileNets' `width_mult`.
    public var widthMultiplier = 1.0
    /// MobileNetV3's `reduced_tail` and `dilated`.
    public var reducedTail = false
    public var dilated = false
    /// ResNet's `groups` and `width_per_group` (ResNeXt, wide ResNets).
    public var groups = 1
    public var widthPerGroup = 64

    public init() {}

    /// Options from a constructor's keyword arguments (a golden case's `params`, without
    /// `library`, `architecture` and `num_classes`).
    ///
    /// - Throws: `StrataError.invalidArgument` naming a keyword Strata does not know or a
    ///   value of the wrong kind.
    public init(keywordArguments: [String: JSONValue]) throws(StrataError) {
        func bad(_ key: String, _ expected: String) -> StrataError {
            .invalidArgument(op: "model", message: "keyword argument \(key)=\(keywordArguments[key]!) must be \(expected)")
        }
        for (key, value) in keywordArguments.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "aux_logits":
                guard let flag = value.bool else { throw bad(key, "true or false") }
                auxiliaryClassifiers = flag
            case "transform_input":
                guard let flag = value.bool else { throw bad(key, "true or false") }
                transformInput = flag
            case "reduced_tail":
                guard let flag = value.bool else { throw bad(key, "true or false") }
                reducedTail = flag
            case "dilated":
                guard let flag = value.bool else { throw bad(key, "true or false") }
                dilated = flag
            case "dropout", "drop_rate":
                guard let number = value.number, number >= 0, number <= 1 else { throw bad(key, "a probability") }
                dropout = Float(number)
            case "width_mult":
                guard let number = value.number, number > 0, number <= 16 else { throw bad(key, "a positive number") }
                widthMultiplier = number
            case "groups":
                guard let integer = value.integer, integer >= 1, integer <= 4096 else { throw bad(key, "a positive integer") }
                groups = integer
            case "width_per_group":
                guard let integer = value.integer, integer >= 1, integer <= 4096 else { throw bad(key, "a positive integer") }
                widthPerGroup = integer
            case "init_weights", "zero_init_residual", "memory_efficient", "progress":
                continue  // initialisation and memory layout only
            case "global_pool":
                guard value.string == "avg" else { throw bad(key, "\"avg\"") }
            case "in_chans":
                guard value.integer == 3 else { throw bad(key, "3") }
            default:
                throw .invalidArgument(op: "model", message: "keyword argument '\(key)' is not supported (known: aux_logits, transform_input, dropout, drop_rate, width_mult, reduced_tail, dilated, groups, width_per_group, init_weights, zero_init_residual, memory_efficient, global_pool, in_chans)")
            }
        }
    }
}

extension Models {
    /// The ImageNet architectures, by torchvision's constructor names (Xception by timm's).
    public static let zooNames = [
        "alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d",
        "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2", "squeezenet1_0", "squeezenet1_1", "googlenet",
        "inception_v3", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "densenet121", "densenet161",
        "densenet169", "densenet201", "xception",
    ]

    /// The zoo network `architecture` with `classes` outputs, as torchvision's (timm's for
    /// `xception`/`legacy_xception`) constructor builds it with these options: the same
    /// state-dict names, shapes and computation.
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown architecture (listing the
    ///   known ones) or an option the architecture does not have.
    public static func zoo(_ architecture: String, classes: Int = 1000, options: ZooOptions = ZooOptions()) throws(StrataError) -> Module {
        let name = architecture.lowercased()
        func only(_ allowed: Set<String>) throws(StrataError) {
            var used: [String] = []
            if options.auxiliaryClassifiers { used.append("aux_logits") }
            if options.transformInput { used.append("transform_input") }
            if options.widthMultiplier != 1 { used.append("width_mult") }
            if options.reducedTail { used.append("reduced_tail") }
            if options.dilated { used.append("dilated") }
            if options.groups != 1 { used.append("groups") }
            if options.widthPerGroup != 64 { used.append("width_per_group") }
            if let extra = used.first(where: { !allowed.contains($0) }) {
                throw .invalidArgument(op: "model", message: "\(architecture) has no option \(extra)")
            }
        }
        let resnets: [String: ([Int], Bool, Int, Int)] = [
            "resnet18": ([2, 2, 2, 2], false, 1, 64), "resnet34": ([3, 4, 6, 3], false, 1, 64),
            "resnet50": ([3, 4, 6, 3], true, 1, 64), "resnet101": ([3, 4, 23, 3], true, 1, 64),
            "resnet152": ([3, 8, 36, 3], true, 1, 64), "resnext50_32x4d": ([3, 4, 6, 3], true, 32, 4),
            "resnext101_32x8d": ([3, 4, 23, 3], true, 32, 8), "resnext101_64x4d": ([3, 4, 23, 3], true, 64, 4),
            "wide_resnet50_2": ([3, 4, 6, 3], true, 1, 128), "wide_resnet101_2": ([3, 4, 23, 3], true, 1, 128),
        ]
        if case let (blocks, bottleneck, groups, width)? = resnets[name] {
            try only(["groups", "width_per_group"])
            let custom = options.groups != 1 || options.widthPerGroup != 64
            return ResNet(blocks: blocks, bottleneck: bottleneck, classes: classes,
                          groups: custom ? options.groups : groups, widthPerGroup: custom ? options.widthPerGroup : width)
        }
        let densenets: [String: (Int, [Int], Int)] = [
            "densenet121": (32, [6, 12, 24, 16], 64), "densenet161": (48, [6, 12, 36, 24], 96),
            "densenet169": (32, [6, 12, 32, 32], 64), "densenet201": (32, [6, 12, 48, 32], 64),
        ]
        if case let (growth, blocks, initial)? = densenets[name] {
            try only([])
            return DenseNet(growth: growth, blocks: blocks, initialFeatures: initial, dropRate: options.dropout ?? 0, classes: classes)
        }
        if name.hasPrefix("vgg"), let depth = Int(name.dropFirst(3).prefix { $0.isNumber }), VGG.configurations[depth] != nil,
           name == "vgg\(depth)" || name == "vgg\(depth)_bn" {
            try only([])
            return VGG(depth: depth, batchNorm: name.hasSuffix("_bn"), classes: classes, dropout: options.dropout ?? 0.5)
        }
        switch name {
        case "alexnet":
            try only([])
            return AlexNet(classes: classes, dropout: options.dropout ?? 0.5)
        case "squeezenet1_0", "squeezenet1_1":
            try only([])
            return SqueezeNet(version: String(name.suffix(3)), classes: classes, dropout: options.dropout ?? 0.5)
        case "googlenet":
            try only(["aux_logits", "transform_input"])
            return GoogLeNet(classes: classes, auxiliaryClassifiers: options.auxiliaryClassifiers,
                             transformInput: options.transformInput, dropout: options.dropout ?? 0.2)
        case "inception_v3":
            try only(["aux_logits", "transform_input"])
            return InceptionV3(classes: classes, auxiliaryClassifier: options.auxiliaryClassifiers,
                               transformInput: options.transformInput, dropout: options.dropout ?? 0.5)
        case "mobilenet_v2":
            try only(["width_mult"])
            return MobileNetV2(classes: classes, widthMultiplier: options.widthMultiplier, dropout: options.dropout ?? 0.2)
        case "mobilenet_v3_small", "mobilenet_v3_large":
            try only(["width_mult", "reduced_tail", "dilated"])
            return MobileNetV3(large: name.hasSuffix("large"), classes: classes, widthMultiplier: options.widthMultiplier,
                               reducedTail: options.reducedTail, dilated: options.dilated, dropout: options.dropout ?? 0.2)
        case "xception", "legacy_xception":
            try only([])
            return Xception(classes: classes)
        default:
            throw .invalidArgument(op: "model", message: "unknown architecture '\(architecture)'; the zoo has \(zooNames.joined(separator: ", "))")
        }
    }

    /// The input one sample of a zoo network is usually given (`[3, 224, 224]`;
    /// `[3, 299, 299]` for Inception v3 and Xception), for summaries and defaults.
    public static func standardInput(for architecture: String) -> [Int] {
        ["inception_v3", "xception", "legacy_xception"].contains(architecture.lowercased()) ? [3, 299, 299] : [3, 224, 224]
    }
}
