/// What a training run shows in TensorBoard: per epoch the losses, the metric and the
/// learning rate (scalars), each parameter's distribution (histograms) and the first
/// convolution's filters (image); once, a grid of training samples.
final class TensorBoardLog {
    private let writer: TensorBoardWriter
    private let metricName: String

    init(directory: String, metricName: String) throws(StrataError) {
        writer = try TensorBoardWriter(directory: directory)
        self.metricName = metricName
    }

    func epoch(_ record: EpochRecord, model: Module) throws(StrataError) {
        let step = record.epoch
        try writer.scalar("loss/train", record.trainLoss, step: step)
        try writer.scalar("\(metricName)/train", record.trainMetric, step: step)
        if let loss = record.validationLoss { try writer.scalar("loss/validation", loss, step: step) }
        if let metric = record.validationMetric { try writer.scalar("\(metricName)/validation", metric, step: step) }
        try writer.scalar("learning_rate", record.learningRate, step: step)
        for (name, parameter) in model.namedParameters() { try writer.histogram("weights/\(name)", parameter.toArray(), step: step) }
        if let convolution = model.namedModules().lazy.compactMap({ $0.1 as? ConvolutionLayer }).first,
           convolution.weight.rank == 4, let filters = try? FeatureMaps.filters(convolution.weight) {
            try writer.image("filters/first_layer", filters, step: step)
        }
    }

    /// Up to 16 samples of a batch `N×C×H×W` (each min–max scaled), at step 0.
    func samples(_ inputs: Tensor) throws(StrataError) {
        guard inputs.rank == 4, inputs.shape[1] == 1 || inputs.shape[1] == 3 else { return }
        let (channels, height, width) = (inputs.shape[1], inputs.shape[2], inputs.shape[3])
        let values = inputs.toArray(), size = channels * height * width
        let tiles = (0..<Swift.min(16, inputs.shape[0])).map { index -> RawImage in
            let scaled = ImageRendering.minMax(Array(values[(index * size)..<((index + 1) * size)]))
            let plane = height * width
            var pixels = [UInt8](repeating: 0, count: plane * channels)
            for pixel in 0..<plane {
                for channel in 0..<channels { pixels[pixel * channels + channel] = UInt8((scaled[channel * plane + pixel] * 255).rounded()) }
            }
            return RawImage(width: width, height: height, channels: channels, pixels: pixels)
        }
        try writer.image("samples", ImageRendering.grid(tiles, labels: [], columns: 4, tileScale: Swift.max(1, 32 / Swift.max(height, 1))),
                         step: 0)
    }
}
