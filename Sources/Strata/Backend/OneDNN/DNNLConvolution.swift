import CDNNL

/// Convolution forward, backward-data and backward-weights primitives, created once per
/// (shapes, geometry) with `format_tag any` so oneDNN picks its fastest (blocked)
/// layouts; tensors stay plain `N×C×H×W` outside and are reordered at the boundary.
enum DNNLConvolution {
    struct Key: Hashable {
        let input: [Int]
        let weight: [Int]
        let withBias: Bool
        let geometry: ConvolutionGeometry
    }

    /// A primitive with the layouts of its tensor arguments.
    final class Entry: @unchecked Sendable {
        let primitive: DNNLPrimitive
        let input: DNNLReformat
        let weight: DNNLReformat
        let output: DNNLReformat
        let bias: dnnl_memory_desc_t

        init(primitive: DNNLPrimitive, input: DNNLReformat, weight: DNNLReformat, output: DNNLReformat,
             bias: dnnl_memory_desc_t) {
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

    /// Whether oneDNN can express the geometry (it takes no negative padding).
    static func supports(_ geometry: ConvolutionGeometry) -> Bool {
        (geometry.paddingBefore + geometry.paddingAfter).allSatisfy { $0 >= 0 }
    }

    private struct Descriptors {
        var input, weight, bias, output: dnnl_memory_desc_t
        let plainInput, plainWeight, plainOutput: dnnl_memory_desc_t
        let strides, dilation, paddingBefore, paddingAfter: [Int64]
    }

    private static func descriptors(_ key: Key) -> Descriptors {
        let g = key.geometry
        let out = g.outputSize(input: [key.input[2], key.input[3]], kernel: [key.weight[2], key.weight[3]])
        let outputDims = [key.input[0], key.weight[0], out[0], out[1]]
        let weightDims = g.groups == 1 ? key.weight
            : [g.groups, key.weight[0] / g.groups] + Array(key.weight[1...])
        let any = dnnl_format_tag_any
        return Descriptors(
            input: DNNL.descriptor(key.input, any), weight: DNNL.descriptor(weightDims, any),
            bias: DNNL.descriptor([key.weight[0]], dnnl_a), output: DNNL.descriptor(outputDims, any),
            plainInput: DNNL.plain(key.input), plainWeight: DNNL.plain(weightDims), plainOutput: DNNL.plain(outputDims),
            strides: DNNL.dims(g.stride), dilation: DNNL.dims(g.dilation.map { $0 - 1 }),
            paddingBefore: DNNL.dims(g.paddingBefore), paddingAfter: DNNL.dims(g.paddingAfter))
    }

    private static func forwardPrimitive(_ key: Key, _ d: inout Descriptors) -> DNNLPrimitive? {
        var operation = dnnl_convolution_desc_t()
        let status = withOptionalPointer(key.withBias, &d.bias) { bias in
            dnnl_dilated_convolution_forward_desc_init(
                &operation, dnnl_forward_training, dnnl_convolution_direct, &d.input, &d.weight,
                bias, &d.output, d.strides, d.dilation, d.paddingBefore, d.paddingAfter)
        }
        guard status == dnnl_success else { return nil }
        return DNNLPrimitive("convolution forward", operation)
    }

    private static func entry(_ primitive: DNNLPrimitive, _ d: Descriptors,
                              input: dnnl_query_t, weight: dnnl_query_t, output: dnnl_query_t) -> Entry? {
        guard let inputLayout = DNNLReformat(plain: d.plainInput, chosen: primitive.memoryDescriptor(input)),
              let weightLayout = DNNLReformat(plain: d.plainWeight, chosen: primitive.memoryDescriptor(weight)),
              let outputLayout = DNNLReformat(plain: d.plainOutput, chosen: primitive.memoryDescriptor(output))
        else { return nil }
        return Entry(primitive: primitive, input: inputLayout, weight: weightLayout, output: outputLayout, bias: d.bias)
    }

    static func forward(_ key: Key) -> Entry? {
        forwardCache.value(for: key) {
            var d = descriptors(key)
            guard let primitive = forwardPrimitive(key, &d) else { return nil }
            return entry(primitive, d, input: dnnl_query_src_md, weight: dnnl_query_weights_md, output: dnnl_query_dst_md)
        }
    }

    static func backwardData(_ key: Key) -> Entry? {
        backwardDataCache.value(for: key) {
            var d = descriptors(key)
            guard let hint = forwardPrimitive(key, &d) else { return nil }
            var operation = dnnl_convolution_desc_t()
            guard dnnl_dilated_convolution_backward_data_desc_init(
                &operation, dnnl_convolution_direct, &d.input, &d.weight, &d.output,
                d.strides, d.dilation, d.paddingBefore, d.paddingAfter) == dnnl_success,
                  let primitive = DNNLPrimitive("convolution backward data", operation, hint: hint) else { return nil }
            return entry(primitive, d, input: dnnl_query_diff_src_md, weight: dnnl_query_weights_md,
                         output: dnnl_query_diff_dst_md)
        }
    }

    static func backwardWeights(_ key: Key) -> Entry? {
        backwardWeightsCache.value(for: key) {
            var d = descriptors(key)
            guard let hint = forwardPrimitive(key, &d) else { return nil }
            var operation = dnnl_convolution_desc_t()
            let status = withOptionalPointer(key.withBias, &d.bias) { bias in
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &operation, dnnl_convolution_direct, &d.input, &d.weight, bias, &d.output,
                    d.strides, d.dilation, d.paddingBefore, d.paddingAfter)
            }
            guard status == dnnl_success,
                  let primitive = DNNLPrimitive("convolution backward weights", operation, hint: hint) else { return nil }
            return entry(primitive, d, input: dnnl_query_src_md, weight: dnnl_query_diff_weights_md,
                         output: dnnl_query_diff_dst_md)
        }
    }
}

/// Calls `body` with a pointer to `value` when `present`, else with `nil` (optional
/// arguments of oneDNN's C API).
private func withOptionalPointer<T, R>(_ present: Bool, _ value: inout T, _ body: (UnsafePointer<T>?) -> R) -> R {
    present ? withUnsafePointer(to: &value) { body($0) } : body(nil)
}
