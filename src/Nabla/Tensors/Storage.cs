using Nabla.Backends.Cpu;

namespace Nabla;

/// <summary>
/// The flat float buffer behind one or more tensor views. <see cref="Version"/> counts in-place
/// writes so autograd can tell when a value it saved for backward has been overwritten.
/// A storage made inside a <see cref="TensorScope"/> belongs to it and gives its buffer back to the
/// pool when the scope ends, unless it was kept; any later use through an old view throws.
/// </summary>
internal sealed class Storage
{
    private float[]? _data;

    /// <summary>Wraps caller-provided data (never pooled).</summary>
    public Storage(float[] data) => _data = data;

    /// <summary>True when the buffer came from the pool (and may go back to it), false for wrapped caller arrays.</summary>
    public bool IsPooled { get; private init; }

    /// <summary>A pooled buffer of at least <paramref name="length"/> floats, owned by the current scope if any.</summary>
    public Storage(int length)
    {
        _data = BufferPool.Rent(length);
        IsPooled = true;
        Scope = TensorScope.Current;
        Scope?.Track(this);
    }

    public float[] Data => _data ?? throw new InvalidOperationException(
        "This tensor's memory was given back when the TensorScope it was created in ended. Keep it with scope.Keep(tensor) (or Clone() it inside the scope) to use it afterwards.");

    /// <summary>The scope that will release this storage, or null when nothing will.</summary>
    public TensorScope? Scope { get; set; }

    /// <summary>Incremented by every in-place write to any view of this storage.</summary>
    public int Version { get; private set; }

    public void BumpVersion() => Version++;

    /// <summary>Hands the buffer back to the pool; every view of this storage becomes unusable.</summary>
    public void Release()
    {
        var data = _data;
        _data = null;
        Scope = null;
        if (data is not null) BufferPool.Return(data);
    }
}
