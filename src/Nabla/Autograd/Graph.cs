namespace Nabla;

/// <summary>Helpers ops use to decide whether to record and to attach their node to the output.</summary>
internal static class Graph
{
    public static bool Needs(Tensor a) => a.RequiresGrad && Autograd.IsEnabled;

    public static bool Needs(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && Autograd.IsEnabled;

    public static bool Needs(Tensor a, Tensor b, Tensor c) => (a.RequiresGrad || b.RequiresGrad || c.RequiresGrad) && Autograd.IsEnabled;

    public static bool Needs(IReadOnlyList<Tensor> inputs)
    {
        if (!Autograd.IsEnabled) return false;
        foreach (var t in inputs)
        {
            if (t.RequiresGrad) return true;
        }
        return false;
    }

    /// <summary>Makes <paramref name="node"/> the producer of <paramref name="output"/>, with edges to the inputs.</summary>
    public static Tensor Attach(Tensor output, Node node, params ReadOnlySpan<Tensor> inputs)
    {
        var next = new Node?[inputs.Length];
        for (var i = 0; i < inputs.Length; i++) next[i] = inputs[i].GradEdge;
        node.Connect(next);
        output.SetGradFn(node);
        return output;
    }
}
