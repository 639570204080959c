using Nabla.Ops;

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
        var pending = new Dictionary<Node, Pending>(ReferenceEqualityComparer.Instance);
        var roots = new List<Node>(outputs.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            var root = output.GradEdge ?? throw new InvalidOperationException(
                $"Backward: output {i} (shape {output.Shape}) does not require grad and has no GradFn; nothing to differentiate. Set RequiresGrad on an input before computing it (and not under NoGrad).");
            var seed = SeedGradient(output, gradOutputs?[i], i);
            pending[root] = new Pending(pending.TryGetValue(root, out var g) ? g.Sum + seed : seed, Owned: false);
            roots.Add(root);
        }

        // With capture targets, only nodes on a path to a target run (and only they are freed).
        Dictionary<Node, int>? firstSlot = null;
        HashSet<Node>? needed = null, leadsToTarget = null;
        if (capture is not null)
        {
            firstSlot = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < capture.Count; i++) firstSlot.TryAdd(capture[i].GradEdge!, i);
            (needed, leadsToTarget) = NodesReaching(roots, firstSlot);
        }
        var captured = new Tensor?[capture?.Count ?? 0];

        var dependencies = CountDependencies(roots);
        var ready = new Queue<Node>();
        foreach (var root in roots)
        {
            if (dependencies[root] == 0 && !ready.Contains(root)) ready.Enqueue(root);
        }

        using var mode = createGraph ? default : Autograd.NoGrad();
        // Only gradient sums the engine allocated itself and has not yet handed to any node (Pending.Owned) may be added
        // to in place: a node's gradient may be its input's gradient too, or a view of a saved tensor. Recording a graph
        // for higher derivatives needs out-of-place sums, so then nothing is summed in place.
        var inPlace = !createGraph;
        while (ready.Count > 0)
        {
            var node = ready.Dequeue();
            var grad = pending.Remove(node, out var arrived) ? arrived.Sum : null;
            if (grad is null || (needed is not null && !needed.Contains(node)))
            {
                ReleaseEdges(node, dependencies, ready);
                continue;
            }
            if (firstSlot is not null && firstSlot.TryGetValue(node, out var slot))
            {
                captured[slot] = grad;
            }
            if (leadsToTarget is not null && !leadsToTarget.Contains(node))
            {
                ReleaseEdges(node, dependencies, ready); // a target with nothing asked for below it
                continue;
            }
            if (node is AccumulateGrad sink)
            {
                if (capture is null) sink.Accumulate(grad, createGraph);
                continue;
            }
            if (capture is null && node.RetainedOutput is { } retained)
            {
                retained.Grad = retained.Grad is null ? grad.Detach().Clone() : retained.Grad + grad.Detach();
                TensorScope.Persist(retained.Grad.Storage);
            }

            if (inPlace && node is Slice slice && node.Next[0] is { } sliced)
            {
                // Instead of Slice.Backward's full-size scatter per slice, every slice of a tensor (the gates of an
                // LSTM step, the time steps of a sequence) adds its gradient into the window of one shared buffer.
                slice.AddInto(OwnedGradient(sliced, slice.InputShape, pending), grad);
                if (--dependencies[sliced] == 0) ready.Enqueue(sliced);
                if (!retainGraph) node.Release();
                continue;
            }

            var inputGrads = node.Backward(grad);
            var next = node.Next;
            for (var i = 0; i < next.Length; i++)
            {
                var edge = next[i];
                if (edge is null) continue;
                var g = i < inputGrads.Length ? inputGrads[i] : null;
                if (g is not null) Accumulate(edge, g, pending, inPlace);
                if (--dependencies[edge] == 0) ready.Enqueue(edge);
            }
            if (!retainGraph) node.Release();
        }
        for (var i = 0; i < captured.Length; i++) captured[i] = captured[firstSlot![capture![i].GradEdge!]];
        return captured;
    }

    /// <summary>Adds a node's gradient for <paramref name="edge"/> to what has arrived there so far.</summary>
    private static void Accumulate(Node edge, Tensor g, Dictionary<Node, Pending> pending, bool inPlace)
    {
        if (!pending.TryGetValue(edge, out var sum))
        {
            pending[edge] = new Pending(g, Owned: false);
        }
        else if (inPlace && sum.Owned && sum.Sum.Shape == g.Shape)
        {
            Backends.Cpu.Elementwise.BinaryInto<Backends.Cpu.AddOperator>(sum.Sum, g, sum.Sum);
        }
        else
        {
            pending[edge] = new Pending(sum.Sum + g, Owned: inPlace);
        }
    }

    /// <summary>The engine-owned gradient buffer of <paramref name="edge"/>, created (zeros plus what arrived before) if needed.</summary>
    private static Tensor OwnedGradient(Node edge, Shape shape, Dictionary<Node, Pending> pending)
    {
        var arrived = pending.TryGetValue(edge, out var sum);
        if (arrived && sum.Owned && sum.Sum.Shape == shape) return sum.Sum;
        var buffer = Tensor.Zeros(shape.Dims);
        if (arrived) buffer.AddInPlace(sum.Sum);
        pending[edge] = new Pending(buffer, Owned: true);
        return buffer;
    }

    /// <summary>The gradient summed so far for a node, and whether the engine allocated it and nothing else holds it.</summary>
    private readonly record struct Pending(Tensor Sum, bool Owned);

    /// <summary>
    /// The nodes that are targets or lead to one (the only ones worth visiting), and those with a
    /// target strictly below them (the only ones whose backward must run).
    /// </summary>
    private static (HashSet<Node> Reaches, HashSet<Node> LeadsToTarget) NodesReaching(List<Node> roots, Dictionary<Node, int> targets)
    {
        var reaches = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var below = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Node Node, bool Expanded)>();
        foreach (var root in roots) stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, expanded) = stack.Pop();
            if (expanded)
            {
                var leads = false;
                foreach (var edge in node.Next) leads |= edge is not null && reaches.Contains(edge);
                if (leads) below.Add(node);
                if (leads || targets.ContainsKey(node)) reaches.Add(node);
                continue;
            }
            if (!visited.Add(node)) continue;
            stack.Push((node, true));
            foreach (var edge in node.Next)
            {
                if (edge is not null && !visited.Contains(edge)) stack.Push((edge, false));
            }
        }
        return (reaches, below);
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
