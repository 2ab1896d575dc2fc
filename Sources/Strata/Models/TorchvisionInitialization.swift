/// The weight initialisation torchvision's (and timm's) constructors apply after building
/// a network, so a zoo model trained from scratch starts where PyTorch's would. Every
/// scheme sets batch norm to γ = 1, β = 0 (already the layers' default) and convolution
/// biases to 0.
enum TorchvisionInitialization {
    enum Scheme {
        /// MobileNetV2/V3: convolutions He-normal over fan-out, biases 0; linear N(0, 0.01), bias 0.
        case mobilenet
        /// ResNet, Xception: convolutions He-normal over fan-out; linear layers as PyTorch's default.
        case resnet
        /// VGG: convolutions He-normal over fan-out, biases 0; linear N(0, 0.01), bias 0.
        case vgg
        /// DenseNet: convolutions He-normal over fan-in; linear biases 0.
        case densenet
        /// SqueezeNet: convolutions He-uniform over fan-in, the classifier N(0, 0.01); biases 0.
        case squeezenet(classifier: Conv2d)
        /// GoogLeNet and Inception v3: truncated normal with the given std (per-layer overrides).
        case truncatedNormal(std: Float, overrides: [ObjectIdentifier: Float])
    }

    static func apply(_ scheme: Scheme, to model: Module) {
        for (_, module) in model.namedModules() {
            if let convolution = module as? ConvolutionLayer {
                let shape = convolution.weight.shape
                let receptive = shape.dropFirst(2).reduce(1, *)
                let (fanIn, fanOut) = (shape[1] * receptive, shape[0] * receptive)
                switch scheme {
                case .mobilenet, .vgg, .resnet:
                    convolution.weight = normal(shape, std: Float(2.0 / Double(fanOut)).squareRoot())
                case .densenet:
                    convolution.weight = normal(shape, std: Float(2.0 / Double(fanIn)).squareRoot())
                case let .squeezenet(classifier):
                    convolution.weight = classifier === convolution ? normal(shape, std: 0.01)
                        : uniform(shape, bound: Float(6.0 / Double(fanIn)).squareRoot())
                case let .truncatedNormal(std, overrides):
                    convolution.weight = normal(shape, std: overrides[ObjectIdentifier(convolution)] ?? std, truncatedAt: 2)
                }
                if let bias = convolution.bias { convolution.bias = Tensor(zerosShape: bias.shape) }
            } else if let linear = module as? Linear {
                switch scheme {
                case .mobilenet, .vgg:
                    linear.weight = normal(linear.weight.shape, std: 0.01)
                    if let bias = linear.bias { linear.bias = Tensor(zerosShape: bias.shape) }
                case .densenet:
                    if let bias = linear.bias { linear.bias = Tensor(zerosShape: bias.shape) }
                case let .truncatedNormal(std, overrides):
                    linear.weight = normal(linear.weight.shape, std: overrides[ObjectIdentifier(linear)] ?? std, truncatedAt: 2)
                case .resnet, .squeezenet:
                    continue
                }
            }
        }
    }

    /// Normal draws with standard deviation `std`, redrawn outside ±`truncatedAt` (absolute, as `trunc_normal_`'s a, b).
    private static func normal(_ shape: [Int], std: Float, truncatedAt limit: Float = .infinity) -> Tensor {
        Random.withDefault { generator in
            Tensor.filled(shape) {
                var value = generator.nextNormal() * std
                while Swift.abs(value) > limit { value = generator.nextNormal() * std }
                return value
            }
        }
    }

    private static func uniform(_ shape: [Int], bound: Float) -> Tensor {
        Random.withDefault { generator in Tensor.filled(shape) { (generator.nextUniform() * 2 - 1) * bound } }
    }
}
