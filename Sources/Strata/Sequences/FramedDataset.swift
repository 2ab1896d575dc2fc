/// A dataset over the windows of a long stream without copying it: each batch copies only
/// its own windows (`N×C×m`, PyTorch's layout) and their targets from the series.
public struct FramedDataset: Dataset {
    public let frames: Frames
    public let target: Frames.Target

    public init(_ frames: Frames, target: Frames.Target) {
        self.frames = frames
        self.target = target
    }

    public var count: Int { frames.count }
    public var sampleShape: [Int] { [frames.channels, frames.frame] }
    public var classNames: [String]? {
        if case .trend = target { return ["down", "flat", "up"] }
        return nil
    }

    public func batch(_ indices: [Int]) throws(StrataError) -> (inputs: Tensor, targets: Tensor) {
        try frames.check(indices)
        var targets = frames.targets(target, indices)
        if case .trend = target {
            // classes 0, 1, 2 for down, flat, up (first channel)
            let trends = frames.targets(target, indices).toLabels()
            targets = try Tensor(labels: (0..<indices.count).map { trends[$0 * frames.channels] + 1 })
        }
        return (frames.windowsNCL(indices), targets)
    }
}
