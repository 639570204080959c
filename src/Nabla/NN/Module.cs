namespace Nabla.NN;

/// <summary>
/// A building block of a model: it owns named parameters (trainable tensors), buffers (state that is
/// saved but not trained, such as batch norm's running mean) and child modules, all registered
/// explicitly by name. The dotted path of names is the state-dict key (<c>conv1.weight</c>), so
/// weights load by name from checkpoints and other frameworks.
/// <code>
/// sealed class Net : Module
/// {
///     private readonly Linear _hidden, _output;
///     public Net()
///     {
///         _hidden = Add("hidden", new Linear(784, 128));
///         _output = Add("output", new Linear(128, 10));
///     }
///     protected override Tensor Compute(Tensor x) => _output.Forward(_hidden.Forward(x).Relu());
/// }
/// </code>
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Child)> _children = [];

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics); see <see cref="Train"/> and <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Runs the module on one input tensor (observers such as <see cref="Summary"/> see each call).</summary>
    public Tensor Forward(Tensor input)
    {
        var output = Compute(input);
        ForwardObserver.Current?.Record(this, output);
        return output;
    }

    /// <summary>The module's computation: what <see cref="Forward"/> returns.</summary>
    protected abstract Tensor Compute(Tensor input);

    // ---- registration ---------------------------------------------------------------------------

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T Add<T>(string name, T child) where T : Module
    {
        ArgumentNullException.ThrowIfNull(child);
        CheckName(name);
        _children.Add((name, child));
        return child;
    }

    /// <summary>Registers a trainable parameter (it is made a leaf that requires grad) and returns it.</summary>
    protected Tensor AddParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        if (!value.IsLeaf) value = value.Detach();
        PersistStorage(value);
        value.RequiresGrad = true;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a buffer: state saved in the state dict and updated in place, but not trained.</summary>
    protected Tensor AddBuffer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        value = value.Detach();
        PersistStorage(value);
        _buffers.Add((name, value));
        return value;
    }

    private static void PersistStorage(Tensor value) => TensorScope.Persist(value.Storage);

    private void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
        {
            throw new ArgumentException($"{GetType().Name}: '{name}' is not a valid name; names are non-empty and contain no '.'.");
        }
        if (_parameters.Exists(p => p.Name == name) || _buffers.Exists(b => b.Name == name) || _children.Exists(c => c.Name == name))
        {
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.");
        }
    }

    // ---- traversal ------------------------------------------------------------------------------

    /// <summary>Direct children with their names, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(c => (c.Name, c.Child));

    /// <summary>This module (name "") and every descendant, with dotted names, depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
        {
            foreach (var entry in child.NamedModules(Join(prefix, name))) yield return entry;
        }
    }

    /// <summary>Every parameter of this module and its descendants with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters() =>
        NamedModules().SelectMany(m => m.Module._parameters.Select(p => (Join(m.Name, p.Name), p.Value)));

    /// <summary>Every buffer of this module and its descendants with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers() =>
        NamedModules().SelectMany(m => m.Module._buffers.Select(b => (Join(m.Name, b.Name), b.Value)));

    /// <summary>Every parameter (frozen ones included; filter on RequiresGrad for the trainable ones).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Parameters that currently require grad: what an optimizer should update.</summary>
    public IEnumerable<Tensor> TrainableParameters() => Parameters().Where(p => p.RequiresGrad);

    /// <summary>Number of scalar parameters (optionally only the trainable ones).</summary>
    public long ParameterCount(bool trainableOnly = false) =>
        Parameters().Where(p => !trainableOnly || p.RequiresGrad).Sum(p => (long)p.Count);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes ----------------------------------------------------------------------------------

    /// <summary>Switches this module and its descendants to training (or, with false, evaluation) mode.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, module) in NamedModules()) module.IsTraining = training;
        return this;
    }

    /// <summary>Switches this module and its descendants to evaluation mode (dropout off, running statistics in batch norm).</summary>
    public Module Eval() => Train(false);

    /// <summary>Stops gradients for every parameter of this module and its descendants (transfer learning).</summary>
    public Module Freeze()
    {
        foreach (var p in Parameters())
        {
            p.RequiresGrad = false;
            p.Grad = null;
        }
        return this;
    }

    /// <summary>Makes every parameter of this module and its descendants trainable again.</summary>
    public Module Unfreeze()
    {
        foreach (var p in Parameters()) p.RequiresGrad = true;
        return this;
    }

    /// <summary>Clears the gradients of every parameter (sets them to zero in place).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    // ---- state ----------------------------------------------------------------------------------

    /// <summary>
    /// Parameters and buffers by dotted name, in registration order. The tensors share memory with
    /// the module (detached, so they do not record gradients); clone them for a snapshot.
    /// </summary>
    public StateDict StateDict()
    {
        var state = new StateDict();
        foreach (var (name, p) in NamedParameters()) state.Add(name, p.Detach());
        foreach (var (name, b) in NamedBuffers()) state.Add(name, b.Detach());
        return state;
    }

    /// <summary>
    /// Copies values into the parameters and buffers with the same names. With <paramref name="strict"/>
    /// (the default) a missing or unexpected key is an error; a shape mismatch always is. Nothing is
    /// copied unless every check passes. Returns the keys that were missing and unexpected.
    /// </summary>
    public (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing keys: {string.Join(", ", missing)}");
            if (unexpected.Count > 0) parts.Add($"unexpected keys: {string.Join(", ", unexpected)}");
            throw new ArgumentException($"LoadStateDict ({GetType().Name}): {string.Join("; ", parts)}.");
        }
        var mismatched = own.Where(kv => state.TryGetValue(kv.Key, out var v) && v.Shape != kv.Value.Shape)
            .Select(kv => $"{kv.Key}: expected {kv.Value.Shape}, got {state[kv.Key].Shape}").ToList();
        if (mismatched.Count > 0)
        {
            throw new ArgumentException($"LoadStateDict ({GetType().Name}): shape mismatch for {string.Join("; ", mismatched)}.");
        }
        using (Autograd.NoGrad())
        {
            foreach (var (key, target) in own)
            {
                if (state.TryGetValue(key, out var value)) target.CopyFrom(value);
            }
        }
        return (missing, unexpected);
    }

    /// <summary>A Keras-style table of the layers, their output shapes for an input of <paramref name="inputShape"/> and their parameter counts.</summary>
    public string Summary(params int[] inputShape) => ModuleSummary.Build(this, inputShape);

    /// <summary>One line per module: its name and type; layers override <see cref="Describe"/> with their sizes.</summary>
    public override string ToString() => Describe();

    /// <summary>A short description such as <c>Linear(784 -> 128, bias)</c>.</summary>
    public virtual string Describe() => GetType().Name;
}
