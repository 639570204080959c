using Nabla.Backends.Cpu;

namespace Nabla;

/// <summary>
/// In-place writes. They bump the storage's version so that autograd reports a value saved for
/// backward that was overwritten, and they refuse to run on tensors in a recorded graph.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public Tensor FillInPlace(float value)
    {
        CheckInPlaceAllowed("FillInPlace");
        Elementwise.Fill(this, value);
        Storage.BumpVersion();
        return this;
    }

    /// <summary>Copies <paramref name="source"/> (broadcast to this shape) into this tensor.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        CheckInPlaceAllowed("CopyFrom");
        Elementwise.CopyInto(Broadcast(source, "CopyFrom"), this);
        Storage.BumpVersion();
        return this;
    }

    /// <summary>Overwrites the elements, in row-major order, with <paramref name="values"/> (exactly <see cref="Count"/> of them).</summary>
    public Tensor CopyFrom(ReadOnlySpan<float> values)
    {
        CheckInPlaceAllowed("CopyFrom");
        if (values.Length != Count)
        {
            throw new ArgumentException($"CopyFrom: {values.Length} values given for a tensor of shape {Shape} ({Count} elements).", nameof(values));
        }
        if (IsContiguous)
        {
            values.CopyTo(Span);
        }
        else
        {
            Elementwise.CopyInto(FromArray(values.ToArray(), Shape.Dims), this);
        }
        Storage.BumpVersion();
        return this;
    }

    /// <summary>this += alpha · other (other broadcast to this shape).</summary>
    public Tensor AddInPlace(Tensor other, float alpha = 1f)
    {
        CheckInPlaceAllowed("AddInPlace");
        var source = alpha == 1f ? other : Ops.Mul.Apply(other.Detach(), Scalar(alpha));
        Elementwise.BinaryInto<AddOperator>(this, Broadcast(source, "AddInPlace"), this);
        Storage.BumpVersion();
        return this;
    }

    /// <summary>this -= other.</summary>
    public Tensor SubInPlace(Tensor other)
    {
        CheckInPlaceAllowed("SubInPlace");
        Elementwise.BinaryInto<SubOperator>(this, Broadcast(other, "SubInPlace"), this);
        Storage.BumpVersion();
        return this;
    }

    /// <summary>this *= other.</summary>
    public Tensor MulInPlace(Tensor other)
    {
        CheckInPlaceAllowed("MulInPlace");
        Elementwise.BinaryInto<MulOperator>(this, Broadcast(other, "MulInPlace"), this);
        Storage.BumpVersion();
        return this;
    }

    /// <summary>this *= factor.</summary>
    public Tensor MulInPlace(float factor) => MulInPlace(Scalar(factor));

    private Tensor Broadcast(Tensor source, string op)
    {
        var shape = Shape.Broadcast(Shape, source.Shape, op);
        if (shape != Shape)
        {
            throw new ArgumentException($"{op}: a source of shape {source.Shape} would grow this tensor's shape {Shape} to {shape}; in-place results must keep their shape.");
        }
        // NOTE: a source sharing this tensor's memory (u += u.T) would be read after being
        // overwritten; read it from a copy, as NumPy does.
        if (ReferenceEquals(source.Storage, Storage)) source = Elementwise.Contiguous(source);
        return source.Detach().ExpandView(Shape);
    }
}
