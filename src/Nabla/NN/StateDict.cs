namespace Nabla.NN;

/// <summary>Named tensors in a fixed order: a module's parameters and buffers, or an optimizer's state.</summary>
public sealed class StateDict : OrderedDictionary<string, Tensor>
{
    public StateDict() : base(StringComparer.Ordinal) { }

    /// <summary>A deep copy whose tensors no longer share memory with the module (a snapshot).</summary>
    public StateDict Clone()
    {
        var copy = new StateDict();
        using (Autograd.NoGrad())
        {
            foreach (var (key, value) in this)
            {
                var clone = value.Clone();
                TensorScope.Persist(clone.Storage);
                copy.Add(key, clone);
            }
        }
        return copy;
    }
}
