/// Direct (seven nested loops) convolution: the definition, not an algorithm.
/// Input `N×C×H×W`, weight `O×(C/g)×kh×kw`, output `N×O×Ho×Wo` where input row
/// `ih = oh·stride − paddingBefore + kh·dilation` (likewise for columns).
enum ReferenceConvolution {
    private struct Dimensions {
        let batch, inChannels, height, width: Int
        let outChannels, groupIn, kernelH, kernelW: Int
        let outHeight, outWidth, groupOut: Int
    }

    private static func dimensions(inputShape: [Int], weightShape: [Int], geometry: ConvolutionGeometry) -> Dimensions {
        let out = geometry.outputSize(input: [inputShape[2], inputShape[3]], kernel: [weightShape[2], weightShape[3]])
        return Dimensions(batch: inputShape[0], inChannels: inputShape[1], height: inputShape[2], width: inputShape[3],
                          outChannels: weightShape[0], groupIn: weightShape[1], kernelH: weightShape[2],
                          kernelW: weightShape[3], outHeight: out[0], outWidth: out[1],
                          groupOut: weightShape[0] / geometry.groups)
    }

    /// Calls `body(n, o, c, oh, ow, ih, iw, kh, kw)` for every (output, tap) pair whose tap
    /// falls inside the input; `c` is the absolute input channel.
    private static func forEachTap(_ d: Dimensions, _ g: ConvolutionGeometry,
                                   _ body: (Int, Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
        for n in 0..<d.batch {
            for o in 0..<d.outChannels {
                let group = o / d.groupOut
                for oh in 0..<d.outHeight {
                    for ow in 0..<d.outWidth {
                        for ci in 0..<d.groupIn {
                            let c = group * d.groupIn + ci
                            for kh in 0..<d.kernelH {
                                let ih = oh * g.stride[0] - g.paddingBefore[0] + kh * g.dilation[0]
                                if ih < 0 || ih >= d.height { continue }
                                for kw in 0..<d.kernelW {
                                    let iw = ow * g.stride[1] - g.paddingBefore[1] + kw * g.dilation[1]
                                    if iw < 0 || iw >= d.width { continue }
                                    body(n, o, c, oh, ow, ih, iw, kh, kw)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func forward(input: Tensor, weight: Tensor, bias: Tensor?, geometry: ConvolutionGeometry) -> Tensor {
        let d = dimensions(inputShape: input.shape, weightShape: weight.shape, geometry: geometry)
        var accumulator = [Double](repeating: 0, count: d.batch * d.outChannels * d.outHeight * d.outWidth)
        input.withDenseFloats { x in
            weight.withDenseFloats { w in
                forEachTap(d, geometry) { n, o, c, oh, ow, ih, iw, kh, kw in
                    let xv = x[((n * d.inChannels + c) * d.height + ih) * d.width + iw]
                    let wv = w[((o * d.groupIn + (c % d.groupIn)) * d.kernelH + kh) * d.kernelW + kw]
                    accumulator[((n * d.outChannels + o) * d.outHeight + oh) * d.outWidth + ow] += Double(xv) * Double(wv)
                }
            }
        }
        let biases = bias?.toArray()
        let plane = d.outHeight * d.outWidth
        for i in 0..<accumulator.count {
            let o = (i / plane) % d.outChannels
            accumulator[i] += biases.map { Double($0[o]) } ?? 0
        }
        return Tensor.fromDoubles(accumulator, shape: [d.batch, d.outChannels, d.outHeight, d.outWidth])
    }

    static func backwardData(gradOutput: Tensor, weight: Tensor, inputShape: [Int], geometry: ConvolutionGeometry) -> Tensor {
        let d = dimensions(inputShape: inputShape, weightShape: weight.shape, geometry: geometry)
        var accumulator = [Double](repeating: 0, count: Shape.count(inputShape))
        gradOutput.withDenseFloats { dy in
            weight.withDenseFloats { w in
                forEachTap(d, geometry) { n, o, c, oh, ow, ih, iw, kh, kw in
                    let g = dy[((n * d.outChannels + o) * d.outHeight + oh) * d.outWidth + ow]
                    let wv = w[((o * d.groupIn + (c % d.groupIn)) * d.kernelH + kh) * d.kernelW + kw]
                    accumulator[((n * d.inChannels + c) * d.height + ih) * d.width + iw] += Double(g) * Double(wv)
                }
            }
        }
        return Tensor.fromDoubles(accumulator, shape: inputShape)
    }

    static func backwardWeights(input: Tensor, gradOutput: Tensor, weightShape: [Int],
                                geometry: ConvolutionGeometry, withBias: Bool) -> (weight: Tensor, bias: Tensor?) {
        let d = dimensions(inputShape: input.shape, weightShape: weightShape, geometry: geometry)
        var accumulator = [Double](repeating: 0, count: Shape.count(weightShape))
        var sums = [Double](repeating: 0, count: d.outChannels)
        input.withDenseFloats { x in
            gradOutput.withDenseFloats { dy in
                forEachTap(d, geometry) { n, o, c, oh, ow, ih, iw, kh, kw in
                    let g = dy[((n * d.outChannels + o) * d.outHeight + oh) * d.outWidth + ow]
                    let xv = x[((n * d.inChannels + c) * d.height + ih) * d.width + iw]
                    accumulator[((o * d.groupIn + (c % d.groupIn)) * d.kernelH + kh) * d.kernelW + kw] += Double(g) * Double(xv)
                }
                let plane = d.outHeight * d.outWidth
                for i in 0..<(d.batch * d.outChannels * plane) where withBias { sums[(i / plane) % d.outChannels] += Double(dy[i]) }
            }
        }
        let biasGradient = withBias ? Tensor.fromDoubles(sums, shape: [d.outChannels]) : nil
        return (Tensor.fromDoubles(accumulator, shape: weightShape), biasGradient)
    }
}

extension Tensor {
    /// A contiguous float tensor rounded from `Double` values.
    static func fromDoubles(_ values: [Double], shape: [Int]) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        result.withMutableFloats { target in for (i, value) in values.enumerated() { target[i] = Float(value) } }
        return result
    }
}
