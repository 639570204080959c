namespace Nabla.Ops;

/// <summary>
/// The one place broadcasting happens: operands are expanded (zero-stride views, recorded as
/// <see cref="Expand"/>) to the common shape, so every elementwise rule sees equal shapes and the
/// expand's backward sums gradients back to each operand's own shape.
/// </summary>
internal static class Broadcasting
{
    public static (Tensor A, Tensor B) Align(Tensor a, Tensor b, string op)
    {
        if (a.Shape == b.Shape) return (a, b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, op);
        return (Expand.Apply(a, shape), Expand.Apply(b, shape));
    }

    public static (Tensor A, Tensor B, Tensor C) Align(Tensor a, Tensor b, Tensor c, string op)
    {
        if (a.Shape == b.Shape && b.Shape == c.Shape) return (a, b, c);
        var shape = Shape.Broadcast(Shape.Broadcast(a.Shape, b.Shape, op), c.Shape, op);
        return (Expand.Apply(a, shape), Expand.Apply(b, shape), Expand.Apply(c, shape));
    }
}
