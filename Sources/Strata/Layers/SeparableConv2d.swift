/// Depthwise-separable convolution (Chollet 2017, MobileNet's and Xception's building block):
/// a `kernel` convolution per channel (`groups` = channels, no bias) named `conv1`, then a
/// 1×1 `pointwise` convolution that mixes channels (no bias) — timm's `SeparableConv2d`.
/// It needs `k²·C + C·C'` weights where a full convolution needs `k²·C·C'`.
///
///     SeparableConv2d(728, 728, kernel: 3, padding: 1)   // 728@19×19 → 728@19×19, 536,536 parameters
public final class SeparableConv2d: Composite {
    public let conv1: Conv2d
    public let pointwise: Conv2d

    public init(_ inChannels: Int, _ outChannels: Int, kernel: AxisValues = 1, stride: AxisValues = 1,
                padding: Padding = 0, dilation: AxisValues = 1) {
        conv1 = Conv2d(inChannels, inChannels, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                       groups: inChannels, bias: false)
        pointwise = Conv2d(inChannels, outChannels, kernel: 1, bias: false)
    }
}
