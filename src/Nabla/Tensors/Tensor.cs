namespace Nabla;

/// <summary>
/// An n-dimensional array of float32 values: a view (shape, strides, offset) on a flat
/// <see cref="Storage"/>, row-major by default. Views share storage; arithmetic builds new tensors
/// and, where any input requires a gradient, records the operation for <see cref="Backward"/>.
/// </summary>
public sealed partial class Tensor
{
    private bool _requiresGrad;
    private AccumulateGrad? _accumulator;

    internal Tensor(Storage storage, Shape shape, int[] strides, int offset)
    {
        Storage = storage;
        Shape = shape;
        StrideArray = strides;
        Offset = offset;
    }

    /// <summary>A fresh contiguous tensor with uninitialised contents (kernels fill it).</summary>
    internal static Tensor Empty(Shape shape) =>
        new(new Storage(shape.Count), shape, Shape.ContiguousStrides(shape.Dims), 0);

    internal static Tensor Wrap(float[] data, Shape shape) =>
        new(new Storage(data), shape, Shape.ContiguousStrides(shape.Dims), 0);

    internal Storage Storage { get; }
    internal int[] StrideArray { get; }

    /// <summary>Sizes of the axes.</summary>
    public Shape Shape { get; }

    /// <summary>Number of axes (0 for a scalar).</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Count => Shape.Count;

    /// <summary>Step in storage elements between neighbours along each axis (0 on broadcast axes).</summary>
    public ReadOnlySpan<int> Strides => StrideArray;

    /// <summary>Index in the storage of this view's first element.</summary>
    public int Offset { get; }

    /// <summary>True when the elements are laid out row-major without gaps, starting at <see cref="Offset"/>.</summary>
    public bool IsContiguous
    {
        get
        {
            var expected = 1;
            for (var i = Rank - 1; i >= 0; i--)
            {
                var d = Shape.Dims[i];
                if (d == 1) continue;
                if (StrideArray[i] != expected) return false;
                expected *= d;
            }
            return true;
        }
    }

    /// <summary>The contiguous elements as a span; only valid when <see cref="IsContiguous"/>.</summary>
    internal Span<float> Span => Count == 0 ? Span<float>.Empty : Storage.Data.AsSpan(Offset, Count);

    // ---- autograd state -------------------------------------------------------------------------

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves (tensors created by the user);
    /// a tensor produced by a recorded operation requires grad because one of its inputs does.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            if (GradFn is not null)
            {
                throw new InvalidOperationException($"RequiresGrad can only be set on leaf tensors; this tensor was produced by {GradFn.Name}. Use Detach() to get a leaf.");
            }
            _requiresGrad = value;
        }
    }

    /// <summary>Sets <see cref="RequiresGrad"/> on this leaf and returns it: <c>var w = Tensor.Randn(3, 2).RequireGrad();</c></summary>
    public Tensor RequireGrad(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>The recorded operation that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; private set; }

    /// <summary>True for tensors not produced by a recorded operation (user-created, detached, or built under NoGrad).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Accumulated gradient of a leaf (or of a non-leaf after <see cref="RetainGrad"/>), filled by <see cref="Backward"/>.</summary>
    public Tensor? Grad
    {
        get
        {
            if (_gradIsZero)
            {
                // ZeroGrad kept the buffer but deferred the fill: someone reads it before a backward overwrote it.
                _gradIsZero = false;
                using (Autograd.NoGrad()) _grad!.FillInPlace(0f);
            }
            return _grad;
        }
        set
        {
            _grad = value;
            _gradIsZero = false;
        }
    }

    private Tensor? _grad;
    private bool _gradIsZero;

    internal void SetGradFn(Node node) => GradFn = node;

    /// <summary>The graph edge through which gradients reach this tensor, or null when none should.</summary>
    internal Node? GradEdge => GradFn ?? (_requiresGrad ? _accumulator ??= new AccumulateGrad(this) : null);

    /// <summary>
    /// Back-propagates from this tensor: accumulates d(this)/d(leaf) · gradient into the
    /// <see cref="Grad"/> of every leaf that requires grad. A scalar needs no gradient argument.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Engine.Backward([this], gradient is null ? null : [gradient], retainGraph, createGraph: false);

    /// <summary>A tensor sharing this one's storage, cut off from the graph (a leaf that does not require grad).</summary>
    public Tensor Detach() => new(Storage, Shape, StrideArray, Offset);

    /// <summary>
    /// Sets <see cref="Grad"/> to zeros in place (keeping its buffer), if there is one. The fill is deferred:
    /// the next backward writes its gradient straight into the buffer instead of adding it to zeros, and a
    /// read of <see cref="Grad"/> before that sees the zeros. (A reference to the old gradient tensor kept
    /// from before, or the same tensor set as another leaf's Grad, still shows the old values until then.)
    /// </summary>
    public void ZeroGrad()
    {
        if (_grad is null) return;
        if (_grad.RequiresGrad || !_grad.IsContiguous)
        {
            using (Autograd.NoGrad()) _grad.FillInPlace(0f);
            _gradIsZero = false;
            return;
        }
        _gradIsZero = true;
        _grad.Storage.BumpVersion(); // its values are now (logically) zeros: a node that saved it must notice
    }

    /// <summary>
    /// After <see cref="ZeroGrad"/>, copies the first arriving gradient into the kept buffer (what adding it to
    /// zeros would give) and returns true; otherwise false.
    /// </summary>
    internal bool TryOverwriteZeroedGrad(Tensor gradient)
    {
        if (!_gradIsZero || _grad!.Shape != gradient.Shape) return false;
        Backends.Cpu.Elementwise.CopyInto(gradient, _grad);
        _grad.Storage.BumpVersion();
        _gradIsZero = false;
        return true;
    }

    /// <summary>Asks a non-leaf tensor to keep its gradient in <see cref="Grad"/> during backward.</summary>
    public Tensor RetainGrad()
    {
        if (IsLeaf) return this;
        GradFn!.RetainedOutput = this;
        return this;
    }

    /// <summary>Throws if an in-place write to this tensor would break autograd.</summary>
    internal void CheckInPlaceAllowed(string op)
    {
        for (var d = 0; d < Rank; d++)
        {
            if (StrideArray[d] == 0 && Shape.Dims[d] > 1)
            {
                throw new InvalidOperationException($"{op}: this tensor (shape {Shape}) is a broadcast view in which several elements share one memory location; write to a Contiguous() copy instead.");
            }
        }
        if (!Autograd.IsEnabled) return;
        if (IsLeaf && _requiresGrad)
        {
            throw new InvalidOperationException($"{op}: a leaf tensor that requires grad cannot be modified in place while gradients are recorded; wrap the update in Autograd.NoGrad().");
        }
        if (GradFn is not null)
        {
            throw new InvalidOperationException($"{op}: in-place writes to a tensor produced by {GradFn.Name} are not differentiable; use the out-of-place operation or Autograd.NoGrad().");
        }
    }
}
