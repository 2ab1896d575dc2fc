extension Models {
    /// A 1-D CNN over token embeddings for text classification (Kim 2014): `embedding`
    /// (`vocabulary`×`dimension`, padding id 0), convolutions of widths `kernels`
    /// (`convs.0` …, `filters` each, ReLU) read side by side and max-pooled over the whole
    /// text, dropout, and a linear `fc`. Int64 ids `N×L → N×classes`, `L` ≥ the widest kernel.
    public final class TextCNN: Composite {
        public let embedding: Embedding
        public let convs: [Conv1d]
        public let dropout: Dropout
        public let fc: Linear

        public init(vocabulary: Int, classes: Int, dimension: Int = 128, filters: Int = 100, kernels: [Int] = [3, 4, 5],
                    dropout: Float = 0.5) {
            embedding = Embedding(vocabulary, dimension, paddingIndex: Tokenizer.padding)
            convs = kernels.map { Conv1d(dimension, filters, kernel: $0) }
            self.dropout = Dropout(dropout)
            fc = Linear(filters * kernels.count, classes)
        }

        public override var body: Module {
            let branches = convs.enumerated().map { index, conv -> Module in
                Sequential(named: [("convs.\(index)", conv), ("relu", ReLU()), ("pool", GlobalMaxPool())])
            }
            return Sequential(named: [("embedding", embedding), ("channels_first", ChannelsFirst()),
                                      ("", Concat(branches, names: branches.map { _ in "" })), ("dropout", dropout), ("fc", fc)])
        }
    }
}
