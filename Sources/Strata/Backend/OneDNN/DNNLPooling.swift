import CDNNL

/// Max and average pooling primitives, created once per (shape, geometry, input format);
/// the output takes the format oneDNN prefers for that input.
enum DNNLPooling {
    struct Key: Hashable {
        let input: [Int]
        let geometry: PoolingGeometry
        let training: Bool
        let format: DNNLFormatKey
    }

    /// Max pooling's record of the chosen positions, passed from forward to backward,
    /// with the input format the forward ran on (the record's layout depends on it).
    final class Workspace: @unchecked Sendable {
        let buffer: DNNLBlockedData
        let inputFormat: dnnl_memory_desc_t
        init(buffer: DNNLBlockedData, inputFormat: dnnl_memory_desc_t) {
            self.buffer = buffer
            self.inputFormat = inputFormat
        }
    }

    private static let forwardCache = DNNLCache<Key, DNNLPrimitive>()
    private static let backwardCache = DNNLCache<Key, DNNLPrimitive>()

    static func algorithm(_ kind: PoolingKind) -> dnnl_alg_kind_t {
        switch kind {
        case .max: return dnnl_pooling_max
        case .averageIncludingPadding: return dnnl_pooling_avg_include_padding
        case .averageExcludingPadding: return dnnl_pooling_avg_exclude_padding
        }
    }

    /// Whether data whose format pads its channels to a whole block pools the padding lanes
    /// too, as whole blocks: on where oneDNN runs its AVX2 kernels, which run a partial block
    /// (6 channels of `nChw8c`) through masked loads and stores 3× slower than a whole one
    /// (64×6×28×28: 2.0–2.3 ms against 0.66 ms for 8 channels); AVX-512's kernels mask
    /// cheaply (0.32 ms for 6 of 16 lanes, 0.39 for 16). The padding lanes hold zeros, so
    /// pooling them gives zeros there. A setting so that tests take both paths on any machine.
    nonisolated(unsafe) static var poolsPaddingLanes = !DNNL.runsAVX512

    /// The channel count to pool data in `format` as: its padded count or its own.
    static func pooledChannels(_ format: dnnl_memory_desc_t) -> Int {
        poolsPaddingLanes ? DNNL.paddedChannels(format) : DNNL.dimensions(format)[1]
    }

    /// `argument` seen with `channels` channels (its padded count, or its own).
    static func widened(_ argument: DNNLMemory.Argument, _ channels: Int) -> DNNLMemory.Argument {
        DNNLMemory.Argument(descriptor: DNNL.withChannels(argument.descriptor, channels), pointer: argument.pointer,
                            owner: argument.owner)
    }

    static func outputShape(input: [Int], geometry: PoolingGeometry) -> [Int] {
        [input[0], input[1]] + geometry.outputSize(input: [input[2], input[3]])
    }

    private static func operation(_ key: Key, source: dnnl_memory_desc_t, forward: Bool) -> dnnl_pooling_v2_desc_t? {
        let g = key.geometry
        var source = source
        var destination = DNNL.descriptor(outputShape(input: key.input, geometry: g), dnnl_format_tag_any)
        var operation = dnnl_pooling_v2_desc_t()
        let strides = DNNL.dims(g.stride), kernel = DNNL.dims(g.kernel), dilation = DNNL.dims(g.dilation.map { $0 - 1 })
        let before = DNNL.dims(g.paddingBefore), after = DNNL.dims(g.paddingAfter)
        let status = forward
            ? dnnl_pooling_v2_forward_desc_init(&operation, key.training ? dnnl_forward_training : dnnl_forward_inference,
                                                algorithm(g.kind), &source, &destination, strides, kernel, dilation,
                                                before, after)
            : dnnl_pooling_v2_backward_desc_init(&operation, algorithm(g.kind), &source, &destination, strides, kernel,
                                                 dilation, before, after)
        return status == dnnl_success ? operation : nil
    }

    /// The forward primitive for an input in `source` format.
    static func forward(_ key: Key, source: dnnl_memory_desc_t) -> DNNLPrimitive? {
        forwardCache.value(for: key) {
            operation(key, source: source, forward: true).flatMap { DNNLPrimitive("pooling forward", $0) }
        }
    }

    /// The backward primitive matching a training forward on an input in `source` format;
    /// its gradient formats are oneDNN's choice (query them).
    static func backward(_ key: Key, source: dnnl_memory_desc_t) -> DNNLPrimitive? {
        backwardCache.value(for: key) {
            guard let hint = forward(key, source: source),
                  let operation = operation(key, source: DNNL.descriptor(key.input, dnnl_format_tag_any), forward: false)
            else { return nil }
            return DNNLPrimitive("pooling backward", operation, hint: hint)
        }
    }
}
