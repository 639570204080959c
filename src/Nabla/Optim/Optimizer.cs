using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// Updates parameters from their gradients. An optimizer holds parameter groups (<see cref="ParamGroup"/>),
/// each with its own hyperparameters, and per-parameter state (moments, step counts) created on first use.
/// <code>
/// var optimizer = new Adam(model.Parameters(), learningRate: 1e-3f);
/// for (var step = 0; step &lt; steps; step++)
/// {
///     using var scope = TensorScope.Begin();
///     optimizer.ZeroGrad();
///     loss(model, batch).Backward();
///     optimizer.Step();
/// }
/// </code>
/// </summary>
public abstract partial class Optimizer
{
    private readonly List<ParamGroup> _groups = [];
    private readonly List<Tensor> _parameters = [];
    private readonly List<ParameterState?> _states = [];
    private readonly HashSet<Tensor> _known = new(ReferenceEqualityComparer.Instance);
    private readonly (string Name, float Value)[] _defaults;

    /// <param name="groups">The parameter groups; options they leave unset take the values in <paramref name="defaults"/>.</param>
    /// <param name="defaults">Every option this optimizer understands (PyTorch's names) with its default value, in display order.</param>
    protected Optimizer(IEnumerable<ParamGroup> groups, IEnumerable<(string Name, float Value)> defaults)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(defaults);
        _defaults = [.. defaults];
        foreach (var group in groups) AddParamGroup(group);
        if (_parameters.Count == 0)
        {
            throw new ArgumentException($"{Name}: got no parameters to optimize; pass a module's Parameters() (frozen ones are skipped at each step).", nameof(groups));
        }
    }

    /// <summary>The optimizer's name in messages, e.g. <c>Adam</c>.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The parameter groups, in order; change their options between steps to adjust training.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Every option this optimizer understands with its default value.</summary>
    public IReadOnlyList<(string Name, float Value)> Defaults => _defaults;

    /// <summary>The first group's learning rate; setting it sets every group's (what schedules adjust per group).</summary>
    public float LearningRate
    {
        get => _groups[0].LearningRate;
        set
        {
            if (!(value >= 0f) || float.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: the learning rate must be a finite number >= 0; got {value}.");
            }
            foreach (var group in _groups) group.LearningRate = value;
        }
    }

    /// <summary>
    /// The option that plays the role of momentum (<c>momentum</c> or Adam's <c>beta1</c>), which
    /// <see cref="OneCycleLR"/> cycles, or null when the optimizer has none.
    /// </summary>
    protected internal virtual string? MomentumOption => null;

    /// <summary>Adds a group (e.g. layers unfrozen during fine-tuning), filling its unset options with the defaults.</summary>
    public void AddParamGroup(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var index = _groups.Count;
        var unknown = group.Options.Keys.Where(k => !_defaults.Any(d => d.Name == k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"{Name}: parameter group {index} sets unknown option(s) {string.Join(", ", unknown)}; {Name}'s options are {string.Join(", ", _defaults.Select(d => d.Name))}.", nameof(group));
        }
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < group.Parameters.Count; i++)
        {
            var p = group.Parameters[i];
            if (p is null) throw new ArgumentException($"{Name}: parameter {i} of group {index} is null.", nameof(group));
            if (!p.IsLeaf)
            {
                throw new ArgumentException($"{Name}: parameter {i} of group {index} (shape {p.Shape}) was produced by {p.GradFn!.Name}, not a leaf; optimizers update leaf tensors such as a module's parameters.", nameof(group));
            }
            if (_known.Contains(p) || !seen.Add(p))
            {
                throw new ArgumentException($"{Name}: parameter {i} of group {index} (shape {p.Shape}) appears more than once; each parameter may belong to one group only.", nameof(group));
            }
        }
        foreach (var (name, value) in _defaults)
        {
            if (!group.Has(name)) group[name] = value;
        }
        ValidateGroup(group, index);
        _groups.Add(group);
        _known.UnionWith(seen);
        foreach (var p in group.Parameters)
        {
            _parameters.Add(p);
            _states.Add(null);
        }
    }

    /// <summary>Checks every group's options again, after they were changed from outside (the registry's options).</summary>
    internal void ValidateGroups()
    {
        for (var g = 0; g < _groups.Count; g++) ValidateGroup(_groups[g], g);
    }

    private void ValidateGroup(ParamGroup group, int index)
    {
        CheckOption(group, index, ParamGroup.LearningRateKey, v => v >= 0f && !float.IsInfinity(v), "a finite number >= 0");
        CheckOption(group, index, ParamGroup.WeightDecayKey, v => v >= 0f && !float.IsInfinity(v), "a finite number >= 0");
        Validate(group, index);
    }

    /// <summary>
    /// Applies one update to every parameter that requires grad and has a gradient, in place. Parameters
    /// without a gradient (unused in the loss) or frozen ones (RequiresGrad false) are left untouched.
    /// </summary>
    public void Step()
    {
        using var noGrad = Autograd.NoGrad();
        // Temporaries of the update go back to the pool; state buffers are persisted when created.
        using var scope = TensorScope.Begin();
        var index = 0;
        foreach (var group in _groups)
        {
            foreach (var p in group.Parameters)
            {
                var i = index++;
                if (!p.RequiresGrad || p.Grad is not { } grad) continue;
                if (grad.Shape != p.Shape)
                {
                    throw new InvalidOperationException($"{Name}: parameter {i} has shape {p.Shape} but its gradient has shape {grad.Shape}.");
                }
                Update(p, grad, group, _states[i] ??= new ParameterState());
            }
        }
    }

    /// <summary>Zeros every parameter's gradient in place (keeping its buffer), or drops it with <paramref name="setToNone"/>.</summary>
    public void ZeroGrad(bool setToNone = false)
    {
        foreach (var p in _parameters)
        {
            if (setToNone) p.Grad = null;
            else p.ZeroGrad();
        }
    }

    /// <summary>
    /// Updates one parameter in place (autograd is off): <paramref name="gradient"/> is its gradient,
    /// <paramref name="group"/> holds the hyperparameters, <paramref name="state"/> what was remembered so far.
    /// </summary>
    protected abstract void Update(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state);

    /// <summary>
    /// Checks a group's optimizer-specific options once the defaults are filled in; throw ArgumentException naming the option.
    /// NOTE: runs from the base constructor, before a derived constructor's body, so it may read only the group.
    /// </summary>
    protected virtual void Validate(ParamGroup group, int groupIndex) { }

    /// <summary>Throws an ArgumentException when <paramref name="valid"/> rejects the group's option.</summary>
    protected void CheckOption(ParamGroup group, int groupIndex, string option, Func<float, bool> valid, string expected)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(valid);
        var value = group[option];
        if (!valid(value))
        {
            throw new ArgumentException($"{Name}: option {option} must be {expected}; got {Format(value)} (parameter group {groupIndex}).");
        }
    }

    /// <summary>Checks that a switch option is 0 (off) or 1 (on).</summary>
    protected void CheckFlag(ParamGroup group, int groupIndex, string option) =>
        CheckOption(group, groupIndex, option, v => v is 0f or 1f, "0 (off) or 1 (on)");

    /// <summary>E.g. <c>Adam(lr=0.001, weight_decay=0, beta1=0.9, beta2=0.999, eps=1E-08, amsgrad=0)</c>, from the first group.</summary>
    public override string ToString()
    {
        var options = string.Join(", ", _defaults.Select(d => $"{d.Name}={Format(_groups[0][d.Name])}"));
        return _groups.Count == 1 ? $"{Name}({options})" : $"{Name}({options}; {_groups.Count} parameter groups)";
    }

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
