namespace Nabla;

/// <summary>
/// One recorded operation in the autograd graph: it knows the graph edges of its inputs and how to
/// turn the gradient of its single output into gradients for those inputs (a vector-Jacobian product).
/// </summary>
public abstract class Node
{
    private Node?[] _next = [];

    /// <summary>Operation name as shown in errors and graph dumps, e.g. <c>Exp</c>.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>Graph edges of the inputs (null where an input needs no gradient).</summary>
    internal Node?[] Next => _next;

    /// <summary>The output tensor whose gradient should be kept (see <see cref="Tensor.RetainGrad"/>).</summary>
    internal Tensor? RetainedOutput { get; set; }

    internal void Connect(Node?[] next) => _next = next;

    /// <summary>Given d(loss)/d(output), returns d(loss)/d(input) for each input (null where not needed).</summary>
    internal abstract Tensor?[] Backward(Tensor gradOutput);

    /// <summary>Frees values saved for backward; a later backward through this node throws.</summary>
    internal void Release() => ReleaseSaved();

    /// <summary>Drops references to saved tensors (override when the node saves any).</summary>
    protected virtual void ReleaseSaved()
    {
    }

    /// <summary>True when input <paramref name="i"/> needs a gradient (so backward may skip work).</summary>
    internal bool NeedsGrad(int i) => i < _next.Length && _next[i] is not null;

    public override string ToString() => $"<{Name}>";
}

/// <summary>The sink at a leaf tensor: adds arriving gradients into its <see cref="Tensor.Grad"/>.</summary>
internal sealed class AccumulateGrad(Tensor leaf) : Node
{
    public Tensor Leaf { get; } = leaf;

    internal override Tensor?[] Backward(Tensor gradOutput) => [];

    /// <summary>Adds a gradient into the leaf; the first gradient is copied so the leaf owns its buffer.</summary>
    public void Accumulate(Tensor grad, bool createGraph)
    {
        if (!createGraph && Leaf.TryOverwriteZeroedGrad(grad)) return;
        if (Leaf.Grad is null)
        {
            Leaf.Grad = createGraph ? grad : grad.Detach().Clone();
            TensorScope.Persist(Leaf.Grad.Storage); // a leaf's gradient outlives the step that made it
        }
        else if (createGraph || Leaf.Grad.RequiresGrad)
        {
            Leaf.Grad = Leaf.Grad + grad;
            TensorScope.Persist(Leaf.Grad.Storage);
        }
        else
        {
            using (Autograd.NoGrad()) Leaf.Grad.AddInPlace(grad);
        }
    }
}

/// <summary>
/// A tensor saved by a node for its backward pass, with the storage version at save time, so an
/// in-place write in between is reported instead of silently giving a wrong gradient.
/// </summary>
internal sealed class SavedTensor(Tensor value)
{
    private Tensor? _value = value;
    private readonly int _version = value.Storage.Version;

    public Tensor Get(Node owner)
    {
        var v = _value ?? throw Freed(owner);
        if (v.Storage.Version != _version)
        {
            throw new InvalidOperationException(
                $"{owner.Name}: a tensor of shape {v.Shape} saved for the backward pass was modified in place afterwards (version {_version} became {v.Storage.Version}); the gradient would be wrong. Use an out-of-place operation or Clone() before modifying it.");
        }
        return v;
    }

    public void Release() => _value = null;

    /// <summary>The error for a backward through a node whose saved values (tensors or kernel buffers) the first backward freed.</summary>
    public static InvalidOperationException Freed(Node owner) => new(
        $"{owner.Name}: trying to backward through the graph a second time, but its saved values were freed by the first backward. Pass retainGraph: true to the first Backward (or Autograd.Grad) call to backward twice.");
}
