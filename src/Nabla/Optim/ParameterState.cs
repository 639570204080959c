namespace Nabla.Optim;

/// <summary>
/// What an optimizer remembers about one parameter between steps: its step count, named buffers shaped
/// like the parameter (moments, momentum) and named scalars. Buffers are made once, outside any
/// <see cref="TensorScope"/>, and then updated in place, so steps do not allocate lasting memory.
/// </summary>
public sealed class ParameterState
{
    private readonly Dictionary<string, Tensor> _buffers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float> _scalars = new(StringComparer.Ordinal);

    /// <summary>Number of updates applied to the parameter so far.</summary>
    public long Step { get; set; }

    /// <summary>The buffer called <paramref name="name"/>, created filled with <paramref name="initialValue"/> (shaped like <paramref name="like"/>) on first use.</summary>
    public Tensor Buffer(string name, Tensor like, float initialValue = 0f)
    {
        if (_buffers.TryGetValue(name, out var buffer)) return buffer;
        using (Autograd.NoGrad()) buffer = Tensor.Full(like.Shape.ToArray(), initialValue);
        TensorScope.Persist(buffer.Storage);
        _buffers.Add(name, buffer);
        return buffer;
    }

    /// <summary>The buffer called <paramref name="name"/> if it has been created.</summary>
    public bool TryGetBuffer(string name, out Tensor buffer) => _buffers.TryGetValue(name, out buffer!);

    /// <summary>A scalar state value, <paramref name="initialValue"/> until first set.</summary>
    public float Scalar(string name, float initialValue = 0f) => _scalars.GetValueOrDefault(name, initialValue);

    public void SetScalar(string name, float value) => _scalars[name] = value;

    internal IReadOnlyDictionary<string, Tensor> Buffers => _buffers;
    internal IReadOnlyDictionary<string, float> Scalars => _scalars;

    /// <summary>Takes a private copy of a loaded buffer.</summary>
    internal void LoadBuffer(string name, Tensor value)
    {
        Tensor copy;
        using (Autograd.NoGrad()) copy = value.Detach().Clone();
        TensorScope.Persist(copy.Storage);
        _buffers[name] = copy;
    }
}
