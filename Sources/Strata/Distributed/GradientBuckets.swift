/// DistributedDataParallel's gradient synchronisation: after each backward pass every
/// trainable parameter's gradient becomes its mean over the ranks, so every rank takes the
/// same optimizer step. Gradients travel in buckets of about `bucketBytes` (25 MB, DDP's
/// default), filled from the last registered parameter to the first (the order backward
/// finishes them), one allreduce per bucket, in the same order on every rank. A parameter
/// without a gradient on this rank contributes zeros.
///
/// The buckets are reduced after the backward pass, not overlapped with it.
final class GradientBuckets {
    private let parameters: [Tensor]
    private let buckets: [Range<Int>]
    private let communicator: Communicator

    init(parameters: [Tensor], communicator: Communicator, bucketBytes: Int = 25 << 20) {
        self.parameters = parameters.reversed()
        self.communicator = communicator
        var buckets: [Range<Int>] = [], start = 0, bytes = 0
        for (index, parameter) in self.parameters.enumerated() {
            bytes += parameter.count * 4
            if bytes >= bucketBytes || index == self.parameters.count - 1 {
                buckets.append(start..<(index + 1))
                (start, bytes) = (index + 1, 0)
            }
        }
        self.buckets = buckets
    }

    /// Replaces each parameter's gradient with the mean over the ranks.
    func average() throws(StrataError) {
        let scale = 1 / Float(communicator.size)
        for bucket in buckets {
            let members = parameters[bucket]
            var buffer = [Float](repeating: 0, count: members.reduce(0) { $0 + $1.count })
            var offset = 0
            for parameter in members {
                if let grad = parameter.grad {
                    let values = grad.toArray()
                    buffer.replaceSubrange(offset..<(offset + values.count), with: values)
                }
                offset += parameter.count
            }
            try buffer.withUnsafeMutableBufferPointer { pointer throws(StrataError) in
                if let base = pointer.baseAddress { try communicator.sum(base, count: pointer.count) }
            }
            offset = 0
            for parameter in members {
                let sum = try Tensor(Array(buffer[offset..<(offset + parameter.count)]), shape: parameter.shape)
                parameter.grad = Kernels.scale(sum, scale)
                offset += parameter.count
            }
        }
    }
}
