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

    /// Replaces each parameter's gradient with the mean over the ranks: the bucket's gradients
    /// are copied into one buffer, summed in place by MPI, divided by the rank count in one
    /// backend pass, and each parameter's gradient becomes a view of its part of the result.
    func average() throws(StrataError) {
        for bucket in buckets {
            let members = parameters[bucket]
            let buffer = Tensor(zerosShape: [members.reduce(0) { $0 + $1.count }])
            try buffer.withMutableFloats { pointer throws(StrataError) in
                var offset = 0
                for parameter in members {
                    parameter.grad?.withDenseFloats { (pointer + offset).update(from: $0, count: parameter.count) }
                    offset += parameter.count
                }
                try communicator.sum(pointer, count: buffer.count)
            }
            let mean = Kernels.scale(buffer, 1 / Float(communicator.size))
            var offset = 0
            for parameter in members {
                parameter.grad = Tensor(storage: mean.storage, shape: parameter.shape, strides: Shape.contiguousStrides(parameter.shape),
                                        offset: mean.offset + offset, dtype: .float32)
                offset += parameter.count
            }
        }
    }
}
