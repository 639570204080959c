namespace Nabla.Ops;

/// <summary>y = x with its axes reordered (a view: strides permuted) · backward: dx = dy permuted by the inverse order.</summary>
internal sealed class Permute : Node
{
    private int[] _inverse = [];

    public static Tensor Apply(Tensor x, int[] order)
    {
        var rank = x.Rank;
        if (order.Length != rank)
        {
            throw new ArgumentException($"Permute: tensor of shape {x.Shape} has {rank} axes but the order {Shape.Format(order)} lists {order.Length}.");
        }
        var normalized = new int[rank];
        var seen = new bool[rank];
        for (var i = 0; i < rank; i++)
        {
            var a = Shape.NormalizeAxis(order[i], rank, "Permute");
            if (seen[a]) throw new ArgumentException($"Permute: axis {a} appears twice in the order {Shape.Format(order)}.");
            seen[a] = true;
            normalized[i] = a;
        }
        var y = x.PermuteView(normalized);
        if (!Graph.Needs(x)) return y;
        var inverse = new int[rank];
        for (var i = 0; i < rank; i++) inverse[normalized[i]] = i;
        return Graph.Attach(y, new Permute { _inverse = inverse }, x);
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy.Permute(_inverse)];
}
