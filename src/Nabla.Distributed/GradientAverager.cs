namespace Nabla.Distributed;

/// <summary>
/// Averages gradients over all ranks: g ← (Σ_ranks g) / size. The gradients are flattened into a few large buckets
/// (<c>bucketElements</c> floats each, parameters in a fixed order), so a step costs a handful of
/// allreduces rather than one per parameter; latency, not bandwidth, dominates small messages.
/// Parameters without a gradient on this rank count as zeros (every rank must send buckets of the same layout).
/// </summary>
public sealed class GradientAverager
{
    private readonly ICollectives _collectives;
    private readonly Tensor[] _parameters;
    private readonly float[] _bucket;

    public GradientAverager(ICollectives collectives, IEnumerable<Tensor> parameters, int bucketElements = 1 << 22)
    {
        ArgumentNullException.ThrowIfNull(collectives);
        ArgumentNullException.ThrowIfNull(parameters);
        if (bucketElements < 1) throw new ArgumentException($"GradientAverager: bucketElements must be positive; got {bucketElements}.");
        (_collectives, _parameters) = (collectives, [.. parameters]);
        var total = _parameters.Sum(p => (long)p.Shape.Count);
        _bucket = new float[(int)Math.Min(Math.Max(total, 1), bucketElements)];
        Elements = total;
    }

    /// <summary>Floats allreduced per step (4 bytes each).</summary>
    public long Elements { get; }

    /// <summary>Allreduces per step.</summary>
    public int Buckets => (int)((Elements + _bucket.Length - 1) / _bucket.Length);

    /// <summary>Replaces every parameter's gradient by its mean over the ranks.</summary>
    public void Average()
    {
        if (_collectives.Size == 1) return;
        var scale = 1f / _collectives.Size;
        var start = 0; // the first parameter of the current bucket
        var used = 0;
        for (var i = 0; i <= _parameters.Length; i++)
        {
            var count = i < _parameters.Length ? _parameters[i].Shape.Count : 0;
            // Flush when the next parameter does not fit (or at the end); a parameter larger than a bucket goes alone, in pieces.
            if (i == _parameters.Length || (used > 0 && used + count > _bucket.Length))
            {
                Reduce(start, i, used, scale);
                (start, used) = (i, 0);
            }
            if (i == _parameters.Length) break;
            if (count > _bucket.Length)
            {
                ReduceLarge(_parameters[i], scale);
                start = i + 1;
                continue;
            }
            var grad = _parameters[i].Grad;
            if (grad is null) Array.Clear(_bucket, used, count);
            else grad.CopyTo(_bucket.AsSpan(used, count));
            used += count;
        }
    }

    private void Reduce(int first, int end, int used, float scale)
    {
        if (used == 0) return;
        var span = _bucket.AsSpan(0, used);
        _collectives.AllReduceSum(span);
        System.Numerics.Tensors.TensorPrimitives.Multiply(span, scale, span);
        var offset = 0;
        for (var i = first; i < end; i++)
        {
            var p = _parameters[i];
            var count = p.Shape.Count;
            WriteBack(p, _bucket.AsSpan(offset, count));
            offset += count;
        }
    }

    private void ReduceLarge(Tensor parameter, float scale)
    {
        var values = parameter.Grad?.ToArray() ?? new float[parameter.Shape.Count];
        _collectives.AllReduceSum(values);
        System.Numerics.Tensors.TensorPrimitives.Multiply(values, scale, values);
        WriteBack(parameter, values);
    }

    private static void WriteBack(Tensor parameter, ReadOnlySpan<float> mean)
    {
        // A rank without a gradient here keeps none: it sent zeros, and the optimizer skips gradient-less parameters.
        if (parameter.Grad is not { } grad) return;
        using (Autograd.NoGrad()) grad.CopyFrom(mean);
    }
}
