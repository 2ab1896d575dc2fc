import CDNNL

/// Convolution forward, backward-data and backward-weights primitives, created once per
/// (shapes, geometry) with `format_tag any`, so oneDNN picks its fastest (blocked)
/// formats; results stay in those formats until someone reads them as plain elements.
enum DNNLConvolution {
    struct Key: Hashable {
        let input: [Int]
        let weight: [Int]
        let withBias: Bool
        let geometry: ConvolutionGeometry
        /// Applied to the output by the forward primitive (a post-op), or `nil`.
        var activation: Activation? = nil
    }

    /// A primitive with the formats it chose for its tensor arguments.
    final class Entry: @unchecked Sendable {
        let primitive: DNNLPrimitive
        /// Format of the convolution's input (or its gradient).
        let input: dnnl_memory_desc_t
        /// Format of the weight (or its gradient); grouped weights are 5-D `g×O/g×C/g×kh×kw`.
        let weight: dnnl_memory_desc_t
        /// Format of the output (or its gradient).
        let output: dnnl_memory_desc_t
        let bias: dnnl_memory_desc_t

        init(primitive: DNNLPrimitive, input: dnnl_memory_desc_t, weight: dnnl_memory_desc_t,
             output: dnnl_memory_desc_t, bias: dnnl_memory_desc_t) {
            self.primitive = primitive
            self.input = input
            self.weight = weight
            self.output = output
            self.bias = bias
        }
    }

    private static let forwardCache = DNNLCache<Key, Entry>()
    private static let backwardDataCache = DNNLCache<Key, Entry>()
    private static let backwardWeightsCache = DNNLCache<Key, Entry>()
    private static let backwardWeightsPartCache = DNNLCache<Key, Entry>()

    /// Whether oneDNN can express the geometry (it takes no negative padding).
    static func supports(_ geometry: ConvolutionGeometry) -> Bool {
        (geometry.paddingBefore + geometry.paddingAfter).allSatisfy { $0 >= 0 }
    }

    /// Output shape `N×O×Ho×Wo`.
    static func outputShape(_ key: Key) -> [Int] {
        [key.input[0], key.weight[0]]
            + key.geometry.outputSize(input: [key.input[2], key.input[3]], kernel: [key.weight[2], key.weight[3]])
    }

    /// oneDNN's dims of the weight: grouped convolutions take a leading groups axis.
    static func weightDims(_ key: Key) -> [Int] {
        let groups = key.geometry.groups
        return groups == 1 ? key.weight : [groups, key.weight[0] / groups] + Array(key.weight[1...])
    }

    /// The algorithm asked of oneDNN, decided here from the key alone (oneDNN's own `auto`
    /// choice depends on the thread count, and so would the bits of the result): Winograd's
    /// F(4×4, 3×3) where oneDNN has it — AVX-512, 3×3 kernels, stride 1, no dilation, padding
    /// at most 1 — for batches from 16 with 16 or more channels in and out, where it runs
    /// ResNet's, VGG's and CIFAR networks' layers about twice as fast as the direct kernel
    /// (under 16 channels it pads them to 16 and runs up to 5× slower; on a batch of 1, 1.7×
    /// slower); else direct. Where oneDNN declines Winograd, the direct kernel runs.
    static func algorithm(_ key: Key) -> dnnl_alg_kind_t {
        let g = key.geometry
        let winograd = DNNL.runsAVX512 && g.groups == 1 && key.weight[2] == 3 && key.weight[3] == 3
            && g.stride == [1, 1] && g.dilation == [1, 1] && (g.paddingBefore + g.paddingAfter).allSatisfy { $0 <= 1 }
            && key.input[0] >= 16 && min(key.weight[0], key.weight[1]) >= 16
        return winograd ? dnnl_convolution_winograd : dnnl_convolution_direct
    }

    /// Whether the primitive runs Winograd's algorithm.
    static func runsWinograd(_ entry: Entry) -> Bool {
        var operation: UnsafeRawPointer?
        guard dnnl_primitive_desc_query(entry.primitive.descriptor, dnnl_query_convolution_d, 0, &operation) == dnnl_success,
              let operation else { return false }
        return operation.assumingMemoryBound(to: dnnl_convolution_desc_t.self).pointee.alg_kind == dnnl_convolution_winograd
    }

    private struct Descriptors {
        var input, weight, bias, output: dnnl_memory_desc_t
        var algorithm: dnnl_alg_kind_t
        let strides, dilation, paddingBefore, paddingAfter: [Int64]

        init(_ key: Key) {
            let any = dnnl_format_tag_any, g = key.geometry
            input = DNNL.descriptor(key.input, any)
            weight = DNNL.descriptor(weightDims(key), any)
            bias = DNNL.descriptor([key.weight[0]], dnnl_a)
            output = DNNL.descriptor(outputShape(key), any)
            algorithm = DNNLConvolution.algorithm(key)
            strides = DNNL.dims(g.stride)
            dilation = DNNL.dims(g.dilation.map { $0 - 1 })
            paddingBefore = DNNL.dims(g.paddingBefore)
            paddingAfter = DNNL.dims(g.paddingAfter)
        }
    }

    /// `build`'s entry for the key's algorithm, or for the direct one where oneDNN declines Winograd.
    private static func entry(_ key: Key, _ build: (inout Descriptors) -> Entry?) -> Entry? {
        var d = Descriptors(key)
        if let entry = build(&d) { return entry }
        guard d.algorithm == dnnl_convolution_winograd else { return nil }
        d.algorithm = dnnl_convolution_direct
        return build(&d)
    }

    private static func forwardPrimitive(_ key: Key, _ d: inout Descriptors) -> DNNLPrimitive? {
        var operation = dnnl_convolution_desc_t()
        let status = withOptionalPointer(key.withBias, &d.bias) { bias in
            dnnl_dilated_convolution_forward_desc_init(
                &operation, dnnl_forward_training, d.algorithm, &d.input, &d.weight,
                bias, &d.output, d.strides, d.dilation, d.paddingBefore, d.paddingAfter)
        }
        guard status == dnnl_success else { return nil }
        return DNNLPrimitive("convolution forward", operation, postActivation: key.activation.flatMap(DNNLEltwise.algorithm))
    }

    static func forward(_ key: Key) -> Entry? {
        forwardCache.value(for: key) { entry(key) { d in
            guard let primitive = forwardPrimitive(key, &d) else { return nil }
            return Entry(primitive: primitive, input: primitive.memoryDescriptor(dnnl_query_src_md),
                         weight: primitive.memoryDescriptor(dnnl_query_weights_md),
                         output: primitive.memoryDescriptor(dnnl_query_dst_md), bias: d.bias)
        } }
    }

    /// The forward convolutions made so far: shapes and the implementation oneDNN chose (a
    /// convolution run with its padding written out, `DNNLPrePadding.swift`, as that one).
    static func forwardKernels() -> [(shapes: String, implementation: String)] {
        let rewritten = rewrittenForward
        return forwardCache.held.filter { !rewritten.contains($0.key) }.map { key, entry in
            (describe(key), entry.primitive.implementation)
        }
    }

    /// A convolution's shapes as the kernel report shows them: `input * weight`, with stride
    /// and groups where not 1.
    static func describe(_ key: Key) -> String {
        let g = key.geometry
        var shapes = "\(Shape.describe(key.input)) * \(Shape.describe(key.weight))"
        if g.stride.contains(where: { $0 != 1 }) { shapes += " stride \(g.stride.map(String.init).joined(separator: "×"))" }
        if g.groups != 1 { shapes += " groups \(g.groups)" }
        return shapes
    }

    static func backwardData(_ key: Key) -> Entry? {
        backwardDataCache.value(for: key) { entry(key) { d in
            guard let hint = forwardPrimitive(key, &d) else { return nil }
            var operation = dnnl_convolution_desc_t()
            guard dnnl_dilated_convolution_backward_data_desc_init(
                &operation, d.algorithm, &d.input, &d.weight, &d.output,
                d.strides, d.dilation, d.paddingBefore, d.paddingAfter) == dnnl_success,
                  let primitive = DNNLPrimitive("convolution backward data", operation, hint: hint) else { return nil }
            return Entry(primitive: primitive, input: primitive.memoryDescriptor(dnnl_query_diff_src_md),
                         weight: primitive.memoryDescriptor(dnnl_query_weights_md),
                         output: primitive.memoryDescriptor(dnnl_query_diff_dst_md), bias: d.bias)
        } }
    }

    /// The format both backward passes of `key` read the output gradient in: the backward-data
    /// primitive's, when the weight-gradient primitive for the whole batch reads the same; else `nil`.
    static func sharedOutputGradientFormat(_ key: Key) -> dnnl_memory_desc_t? {
        guard let data = backwardData(key), let weights = backwardWeights(key, threads: CoreAvailability.workSplit),
              DNNL.equal(data.output, weights.output) else { return nil }
        return data.output
    }

    /// Weight gradients for `threads` threads (with `userScratchpad`: to run beside others).
    static func backwardWeights(_ key: Key, threads: Int, userScratchpad: Bool = false) -> Entry? {
        (userScratchpad ? backwardWeightsPartCache : backwardWeightsCache).value(for: key, threads: threads) { entry(key) { d in
            guard let hint = forwardPrimitive(key, &d) else { return nil }
            var operation = dnnl_convolution_desc_t()
            let status = withOptionalPointer(key.withBias, &d.bias) { bias in
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &operation, d.algorithm, &d.input, &d.weight, bias, &d.output,
                    d.strides, d.dilation, d.paddingBefore, d.paddingAfter)
            }
            guard status == dnnl_success,
                  let primitive = DNNLPrimitive("convolution backward weights", operation, hint: hint,
                                                userScratchpad: userScratchpad) else { return nil }
            return Entry(primitive: primitive, input: primitive.memoryDescriptor(dnnl_query_src_md),
                         weight: primitive.memoryDescriptor(dnnl_query_diff_weights_md),
                         output: primitive.memoryDescriptor(dnnl_query_diff_dst_md), bias: d.bias)
        } }
    }
}

/// Calls `body` with a pointer to `value` when `present`, else with `nil` (optional
/// arguments of oneDNN's C API).
private func withOptionalPointer<T, R>(_ present: Bool, _ value: inout T, _ body: (UnsafePointer<T>?) -> R) -> R {
    present ? withUnsafePointer(to: &value) { body($0) } : body(nil)
}
