import ArgumentParser
import Strata

/// `--npy` of predict and insight: raw inputs of a run, before normalisation, checked
/// against the shape the run was trained on (`C×L` or `C×H×W`) and normalised as in training.
enum RawInputFile {
    /// With `batch`, the file holds `N×shape` and the result is `N×shape`; otherwise it holds
    /// one input, `shape` or `1×shape`, and the result is `1×shape`. Any other array is refused
    /// with the shape it has and the one the run takes.
    static func read(_ path: String, for description: RunDescription, batch: Bool) throws -> Tensor {
        let raw = try NumpyArray.read(contentsOf: path).toFloat()
        let shape = description.inputShape, dimensions = shape.map(String.init).joined(separator: "×")
        let fits = batch ? raw.rank == shape.count + 1 && Array(raw.shape.dropFirst()) == shape
            : raw.shape == shape || raw.shape == [1] + shape
        guard fits else {
            let takes = batch ? "N×\(dimensions): a batch of inputs shaped as it was trained on"
                : "one input \(dimensions) (or 1×\(dimensions)) as it was trained on"
            throw ValidationError("--npy \(path) holds an array \(raw.shape.map(String.init).joined(separator: "×")); this run takes \(takes), before normalisation")
        }
        return try description.normalizer.apply(batch ? raw : try raw.reshape([1] + shape))
    }
}
