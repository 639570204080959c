namespace Nabla;

/// <summary>
/// Runs the backward pass: counts how many recorded consumers each node has, then walks the graph
/// in topological order (Kahn), summing gradients that meet at a node before calling its backward.
/// </summary>
internal static class Engine
{
    public static void Backward(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor>? gradOutputs, bool retainGraph, bool createGraph) =>
        Run(outputs, gradOutputs, retainGraph, createGraph, capture: null);

    /// <summary>
    /// Back-propagates from <paramref name="outputs"/>. Without <paramref name="capture"/>, gradients
    /// accumulate into leaves; with it, they are returned for those tensors and no leaf is touched.
    /// </summary>
    public static Tensor?[] Run(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor>? gradOutputs, bool retainGraph, bool createGraph, IReadOnlyList<Tensor>? capture)
    {
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
        {
            throw new ArgumentException($"Backward: {outputs.Count} outputs but {gradOutputs.Count} gradients were given.");
        }
        var pending = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance);
        var roots = new List<Node>(outputs.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            var root = output.GradEdge ?? throw new InvalidOperationException(
                $"Backward: output {i} (shape {output.Shape}) does not require grad and has no GradFn; nothing to differentiate. Set RequiresGrad on an input before computing it (and not under NoGrad).");
            var seed = SeedGradient(output, gradOutputs?[i], i);
            pending[root] = pending.TryGetValue(root, out var g) ? g + seed : seed;
            roots.Add(root);
        }

        Dictionary<Node, int>? targets = null;
        if (capture is not null)
        {
            targets = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < capture.Count; i++) targets.TryAdd(capture[i].GradEdge!, i);
        }
        var captured = new Tensor?[capture?.Count ?? 0];

        var dependencies = CountDependencies(roots);
        var ready = new Queue<Node>();
        foreach (var root in roots)
        {
            if (dependencies[root] == 0 && !ready.Contains(root)) ready.Enqueue(root);
        }

        using var mode = createGraph ? default : Autograd.NoGrad();
        while (ready.Count > 0)
        {
            var node = ready.Dequeue();
            pending.Remove(node, out var grad);
            if (grad is null)
            {
                ReleaseEdges(node, dependencies, ready);
                continue;
            }
            if (targets is not null && targets.TryGetValue(node, out var slot))
            {
                captured[slot] = grad;
            }
            if (node is AccumulateGrad sink)
            {
                if (capture is null) sink.Accumulate(grad, createGraph);
                continue;
            }
            if (node.Released)
            {
                throw new InvalidOperationException(
                    $"{node.Name}: trying to backward through the graph a second time, but its saved values were freed by the first backward. Pass retainGraph: true to the first Backward (or Autograd.Grad) call to backward twice.");
            }
            if (capture is null && node.RetainedOutput is { } retained)
            {
                retained.Grad = retained.Grad is null ? grad.Detach() : retained.Grad + grad.Detach();
                TensorScope.Persist(retained.Grad.Storage);
            }

            var inputGrads = node.Backward(grad);
            var next = node.Next;
            for (var i = 0; i < next.Length; i++)
            {
                var edge = next[i];
                if (edge is null) continue;
                var g = i < inputGrads.Length ? inputGrads[i] : null;
                if (g is not null)
                {
                    pending[edge] = pending.TryGetValue(edge, out var sum) ? sum + g : g;
                }
                if (--dependencies[edge] == 0) ready.Enqueue(edge);
            }
            if (!retainGraph) node.Release();
        }
        return captured;
    }

    private static Tensor SeedGradient(Tensor output, Tensor? given, int index)
    {
        if (given is null)
        {
            if (output.Count != 1)
            {
                throw new ArgumentException($"Backward: a gradient can be created implicitly only for a scalar output; output {index} has shape {output.Shape}. Pass a gradient of that shape.");
            }
            return Tensor.Ones(output.Shape);
        }
        if (given.Shape != output.Shape)
        {
            throw new ArgumentException($"Backward: gradient {index} has shape {given.Shape} but its output has shape {output.Shape}.");
        }
        return given;
    }

    private static void ReleaseEdges(Node node, Dictionary<Node, int> dependencies, Queue<Node> ready)
    {
        foreach (var edge in node.Next)
        {
            if (edge is not null && --dependencies[edge] == 0) ready.Enqueue(edge);
        }
    }

    /// <summary>Number of edges into each node reachable from the roots (iterative DFS: graphs of long sequences are deep).</summary>
    private static Dictionary<Node, int> CountDependencies(List<Node> roots)
    {
        var counts = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        foreach (var root in roots)
        {
            if (counts.TryAdd(root, 0)) stack.Push(root);
        }
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            foreach (var edge in node.Next)
            {
                if (edge is null) continue;
                if (counts.TryGetValue(edge, out var c))
                {
                    counts[edge] = c + 1;
                }
                else
                {
                    counts[edge] = 1;
                    stack.Push(edge);
                }
            }
        }
        return counts;
    }
}
