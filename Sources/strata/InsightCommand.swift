import ArgumentParser
import Foundation
import Strata

/// `strata insight`: looking inside a network.
struct InsightCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insight",
        abstract: "Look inside a network: activations, filters, occlusion, saliency, Grad-CAM, activation maximisation, DeepDream.",
        discussion: """
            The network is a run folder (--run DIR, with --sample N from its test data, \
            --npy FILE or --image FILE) or a pretrained one (--model NAME --weights FILE --image FILE). Layers \
            are named by their state-dict paths, as strata summary lists them \
            (features.7.conv.2, layer4.1). Every verb writes --output PATH.png (the picture) \
            and PATH.npy (the raw map or image) and takes --json. On a run that classifies \
            series (ucr:, or npz: arrays N×C×L), occlusion, saliency and gradcam explain a \
            series along time: the map has one value per time step and the picture draws the \
            series' channels coloured by it; activations draws a line per channel.
            """,
        subcommands: [ActivationsVerb.self, FiltersVerb.self, OcclusionVerb.self, SaliencyVerb.self, GradCAMVerb.self,
                      MaximizeVerb.self, DreamVerb.self])
}

/// Where the network and the input come from.
struct InsightSource: ParsableArguments {
    @Option(help: "Run folder written by strata train.")
    var run: String?

    @Option(help: "Which weights of a run: best, last or final (default: best when the run had a validation set, else last).")
    var checkpoint: String?

    @Option(help: "A pretrained network (\(Models.zooNames.prefix(4).joined(separator: ", ")), …) or an ONNX file (.onnx) instead of a run.")
    var model: String?

    @Option(help: "Its weights (.pth/.pt or .safetensors; an ONNX file holds its own).")
    var weights: String?

    @Option(help: "Image preprocessing of a pretrained network: \(ImagePreprocessing.named.keys.sorted().joined(separator: ", ")).")
    var preprocess: String?

    @Option(help: "A PNG or JPEG image.")
    var image: String?

    @Option(help: "A test sample of the run, by index.")
    var sample: Int?

    @Option(help: "A .npy file of one raw input of the run, shaped as it was trained on (C×L or C×H×W, a batch axis of 1 allowed), before normalisation.")
    var npy: String?

    @Option(help: "Where to write: PATH.png and PATH.npy.")
    var output = "insight"

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    /// The network, in evaluation mode, with what its inputs look like.
    struct Loaded {
        let model: Module
        let classNames: [String]
        /// Input normalisation (for pictures and the valid pixel range).
        let mean: [Float]
        let std: [Float]
        let bgr: Bool
        /// The input shape of one sample.
        let inputShape: [Int]
        let preprocessing: ImagePreprocessing?
        let normalizer: Normalizer?
        /// The run it came from, for its test samples.
        let run: (options: RunOptions, description: RunDescription)?
    }

    func network() throws -> Loaded {
        if let run {
            guard model == nil else { throw ValidationError("give --run or --model, not both") }
            let options = try RunOptions.parse(["--run", run] + (checkpoint.map { ["--checkpoint", $0] } ?? []))
            let (description, network, _) = try options.load()
            let normalizer = description.normalizer
            let channels = description.inputShape.first ?? 1
            let mean = normalizer.offset.isEmpty ? [Float](repeating: 0, count: channels) : normalizer.offset
            let std = normalizer.scale.isEmpty ? [Float](repeating: 1, count: channels) : normalizer.scale
            return Loaded(model: network, classNames: description.classNames, mean: mean, std: std, bgr: false,
                          inputShape: description.inputShape, preprocessing: nil, normalizer: normalizer,
                          run: (options, description))
        }
        guard let model, let weights = weights ?? (model.hasSuffix(".onnx") ? "" : nil) else {
            throw ValidationError("name the network: --run DIR, --model NAME with --weights FILE, or --model FILE.onnx")
        }
        let preprocessing: ImagePreprocessing
        if let preprocess {
            guard let preset = ImagePreprocessing.named[preprocess] else {
                throw ValidationError("--preprocess \(preprocess) is not allowed: use \(ImagePreprocessing.named.keys.sorted().joined(separator: ", "))")
            }
            preprocessing = preset
        } else {
            preprocessing = .standard(for: model)
        }
        let network: Module
        if model.hasSuffix(".onnx") {
            let imported = try ONNXModel.load(contentsOf: model)
            if let declared = imported.declaredInput, declared != [3, preprocessing.crop, preprocessing.crop] {
                throw ValidationError("\(model) takes \(declared.map(String.init).joined(separator: "×")) inputs; insight on an imported network needs 3×\(preprocessing.crop)×\(preprocessing.crop) pictures (--preprocess)")
            }
            network = imported
        } else {
            network = try PretrainedModel.load(model, weights: weights, inputShape: [3, preprocessing.crop, preprocessing.crop]).0
        }
        let classes = network is ONNXModel
            ? try network.outputShape(for: [1, 3, preprocessing.crop, preprocessing.crop]).last ?? 0
            : network.classifierLayer.map { layer -> Int in
                (layer.module as? Linear)?.outFeatures ?? (layer.module as? ConvolutionLayer)?.outChannels ?? 0
            } ?? 0
        let names = classes == 1000 ? try ImageNetClasses.names() : (0..<classes).map(String.init)
        // in 0…1 pixel units: x = (p·255/divisor − mean)/std = (p − mean·divisor/255)/(std·divisor/255)
        let unit = preprocessing.divisor / 255
        return Loaded(model: network, classNames: names, mean: preprocessing.mean.map { $0 * unit },
                      std: preprocessing.std.map { $0 * unit }, bgr: preprocessing.bgr,
                      inputShape: [3, preprocessing.crop, preprocessing.crop], preprocessing: preprocessing, normalizer: nil,
                      run: nil)
    }

    /// The input as the network sees it — an image `1×C×H×W` with its picture, or a series
    /// `1×C×L` (no picture: maps are drawn along its lines).
    func input(for loaded: Loaded) throws -> (tensor: Tensor, picture: RawImage?) {
        guard [image, npy, sample.map(String.init)].compactMap({ $0 }).count <= 1 else {
            throw ValidationError("give one input: --image FILE, --npy FILE or --sample N")
        }
        if let npy {
            guard let run = loaded.run else { throw ValidationError("--npy takes an input of a run (--run DIR); a pretrained network takes --image") }
            let tensor = try RawInputFile.read(npy, for: run.description, batch: false)
            return (tensor, tensor.rank == 4 ? ImageRendering.picture(tensor, mean: loaded.mean, std: loaded.std) : nil)
        }
        if let image {
            let decoded = try ImageCodec.read(contentsOf: image, channels: loaded.inputShape.first == 1 ? 1 : 3)
            if let preprocessing = loaded.preprocessing {
                return (try preprocessing.tensor(decoded), try preprocessing.cropped(decoded))
            }
            // a run's network: resize to its input, scale to 0…1, normalise as in training
            let shape = loaded.inputShape
            guard shape.count == 3 else { throw ValidationError("--image needs a network for images; this run takes \(shape)") }
            let resized = ImageResize.bilinear(decoded, width: shape[2], height: shape[1])
            let channels = shape[0], plane = shape[1] * shape[2]
            var values = [Float](repeating: 0, count: channels * plane)
            for channel in 0..<channels {
                for pixel in 0..<plane {
                    values[channel * plane + pixel] = Float(resized.pixels[pixel * resized.channels + Swift.min(channel, resized.channels - 1)]) / 255
                }
            }
            let raw = try Tensor(values, shape: [1, channels, shape[1], shape[2]])
            let tensor = try loaded.normalizer?.apply(raw) ?? raw
            return (tensor, ImageRendering.picture(tensor, mean: loaded.mean, std: loaded.std))
        }
        guard let run = loaded.run, let sample else {
            throw ValidationError("give the input: --image FILE, --npy FILE, or --sample N of the run's test data")
        }
        let test = try run.options.testData(run.description)
        guard sample >= 0, sample < test.count else {
            throw ValidationError("--sample \(sample) is not allowed: the run has \(test.count) test samples (0…\(test.count - 1))")
        }
        let tensor = try test.batch([sample]).inputs
        switch tensor.rank {
        case 3: return (tensor, nil)
        case 4: return (tensor, ImageRendering.picture(tensor, mean: loaded.mean, std: loaded.std))
        default: throw ValidationError("insight explains images and series; this run's samples are \(Array(tensor.shape.dropFirst()))")
        }
    }

    /// A map over the input drawn for people: coloured over the image (`sparse`: the
    /// image shows through where the map is low), or along the lines of the series' own
    /// channels (not the level channels `sample-level` normalisation adds after them).
    func picture(of map: Tensor, over input: Tensor, picture: RawImage?, loaded: Loaded, sparse: Bool = false) throws -> RawImage {
        guard let picture else {
            return try SeriesPlot.picture(input, attribution: map, channelLimit: Swift.min(loaded.inputShape.first ?? 8, 8))
        }
        return sparse ? ImageRendering.overlay(map, on: picture, alpha: 1, weightedByValue: true) : ImageRendering.overlay(map, on: picture)
    }

    /// Refuses a run for series in the verbs that grow images.
    func requireImages(_ loaded: Loaded, verb: String) throws {
        guard loaded.inputShape.count == 3 else {
            let shape = loaded.inputShape.map(String.init).joined(separator: "×")
            throw ValidationError("\(verb) grows images; this run's samples are \(loaded.inputShape.count == 2 ? "series " : "")\(shape) (activations, filters, occlusion, saliency and gradcam explain series)")
        }
    }

    /// The class to explain: `given`, or the network's top prediction.
    func target(_ given: Int?, loaded: Loaded, input: Tensor) throws -> (index: Int, name: String, probability: Double) {
        if let run = loaded.run, run.description.classNames.isEmpty {
            throw ValidationError("occlusion, saliency and gradcam explain a class; this run forecasts values (activations and filters work on it)")
        }
        let probabilities = try withoutGradients { () throws(StrataError) in try softmax(try loaded.model(input), axis: 1) }.toArray()
        let index = given ?? probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        guard index >= 0, index < probabilities.count else {
            throw ValidationError("--target \(index) is not allowed: the network has \(probabilities.count) classes (0…\(probabilities.count - 1))")
        }
        return (index, index < loaded.classNames.count ? loaded.classNames[index] : String(index), Double(probabilities[index]))
    }

    /// Writes PATH.png and PATH.npy atomically; returns their paths.
    func write(_ picture: RawImage, _ array: Tensor) throws -> (png: String, npy: String) {
        let (png, npy) = (output + ".png", output + ".npy")
        let folder = (png as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try AtomicFile.write(try ImageCodec.encodePNG(picture), to: png)
        try NumpyArray.write(array, to: npy)
        return (png, npy)
    }

    /// Shows loop progress on a terminal's standard error, redrawn in place (not with --json).
    func progress(_ label: String) -> ((Int, Int) -> Void)? {
        guard !json, isatty(STDERR_FILENO) != 0 else { return nil }
        return { done, total in
            FileHandle.standardError.write(Data("\r\(label) \(done)/\(total)\(done == total ? "\n" : "")".utf8))
        }
    }

    func report(_ fields: [String: Any], text: String) {
        if json { JSONOutput.print(fields) } else { print(text) }
    }
}

/// Checks a layer name before running, listing the nearest ones.
private func checkedLayer(_ name: String, in model: Module) throws -> String {
    _ = try model.submodule(at: name)
    return name
}

struct ActivationsVerb: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "activations",
                                                    abstract: "A layer's feature maps for one input as a labelled grid (a line per channel for a series), with per-channel statistics.")
    @OptionGroup var source: InsightSource
    @Option(help: "The layer, by its state-dict path (e.g. features.7.conv.2).")
    var layer: String
    @Option(help: "At most this many maps in the grid.")
    var limit = 64

    func run() throws { try InputError.wrap(body) }

    private func body() throws {
        let loaded = try source.network()
        let name = try checkedLayer(layer, in: loaded.model)
        let (input, _) = try source.input(for: loaded)
        let (_, captured) = try withoutGradients { () throws(StrataError) in try loaded.model.forward(input, capturing: [name]) }
        let activations = captured[name]!.contiguous()
        let sample = try activations.slice(axis: 0, start: 0, end: 1).contiguous().reshape(Array(activations.shape.dropFirst()))
        let statistics = FeatureMaps.statistics(activations)
        let files = try source.write(try FeatureMaps.grid(activations, limit: limit), sample)
        source.report(["png": files.png, "npy": files.npy, "layer": name, "shape": Array(activations.shape.dropFirst()),
                       "channels": statistics.map { ["channel": $0.channel, "mean": $0.mean, "std": $0.std, "min": $0.min,
                                                     "max": $0.max, "active": $0.active] }],
                      text: "\(name): \(ShapeNotation.describe(activations.shape)); wrote \(files.png) and \(files.npy)")
    }
}

struct FiltersVerb: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "filters",
                                                    abstract: "A convolution's weights as tiles: RGB for the first layer, grey per input channel deeper.")
    @OptionGroup var source: InsightSource
    @Option(help: "The convolution, by its state-dict path (default: the first).")
    var layer: String?
    @Option(help: "At most this many filters.")
    var limit = 64

    func run() throws { try InputError.wrap(body) }

    private func body() throws {
        let loaded = try source.network()
        let named = loaded.model.namedModules().filter { $0.1 is ConvolutionLayer }
        guard let (name, module) = layer.map({ path in named.first { $0.0 == path } }) ?? named.first else {
            if let layer { _ = try loaded.model.submodule(at: layer) }
            throw ValidationError("\(layer.map { "layer \($0) is not a convolution" } ?? "the network has no convolution"); convolutions: \(named.prefix(8).map(\.0).joined(separator: ", "))")
        }
        let weight = (module as! ConvolutionLayer).weight
        let files = try source.write(try FeatureMaps.filters(weight, limit: limit), weight.detach().contiguous())
        source.report(["png": files.png, "npy": files.npy, "layer": name, "shape": weight.shape],
                      text: "\(name): filters \(weight.shape.map(String.init).joined(separator: "×")); wrote \(files.png) and \(files.npy)")
    }
}

struct OcclusionVerb: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "occlusion",
                                                    abstract: "The drop of a class score when a patch slides over the image or along the series (Captum's Occlusion).")
    @OptionGroup var source: InsightSource
    @Option(help: "Side of the occluding patch in pixels (its length in time steps for a series).")
    var patch = 15
    @Option(help: "Step between patch positions in pixels (time steps).")
    var stride = 8
    @Option(help: "What replaces the patch: 0 (or any number), mean, blur.")
    var baseline = "0"
    @Option(help: "Class to explain (default: the top prediction).")
    var target: Int?
    @Option(name: .customLong("batch-size"), help: "Occluded copies per forward pass.")
    var batchSize = 16

    func run() throws { try InputError.wrap(body) }

    private func body() throws {
        let loaded = try source.network()
        let (input, picture) = try source.input(for: loaded)
        let chosen = try source.target(target, loaded: loaded, input: input)
        let kind: Occlusion.Baseline
        switch baseline {
        case "mean": kind = .mean
        case "blur": kind = .blur(sigma: Float(patch) / 2)
        default:
            guard let value = Float(baseline) else { throw ValidationError("--baseline \(baseline) is not allowed: use a number, mean or blur") }
            kind = .value(value)
        }
        let axes = input.rank - 2
        let map = try Occlusion.map(loaded.model, input: input, target: chosen.index, window: Array(repeating: patch, count: axes),
                                    stride: Array(repeating: stride, count: axes), baseline: kind, batchSize: batchSize,
                                    attributedChannels: loaded.inputShape.first, progress: source.progress("occluded windows"))
        let files = try source.write(try source.picture(of: map, over: input, picture: picture, loaded: loaded), map)
        source.report(["png": files.png, "npy": files.npy, "target": chosen.index, "class": chosen.name,
                       "probability": chosen.probability, "max_drop": map.toArray().max() ?? 0],
                      text: "occlusion for class \(chosen.index) \(chosen.name) (p = \(String(format: "%.3f", chosen.probability))); wrote \(files.png) and \(files.npy)")
    }
}

struct SaliencyVerb: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "saliency",
                                                    abstract: "The input gradient of a class score, max |∂score/∂x| over channels; SmoothGrad with --samples.")
    @OptionGroup var source: InsightSource
    @Option(help: "Class to explain (default: the top prediction).")
    var target: Int?
    @Option(help: "SmoothGrad: noisy copies to average (1 = the vanilla gradient).")
    var samples = 1
    @Option(help: "SmoothGrad: standard deviation of the noise, in input units.")
    var noise: Float = 0.15

    func run() throws { try InputError.wrap(body) }

    private func body() throws {
        let loaded = try source.network()
        let (input, picture) = try source.input(for: loaded)
        let chosen = try source.target(target, loaded: loaded, input: input)
        guard samples >= 1 else { throw ValidationError("--samples \(samples) is not allowed: give 1 or more") }
        let map = try Saliency.smoothGrad(loaded.model, input: input, target: chosen.index, samples: samples, noise: samples == 1 ? 0 : noise,
                                          attributedChannels: loaded.inputShape.first)
        let files = try source.write(try source.picture(of: map, over: input, picture: picture, loaded: loaded, sparse: true), map)
        source.report(["png": files.png, "npy": files.npy, "target": chosen.index, "class": chosen.name, "probability": chosen.probability,
                       "samples": samples],
                      text: "saliency for class \(chosen.index) \(chosen.name); wrote \(files.png) and \(files.npy)")
    }
}

struct GradCAMVerb: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gradcam",
                                                    abstract: "Grad-CAM at a layer: gradient-weighted feature maps, upsampled over the image or along the series.")
    @OptionGroup var source: InsightSource
    @Option(help: "The layer, by its state-dict path (e.g. features.18 for MobileNetV2, blocks.2 for resnet1d).")
    var layer: String
    @Option(help: "Class to explain (default: the top prediction).")
    var target: Int?

    func run() throws { try InputError.wrap(body) }

    private func body() throws {
        let loaded = try source.network()
        let name = try checkedLayer(layer, in: loaded.model)
        let (input, picture) = try source.input(for: loaded)
        let chosen = try source.target(target, loaded: loaded, input: input)
        let (map, coarse) = try GradCAM.map(loaded.model, input: input, target: chosen.index, layer: name)
        let files = try source.write(try source.picture(of: map, over: input, picture: picture, loaded: loaded), map)
        source.report(["png": files.png, "npy": files.npy, "target": chosen.index, "class": chosen.name, "probability": chosen.probability,
                       "layer": name, "layer_map": coarse.shape],
                      text: "Grad-CAM at \(name) (\(coarse.shape.map(String.init).joined(separator: "×"))) for class \(chosen.index) \(chosen.name); wrote \(files.png) and \(files.npy)")
    }
}

struct MaximizeVerb: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "maximize",
                                                    abstract: "Activation maximisation: an image grown by gradient ascent to excite a channel or a class.")
    @OptionGroup var source: InsightSource
    @Option(help: "The layer whose channel to excite.")
    var layer: String?
    @Option(help: "The channel of --layer.")
    var channel: Int?
    @Option(name: .customLong("class"), help: "A class to excite instead (its logit).")
    var classIndex: Int?
    @Option(help: "Gradient-ascent steps.")
    var steps = 200
    @Option(help: "Image sizes, smallest first, e.g. 96,160,224.")
    var sizes = "96,160,224"
    @Option(help: "Random jitter in pixels.")
    var jitter = 8
    @Option(name: .customLong("step-size"), help: "Step of the normalised ascent, in normalised input units.")
    var stepSize: Float = 0.05
    @Option(name: .customLong("l2"), help: "Weight of the L2 penalty (mean square of the image).")
    var l2: Float = 0.01
    @Option(help: "Weight of the total-variation penalty (mean squared neighbour difference).")
    var tv: Float = 0.05
    @Option(name: .customLong("blur-every"), help: "Blur every N steps (0: never).")
    var blurEvery = 4
    @Option(help: "Seed of the starting noise and the jitter.")
    var seed: UInt64 = 0

    func run() throws { try InputError.wrap(body) }

    private func body() throws {
        let loaded = try source.network()
        try source.requireImages(loaded, verb: "maximize")
        let objective: ActivationMaximization.Objective
        switch (layer, channel, classIndex) {
        case let (layer?, channel?, nil): objective = .channel(layer: try checkedLayer(layer, in: loaded.model), channel: channel)
        case let (nil, nil, index?): objective = .classLogit(index)
        default: throw ValidationError("give --layer NAME --channel K, or --class K")
        }
        let sizeList = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizeList.isEmpty, sizeList.count == sizes.split(separator: ",").count else {
            throw ValidationError("--sizes \(sizes) is not allowed: give side lengths separated by commas, e.g. 96,160,224")
        }
        var maximization = ActivationMaximization(objective: objective)
        maximization.steps = steps
        maximization.sizes = sizeList
        maximization.jitter = jitter
        maximization.stepSize = stepSize
        maximization.l2 = l2
        maximization.totalVariation = tv
        maximization.blurEvery = blurEvery
        maximization.seed = seed
        maximization.mean = loaded.mean
        maximization.std = loaded.std
        let report = source.progress("steps")
        let (image, objectives) = try maximization.run(loaded.model) { step, _ in report?(step, steps) }
        let files = try source.write(ImageRendering.picture(image, mean: loaded.mean, std: loaded.std, bgr: loaded.bgr),
                                     try image.reshape(Array(image.shape.dropFirst())))
        source.report(["png": files.png, "npy": files.npy, "objectives": objectives],
                      text: String(format: "objective %.4f → %.4f over %d steps; wrote %@ and %@", objectives.first ?? 0,
                                   objectives.last ?? 0, objectives.count, files.png, files.npy))
    }
}

struct DreamVerb: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dream",
                                                    abstract: "DeepDream: amplify what chosen layers see in an image, over octaves.")
    @OptionGroup var source: InsightSource
    @Option(help: "Layers, comma-separated (e.g. features.10,features.13).")
    var layers: String
    @Option(help: "Image scales.")
    var octaves = 4
    @Option(name: .customLong("octave-scale"), help: "Size ratio between octaves.")
    var octaveScale: Float = 1.4
    @Option(help: "Ascent steps per octave.")
    var steps = 20
    @Option(name: .customLong("step-size"), help: "Step size of the normalised ascent.")
    var stepSize: Float = 0.1
    @Option(help: "Random jitter in pixels at the full size.")
    var jitter = 4
    @Option(help: "Seed of the jitter.")
    var seed: UInt64 = 0

    func run() throws { try InputError.wrap(body) }

    private func body() throws {
        let loaded = try source.network()
        try source.requireImages(loaded, verb: "dream")
        var names: [String] = []
        for layer in layers.split(separator: ",") { names.append(try checkedLayer(layer.trimmingCharacters(in: .whitespaces), in: loaded.model)) }
        let (input, _) = try source.input(for: loaded)
        var dream = DeepDream(layers: names)
        dream.octaves = octaves
        dream.octaveScale = octaveScale
        dream.steps = steps
        dream.stepSize = stepSize
        dream.jitter = jitter
        dream.seed = seed
        dream.mean = loaded.mean
        dream.std = loaded.std
        let total = octaves * steps, report = source.progress("steps")
        let (image, objectives) = try dream.run(loaded.model, image: input) { step, _ in report?(step, total) }
        let files = try source.write(ImageRendering.picture(image, mean: loaded.mean, std: loaded.std, bgr: loaded.bgr),
                                     try image.reshape(Array(image.shape.dropFirst())))
        source.report(["png": files.png, "npy": files.npy, "objectives": objectives],
                      text: String(format: "objective %.4f → %.4f over %d steps; wrote %@ and %@", objectives.first ?? 0,
                                   objectives.last ?? 0, objectives.count, files.png, files.npy))
    }
}
