namespace Nabla.NN;

/// <summary>One entry of the vocabulary: a name users write and what it does.</summary>
public readonly record struct CatalogEntry(string Name, string Description);

/// <summary>What the library offers, by kind, so users and tools (<c>nabla list</c>) can discover it.</summary>
public static class Catalog
{
    /// <summary>Layers by their C# type name.</summary>
    public static IReadOnlyList<CatalogEntry> Layers { get; } =
    [
        new("Linear", "fully connected: [N, in] -> [N, out]"),
        new("Conv2d", "2-D convolution with stride, padding (incl. same), dilation, groups: [N, C, H, W] -> [N, O, Ho, Wo]"),
        new("ConvTranspose2d", "transposed 2-D convolution for upsampling: [N, C, H, W] -> [N, O, Ho, Wo]"),
        new("MaxPool2d", "max over windows, stride, padding, ceil mode"),
        new("AvgPool2d", "mean over windows, stride, padding, ceil mode, count-include-pad"),
        new("GlobalAvgPool2d", "mean of each feature map: [N, C, H, W] -> [N, C]"),
        new("BatchNorm1d", "batch normalisation of [N, C] or [N, C, L]"),
        new("BatchNorm2d", "batch normalisation of [N, C, H, W] per channel"),
        new("LayerNorm", "normalisation over the trailing axes of each example"),
        new("Dropout", "inverted dropout, off in eval"),
        new("Dropout2d", "drops whole channels, off in eval"),
        new("Flatten", "[N, C, H, W] -> [N, C·H·W]"),
        new("Unflatten", "[N, k] -> [N, shape...]"),
        new("Embedding", "lookup table: indices [...] -> [..., dim]"),
        new("Rnn", "Elman recurrence with tanh or relu; layers, bidirectional, batch-first"),
        new("Lstm", "long short-term memory; layers, bidirectional, batch-first, states in and out"),
        new("Gru", "gated recurrent unit; layers, bidirectional, batch-first"),
        new("MultiHeadAttention", "scaled dot-product attention over several heads, with masks"),
        new("TransformerEncoderLayer", "self-attention and feed-forward blocks with residuals and layer norm"),
        new("TransformerEncoder", "a stack of encoder layers with an optional final norm"),
        new("LastTimeStep", "the last step of a sequence output: [T, N, H] -> [N, H] (sequence classifiers)"),
        new("Sequential", "layers applied in order"),
        new("ModuleList", "a registered list of modules"),
        .. ActivationLayer.Names.Select(n => new CatalogEntry(ActivationLayer.Create(n).GetType().Name, $"activation '{n}' as a layer")).DistinctBy(e => e.Name),
    ];

    /// <summary>Activations by the name used in specs and <see cref="ActivationLayer.Create"/>.</summary>
    public static IReadOnlyList<CatalogEntry> Activations { get; } =
        [.. ActivationLayer.Names.Select(n => new CatalogEntry(n, ActivationLayer.Create(n).GetType().Name))];

    /// <summary>Losses by the name used in specs and <see cref="Loss.Create"/>.</summary>
    public static IReadOnlyList<CatalogEntry> Losses { get; } =
        [.. Loss.Names.Select(n => new CatalogEntry(n, Loss.Create(n).GetType().Name))];

    /// <summary>Optimizers by the name used in specs and <see cref="Optim.Optimizers.Create"/>.</summary>
    public static IReadOnlyList<CatalogEntry> Optimizers { get; } =
        [.. Optim.Optimizers.Names.Select(n => new CatalogEntry(n, Optim.Optimizers.Describe(n)))];

    /// <summary>Learning-rate schedules by the name used in specs and <see cref="Optim.Schedules.Create"/>.</summary>
    public static IReadOnlyList<CatalogEntry> Schedules { get; } =
        [.. Optim.Schedules.Names.Select(n => new CatalogEntry(n, Optim.Schedules.Describe(n)))];

    /// <summary>Training metrics by the name used in specs and <see cref="Training.Metric.Create"/>.</summary>
    public static IReadOnlyList<CatalogEntry> Metrics { get; } =
        [.. Training.Metric.Names.Select(n => new CatalogEntry(n, Training.Metric.Create(n).GetType().Name))];

    /// <summary>Weight initialisers by name.</summary>
    public static IReadOnlyList<CatalogEntry> Initializers { get; } =
        [.. Initializer.All.Select(i => new CatalogEntry(i.Name, InitializerDescription(i.Name))).DistinctBy(e => e.Name)];

    private static string InitializerDescription(string name) => name switch
    {
        "zeros" => "all zeros (hidden units stay identical: only for biases)",
        "ones" => "all ones",
        "constant" => "one value everywhere",
        "uniform" => "U(low, high)",
        "normal" => "N(mean, std²)",
        "xavier_uniform" => "Glorot: U(±gain·√(6/(fanIn+fanOut)))",
        "xavier_normal" => "Glorot: N(0, gain²·2/(fanIn+fanOut))",
        "kaiming_uniform" => "He: U(±gain·√(3/fan))",
        "kaiming_normal" => "He: N(0, gain²/fan)",
        "orthogonal" => "a (semi-)orthogonal matrix times gain",
        _ => name,
    };
}
