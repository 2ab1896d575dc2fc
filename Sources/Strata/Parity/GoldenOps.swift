/// The operations golden cases name, mapped to Strata's: each takes the case's inputs and
/// parameters and returns its outputs by the manifest's names (`y`, `running_mean`, …).
enum GoldenOps {
    typealias Operation = @Sendable (_ inputs: [String: Tensor], _ params: GoldenParams) throws -> [String: Tensor]

    /// The op names Strata can run, with their implementation.
    static let table: [String: Operation] = [
        "conv2d": { inputs, params in
            ["y": try conv2d(try inputs.required("x"), weight: try inputs.required("weight"), bias: inputs["bias"],
                             stride: try params.axes("stride", default: 1), padding: try params.padding(),
                             dilation: try params.axes("dilation", default: 1), groups: try params.int("groups", default: 1))]
        },
        "conv1d": { inputs, params in
            ["y": try conv1d(try inputs.required("x"), weight: try inputs.required("weight"), bias: inputs["bias"],
                             stride: try params.axes("stride", default: 1), padding: try params.padding(),
                             dilation: try params.axes("dilation", default: 1), groups: try params.int("groups", default: 1))]
        },
        "conv_transpose2d": { inputs, params in
            ["y": try convTranspose2d(try inputs.required("x"), weight: try inputs.required("weight"), bias: inputs["bias"],
                                      stride: try params.axes("stride", default: 1),
                                      padding: try params.axes("padding", default: 0),
                                      outputPadding: try params.axes("output_padding", default: 0),
                                      dilation: try params.axes("dilation", default: 1),
                                      groups: try params.int("groups", default: 1))]
        },
        "max_pool2d": { inputs, params in
            ["y": try maxPool2d(try inputs.required("x"), kernel: try params.axes("kernel"),
                                stride: try params.optionalAxes("stride"), padding: try params.axes("padding", default: 0),
                                dilation: try params.axes("dilation", default: 1), ceilMode: try params.bool("ceil_mode", default: false))]
        },
        "avg_pool2d": { inputs, params in
            ["y": try avgPool2d(try inputs.required("x"), kernel: try params.axes("kernel"),
                                stride: try params.optionalAxes("stride"), padding: try params.axes("padding", default: 0),
                                countIncludePad: try params.bool("count_include_pad", default: true),
                                ceilMode: try params.bool("ceil_mode", default: false))]
        },
        "max_pool1d": { inputs, params in
            ["y": try maxPool1d(try inputs.required("x"), kernel: try params.int("kernel"),
                                stride: try params.optionalInt("stride"), padding: try params.int("padding", default: 0),
                                dilation: try params.int("dilation", default: 1), ceilMode: try params.bool("ceil_mode", default: false))]
        },
        "avg_pool1d": { inputs, params in
            ["y": try avgPool1d(try inputs.required("x"), kernel: try params.int("kernel"),
                                stride: try params.optionalInt("stride"), padding: try params.int("padding", default: 0),
                                countIncludePad: try params.bool("count_include_pad", default: true),
                                ceilMode: try params.bool("ceil_mode", default: false))]
        },
        "adaptive_avg_pool2d": { inputs, params in
            ["y": try adaptiveAvgPool2d(try inputs.required("x"), outputSize: try params.axes("output_size"))]
        },
        "adaptive_avg_pool1d": { inputs, params in
            ["y": try adaptiveAvgPool1d(try inputs.required("x"), outputSize: try params.int("output_size"))]
        },
        "interpolate_bilinear": { inputs, params in
            ["y": try interpolateBilinear(try inputs.required("x"), size: try params.axes("size"),
                                          alignCorners: try params.bool("align_corners", default: false))]
        },
        "global_avg_pool2d": { inputs, _ in ["y": try globalAvgPool2d(try inputs.required("x"))] },
        "global_avg_pool1d": { inputs, _ in ["y": try globalAvgPool1d(try inputs.required("x"))] },
        "batch_norm2d": batchNormCase,
        "batch_norm1d": batchNormCase,
        "linear": { inputs, _ in
            ["y": try linear(try inputs.required("x"), weight: try inputs.required("weight"), bias: inputs["bias"])]
        },
        "relu": { inputs, _ in ["y": relu(try inputs.required("x"))] },
        "leaky_relu": { inputs, params in
            ["y": leakyRelu(try inputs.required("x"), negativeSlope: try params.float("negative_slope", default: 0.01))]
        },
        "elu": { inputs, params in ["y": elu(try inputs.required("x"), alpha: try params.float("alpha", default: 1))] },
        "gelu": { inputs, params in
            switch try params.string("approximate", default: "none") {
            case "none": return ["y": gelu(try inputs.required("x"))]
            case "tanh": return ["y": geluTanh(try inputs.required("x"))]
            case let other: throw StrataError.invalidArgument(op: "gelu", message: "approximate must be none or tanh, got \(other)")
            }
        },
        "sigmoid": { inputs, _ in ["y": sigmoid(try inputs.required("x"))] },
        "relu6": { inputs, _ in ["y": relu6(try inputs.required("x"))] },
        "hardswish": { inputs, _ in ["y": hardswish(try inputs.required("x"))] },
        "hardsigmoid": { inputs, _ in ["y": hardsigmoid(try inputs.required("x"))] },
        "cat": { inputs, params in
            // inputs x0, x1, … in order
            let parts = (0..<inputs.count).compactMap { inputs["x\($0)"] }
            guard parts.count == inputs.count else {
                throw StrataError.invalidArgument(op: "cat", message: "inputs must be named x0, x1, …; got \(inputs.keys.sorted())")
            }
            return ["y": try Tensor.concat(parts, axis: try params.int("dim", default: 0))]
        },
        "squeeze_excitation": { inputs, params in
            let activations: [String: () -> Module] = ["relu": { ReLU() }, "sigmoid": { Sigmoid() }, "hardsigmoid": { Hardsigmoid() },
                                                       "hardswish": { Hardswish() }]
            let fc1 = try inputs.required("fc1_weight"), x = try inputs.required("x")
            guard let activation = activations[try params.string("activation", default: "relu")],
                  let scale = activations[try params.string("scale_activation", default: "sigmoid")] else {
                throw StrataError.invalidArgument(op: "squeeze_excitation", message: "activations must be relu, sigmoid, hardsigmoid or hardswish")
            }
            let block = SqueezeExcitation(x.shape[1], squeeze: fc1.shape[0], activation: activation(), scaleActivation: scale())
            block.fc1.weight = fc1
            block.fc1.bias = try inputs.required("fc1_bias")
            block.fc2.weight = try inputs.required("fc2_weight")
            block.fc2.bias = try inputs.required("fc2_bias")
            return ["y": try block(x)]
        },
        "separable_conv2d": { inputs, params in
            let x = try inputs.required("x"), pointwise = try inputs.required("pointwise_weight")
            let depthwise = try inputs.required("depthwise_weight")
            let layer = SeparableConv2d(x.shape[1], pointwise.shape[0], kernel: AxisValues(Array(depthwise.shape.suffix(2))),
                                        stride: try params.axes("stride", default: 1), padding: try params.padding(),
                                        dilation: try params.axes("dilation", default: 1))
            layer.conv1.weight = depthwise
            layer.pointwise.weight = pointwise
            return ["y": try layer(x)]
        },
        "tanh": { inputs, _ in ["y": tanh(try inputs.required("x"))] },
        "softmax": { inputs, params in ["y": try softmax(try inputs.required("x"), axis: try params.int("dim", default: -1))] },
        "log_softmax": { inputs, params in
            ["y": try logSoftmax(try inputs.required("x"), axis: try params.int("dim", default: -1))]
        },
        "prelu": { inputs, _ in ["y": try prelu(try inputs.required("x"), weight: try inputs.required("weight"))] },
        "cross_entropy": { inputs, params in
            ["y": try crossEntropy(try inputs.required("logits"), target: try inputs.required("target"),
                                   weight: inputs["weight"], ignoreIndex: try params.optionalInt("ignore_index"),
                                   labelSmoothing: try params.float("label_smoothing", default: 0),
                                   reduction: try params.reduction())]
        },
        "bce_with_logits": { inputs, params in
            ["y": try binaryCrossEntropyWithLogits(try inputs.required("logits"), target: try inputs.required("target"),
                                                   weight: inputs["weight"], positiveWeight: inputs["pos_weight"],
                                                   reduction: try params.reduction())]
        },
        "mse": { inputs, params in
            ["y": try mseLoss(try inputs.required("x"), target: try inputs.required("target"), reduction: try params.reduction())]
        },
        "l1": { inputs, params in
            ["y": try l1Loss(try inputs.required("x"), target: try inputs.required("target"), reduction: try params.reduction())]
        },
        "huber": { inputs, params in
            ["y": try huberLoss(try inputs.required("x"), target: try inputs.required("target"),
                                delta: try params.float("delta", default: 1), reduction: try params.reduction())]
        },
        "optimizer": optimizerCase,
        "frames": { inputs, params in
            let frames = try Frames(series: try inputs.required("series"), frame: try params.int("frame"),
                                    step: try params.int("step", default: 1), horizon: try params.int("horizon", default: 1))
            return ["windows_nlc": frames.windowsNLC(), "windows_ncl": frames.windowsNCL(),
                    "next_value": frames.targets(.nextValue), "next_values": frames.targets(.nextValues),
                    "mean_next_values": frames.targets(.meanOfNext),
                    "trend": frames.targets(.trend(threshold: try params.float("trend_threshold", default: 0)))]
        },
    ]

    private static func batchNormCase(_ inputs: [String: Tensor], _ params: GoldenParams) throws -> [String: Tensor] {
        let runningMean = inputs["running_mean"]?.copyToContiguous()
        let runningVar = inputs["running_var"]?.copyToContiguous()
        let training = try params.bool("training", default: true)
        let y = try batchNorm(try inputs.required("x"), weight: inputs["weight"], bias: inputs["bias"],
                              runningMean: runningMean, runningVar: runningVar, training: training,
                              momentum: try params.optionalFloat("momentum", default: 0.1) ?? 1, eps: try params.float("eps", default: 1e-5))
        var outputs = ["y": y]
        if let runningMean { outputs["running_mean"] = runningMean }
        if let runningVar { outputs["running_var"] = runningVar }
        return outputs
    }

    private static func optimizerCase(_ inputs: [String: Tensor], _ params: GoldenParams) throws -> [String: Tensor] {
        let parameter = try inputs.required("param").copyToContiguous()
        let group = [ParameterGroup(parameters: [parameter], learningRate: try params.float("lr"),
                                    weightDecay: try params.float("weight_decay", default: 0))]
        let optimizer: any Optimizer
        switch try params.string("kind") {
        case "sgd":
            optimizer = try SGD(groups: group, momentum: try params.float("momentum", default: 0),
                                dampening: try params.float("dampening", default: 0),
                                nesterov: try params.bool("nesterov", default: false))
        case let kind where kind == "adam" || kind == "adamw":
            optimizer = try Adam(groups: group, beta1: try params.float("beta1", default: 0.9),
                                 beta2: try params.float("beta2", default: 0.999), eps: try params.float("eps", default: 1e-8),
                                 decoupledWeightDecay: kind == "adamw", amsgrad: try params.bool("amsgrad", default: false))
        case "rmsprop":
            optimizer = try RMSprop(groups: group, alpha: try params.float("alpha", default: 0.99),
                                    eps: try params.float("eps", default: 1e-8), momentum: try params.float("momentum", default: 0),
                                    centered: try params.bool("centered", default: false))
        case let other:
            throw StrataError.invalidArgument(op: "optimizer", message: "unknown kind \(other) (known: sgd, adam, adamw, rmsprop)")
        }
        let maximize = try params.bool("maximize", default: false)
        for step in 0..<(try params.int("steps")) {
            let gradient = try inputs.required("grad_step\(step)")
            // maximising follows the negated gradient (PyTorch's maximize=True)
            parameter.grad = maximize ? -gradient : gradient
            optimizer.step()
        }
        return ["param": parameter]
    }
}

extension Dictionary where Key == String, Value == Tensor {
    /// The input named `name`, or an error saying the case lacks it.
    func required(_ name: String) throws(StrataError) -> Tensor {
        guard let tensor = self[name] else {
            throw .invalidArgument(op: "golden case", message: "missing input '\(name)'")
        }
        return tensor
    }
}

/// Typed access to a golden case's parameters, with errors naming the parameter.
struct GoldenParams {
    let values: [String: JSONValue]

    private func bad(_ key: String, _ expected: String) -> StrataError {
        .invalidArgument(op: "golden case", message: "parameter \(key) = \(values[key].map(\.description) ?? "missing") is not \(expected)")
    }

    func int(_ key: String, default fallback: Int? = nil) throws(StrataError) -> Int {
        guard let value = values[key] else {
            guard let fallback else { throw bad(key, "given") }
            return fallback
        }
        guard let integer = value.integer else { throw bad(key, "an integer") }
        return integer
    }

    func optionalInt(_ key: String) throws(StrataError) -> Int? {
        guard let value = values[key], value != .null else { return nil }
        guard let integer = value.integer else { throw bad(key, "an integer") }
        return integer
    }

    func float(_ key: String, default fallback: Float? = nil) throws(StrataError) -> Float {
        guard let value = values[key] else {
            guard let fallback else { throw bad(key, "given") }
            return fallback
        }
        guard let number = value.number else { throw bad(key, "a number") }
        return Float(number)
    }

    /// A number, `nil` for an explicit JSON null (PyTorch's `None`), `fallback` when absent.
    func optionalFloat(_ key: String, default fallback: Float) throws(StrataError) -> Float? {
        guard let value = values[key] else { return fallback }
        if value == .null { return nil }
        guard let number = value.number else { throw bad(key, "a number or null") }
        return Float(number)
    }

    func bool(_ key: String, default fallback: Bool) throws(StrataError) -> Bool {
        guard let value = values[key] else { return fallback }
        guard let flag = value.bool else { throw bad(key, "true or false") }
        return flag
    }

    func string(_ key: String, default fallback: String? = nil) throws(StrataError) -> String {
        guard let value = values[key] else {
            guard let fallback else { throw bad(key, "given") }
            return fallback
        }
        guard let text = value.string else { throw bad(key, "a string") }
        return text
    }

    func axes(_ key: String, default fallback: Int? = nil) throws(StrataError) -> AxisValues {
        guard let value = values[key] else {
            guard let fallback else { throw bad(key, "given") }
            return AxisValues(integerLiteral: fallback)
        }
        guard let integers = value.integers else { throw bad(key, "an integer or a list of integers") }
        return AxisValues(integers)
    }

    func optionalAxes(_ key: String) throws(StrataError) -> AxisValues? {
        guard let value = values[key], value != .null else { return nil }
        if case .array(let items) = value, items.isEmpty { return nil }
        return try axes(key)
    }

    func padding() throws(StrataError) -> Padding {
        guard let value = values["padding"] else { return 0 }
        switch value.string {
        case "same": return .same
        case "valid": return .valid
        case "causal": return .causal
        case nil: return .explicit(try axes("padding"))
        case let other?: throw bad("padding", "a number, a list, same, valid or causal (got \(other))")
        }
    }

    func reduction() throws(StrataError) -> Reduction {
        let name = try string("reduction", default: "mean")
        guard let reduction = Reduction(rawValue: name) else { throw bad("reduction", "mean, sum or none") }
        return reduction
    }
}
