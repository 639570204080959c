namespace Nabla.NN;

/// <summary>
/// A stack of numLayers <see cref="TransformerEncoderLayer"/>s applied in turn, optionally followed by a final
/// <see cref="LayerNorm"/> (usual with pre-norm layers). Children are <c>layers.0</c>, <c>layers.1</c>, ... and <c>norm</c>,
/// PyTorch's names. Input [T, N, dModel] (or the layers' batchFirst layout) -> output of the same shape.
/// <code>
/// var encoder = new TransformerEncoder(() => new TransformerEncoderLayer(64, 4, dimFeedforward: 128, batchFirst: true), numLayers: 2);
/// </code>
/// </summary>
public sealed class TransformerEncoder : Module
{
    private readonly ModuleList _layers;

    /// <param name="layerFactory">Builds one new layer per call (each layer gets its own weights).</param>
    /// <param name="numLayers">How many layers to stack.</param>
    /// <param name="norm">Optional final normalisation.</param>
    public TransformerEncoder(Func<TransformerEncoderLayer> layerFactory, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(layerFactory);
        if (numLayers <= 0) throw new ArgumentException($"TransformerEncoder: numLayers must be positive; got {numLayers}.");
        _layers = Add("layers", new ModuleList());
        var seen = new HashSet<TransformerEncoderLayer>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < numLayers; i++)
        {
            var layer = layerFactory() ?? throw new ArgumentException("TransformerEncoder: the layer factory returned null.");
            if (!seen.Add(layer)) throw new ArgumentException("TransformerEncoder: the layer factory returned the same layer twice; it must build a new layer per call.");
            _layers.Append(layer);
        }
        if (norm is not null) Norm = Add("norm", norm);
    }

    public int NumLayers => _layers.Count;
    public TransformerEncoderLayer this[int index] => (TransformerEncoderLayer)_layers[index];
    public LayerNorm? Norm { get; }

    /// <summary>Runs every layer with the same masks (see <see cref="TransformerEncoderLayer.Forward(Tensor, Tensor?, Tensor?)"/>), then the final norm.</summary>
    /// <param name="src">[T, N, dModel] (or the layers' batchFirst layout).</param>
    /// <param name="mask">[T, T] or [N·heads, T, T]; non-zero = not allowed.</param>
    /// <param name="srcKeyPaddingMask">[N, T]; non-zero marks padding.</param>
    public Tensor Forward(Tensor src, Tensor? mask, Tensor? srcKeyPaddingMask = null)
    {
        var x = src;
        foreach (var layer in _layers) x = ((TransformerEncoderLayer)layer).Forward(x, mask, srcKeyPaddingMask);
        return Norm is null ? x : Norm.Forward(x);
    }

    protected override Tensor Compute(Tensor input) => Forward(input, null, null);

    public override string Describe() => $"TransformerEncoder(layers={NumLayers}{(Norm is null ? "" : ", final norm")})";
}
